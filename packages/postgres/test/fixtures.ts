import { randomBytes } from "node:crypto"
import { EventJournal, Ids } from "@mentor-ledger/core"
import type { Journal } from "@mentor-ledger/sql"
import * as Cause from "effect/Cause"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Scope from "effect/Scope"
import { sql } from "kysely"
import { expect } from "vitest"
import { PgJournal } from "../src/index.js"
import { freshSchema, query, serverUrl } from "./server.js"

export const eventId = (n: number) => `eeeeeeee-0000-7000-8000-${n.toString(16).padStart(12, "0")}`

export const event = (n: number): EventJournal.EncodedEvent => ({
  eventId: eventId(n),
  eventType: "MeetingCancelled",
  schemaVersion: 1,
  payload: JSON.stringify({ n }),
  metadata: "{}",
  occurredAt: new Date(Date.UTC(2025, 2, 1, 9, 0, n % 60)),
  recordedAt: new Date(Date.UTC(2025, 2, 3, 8, 0, n % 60))
})

export const batch = (
  stream: string,
  expected: number | "any",
  ...events: ReadonlyArray<number>
): EventJournal.StreamAppend => ({
  organisation: Ids.defaultOrganisation,
  stream,
  streamType: "Mentorship",
  expected,
  events: events.map(event)
})

export const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i)

export const run = <A, E>(effect: Effect.Effect<A, E, Scope.Scope>): Promise<A> =>
  Effect.runPromise(Effect.scoped(effect))

/** The error an effect fails with (the test fails if it succeeds). */
export const failure = async <A, E>(effect: Effect.Effect<A, E, Scope.Scope>): Promise<E> => {
  const exit = await Effect.runPromiseExit(Effect.scoped(effect))
  if (Exit.isSuccess(exit)) throw new Error(`expected a failure, got ${JSON.stringify(exit.value)}`)
  const failed = Cause.failureOption(exit.cause)
  if (failed._tag === "None") throw Cause.squash(exit.cause)
  return failed.value
}

export const expectStoreError = (error: unknown, reason: EventJournal.StoreError["reason"]) => {
  expect(error).toBeInstanceOf(EventJournal.StoreError)
  expect((error as EventJournal.StoreError).reason, (error as Error).message).toBe(reason)
}

/** A name for one journal's connections, to find them in pg_stat_activity. */
export const applicationName = () => `ml-test-${randomBytes(4).toString("hex")}`

/** A journal on the test server: one "app instance" with a pool of its own. */
export const open = (schema: string, options: Partial<PgJournal.Options> = {}) =>
  PgJournal.make({ url: serverUrl(), schema, ...options })

/** A journal on a fresh schema, dropped when the scope closes. */
export const fresh = (options: Partial<PgJournal.Options> = {}) =>
  Effect.flatMap(freshSchema, (schema) => open(schema, options))

/** What is stored in a schema, read on a connection of its own. */
export const storedRows = (schema: string, prefix = "ml_") =>
  query<{ position: string; transaction_id: string; stream: string; version: number; event_id: string }>(
    `select position, transaction_id, stream, version, event_id from "${schema}"."${prefix}events" order by transaction_id, position`
  )

/** How many backends of an application wait for a lock they have not been granted. */
export const waiting = async (application: string): Promise<number> => {
  const [row] = await query<{ n: string }>(
    `select count(*) as n from pg_locks l join pg_stat_activity a on a.pid = l.pid
     where not l.granted and a.application_name = $1`,
    [application]
  )
  return Number(row!.n)
}

/** Waits until `condition` holds, polling; fails after `timeout` milliseconds. */
export const eventually = async (condition: () => Promise<boolean>, what: string, timeout = 5_000) => {
  const deadline = Date.now() + timeout
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/** Waits until a backend listens on the channel (its last statement was the LISTEN). */
export const listening = (channel: string) =>
  eventually(async () => {
    const rows = await query("select 1 from pg_stat_activity where query = $1", [`listen "${channel}"`])
    return rows.length > 0
  }, `someone listens on ${channel}`)

/**
 * Makes every append of `journal` stop inside its transaction, after its
 * inserts, until released: `inside` gives the backend pid of the waiting
 * transaction; `release` lets it go on (to commit), `fail` rolls it back.
 * When the scope closes first, held appends roll back.
 */
export const holdAppends = (journal: Journal.SqlEventJournal) =>
  Effect.gen(function* () {
    const inside = yield* Deferred.make<number>()
    const release = yield* Deferred.make<void, EventJournal.StoreError>()
    // a test that fails while an append is held rolls it back, so the pool can end
    yield* Effect.addFinalizer(() =>
      Deferred.fail(release, new EventJournal.StoreError({ reason: "Unknown", message: "the test ended" }))
    )
    yield* journal.onAppend((_rows, tx) =>
      Effect.gen(function* () {
        const [row] = yield* Effect.orDie(tx.execute(sql`select pg_backend_pid() as pid`.compile(journal.db)))
        yield* Deferred.succeed(inside, Number(row!.pid))
        yield* Deferred.await(release)
      })
    )
    return {
      inside: Deferred.await(inside),
      release: Deferred.succeed(release, undefined),
      fail: (message: string) =>
        Deferred.fail(release, new EventJournal.StoreError({ reason: "Unknown", message }))
    }
  })
