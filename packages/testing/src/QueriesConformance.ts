/**
 * The queries suite: the viewer-scoped queries of `@mentor-ledger/sql`
 * (`Queries`) on a store with inline read models, whatever its dialect.
 *
 * One programme with two mentorships is played through a ledger on the
 * store; then every role asks the same questions. The suite checks who
 * sees which mentorships, the process facts they carry, pseudonyms for
 * analysts, that content reaches only the mentoring pair and, with every
 * owner's consent, the supervisor, that the read-model tables hold it
 * sealed, consent revoked and given again, meetings, tasks, follow-ups due,
 * mentor load, programme statistics, and erasure.
 *
 * @example
 * // test/Queries.int.test.ts of an SQL adapter package
 * import { QueriesConformance, ReadModelFixtures } from "@mentor-ledger/testing"
 * import { MyReadModels } from "../src/index.js"
 * QueriesConformance.suite("my store", async (queries) => {
 *   const store = await MyReadModels.open({ database: "queries-test", queries })
 *   // a ledger on the store (uuid v7 ids); its close closes both
 *   const app = ReadModelFixtures.ledgerOn(store)
 *   return { ...app, rows: (table) => store.select(`select * from "${table}"`) }
 * })
 *
 * @since 0.1.0
 */
import { createHash } from "node:crypto"
import type { MentorLedger } from "@mentor-ledger/core"
import { type Journal, Queries } from "@mentor-ledger/sql"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { cast, coordinator, day, menteeB, story, viewers, x } from "./internal/queriesStory.js"

/**
 * A ledger on a store with inline read models, opened for the suite.
 * @since 0.1.0
 * @category models
 */
export interface Opened {
  /** A ledger that writes to the store. */
  readonly ledger: MentorLedger
  /** The store's query side. */
  readonly store: {
    /** The store's queries, opened with the options the suite gave: its key store, the suite's pseudonymiser. */
    readonly queries: Queries.PromiseQueries
    /** The store's journal: the suite also queries it with the default options (no keys, no pseudonymiser). */
    readonly journal: Journal.SqlEventJournal
  }
  /** Every row of one of the store's tables (`ml_rm_summaries_v1`), as stored, read on a connection of its own. */
  readonly rows: (table: string) => Promise<ReadonlyArray<Record<string, unknown>>>
  /** Closes the ledger and the store, and removes its storage. */
  readonly close: () => Promise<void>
}

/**
 * The analysts' pseudonymiser the suite opens the queries with: a keyed
 * hash of the id.
 * @since 0.1.0
 * @category fixtures
 */
export const pseudonymise = (id: string): string =>
  createHash("sha256").update(`secret:${id}`).digest("hex").slice(0, 16)

/**
 * Registers the queries suite as a vitest `describe(name)` block.
 *
 * `open` is called once, before the suite's tests, with the query options
 * to open the store's queries with (`{ pseudonymise }`); it must return a
 * ledger on a fresh, empty store with inline read models (the `ml_` table
 * prefix), whose queries see what the ledger writes at once. The suite's
 * tests run in order on that one store and close it at the end.
 * `options.timeout` is the time allowed to open the store and play the
 * story, in milliseconds (default 30,000).
 *
 * @example
 * import { SqliteReadModels } from "@mentor-ledger/sqlite"
 * import { QueriesConformance, ReadModelFixtures } from "@mentor-ledger/testing"
 * import Database from "better-sqlite3"
 * QueriesConformance.suite("SQLite", async (queries) => {
 *   const filename = freshFile() // a new file in a temporary directory
 *   const app = ReadModelFixtures.ledgerOn(await SqliteReadModels.open({ filename, queries }))
 *   const rows = async (table: string) => {
 *     const database = new Database(filename, { readonly: true })
 *     try {
 *       return database.prepare(`select * from "${table}"`).all() as Array<Record<string, unknown>>
 *     } finally {
 *       database.close()
 *     }
 *   }
 *   return { ...app, rows }
 * })
 * @since 0.1.0
 * @category suites
 */
