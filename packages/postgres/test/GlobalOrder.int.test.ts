import { EventJournal, Ids } from "@mentor-ledger/core"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import { sql } from "kysely"
import { describe, expect, it } from "vitest"
import type { PgJournal } from "../src/index.js"
import { batch, event, eventId, fresh, holdAppends, open, range, run } from "./fixtures.js"
import { onServer } from "./server.js"

// The global log is read in (transaction id, position) order, below the
// oldest transaction still running. These tests show why: positions are
// handed out when rows are inserted, but transactions commit in any order.

const ids = (rows: ReadonlyArray<EventJournal.StoredEvent>) => rows.map((r) => r.eventId)

const readAll = (journal: EventJournal.EventJournalService, after = EventJournal.start) =>
  Effect.map(journal.readAll({ after, limit: 1_000 }), ids)

/** What a reader ordering by position alone (no transaction ids, no horizon) would read. */
const byPosition = (journal: PgJournal.PgEventJournal, after: number) =>
  Effect.map(
    Effect.orDie(
      journal.executor.execute(
        sql`select event_id, position from ${sql.table(`${journal.schema}.${journal.tables.events}`)} where position > ${after} order by position`.compile(
          journal.db
        )
      )
    ),
    (rows) => rows.map((r) => ({ eventId: r.event_id as string, position: Number(r.position) }))
  )

