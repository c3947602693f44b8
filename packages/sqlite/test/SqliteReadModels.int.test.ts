import { spawn } from "node:child_process"
import { copyFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import {
  type Commands,
  createLedger,
  EventStore,
  Ids,
  Mentorship,
  Programme,
  Template
} from "@mentor-ledger/core"
import { Dialect, Journal, Projection, ReadModels } from "@mentor-ledger/sql"
import Database from "better-sqlite3"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Scope from "effect/Scope"
import { sql } from "kysely"
import * as fc from "fast-check"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { SqliteJournal, SqliteReadModels } from "../src/index.js"
import { counts, dump, openLedger, play, scenarios } from "./readModels.js"
import { makeTempDir } from "./tempFile.js"

let temp: ReturnType<typeof makeTempDir>
beforeEach(() => {
  temp = makeTempDir()
})
afterEach(() => {
  temp.remove()
})

/** A copy of a database file (after its connections closed, so that the WAL is in it). */
const copy = (from: string, to: string) => {
  copyFileSync(from, to)
  return to
}

/** Drops the read models of a file: its events stay. */
const dropReadModels = (filename: string, prefix = "ml_") => {
  const database = new Database(filename)
  const names = database
    .prepare(
      `select name from sqlite_master where type = 'table' and name like '${prefix}rm\\_%' escape '\\'`
    )
    .all()
    .map((r) => (r as { name: string }).name)
  for (const name of names) database.exec(`drop table "${name}"`)
  database.close()
  return names
}

describe("inline, catch-up and rebuild", () => {
  it("give identical tables for random histories, and agree with the aggregates", async () => {
    let run = 0
    await fc.assert(
      fc.asyncProperty(scenarios(), fc.integer({ min: 1, max: 60 }), async (all, batchSize) => {
        const filename = temp.file(`inline-${run}.db`)
        const caughtUpFile = temp.file(`catch-up-${run}.db`)
        run++
        // 1. inline: every command's events and read models in one transaction
        const inline = await openLedger(filename)
        await play(inline.ledger, all)
        for (const s of all) {
          // the read models agree with the aggregates the rules decide on
          const { state } = await inline.ledger.mentorship(s.cast.mentorshipId)
          const queried = await inline.store.queries.mentorship(
            { personId: s.cast.coordinator, role: "coordinator" },
            s.cast.mentorshipId
          )
          if (state._tag === "Empty") {
            expect(queried).toBeUndefined()
            continue
          }
          expect(queried).toMatchObject({ phase: state.phase, meetingsHeld: state.meetingsHeld })
          const summaries = await inline.store.queries.summaries(
            { personId: s.cast.coordinator, role: "coordinator" },
            s.cast.mentorshipId
          )
          for (const summary of summaries) {
            expect(summary.shared).toBe(
              Mentorship.isShared(state, { kind: "summary", id: summary.meetingId })
            )
            expect(summary.amendmentsShared).toBe(
              Mentorship.isShared(state, { kind: "amendment", id: summary.meetingId })
            )
          }
          const tasks = await inline.store.queries.tasks(
            { personId: s.cast.coordinator, role: "coordinator" },
            s.cast.mentorshipId
          )
          expect(tasks.map((t) => t.taskId).sort()).toEqual([...state.tasks.keys()].sort())
          for (const task of tasks) {
            expect(task.shared).toBe(Mentorship.isShared(state, { kind: "task", id: task.taskId }))
          }
          const { state: pool } = await inline.ledger.programme(s.cast.programmeId)
          const load = await inline.store.queries.mentorLoad(
            { personId: s.cast.coordinator, role: "coordinator" },
            s.cast.programmeId
          )
          if (pool._tag === "Active") {
            expect(load.map((m) => [m.mentorId, m.capacity, m.assigned]).sort()).toEqual(
              [...pool.mentors.entries()].map(([id, m]) => [id, m.capacity, m.assigned.size]).sort()
            )
            for (const m of load) expect(m.free).toBe(Programme.freeCapacity(pool, m.mentorId!))
          }
        }
        await inline.close()
        const fromInline = dump(filename)
        if (process.env.SHOW) console.log(JSON.stringify(counts(fromInline)))

        // 2. catch-up: the same log in a copy without read models, in random batches
        copy(filename, caughtUpFile)
        expect(dropReadModels(caughtUpFile).length).toBeGreaterThan(0)
        const caughtUp = await SqliteReadModels.open({
          filename: caughtUpFile,
          projections: "manual",
          batchSize
        })
        // opening caught up already; catch up once more, then close
        await caughtUp.projections.catchUp({ batchSize })
        await caughtUp.close()
        expect(dump(caughtUpFile)).toEqual(fromInline)

        // 3. full rebuild in place, in one pass for both projections; in transactions of
        //    several batches, each folded into the same changes and written once
        const rebuilt = await SqliteReadModels.open({ filename, projections: "manual", batchSize })
        await rebuilt.rebuild()
        await rebuilt.close()
        expect(dump(filename)).toEqual(fromInline)
      }),
      { numRuns: 25 }
    )
  }, 120_000)
})

/** A file with a random history in its log and empty read models; and the read models a rebuild gives. */
const history = async (seed: number, maxSteps = 60) => {
  const filename = temp.file(`history-${seed}.db`)
  // long enough for a few batches
  const [all] = fc.sample(
    scenarios({ maxSteps }).filter((a) => a.reduce((n, s) => n + s.steps.length, 0) >= 30),
    { numRuns: 1, seed }
  )
  const source = await openLedger(filename, { projections: "manual" })
  await play(source.ledger, all!)
  await source.close()
  const reference = copy(filename, temp.file(`reference-${seed}.db`))
  const rebuilt = await SqliteReadModels.open({ filename: reference, projections: "manual" })
  await rebuilt.rebuild()
  await rebuilt.close()
  const database = new Database(filename, { readonly: true })
  const total = (database.prepare("select count(*) as n from ml_events").get() as { n: number }).n
  database.close()
  expect(total).toBeGreaterThan(20)
  return { filename, all: all!, expected: dump(reference), total }
}

/** The stored checkpoints of a file, as `name@version` → sequence. */
const checkpoints = (filename: string) => {
  const database = new Database(filename, { readonly: true })
  try {
    return Object.fromEntries(
      database
        .prepare("select projection, version, sequence, state from ml_rm_checkpoints order by projection")
        .all()
        .map((r) => {
          const c = r as { projection: string; version: number; sequence: number; state: string }
          return [`${c.projection}@${c.version}`, { sequence: c.sequence, state: c.state }]
        })
    )
  } finally {
    database.close()
  }
}

const root = fileURLToPath(new URL("../../..", import.meta.url))
const worker = fileURLToPath(new URL("./fixtures/catchUp.ts", import.meta.url))

/** Runs the catch-up worker in a process of its own; resolves with it once it printed `line`. */
const spawnWorker = (args: ReadonlyArray<string>, line: string) => {
  const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", worker, ...args], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"]
  })
  let out = ""
  let err = ""
  child.stderr.on("data", (d) => {
    err += String(d)
  })
  const printed = new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (d) => {
      out += String(d)
      if (out.includes(line)) resolve()
    })
    child.on("exit", (code) => {
      if (!out.includes(line)) reject(new Error(`worker exited (${code}) before printing ${line}: ${err}`))
    })
  })
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()))
  return { child, printed, exited }
}

