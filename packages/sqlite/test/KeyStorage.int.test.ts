import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import {
  type Commands,
  EventJournal,
  EventStore,
  Ids,
  KeyStorage,
  KeyStore,
  Ledger,
  Template
} from "@mentor-ledger/core"
import { type Journal, KeyStorage as SqlKeyStorage } from "@mentor-ledger/sql"
import { PrivacyConformance } from "@mentor-ledger/testing"
import Database from "better-sqlite3"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { afterEach, describe, expect, it } from "vitest"
import { SqliteJournal } from "../src/index.js"
import { makeTempDir } from "./tempFile.js"

const org = Ids.defaultOrganisation
const subject = (n: number) => KeyStorage.personSubject(org, Ids.sequentialId(n))
const at = new Date("2026-01-01T00:00:00.000Z")
const key = (n: number, fill: number): KeyStorage.StoredKey => ({
  ...subject(n),
  material: new Uint8Array(32).fill(fill),
  wrapping: "none",
  createdAt: at
})

const dirs: Array<ReturnType<typeof makeTempDir>> = []
afterEach(() => {
  for (const d of dirs.splice(0)) d.remove()
})
const tempDir = () => {
  const d = makeTempDir()
  dirs.push(d)
  return d
}

describe("SQLite key storage: the row contract", () => {
  it("keeps the first key, refuses erased subjects, keeps the first erasure date, shreds keys", async () => {
    const { file } = tempDir()
    const { journal, close } = await SqliteJournal.open({ filename: file("keys.db") })
    try {
      const rows = SqlKeyStorage.make(journal)
      const run = <A, E>(e: Effect.Effect<A, E>) => Effect.runPromise(e)
      expect(await run(rows.insert(key(1, 1)))).toEqual(key(1, 1))
      expect(await run(rows.insert(key(1, 2)))).toEqual(key(1, 1))
      expect(await run(rows.get([subject(1), subject(2)]))).toEqual([key(1, 1)])
      await run(rows.markErased([{ ...subject(2), erasedAt: at }]))
      await run(rows.markErased([{ ...subject(2), erasedAt: new Date("2027-01-01T00:00:00.000Z") }]))
      expect(await run(rows.insert(key(2, 3)))).toBeNull()
      expect(await run(rows.erased({ subjects: [subject(2), subject(1)] }))).toEqual([
        { ...subject(2), erasedAt: at }
      ])
      expect(await run(rows.erased({ organisation: Ids.OrganisationId.make("other") }))).toEqual([])
      // An erased subject whose key existed: the key goes, the erasure stays, no new key ever.
      await run(rows.markErased([{ ...subject(1), erasedAt: at }]))
      await run(rows.delete([subject(1)]))
      expect(await run(rows.get([subject(1)]))).toEqual([])
      expect(await run(rows.insert(key(1, 4)))).toBeNull()
      // A shredded key without an erasure record may be issued again.
      expect(await run(rows.insert(key(3, 5)))).toEqual(key(3, 5))
      await run(rows.delete([subject(3)]))
      expect(await run(rows.insert(key(3, 6)))).toEqual(key(3, 6))
    } finally {
      await close()
    }
  })
})