/** A small seeded generator (mulberry32), so that a failing run can be replayed. */
const random = (seed: number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

onServer("the global log", () => {
  describe("under concurrent writers", () => {
    it("a reader never passes a transaction that is still running, so it never skips an event committed late", async () => {
      await run(
        Effect.gen(function* () {
          const early = yield* fresh()
          const doomed = yield* open(early.schema)
          const reader = yield* open(early.schema)
          const earlyHold = yield* holdAppends(early)
          const doomedHold = yield* holdAppends(doomed)

          // 1 inserts first (lower position) and stays open; 3 inserts and
          // stays open to roll back; 2 inserts last and commits first.
          const first = yield* Effect.fork(early.append([batch("s-1", 0, 1)]))
          yield* earlyHold.inside
          const third = yield* Effect.fork(Effect.either(doomed.append([batch("s-3", 0, 3)])))
          yield* doomedHold.inside
          yield* reader.append([batch("s-2", 0, 2)])

          // Ordered by position alone, a reader sees 2 and moves past 1.
          const naive = yield* byPosition(reader, 0)
          expect(naive.map((r) => r.eventId)).toEqual([eventId(2)])
          // This journal's reader sees nothing while 1 may still commit.
          expect(yield* readAll(reader)).toEqual([])

          yield* doomedHold.fail("rolled back on purpose")
          expect(Either.isLeft(yield* Fiber.join(third))).toBe(true)
          expect(yield* readAll(reader)).toEqual([])

          yield* earlyHold.release
          yield* Fiber.join(first)
          // Both now, in transaction order; never the rolled-back 3.
          const log = yield* reader.readAll({ after: EventJournal.start, limit: 10 })
          expect(ids(log)).toEqual([eventId(1), eventId(2)])
          expect(EventJournal.compare(log[0]!.position, log[1]!.position)).toBe(-1)
          expect(log[0]!.position.sequence < log[1]!.position.sequence).toBe(true)
          // The position-ordered reader, going on from 2, has lost 1 for good.
          expect(yield* byPosition(reader, naive[0]!.position)).toEqual([])
        })
      )
    })

    it("orders a transaction's rows together, even when another transaction's rows came between them", async () => {
      await run(
        Effect.gen(function* () {
          const slow = yield* fresh()
          const fast = yield* open(slow.schema)
          const hold = yield* holdAppends(slow)
          // slow inserts 1, 2 (two streams) and waits; fast inserts and commits 3
          const first = yield* Effect.fork(slow.append([batch("s-1", 0, 1), batch("s-2", 0, 2)]))
          yield* hold.inside
          yield* fast.append([batch("s-3", 0, 3)])
          yield* hold.release
          yield* Fiber.join(first)
          const log = yield* slow.readAll({ after: EventJournal.start, limit: 10 })
          expect(ids(log)).toEqual([eventId(1), eventId(2), eventId(3)])
          expect(log[0]!.position.transaction).toBe(log[1]!.position.transaction)
          // and a read after each row gives exactly the rest
          for (const [i, row] of log.entries()) {
            expect(yield* readAll(slow, row.position)).toEqual(ids(log.slice(i + 1)))
          }
        })
      )
    })

    it("many writers on several instances, some rolling back, while a reader catches up: every committed event exactly once, none rolled back, each stream in order", async () => {
      const seed = Number(process.env.MENTOR_LEDGER_SEED ?? Math.floor(Math.random() * 2 ** 31))
      const replay = `replay with MENTOR_LEDGER_SEED=${seed}`
      const next = random(seed)
      const instances = 3
      const writers = 12
      const appendsPerWriter = 15
      const streams = 6

      type Fate = "commit" | "failing statement" | "rollback"
      interface Plan {
        readonly batches: ReadonlyArray<EventJournal.StreamAppend>
        readonly fate: Fate
        /** Milliseconds the transaction stays open after its inserts. */
        readonly hold: number
      }
      let n = 0
      const plans: Array<Array<Plan>> = range(0, writers).map(() =>
        range(0, appendsPerWriter).map(() => {
          const first = Math.floor(next() * streams)
          const second = (first + 1 + Math.floor(next() * (streams - 1))) % streams
          const targets = next() < 0.3 ? [first, second] : [first]
          const roll = next()
          return {
            batches: targets.map((s) =>
              batch(`s-${s}`, "any", ...range(++n * 10, 1 + Math.floor(next() * 3)))
            ),
            fate: roll < 0.15 ? "failing statement" : roll < 0.3 ? "rollback" : "commit",
            hold: Math.floor(next() * 4)
          }
        })
      )
      const planOf = new Map(plans.flat().map((p) => [p.batches[0]!.events[0]!.eventId, p]))
      const eventsOf = (p: Plan) => p.batches.flatMap((b) => b.events.map((e) => e.eventId))

      await run(
        Effect.gen(function* () {
          const first = yield* fresh({ maxConnections: 6 })
          const journals = [first]
          for (let i = 1; i < instances; i++) journals.push(yield* open(first.schema, { maxConnections: 6 }))
          for (const journal of journals) {
            // after the inserts: stay open a while (so commits overtake each
            // other), then commit, or fail a statement, or roll back
            yield* journal.onAppend((rows, tx) =>
              Effect.gen(function* () {
                const plan = planOf.get(rows[0]!.eventId)!
                if (plan.hold > 0) yield* Effect.sleep(plan.hold)
                if (plan.fate === "failing statement") {
                  yield* tx
                    .execute(sql`select 1 / 0`.compile(journal.db))
                    .pipe(
                      Effect.mapError(
                        (e) => new EventJournal.StoreError({ reason: "Unknown", message: String(e.cause) })
                      )
                    )
                }
                if (plan.fate === "rollback") {
                  yield* new EventJournal.StoreError({ reason: "Unknown", message: "rolled back on purpose" })
                }
              })
            )
          }

          let writing = true
          const committed: Array<string> = []
          const rolledBack = new Set<string>()
          const write = (w: number) =>
            Effect.forEach(
              plans[w]!,
              (plan) =>
                Effect.map(Effect.either(journals[w % instances]!.append(plan.batches)), (outcome) => {
                  expect(
                    Either.isRight(outcome),
                    `${plan.fate}: ${String(Either.isLeft(outcome) && outcome.left)}`
                  ).toBe(plan.fate === "commit")
                  if (Either.isRight(outcome)) committed.push(...eventsOf(plan))
                  else for (const id of eventsOf(plan)) rolledBack.add(id)
                }),
              { discard: true }
            )

          // the catch-up reader: small batches from its last position, and a
          // reader ordering by position alone, to show what it would miss
          const seen: Array<EventJournal.StoredEvent> = []
          const naive = new Set<string>()
          const reader = journals[0]!
          const catchUp = Effect.gen(function* () {
            let after = EventJournal.start
            let naiveAfter = 0
            while (true) {
              const done = !writing
              const rows = yield* reader.readAll({ after, limit: 25 })
              seen.push(...rows)
              if (rows.length > 0) after = rows[rows.length - 1]!.position
              for (const r of yield* byPosition(reader, naiveAfter)) {
                naive.add(r.eventId)
                naiveAfter = r.position
              }
              // every writer had finished before this read began: nothing can come after it
              if (done && rows.length === 0) return
              if (rows.length === 0) yield* Effect.sleep(1)
            }
          })

          const readerFiber = yield* Effect.fork(catchUp)
          yield* Effect.forEach(range(0, writers), write, { concurrency: "unbounded", discard: true })
          writing = false
          yield* Fiber.join(readerFiber).pipe(
            Effect.timeoutFail({
              duration: "20 seconds",
              onTimeout: () => new Error(`the reader did not catch up (${replay})`)
            })
          )

          const seenIds = ids(seen)
          expect(new Set(seenIds).size, `no event twice (${replay})`).toBe(seenIds.length)
          expect([...seenIds].sort(), `every committed event, none other (${replay})`).toEqual(
            [...committed].sort()
          )
          expect(
            seenIds.filter((id) => rolledBack.has(id)),
            `no rolled-back event (${replay})`
          ).toEqual([])
          for (let i = 1; i < seen.length; i++) {
            expect(EventJournal.compare(seen[i - 1]!.position, seen[i]!.position), replay).toBe(-1)
          }
          const versions = new Map<string, Array<number>>()
          for (const row of seen) versions.set(row.stream, [...(versions.get(row.stream) ?? []), row.version])
          for (const [stream, vs] of versions) {
            expect(vs, `${stream}: versions 1..n in the order read (${replay})`).toEqual(range(1, vs.length))
          }
          // the order read is the log's order, as a fresh full read gives it
          expect(yield* readAll(journals[1]!), replay).toEqual(seenIds)
          expect(committed.length).toBeGreaterThan(100)
          expect(rolledBack.size).toBeGreaterThan(10)
          const missed = committed.filter((id) => !naive.has(id)).length
          console.info(
            `global order: ${writers} writers on ${instances} instances, ${committed.length} events committed, ${rolledBack.size} rolled back; the reader saw each committed one once; a reader ordering by position alone missed ${missed} (seed ${seed})`
          )
        })
      )
    }, 30_000)
  })

  it("reads one organisation's part of the log in the same order", async () => {
    const schoolA = "school-a" as Ids.OrganisationId
    await run(
      Effect.gen(function* () {
        const journal = yield* fresh()
        for (const [i, organisation] of [schoolA, Ids.defaultOrganisation, schoolA].entries()) {
          yield* journal.append([{ ...batch(`s-${i}`, 0), organisation, events: [event(i + 1)] }])
        }
        const mine = yield* journal.readAll({ after: EventJournal.start, limit: 10, organisation: schoolA })
        expect(ids(mine)).toEqual([eventId(1), eventId(3)])
        expect(
          ids(yield* journal.readAll({ after: mine[0]!.position, limit: 10, organisation: schoolA }))
        ).toEqual([eventId(3)])
      })
    )
  })
})