describe("catch-up", () => {
  it("applies the log in batches, each in one transaction with its checkpoint", async () => {
    const { filename, expected, total } = await history(7)
    const store = await SqliteReadModels.open({ filename, projections: "manual", batchSize: 10 })
    // opening caught up in batches of 10
    expect(checkpoints(filename)).toEqual({
      "mentorships@1": { sequence: total, state: "live" },
      "programmes@1": { sequence: total, state: "live" }
    })
    await store.close()
    expect(dump(filename)).toEqual(expected)
  })

  it("keeps rows in memory between batches in step with the set-based updates", async () => {
    // A scheduled meeting sets next_meeting_at by a set-based update; the
    // events after it, one per batch, must not write an older value back.
    const filename = temp.file("ledger.db")
    const app = await openLedger(filename)
    const id = (n: number) => Ids.sequentialId(n)
    const coordinator = { personId: id(10), role: "coordinator" } as const
    const mentor = { personId: id(20), role: "mentor" } as const
    const mentee = { personId: id(30), role: "mentee" } as const
    const at = (n: number) => new Date(Date.UTC(2026, 2, 2 + n, 9))
    const commands: ReadonlyArray<Commands.CommandInput> = [
      {
        _tag: "LaunchProgramme",
        actor: coordinator,
        occurredAt: at(0),
        programmeId: id(1),
        name: "P",
        templates: [Template.earlyCareerInduction]
      },
      {
        _tag: "EnrolMentor",
        actor: coordinator,
        occurredAt: at(0),
        programmeId: id(1),
        mentorId: id(20),
        capacity: 2
      },
      {
        _tag: "RecordMentorTraining",
        actor: coordinator,
        occurredAt: at(0),
        programmeId: id(1),
        mentorId: id(20),
        course: "C"
      },
      {
        _tag: "RequestMentoring",
        actor: coordinator,
        occurredAt: at(1),
        mentorshipId: id(2),
        programmeId: id(1),
        templateId: Template.earlyCareerInduction.id,
        menteeIds: [id(30)],
        supervisorId: null
      },
      {
        _tag: "MatchMentor",
        actor: coordinator,
        occurredAt: at(2),
        mentorshipId: id(2),
        mentorIds: [id(20)]
      },
      {
        _tag: "SubmitSelfAssessment",
        actor: mentee,
        occurredAt: at(3),
        mentorshipId: id(2),
        strengths: "s",
        weaknesses: "w",
        opportunities: "o",
        threats: "t"
      },
      {
        _tag: "SignAgreement",
        actor: mentee,
        occurredAt: at(3),
        mentorshipId: id(2),
        goals: ["g"],
        topics: ["t"],
        plannedMeetings: 4,
        cadenceDays: 14,
        confidentiality: true,
        signatories: [id(20), id(30)]
      },
      {
        _tag: "ScheduleMeeting",
        actor: mentor,
        occurredAt: at(4),
        mentorshipId: id(2),
        meetingId: id(40),
        scheduledFor: at(10),
        modality: "video"
      },
      {
        _tag: "AssignTask",
        actor: mentor,
        occurredAt: at(6),
        mentorshipId: id(2),
        taskId: id(50),
        assigneeIds: [id(30)],
        description: "d",
        dueOn: null
      },
      {
        _tag: "AssignTask",
        actor: mentor,
        occurredAt: at(7),
        mentorshipId: id(2),
        taskId: id(51),
        assigneeIds: [id(30)],
        description: "e",
        dueOn: null
      }
    ]
    for (const command of commands) await app.ledger.execute(command)
    const m = await app.store.queries.mentorship({ personId: id(20), role: "mentor" }, id(2))
    expect(m?.nextMeetingAt).toEqual(at(10))
    await app.close()
    const inline = dump(filename)
    for (const batchSize of [1, 2, 3]) {
      const again = copy(filename, temp.file(`batches-${batchSize}.db`))
      dropReadModels(again)
      const store = await SqliteReadModels.open({ filename: again, projections: "manual", batchSize })
      await store.close()
      expect(dump(again)).toEqual(inline)
    }
  })

  it("resumes after the process is killed inside a batch, losing and doubling nothing", async () => {
    const { filename, expected, total } = await history(8)
    expect(total).toBeGreaterThan(12)
    // killed inside its batch of events 9 to 12, after the batch's writes
    const hung = spawnWorker([filename, "4", "hang", "8"], "inside")
    await hung.printed
    hung.child.kill("SIGKILL")
    await hung.exited
    // two batches were committed; the third was not
    expect(checkpoints(filename)["mentorships@1"]).toEqual({ sequence: 8, state: "live" })
    expect(checkpoints(filename)["programmes@1"]).toEqual({ sequence: 8, state: "live" })
    // a new worker resumes from the checkpoint
    const resumed = spawnWorker([filename, "4", "run"], "done")
    await resumed.printed
    await resumed.exited
    expect(dump(filename)).toEqual(expected)
    expect(checkpoints(filename)["mentorships@1"]).toEqual({ sequence: total, state: "live" })
  }, 60_000)

  it("rolls a batch back when the projection fails inside it, and resumes", async () => {
    const { filename, expected, total } = await history(9)
    let failAfter = 10
    const failing = (inner: Projection.Projection): Projection.Projection => ({
      ...inner,
      prepare: (context) => {
        const prepared = inner.prepare(context)
        return {
          create: prepared.create,
          apply: function* (events, batch) {
            yield* prepared.apply(events, batch)
            if (events.some((e) => e.position.sequence > BigInt(failAfter)))
              throw new Error("projection crashed")
          }
        }
      }
    })
    const journal = await SqliteJournal.open({ filename })
    const runtime = await Effect.runPromise(
      Projection.make(journal.journal, ReadModels.projections.map(failing), { batchSize: 5 })
    )
    const projections = Projection.toPromise(runtime)
    await projections.setup()
    const error = await projections.catchUp().then(
      () => undefined,
      (e: unknown) => e
    )
    expect(error).toMatchObject({ _tag: "ProjectionError", reason: "Apply" })
    expect((error as Error).message).toContain("projection crashed")
    // the two committed batches are there, the failed one is not
    expect(checkpoints(filename)["mentorships@1"]).toEqual({ sequence: 10, state: "live" })
    expect(checkpoints(filename)["programmes@1"]).toEqual({ sequence: 10, state: "live" })
    failAfter = Number.MAX_SAFE_INTEGER
    const result = await projections.catchUp()
    expect(result.caughtUp).toBe(true)
    expect(result.events).toBe(total - 10)
    await journal.close()
    expect(dump(filename)).toEqual(expected)
  })

  it("rolls a batch back when the worker is interrupted inside it (kysely's asynchronous driver)", async () => {
    const { filename, expected } = await history(10)
    let inside: (() => void) | undefined
    const reached = new Promise<void>((resolve) => {
      inside = resolve
    })
    const pausing = (inner: Projection.Projection): Projection.Projection => ({
      ...inner,
      prepare: (context) => {
        const prepared = inner.prepare(context)
        return {
          create: prepared.create,
          apply: function* (events, batch) {
            yield* prepared.apply(events, batch)
            if (inside !== undefined && events.some((e) => e.position.sequence > 5n)) {
              inside()
              inside = undefined
              // one more query: the fiber waits on the driver here when it is interrupted
              yield sql`select 1`.compile(context.db)
            }
          }
        }
      }
    })
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const open = yield* SqliteJournal.make({ filename })
          // the portable executor: every query is a promise, so the batch can be interrupted between them
          const journal = Journal.make(open.db, { dialect: Dialect.sqlite })
          const runtime = yield* Projection.make(journal, ReadModels.projections.map(pausing), {
            batchSize: 5
          })
          yield* runtime.setup
          const fiber = yield* Effect.fork(runtime.catchUp())
          yield* Effect.promise(() => reached)
          yield* Fiber.interrupt(fiber)
        })
      )
    )
    expect(checkpoints(filename)["mentorships@1"]).toEqual({ sequence: 5, state: "live" })
    const store = await SqliteReadModels.open({ filename, projections: "manual" })
    await store.close()
    expect(dump(filename)).toEqual(expected)
  })

  it("lets two worker processes catch up one file together without doubling a row", async () => {
    const { filename, expected, total } = await history(12, 80)
    const store = await SqliteReadModels.open({
      filename,
      projections: "manual",
      batchSize: 3,
      readModels: []
    })
    await store.close()
    const workers = [spawnWorker([filename, "2", "run"], "done"), spawnWorker([filename, "3", "run"], "done")]
    await Promise.all(workers.map((w) => w.printed))
    await Promise.all(workers.map((w) => w.exited))
    expect(dump(filename)).toEqual(expected)
    expect(checkpoints(filename)["mentorships@1"]).toEqual({ sequence: total, state: "live" })
  }, 60_000)

  it("stops at an event it cannot decode, with a typed error, keeping what it applied", async () => {
    const { filename, total, expected } = await history(13)
    const database = new Database(filename)
    const { payload } = database.prepare("select payload from ml_events where position = 20").get() as {
      payload: string
    }
    database.prepare("update ml_events set payload = '{\"oops\":1}' where position = 20").run()
    const journal = await SqliteJournal.open({ filename })
    const runtime = Projection.toPromise(
      await Effect.runPromise(Projection.make(journal.journal, ReadModels.projections, { batchSize: 1 }))
    )
    const error = await runtime.rebuild().then(
      () => undefined,
      (e: unknown) => e
    )
    expect(error).toMatchObject({ _tag: "ProjectionError", reason: "EventDecode" })
    expect((error as Projection.ProjectionError).cause).toBeInstanceOf(EventStore.EventDecodeError)
    // a rebuild commits every 8 batches (of 1 event here): 1–8 and 9–16 stay, 17–24 rolled back
    expect(checkpoints(filename)["mentorships@1"]!.sequence).toBe(16)
    expect(total).toBeGreaterThan(20)
    // repaired, the same runtime goes on from there: what the rolled-back transaction had folded is gone
    database.prepare("update ml_events set payload = ? where position = 20").run(payload)
    database.close()
    await runtime.catchUp({ batchSize: 5 })
    await journal.close()
    expect(dump(filename)).toEqual(expected)
  })
})