describe("SQLite key storage: many subjects at once", () => {
  it("reads keys and erasures of more subjects than one statement binds, each once, in one lookup", async () => {
    const { file } = tempDir()
    const { journal, close } = await SqliteJournal.open({ filename: file("many.db") })
    try {
      const rows = SqlKeyStorage.make(journal)
      const run = <A, E>(e: Effect.Effect<A, E>) => Effect.runPromise(e)
      const all = Array.from({ length: 600 }, (_, i) => i + 1)
      for (const n of all) if (n % 3 !== 0) await run(rows.insert(key(n, n % 250)))
      await run(rows.markErased(all.filter((n) => n % 5 === 0).map((n) => ({ ...subject(n), erasedAt: at }))))
      await run(rows.delete(all.filter((n) => n % 5 === 0).map(subject)))
      // asked twice over, in another order: each row comes back once
      const asked = [...all, ...all.slice(0, 7)].reverse().map(subject)
      const keys = (await run(rows.get(asked))).map((k) => k.subject).sort()
      const withKey = all.filter((n) => n % 3 !== 0 && n % 5 !== 0)
      expect(keys).toEqual(withKey.map((n) => subject(n).subject).sort())
      const looked = await run(rows.lookup!(asked))
      expect(looked.keys.map((k) => k.subject).sort()).toEqual(keys)
      expect(looked.erased.map((e) => e.subject).sort()).toEqual(
        all
          .filter((n) => n % 5 === 0)
          .map((n) => subject(n).subject)
          .sort()
      )
      expect(await run(rows.erased({ subjects: asked }))).toHaveLength(120)
      expect(await run(rows.erased({ organisation: org, subjects: asked.slice(0, 10) }))).toHaveLength(
        asked.slice(0, 10).filter((s) => all.some((n) => n % 5 === 0 && subject(n).subject === s.subject))
          .length
      )
    } finally {
      await close()
    }
  })
})

// The kit's privacy suite on SQLite: the main file and its write-ahead
// log searched byte for byte, the key rows read with a plain connection.
PrivacyConformance.suite("SQLite files hold no plaintext content", async () => {
  const { dir, file, remove } = makeTempDir()
  const opened = await SqliteJournal.open({ filename: file("ledger.db") }).catch((error) => {
    remove()
    throw error
  })
  return {
    layer: opened.layer,
    find: async (needles) => {
      const found: Array<string> = []
      for (const name of readdirSync(dir)) {
        const bytes = readFileSync(join(dir, name))
        for (const needle of needles)
          if (bytes.includes(Buffer.from(needle, "utf8"))) found.push(`${name}: ${needle}`)
      }
      return found
    },
    keyRecords: async (subject) => {
      const database = new Database(file("ledger.db"), { readonly: true })
      try {
        const rows = database
          .prepare("select material, erased_at from ml_keys where subject = ?")
          .all(subject) as Array<{ material: Uint8Array | null; erased_at: unknown }>
        return rows.map((row) => ({ material: row.material, erasedAt: row.erased_at }))
      } finally {
        database.close()
      }
    },
    close: async () => {
      await opened.close()
      remove()
    }
  }
})