export const suite = (
  name: string,
  open: (queries: Queries.Options) => Promise<Opened>,
  options?: { timeout?: number }
): void => {
  describe(name, () => {
    let app: Opened
    beforeAll(async () => {
      app = await open({ pseudonymise })
      for (const command of story) await app.ledger.execute(command)
    }, options?.timeout ?? 30_000)
    afterAll(async () => {
      await app?.close()
    })

    const q = () => app.store.queries
    const hash = pseudonymise

    describe("mentorships", () => {
      it("are listed for who takes part, coordinates, supports or analyses", async () => {
        const ids = async (viewer: Queries.Viewer) =>
          (await q().mentorshipsFor(viewer)).map((m) => m.mentorshipId)
        expect(await ids(viewers.mentor)).toEqual([x, cast.y])
        expect(await ids(viewers.menteeA)).toEqual([x])
        expect(await ids(viewers.supervisor)).toEqual([x, cast.y])
        expect(await ids(viewers.coordinator)).toEqual([x, cast.y])
        expect(await ids(viewers.support)).toEqual([x, cast.y])
        expect(await ids(viewers.analyst)).toEqual([hash(x), hash(cast.y)])
        expect(await ids(viewers.otherCoordinator)).toEqual([])
        expect(await ids(viewers.otherMentor)).toEqual([])
        expect(await ids(viewers.menteeAsMentor)).toEqual([])
      })

      it("carry the process facts: phase, key dates, counts and participants", async () => {
        const m = (await q().mentorship(viewers.coordinator, x))!
        expect(m).toMatchObject({
          mentorshipId: x,
          programmeId: cast.programme,
          templateId: "short-process",
          phase: "follow-up",
          mentees: 2,
          mentors: 1,
          requestedAt: day(0),
          matchedAt: day(1),
          openingAt: day(2),
          agreementAt: day(3),
          plannedMeetings: 2,
          firstMeetingAt: day(5),
          lastMeetingAt: day(19),
          meetingsHeld: 2,
          tasksAssigned: 1,
          tasksCompleted: 0,
          closingAt: day(31),
          reportAt: day(32),
          followUpDue: null,
          followUpHeldAt: day(63),
          outcome: null
        })
        expect(m.participants!.map((p) => [p.role, p.personId])).toEqual([
          ["mentee", cast.menteeA],
          ["mentee", cast.menteeB],
          ["mentor", cast.mentor],
          ["supervisor", cast.supervisor]
        ])
        const y = (await q().mentorship(viewers.support, cast.y))!
        expect(y).toMatchObject({ followUpDue: day(70), meetingsHeld: 1, nextMeetingDue: null })
      })

      it("are not found for a viewer who may not see them", async () => {
        for (const viewer of [viewers.otherCoordinator, viewers.otherMentor, viewers.menteeAsMentor]) {
          expect(await q().mentorship(viewer, x)).toBeUndefined()
          expect(await q().meetings(viewer, x)).toEqual([])
          expect(await q().summaries(viewer, x)).toEqual([])
          expect(await q().tasks(viewer, x)).toEqual([])
          expect(await q().followUp(viewer, x)).toBeUndefined()
        }
      })

      it("are pseudonymised for analysts: no person ids, or the caller's keyed hash", async () => {
        const m = (await q().mentorship(viewers.analyst, x))!
        expect(m.mentorshipId).toBe(hash(x))
        expect(m.participants!.map((p) => p.personId)).toEqual(
          [cast.menteeA, cast.menteeB, cast.mentor, cast.supervisor].map(hash)
        )
        const plain = Queries.toPromise(Queries.make(app.store.journal))
        const bare = (await plain.mentorship(viewers.analyst, x))!
        expect(bare.mentorshipId).toBe(x)
        expect("participants" in bare).toBe(false)
        const summaries = await plain.summaries(viewers.analyst, x)
        expect(summaries.map((s) => "draftedBy" in s)).toEqual([false, false])
        expect(summaries[0]!.amendments.map((a) => Object.keys(a).sort())).toEqual([["amendedAt"]])
        expect(JSON.stringify(await plain.tasks(viewers.analyst, x))).not.toContain(cast.menteeA)
      })
    })

    describe("content", () => {
      const texts = async (viewer: Queries.Viewer) => {
        const summaries = await q().summaries(viewer, x)
        const tasks = await q().tasks(viewer, x)
        const followUp = await q().followUp(viewer, x)
        return {
          summaries: summaries.map((s) => s.text),
          amendments: summaries.flatMap((s) => s.amendments.map((a) => a.text)),
          tasks: tasks.map((t) => t.description),
          reflections: tasks.flatMap((t) => t.assignees.map((a) => a.reflection)),
          notes: followUp?.notes
        }
      }
      const everything = {
        summaries: ["Summary 1", "Summary 2"],
        amendments: ["A's own thoughts"],
        tasks: ["Observe a colleague's lesson"],
        reflections: ["A's reflection", undefined],
        notes: "Follow-up notes"
      }
      const nothing = {
        summaries: [undefined, undefined],
        amendments: [undefined],
        tasks: [undefined],
        reflections: [undefined, undefined],
        notes: undefined
      }

      it("is for the mentoring pair: its mentors and mentees read all of it", async () => {
        expect(await texts(viewers.mentor)).toEqual(everything)
        expect(await texts(viewers.menteeA)).toEqual(everything)
        expect(await texts(viewers.menteeB)).toEqual(everything)
      })

      it("reaches the supervisor only where every mentee it belongs to consented", async () => {
        expect(await texts(viewers.supervisor)).toEqual({
          // both consented to summary 1; only A to summary 2
          summaries: ["Summary 1", undefined],
          // A alone wrote the amendment and consented
          amendments: ["A's own thoughts"],
          // B, the task's other assignee, did not consent
          tasks: [undefined],
          reflections: [undefined, undefined],
          // follow-up notes are never shared
          notes: undefined
        })
        const summaries = await q().summaries(viewers.supervisor, x)
        expect(summaries.map((s) => [s.shared, s.amendmentsShared])).toEqual([
          [true, true],
          [false, false]
        ])
      })

      it("never reaches coordinators, the support team or analysts, and is absent, not null", async () => {
        for (const viewer of [viewers.coordinator, viewers.support, viewers.analyst]) {
          expect(await texts(viewer)).toEqual(nothing)
          const [summary] = await q().summaries(viewer, x)
          expect(summary).toBeDefined()
          expect("text" in summary!).toBe(false)
          const [task] = await q().tasks(viewer, x)
          expect("description" in task!).toBe(false)
          expect(task!.assignees.some((a) => "reflection" in a)).toBe(false)
        }
      })

      it("sealed in the tables: what the event holds, never plaintext", async () => {
        const rows = await app.rows("ml_rm_summaries_v1")
        expect(rows).toHaveLength(2)
        for (const row of rows) {
          expect(typeof row.text).toBe("string")
          expect(row.text).not.toContain("Summary")
        }
      })

      it("leaves the supervisor's view when a mentee revokes consent", async () => {
        await app.ledger.execute({
          _tag: "RevokeConsent",
          actor: menteeB,
          occurredAt: day(80),
          mentorshipId: x,
          item: { kind: "summary", id: cast.meeting1 }
        })
        expect((await texts(viewers.supervisor)).summaries).toEqual([undefined, undefined])
        expect((await texts(viewers.mentor)).summaries).toEqual(["Summary 1", "Summary 2"])
        await app.ledger.execute({
          _tag: "GiveConsent",
          actor: menteeB,
          occurredAt: day(81),
          mentorshipId: x,
          item: { kind: "summary", id: cast.meeting1 }
        })
        expect((await texts(viewers.supervisor)).summaries).toEqual(["Summary 1", undefined])
      })

      it("cannot be read without the key store that sealed it", async () => {
        const withoutKeys = Queries.toPromise(Queries.make(app.store.journal))
        const [summary] = await withoutKeys.summaries(viewers.mentor, x)
        expect("text" in summary!).toBe(false)
        expect(summary!.shared).toBe(true)
      })
    })

    describe("meetings, tasks and follow-ups", () => {
      it("meetings are process facts for every viewer of the mentorship", async () => {
        for (const viewer of [viewers.mentor, viewers.supervisor, viewers.coordinator, viewers.analyst]) {
          const meetings = await q().meetings(viewer, x)
          expect(meetings.map((m) => [m.meetingId, m.status, m.number, m.heldAt, m.durationMinutes])).toEqual(
            [
              [cast.meeting1, "held", 1, day(5), 90],
              [cast.meeting2, "held", 2, day(19), 90]
            ]
          )
        }
      })

      it("tasks say who completed them", async () => {
        const [task] = await q().tasks(viewers.coordinator, x)
        expect(task).toMatchObject({ taskId: cast.task, dueOn: day(15), completedAt: null, shared: false })
        expect(task!.assignees.map((a) => [a.menteeId, a.completedAt])).toEqual([
          [cast.menteeA, day(12)],
          [cast.menteeB, null]
        ])
      })

      it("follow-ups due are those scheduled, not held, and due by then", async () => {
        const due = async (viewer: Queries.Viewer, asOf: Date) =>
          (await q().followUpsDue(viewer, asOf)).map((f) => [f.mentorshipId, f.dueOn])
        expect(await due(viewers.coordinator, day(69))).toEqual([])
        expect(await due(viewers.coordinator, day(70))).toEqual([[cast.y, day(70)]])
        expect(await due(viewers.mentor, day(90))).toEqual([[cast.y, day(70)]])
        expect(await due(viewers.menteeA, day(90))).toEqual([])
        expect(await due(viewers.otherCoordinator, day(90))).toEqual([])
        expect(await due(viewers.analyst, day(90))).toEqual([[hash(cast.y), day(70)]])
      })
    })

    describe("mentor load and statistics", () => {
      it("mentor load is for the programme's coordinators, the support team, analysts, and each mentor's own row", async () => {
        const load = async (viewer: Queries.Viewer) =>
          (await q().mentorLoad(viewer, cast.programme)).map((m) => [
            m.mentorId,
            m.capacity,
            m.assigned,
            m.free,
            m.trained
          ])
        const all = [
          [cast.mentor, 3, 2, 1, true],
          [cast.otherMentor, 3, 0, 3, true]
        ]
        expect(await load(viewers.coordinator)).toEqual(all)
        expect(await load(viewers.support)).toEqual(all)
        expect(await load(viewers.analyst)).toEqual(all.map(([id, ...rest]) => [hash(id as string), ...rest]))
        expect(await load(viewers.mentor)).toEqual([all[0]])
        expect(await load(viewers.otherCoordinator)).toEqual([])
        expect(await load(viewers.menteeA)).toEqual([])
        expect(await load(viewers.supervisor)).toEqual([])
      })

      it("statistics count mentorships per phase, without person data", async () => {
        const stats = await q().programmeStatistics(viewers.coordinator)
        expect(stats).toEqual([
          {
            programmeId: cast.programme,
            templateId: "short-process",
            phases: { "follow-up": 2 },
            total: 2,
            completed: 0,
            withdrawn: 0,
            running: 2
          }
        ])
        expect(await q().programmeStatistics(viewers.analyst, cast.programme)).toEqual(stats)
        expect(await q().programmeStatistics(viewers.otherCoordinator)).toEqual([])
        expect(await q().programmeStatistics(viewers.mentor)).toEqual([])
      })
    })

    describe("erasure", () => {
      it("takes content away from an erased viewer, and content they co-owned from everyone", async () => {
        await app.ledger.execute({
          _tag: "ErasePersonalData",
          actor: coordinator,
          occurredAt: day(90),
          mentorshipId: x,
          personId: cast.menteeB
        })
        const asB = await q().summaries(viewers.menteeB, x)
        expect(asB.map((s) => "text" in s)).toEqual([false, false])
        const m = (await q().mentorship(viewers.coordinator, x))!
        expect(m.participants!.find((p) => p.personId === cast.menteeB)!.erased).toBe(true)
        // the mentor still reads A's own amendment and reflection, which B never owned
        const asMentor = await q().summaries(viewers.mentor, x)
        expect(asMentor[0]!.amendments[0]!.text).toBe("A's own thoughts")
        const [task] = await q().tasks(viewers.mentor, x)
        expect(task!.assignees[0]!.reflection).toBe("A's reflection")
      })
    })
  })
}