describe("rebuild on a database never set up", () => {
  it("creates the projections' registry and tables, then gives what inline gave", async () => {
    const filename = temp.file("ledger.db")
    const [all] = fc.sample(scenarios({ maxSteps: 30 }), { numRuns: 1, seed: 16 })
    const app = await openLedger(filename)
    await play(app.ledger, all!)
    await app.close()
    const inline = dump(filename)
    // no registry, no checkpoints, no read-model tables: the log alone
    expect(dropReadModels(filename)).toEqual(expect.arrayContaining(["ml_rm_current", "ml_rm_checkpoints"]))
    const journal = await SqliteJournal.open({ filename })
    const runtime = await Projection.makePromise(journal.journal, ReadModels.projections)
    const result = await runtime.rebuild()
    const status = await runtime.status()
    const tables = await runtime.currentTables("mentorships")
    const unknown = await runtime.currentTables("no_such_projection")
    await journal.close()
    expect(tables).toMatchObject({ mentorships: "ml_rm_mentorships_v1" })
    expect(unknown).toEqual({})
    expect(result.caughtUp).toBe(true)
    expect(status.map((s) => [s.name, s.state, s.current])).toEqual(
      expect.arrayContaining([
        ["mentorships", "live", true],
        ["programmes", "live", true]
      ])
    )
    expect(dump(filename)).toEqual(inline)
  })
})

