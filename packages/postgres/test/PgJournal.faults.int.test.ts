import { createServer, type Server, type Socket } from "node:net"
import { EventJournal, EventStore, Events, Ids, KeyStore } from "@mentor-ledger/core"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import { describe, expect, it } from "vitest"
import { PgJournal } from "../src/index.js"
import {
  applicationName,
  batch,
  eventId,
  eventually,
  expectStoreError,
  failure,
  fresh,
  holdAppends,
  open,
  range,
  run,
  storedRows,
  waiting
} from "./fixtures.js"
import { dropSchema, onServer, query, schemaName, serverUrl } from "./server.js"

/** The core's event store on one journal (one app instance); these events carry no content, so keys stay in memory. */
const storeOn = (journal: EventJournal.EventJournalService) =>
  EventStore.make.pipe(
    Effect.provideService(EventJournal.EventJournal, journal),
    Effect.provide(KeyStore.layerMemory),
    Effect.provide(Ids.layerUuidV7)
  )

const mentorship = EventStore.mentorshipStream(Ids.MentorshipId.make("22222222-0000-7000-8000-000000000001"))

const cancelled = (n: number): Events.Event =>
  Events.MeetingCancelled.make({
    actor: { personId: Ids.PersonId.make("11111111-0000-7000-8000-000000000001"), role: "mentor" },
    occurredAt: new Date("2025-03-01T09:00:00.000Z"),
    mentorshipId: mentorship.id as Ids.MentorshipId,
    meetingId: Ids.MeetingId.make(`44444444-0000-7000-8000-${n.toString(16).padStart(12, "0")}`),
    reason: "rescheduled"
  })

/** Ends every connection of an application (as an operator or a failover would). */
const terminate = (application: string) =>
  query("select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1", [application])

/** How many of these events are stored. */
const countStored = async (schema: string, ids: ReadonlyArray<string>) => {
  const [row] = await query<{ n: string }>(
    `select count(*) as n from "${schema}".ml_events where event_id = any($1)`,
    [ids]
  )
  return Number(row!.n)
}

/** A TCP port on 127.0.0.1 that nobody listens on. */
const closedPort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })

/** A server on 127.0.0.1 that accepts connections and never answers (a hung or firewalled server). */
const blackHole = async (): Promise<{ readonly port: number; readonly close: () => Promise<void> }> => {
  const sockets = new Set<Socket>()
  const server: Server = createServer((socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      })
  }
}

const timed = async <A>(f: () => Promise<A>) => {
  const started = Date.now()
  const value = await f()
  return { value, elapsed: Date.now() - started }
}

// ---------------------------------------------------------------------------
// Without a server: the journal reports an unreachable one quickly
// ---------------------------------------------------------------------------

describe("an unreachable server", () => {
  it("a refused connection (nobody listens on the port) is Unavailable, at once", async () => {
    const port = await closedPort()
    for (const host of ["127.0.0.1", "localhost"]) {
      const { value, elapsed } = await timed(() =>
        failure(
          PgJournal.make({ url: `postgres://postgres@${host}:${port}/mentor_ledger`, connectTimeout: 2_000 })
        )
      )
      expectStoreError(value, "Unavailable")
      expect(elapsed, host).toBeLessThan(1_000)
    }
  })

  it("a server that accepts but never answers is Unavailable after the connect timeout", async () => {
    const hole = await blackHole()
    try {
      const { value, elapsed } = await timed(() =>
        failure(
          PgJournal.make({
            url: `postgres://postgres@127.0.0.1:${hole.port}/mentor_ledger`,
            connectTimeout: 300
          })
        )
      )
      expectStoreError(value, "Unavailable")
      expect(elapsed).toBeGreaterThanOrEqual(250)
      expect(elapsed).toBeLessThan(3_000)
    } finally {
      await hole.close()
    }
  })

  it("a URL that is not a connection string is Unavailable, and its text is not repeated (it may hold a password)", async () => {
    const error = await failure(PgJournal.make({ url: "postgres://postgres:s3cret@127.0.0.1:notaport/db" }))
    expectStoreError(error, "Unavailable")
    expect((error as Error).message).not.toContain("s3cret")
  })
})