describe("SQLite: new keys are stored in the append's own transaction", () => {
  const row = (n: number): EventJournal.EncodedEvent => ({
    eventId: Ids.sequentialId(1000 + n),
    eventType: "Test",
    schemaVersion: 1,
    payload: "{}",
    metadata: "{}",
    occurredAt: at,
    recordedAt: at
  })
  const batch = (stream: string, n: number, expected: number | "any" = 0): EventJournal.StreamAppend => ({
    organisation: org,
    stream,
    streamType: "Test",
    expected,
    events: [row(n)]
  })

  it("stores the keys with the events, or neither: erased subjects, taken keys and conflicts write nothing", async () => {
    const { file } = tempDir()
    const { journal, close } = await SqliteJournal.open({ filename: file("keys.db") })
    try {
      const rows = SqlKeyStorage.make(journal)
      expect(rows.storedWith).toBe(journal)
      const run = <A, E>(e: Effect.Effect<A, E>) => Effect.runPromise(e)
      const fails = <A, E>(e: Effect.Effect<A, E>) => Effect.runPromise(Effect.flip(e))
      const appendWithKeys = journal.appendWithKeys!
      const events = (stream: string) => run(journal.readStream(org, stream))

      await run(appendWithKeys([batch("s-1", 1)], [key(1, 1)]))
      expect(await run(rows.get([subject(1)]))).toEqual([key(1, 1)])
      expect(await events("s-1")).toHaveLength(1)

      await run(rows.markErased([{ ...subject(2), erasedAt: at }]))
      expect(await fails(appendWithKeys([batch("s-2", 2)], [key(3, 3), key(2, 2)]))).toEqual(
        new EventJournal.KeyNotStored({ organisation: org, subject: subject(2).subject, erased: true })
      )
      // the whole append rolled back: no events, and not the other new key either
      expect(await events("s-2")).toEqual([])
      expect(await run(rows.get([subject(3)]))).toEqual([])

      // another writer's key came first: refused, the stored key stays
      expect(await fails(appendWithKeys([batch("s-3", 3)], [key(1, 9)]))).toEqual(
        new EventJournal.KeyNotStored({ organisation: org, subject: subject(1).subject, erased: false })
      )
      expect(await events("s-3")).toEqual([])
      expect(await run(rows.get([subject(1)]))).toEqual([key(1, 1)])

      // a version conflict stores no key
      const conflict = await fails(appendWithKeys([batch("s-1", 4, 0)], [key(4, 4)]))
      expect(conflict._tag).toBe("StreamVersionMismatch")
      expect(await run(rows.get([subject(4)]))).toEqual([])
    } finally {
      await close()
    }
  })

  it("a writer that lost the race for a person's key seals again with the winner's, and the content reads", async () => {
    const { file } = tempDir()
    const { journal, close } = await SqliteJournal.open({ filename: file("race.db") })
    const rows = SqlKeyStorage.make(journal)
    const n = (i: number) => Ids.sequentialId(i)
    const menteeSubject = KeyStorage.personSubject(org, n(3))
    const winner = { ...menteeSubject, material: new Uint8Array(32).fill(7), wrapping: "none", createdAt: at }
    let raced = 0
    // Another process stores the mentee's key between this one's lookup and its append.
    const racing: Journal.SqlEventJournal = {
      ...journal,
      appendWithKeys: (batches, keys) =>
        Effect.zipRight(
          keys.some((k) => k.subject === menteeSubject.subject) && raced++ === 0
            ? Effect.asVoid(rows.insert(winner))
            : Effect.void,
          journal.appendWithKeys!(batches, keys)
        )
    }
    const layer = Ledger.layer().pipe(
      Layer.provideMerge(EventStore.layer),
      Layer.provideMerge(KeyStore.layer()),
      Layer.provide(Layer.succeed(KeyStorage.KeyStorage, { ...rows, storedWith: racing })),
      Layer.provide(KeyStore.layerUnwrapped),
      Layer.provideMerge(Layer.succeed(EventJournal.EventJournal, racing)),
      Layer.provide(Ids.layerSequential(5000))
    )
    const coordinator = { personId: n(1), role: "coordinator" } as const
    const mentee = { personId: n(3), role: "mentee" } as const
    try {
      const history = await Effect.runPromise(
        Effect.gen(function* () {
          const ledger = yield* Ledger.Ledger
          const commands: ReadonlyArray<Commands.CommandInput> = [
            {
              _tag: "LaunchProgramme",
              actor: coordinator,
              programmeId: n(10),
              name: "Induction",
              templates: [Template.earlyCareerInduction]
            },
            { _tag: "EnrolMentor", actor: coordinator, programmeId: n(10), mentorId: n(2), capacity: 3 },
            {
              _tag: "RecordMentorTraining",
              actor: coordinator,
              programmeId: n(10),
              mentorId: n(2),
              course: "c"
            },
            {
              _tag: "RequestMentoring",
              actor: mentee,
              mentorshipId: n(20),
              programmeId: n(10),
              templateId: "early-career-induction",
              menteeIds: [n(3)],
              supervisorId: null
            },
            { _tag: "MatchMentor", actor: coordinator, mentorshipId: n(20), mentorIds: [n(2)] },
            {
              _tag: "SubmitSelfAssessment",
              actor: mentee,
              mentorshipId: n(20),
              strengths: "strength-of-the-race",
              weaknesses: "w",
              opportunities: "o",
              threats: "t"
            }
          ]
          for (const c of commands) yield* ledger.execute(c)
          return yield* ledger.history(n(20), mentee)
        }).pipe(Effect.provide(layer))
      )
      expect(raced).toBeGreaterThan(0)
      expect(await Effect.runPromise(rows.get([menteeSubject]))).toEqual([winner])
      const swot = history.find((e) => e.event._tag === "SelfAssessmentSubmitted")!
      expect(JSON.stringify(swot.event)).toContain("strength-of-the-race")
    } finally {
      await close()
    }
  })
})