describe("makePromise", () => {
  it("rejects an invalid definition with the typed error, writing nothing", async () => {
    const filename = temp.file("ledger.db")
    const journal = await SqliteJournal.open({ filename })
    const twice = [ReadModels.projections[0]!, ReadModels.projections[0]!]
    const error = await Projection.makePromise(journal.journal, twice).then(
      () => undefined,
      (e: unknown) => e
    )
    await journal.close()
    expect(error).toBeInstanceOf(Projection.ProjectionError)
    expect(error).toMatchObject({ reason: "Definition" })
    expect(dropReadModels(filename)).toEqual([])
  })
})

describe("inline", () => {
  it("replays what another writer appended without projections before it applies an append", async () => {
    const filename = temp.file("ledger.db")
    const [a, b] = fc.sample(scenarios({ maxSteps: 30 }), { numRuns: 2, seed: 14 })
    const app = await openLedger(filename)
    await play(app.ledger, a!)
    // another process appends with the journal alone: the read models do not see it
    const plain = await SqliteJournal.open({ filename })
    const other = createLedger({ store: plain.layer })
    await play(other, b!)
    await other.close()
    await plain.close()
    const behind = checkpoints(filename)["mentorships@1"]!.sequence
    // the app's next append replays the gap inside its transaction
    await app.ledger.execute({
      _tag: "EnrolMentor",
      actor: { personId: a![0]!.cast.coordinator, role: "coordinator" },
      programmeId: a![0]!.cast.programmeId,
      mentorId: Ids.newId(),
      capacity: 2
    })
    await app.close()
    const database = new Database(filename, { readonly: true })
    const total = (database.prepare("select count(*) as n from ml_events").get() as { n: number }).n
    database.close()
    expect(total).toBeGreaterThan(behind + 1)
    expect(checkpoints(filename)["mentorships@1"]).toEqual({ sequence: total, state: "live" })
    const inline = dump(filename)
    const rebuilt = await SqliteReadModels.open({ filename, projections: "manual" })
    await rebuilt.rebuild()
    await rebuilt.close()
    expect(dump(filename)).toEqual(inline)
  })

  it("fails the append, writing nothing, when a projection fails inside it", async () => {
    const filename = temp.file("ledger.db")
    const [all] = fc.sample(scenarios({ maxSteps: 20 }), { numRuns: 1, seed: 15 })
    let failing = false
    const fragile = (inner: Projection.Projection): Projection.Projection => ({
      ...inner,
      prepare: (context) => {
        const prepared = inner.prepare(context)
        return {
          create: prepared.create,
          apply: function* (events, batch) {
            yield* prepared.apply(events, batch)
            if (failing) throw new Error("projection crashed")
          }
        }
      }
    })
    const app = await openLedger(filename, { readModels: ReadModels.projections.map(fragile) })
    await play(app.ledger, all!)
    const before = dump(filename)
    const database = new Database(filename, { readonly: true })
    const events = () => (database.prepare("select count(*) as n from ml_events").get() as { n: number }).n
    const stored = events()
    failing = true
    const error = await app.ledger
      .execute({
        _tag: "EnrolMentor",
        actor: { personId: all![0]!.cast.coordinator, role: "coordinator" },
        programmeId: all![0]!.cast.programmeId,
        mentorId: Ids.newId(),
        capacity: 2
      })
      .then(
        () => undefined,
        (e: unknown) => e
      )
    expect(error).toMatchObject({ _tag: "StoreError" })
    expect((error as Error).message).toContain("projection crashed")
    expect(events()).toBe(stored)
    database.close()
    await app.close()
    expect(dump(filename)).toEqual(before)
  })
})