onServer("PgJournal faults", () => {
  // -------------------------------------------------------------------------
  // Racing writers
  // -------------------------------------------------------------------------

  describe("two writers racing on one stream", () => {
    it("exactly one wins; the other gets ConcurrencyConflict through the EventStore, and writes nothing", async () => {
      await run(
        Effect.gen(function* () {
          const first = yield* fresh()
          const name = applicationName()
          const second = yield* open(first.schema, { applicationName: name })
          const [a, b] = [yield* storeOn(first), yield* storeOn(second)]
          yield* a.append(mentorship, [cancelled(1)], { expected: EventStore.noStream })
          const held = yield* holdAppends(first)
          // both expect version 1; a is inside its transaction when b starts
          const winner = yield* Effect.fork(
            a.append(mentorship, [cancelled(2)], { expected: EventStore.exact(1) })
          )
          yield* held.inside
          const loser = yield* Effect.fork(
            Effect.either(
              b.append(mentorship, [cancelled(3), cancelled(4)], { expected: EventStore.exact(1) })
            )
          )
          yield* Effect.promise(() =>
            eventually(async () => (await waiting(name)) > 0, "b waits for the stream")
          )
          yield* held.release
          expect(yield* Fiber.join(winner)).toMatchObject({ firstVersion: 2, nextExpectedVersion: 2 })
          const lost = yield* Fiber.join(loser)
          expect(Either.isLeft(lost) && lost.left).toBeInstanceOf(EventStore.ConcurrencyConflict)
          expect(Either.isLeft(lost) && lost.left).toMatchObject({
            reason: "version",
            expected: "exactly 1",
            actual: 2
          })
          expect((yield* b.readStream(mentorship)).map((e) => e.version)).toEqual([1, 2])
        })
      )
    })

    it("rounds of writers on separate instances racing with the same expected version: one winner per round", async () => {
      await run(
        Effect.gen(function* () {
          const first = yield* fresh({ maxConnections: 2 })
          const journals = [first]
          for (let i = 1; i < 4; i++) journals.push(yield* open(first.schema, { maxConnections: 2 }))
          const stores = yield* Effect.forEach(journals, storeOn)
          let version = 0
          for (const round of range(0, 15)) {
            const outcomes = yield* Effect.all(
              stores.map((store, i) =>
                Effect.either(
                  store.append(mentorship, [cancelled(round * 10 + i)], {
                    expected: EventStore.exact(version)
                  })
                )
              ),
              { concurrency: "unbounded" }
            )
            const winners = outcomes.filter(Either.isRight)
            expect(winners, `round ${round}`).toHaveLength(1)
            for (const o of outcomes) {
              if (Either.isLeft(o)) {
                expect(o.left).toMatchObject({ _tag: "ConcurrencyConflict", actual: version + 1 })
              }
            }
            version += 1
          }
          const events = yield* stores[0]!.readStream(mentorship)
          expect(events.map((e) => e.version)).toEqual(range(1, 15))
        })
      )
    })
  })

  // -------------------------------------------------------------------------
  // Lost connections
  // -------------------------------------------------------------------------

  describe("a connection lost during an append", () => {
    it("leaves none of the append and reports StoreError Unavailable; the journal then appends again", async () => {
      await run(
        Effect.gen(function* () {
          const journal = yield* fresh()
          yield* journal.append([batch("s-1", 0, 1)])
          const held = yield* holdAppends(journal)
          const append = yield* Effect.fork(
            journal.append([batch("s-1", 1, ...range(2, 40)), batch("s-2", 0, 50)])
          )
          const pid = yield* held.inside
          // the rows are inserted, the transaction open: kill its backend
          yield* Effect.promise(() => query("select pg_terminate_backend($1)", [pid]))
          yield* held.release
          const error = yield* Effect.flip(Fiber.join(append))
          expectStoreError(error, "Unavailable")
          expect((yield* Effect.promise(() => storedRows(journal.schema))).map((r) => r.event_id)).toEqual([
            eventId(1)
          ])
          // the pool dropped the dead connection
          const heldAgain = yield* Effect.fork(journal.append([batch("s-1", 1, 2)]))
          yield* held.inside
          expect(yield* Fiber.join(heldAgain)).toMatchObject([{ firstVersion: 2, lastVersion: 2 }])
        })
      )
    })

    it("connections killed at random moments of appends leave each append whole or absent, and every failure typed", async () => {
      const schema = schemaName()
      const outcomes = { committed: 0, lost: 0, lostAfterCommit: 0 }
      try {
        for (const round of range(0, 12)) {
          const name = applicationName()
          const ids = range(1_000 * (round + 1), 80).map(eventId)
          await run(
            Effect.gen(function* () {
              const journal = yield* open(schema, { applicationName: name, maxConnections: 1 })
              const append = yield* Effect.fork(
                Effect.either(
                  journal.append([
                    batch(`s-${round}`, 0, ...range(1_000 * (round + 1), 40)),
                    batch(`t-${round}`, 0, ...range(1_000 * (round + 1) + 40, 40))
                  ])
                )
              )
              yield* Effect.sleep(Math.floor(Math.random() * 8))
              yield* Effect.promise(() => terminate(name))
              const outcome = yield* Fiber.join(append)
              const stored = yield* Effect.promise(() => countStored(schema, ids))
              expect([0, 80], `round ${round}: stored ${stored} of 80`).toContain(stored)
              if (Either.isRight(outcome)) {
                expect(stored).toBe(80)
                outcomes.committed++
              } else {
                expectStoreError(outcome.left, "Unavailable")
                if (stored === 80) outcomes.lostAfterCommit++
                else outcomes.lost++
              }
            })
          )
        }
      } finally {
        await dropSchema(schema)
      }
      expect(outcomes.committed + outcomes.lost + outcomes.lostAfterCommit).toBe(12)
      console.info(
        `killed connections: ${outcomes.committed} appends committed first, ${outcomes.lost} lost whole, ${outcomes.lostAfterCommit} committed whole as the connection died`
      )
    })
  })

  // -------------------------------------------------------------------------
  // Locks, databases, schemas
  // -------------------------------------------------------------------------

  describe("other faults", () => {
    it("a stream lock held past the lock timeout is StoreError Locked, and the append writes nothing", async () => {
      await run(
        Effect.gen(function* () {
          const first = yield* fresh()
          const second = yield* open(first.schema, { lockTimeout: 100 })
          const held = yield* holdAppends(first)
          const holder = yield* Effect.fork(first.append([batch("s-1", 0, 1)]))
          yield* held.inside
          const started = Date.now()
          expectStoreError(yield* Effect.flip(second.append([batch("s-1", "any", 2)])), "Locked")
          expect(Date.now() - started).toBeGreaterThanOrEqual(90)
          // another stream is not locked
          yield* second.append([batch("s-2", 0, 3)])
          yield* held.release
          yield* Fiber.join(holder)
          expect(yield* first.streamVersion(Ids.defaultOrganisation, "s-1")).toBe(1)
        })
      )
    })

    it("a database that does not exist is StoreError Unavailable", async () => {
      const url = new URL(serverUrl())
      url.pathname = "/no_such_database"
      expectStoreError(await failure(PgJournal.make({ url: url.toString() })), "Unavailable")
    })

    it("a read-only server refuses appends with StoreError ReadOnly, and still reads", async () => {
      await run(
        Effect.gen(function* () {
          const journal = yield* fresh()
          yield* journal.append([batch("s-1", 0, 1)])
          const url = new URL(serverUrl())
          url.searchParams.set("options", "-c default_transaction_read_only=on")
          const readonly = yield* PgJournal.make({ url: url.toString(), schema: journal.schema })
          expect(yield* readonly.streamVersion(Ids.defaultOrganisation, "s-1")).toBe(1)
          expectStoreError(yield* Effect.flip(readonly.append([batch("s-1", 1, 2)])), "ReadOnly")
        })
      )
    })

    it("a schema whose meta says a newer version is SchemaTooNew, and is left as it was", async () => {
      const schema = schemaName()
      try {
        await run(Effect.flatMap(open(schema), (journal) => journal.append([batch("s-1", 0, 1, 2)])))
        await query(`update "${schema}".ml_meta set value = '99' where key = 'schema_version'`)
        const before = await storedRows(schema)
        const error = await failure(open(schema))
        expectStoreError(error, "SchemaTooNew")
        expect((error as Error).message).toContain("newer version of mentor-ledger")
        expect(await storedRows(schema)).toEqual(before)
        expect(await query(`select value from "${schema}".ml_meta where key = 'schema_version'`)).toEqual([
          { value: "99" }
        ])
      } finally {
        await dropSchema(schema)
      }
    })

    it("a schema with a migration this version does not know is SchemaTooNew", async () => {
      const schema = schemaName()
      try {
        await run(open(schema))
        await query(`insert into "${schema}".ml_migration (name, timestamp) values ('0099_future', $1)`, [
          new Date().toISOString()
        ])
        expectStoreError(await failure(open(schema)), "SchemaTooNew")
      } finally {
        await dropSchema(schema)
      }
    })
  })
})