describe("catch-up mode", () => {
  it("keeps the read models up to date in the background", async () => {
    const filename = temp.file("ledger.db")
    const [all] = fc.sample(scenarios({ maxSteps: 20 }), { numRuns: 1, seed: 16 })
    const app = await openLedger(filename, { projections: "catch-up", pollInterval: "10 millis" })
    await play(app.ledger, all!)
    const database = new Database(filename, { readonly: true })
    const total = (database.prepare("select count(*) as n from ml_events").get() as { n: number }).n
    database.close()
    const deadline = Date.now() + 5000
    while (checkpoints(filename)["mentorships@1"]!.sequence < total && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    await app.close()
    expect(checkpoints(filename)["mentorships@1"]!.sequence).toBe(total)
    const caughtUp = dump(filename)
    const rebuilt = await SqliteReadModels.open({ filename, projections: "manual" })
    await rebuilt.rebuild()
    await rebuilt.close()
    expect(dump(filename)).toEqual(caughtUp)
  })
})

describe("versions", () => {
  const v2: Projection.Projection = { ...ReadModels.mentorships, version: 2 }
  const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)

  it("build a new version beside the current one, switch to it, and drop the old one", async () => {
    const filename = temp.file("ledger.db")
    const [a, b, c] = fc.sample(scenarios({ maxSteps: 25 }), { numRuns: 3, seed: 17 })
    const app = await openLedger(filename)
    await play(app.ledger, a!)
    const coordinator = { personId: a![0]!.cast.coordinator, role: "support-team" } as const
    const servedBefore = await app.store.queries.mentorshipsFor(coordinator)

    // a worker with the new version builds it by catch-up, a few events at a time
    const runtime = await run(
      Projection.make(app.store.journal, [ReadModels.mentorships, v2, ReadModels.programmes])
    )
    const worker = Projection.toPromise(runtime)
    await worker.setup()
    await worker.catchUp({ only: ["mentorships@2"], batchSize: 4, maxBatches: 2 })
    let status = await worker.status()
    expect(status.find((s) => s.name === "mentorships" && s.version === 2)).toMatchObject({
      state: "building",
      current: false,
      checkpoint: { sequence: 8n }
    })
    // meanwhile the app appends, and queries keep reading version 1
    await play(app.ledger, b!)
    expect((await app.store.queries.mentorshipsFor(coordinator)).length).toBeGreaterThanOrEqual(
      servedBefore.length
    )
    await expect(worker.activate("mentorships", 2)).rejects.toMatchObject({
      _tag: "ProjectionError",
      reason: "NotReady"
    })
    await worker.catchUp({ only: ["mentorships@2"], batchSize: 4 })
    status = await worker.status()
    expect(status.find((s) => s.name === "mentorships" && s.version === 2)).toMatchObject({ state: "live" })
    expect(dump(filename, { versions: { mentorships: 2 } })).toEqual(dump(filename))

    // switch: queries read version 2; the worker keeps it up to date inline from now on
    await worker.activate("mentorships", 2)
    const scope = await run(Scope.make())
    await run(Scope.extend(runtime.inline, scope))
    await play(app.ledger, c!)
    expect(dump(filename, { versions: { mentorships: 2 } })).toEqual(dump(filename))
    await expect(worker.drop("mentorships", 2)).rejects.toMatchObject({
      _tag: "ProjectionError",
      reason: "InUse"
    })
    await worker.drop("mentorships", 1)
    status = await worker.status()
    expect(status.map((s) => `${s.name}@${s.version}${s.current ? " (current)" : ""}`)).toEqual([
      "mentorships@2 (current)",
      "programmes@1 (current)"
    ])
    const database = new Database(filename, { readonly: true })
    expect(
      database
        .prepare(
          "select name from sqlite_master where name like 'ml_rm_%_v1' and type = 'table' order by name"
        )
        .all()
    ).toEqual([
      { name: "ml_rm_coordinators_v1" },
      { name: "ml_rm_mentor_load_v1" },
      { name: "ml_rm_programmes_v1" }
    ])
    database.close()
    const served = await app.store.queries.mentorshipsFor(coordinator)
    expect(served.length).toBe(dump(filename, { versions: { mentorships: 2 } }).mentorships!.length)
    await run(Scope.close(scope, Exit.void))
    await app.close()
  })

  it("switches to the version the application defines when it opens after an upgrade", async () => {
    const filename = temp.file("ledger.db")
    const [a] = fc.sample(scenarios({ maxSteps: 25 }), { numRuns: 1, seed: 18 })
    const app = await openLedger(filename)
    await play(app.ledger, a!)
    await app.close()
    const expected = dump(filename)
    const upgraded = await SqliteReadModels.open({
      filename,
      projections: "manual",
      readModels: [v2, ReadModels.programmes]
    })
    const status = await upgraded.projections.status()
    await upgraded.close()
    expect(status.filter((s) => s.current).map((s) => `${s.name}@${s.version}`)).toEqual([
      "mentorships@2",
      "programmes@1"
    ])
    expect(dump(filename, { versions: { mentorships: 2 } })).toEqual(expected)
  })
})

describe("prefixes", () => {
  it("keep two ledgers with their read models apart in one file", async () => {
    const filename = temp.file("shared.db")
    const [a, b] = fc.sample(scenarios({ maxSteps: 30 }), { numRuns: 2, seed: 11 })
    const first = await openLedger(filename)
    const second = await openLedger(filename, { tablePrefix: "hr_ml_" })
    await play(first.ledger, a!)
    await play(second.ledger, b!)
    const support = { personId: a![0]!.cast.coordinator, role: "support-team" } as const
    const inFirst = (await first.store.queries.mentorshipsFor(support)).map((m) => m.mentorshipId).sort()
    const inSecond = (await second.store.queries.mentorshipsFor(support)).map((m) => m.mentorshipId).sort()
    await first.close()
    await second.close()

    const database = new Database(filename, { readonly: true })
    const requested = (prefix: string) =>
      database
        .prepare(`select stream from ${prefix}events where event_type = 'MentoringRequested' order by stream`)
        .all()
        .map((r) => (r as { stream: string }).stream.slice("mentorship-".length))
        .sort()
    expect(inFirst).toEqual(requested("ml_"))
    expect(inSecond).toEqual(requested("hr_ml_"))
    expect(inFirst.filter((id) => inSecond.includes(id))).toEqual([])
    const tables = database
      .prepare(
        "select name from sqlite_master where type = 'table' and name like '%rm\\_%' escape '\\' order by name"
      )
      .all()
      .map((r) => (r as { name: string }).name)
    database.close()
    for (const prefix of ["ml_", "hr_ml_"]) {
      expect(tables).toContain(`${prefix}rm_checkpoints`)
      expect(tables).toContain(`${prefix}rm_current`)
      for (const t of [...ReadModels.tables.mentorships, ...ReadModels.tables.programmes])
        expect(tables).toContain(Projection.tableName(prefix, t.name, 1))
    }
    // a rebuild of one prefix leaves the other alone
    const before = dump(filename, { prefix: "hr_ml_" })
    const again = await SqliteReadModels.open({ filename, projections: "manual" })
    await again.rebuild()
    await again.close()
    expect(dump(filename, { prefix: "hr_ml_" })).toEqual(before)
    expect(counts(dump(filename)).mentorships).toBe(inFirst.length)
  })
})
