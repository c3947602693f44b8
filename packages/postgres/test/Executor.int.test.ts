import { EventJournal, Ids, KeyStorage } from "@mentor-ledger/core"
import { Dialect, Executor, Tables } from "@mentor-ledger/sql"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { CompiledQuery } from "kysely"
import pg from "pg"
import { afterAll, beforeAll, expect, it } from "vitest"
import * as PgExecutor from "../src/internal/executor.js"
import { applicationName, batch, eventually, expectStoreError, open, run } from "./fixtures.js"
import { dropSchema, onServer, query, schemaName, serverUrl } from "./server.js"

const tables = Tables.make("ml_", "public")

/** The reason the journal gives a driver failure (as it sorts every one). */
const reason = (error: unknown) => {
  expect(error).toBeInstanceOf(Executor.DriverError)
  return Dialect.postgres.classify((error as Executor.DriverError).cause, tables)
}

const compiled = (text: string, parameters: ReadonlyArray<unknown> = []) =>
  CompiledQuery.raw(text, [...parameters])

onServer("the PostgreSQL executor", () => {
  let schema: string
  let things: string

  /** A pool like the journal's (errors of idle and checked-out clients heard), named to find its backends. */
  const poolOf = (max: number) => {
    const application = applicationName()
    const pool = new pg.Pool({ connectionString: serverUrl(), max, application_name: application })
    pool.on("error", () => {})
    pool.on("connect", (client) => client.on("error", () => {}))
    return { pool, application, executor: PgExecutor.make(pool) }
  }

  /** Runs `f` on a fresh pool of `max` connections, ended afterwards. */
  const withPool = async <A>(max: number, f: (p: ReturnType<typeof poolOf>) => Promise<A>): Promise<A> => {
    const p = poolOf(max)
    try {
      return await f(p)
    } finally {
      await p.pool.end()
    }
  }

  const thingsCount = async () =>
    Number((await query<{ n: string }>(`select count(*) as n from ${things}`))[0]!.n)

  /** No client checked out: every one the pool opened is idle again. */
  const allReturned = (pool: pg.Pool) => expect(pool.totalCount - pool.idleCount).toBe(0)

  beforeAll(async () => {
    schema = schemaName()
    things = `"${schema}".things`
    await query(`create schema "${schema}"`)
    await query(`create table ${things} (id int primary key)`)
  })

  afterAll(async () => {
    await dropSchema(schema)
  })

  it("gives each distinct text one stable statement name, prepared once per connection and reused", async () => {
    await withPool(1, async ({ pool, executor }) => {
      const text = `select $1::int + 1 as x /* ${schema} */`
      const name = PgExecutor.statementName(text)
      expect(name).toMatch(/^ml_\d+$/)
      expect(PgExecutor.statementName(text)).toBe(name)
      expect(PgExecutor.statementName(`${text} `)).not.toBe(name)
      for (const n of [1, 2, 3]) {
        expect(await Effect.runPromise(executor.execute(compiled(text, [n])))).toEqual([{ x: n + 1 }])
      }
      const prepared = await Effect.runPromise(
        executor.execute(
          compiled("select name, statement from pg_prepared_statements where statement = $1", [text])
        )
      )
      expect(prepared).toEqual([{ name, statement: text }])
      // the same text inside a transaction uses the same prepared statement
      const inside = await Effect.runPromise(executor.transaction((tx) => tx.execute(compiled(text, [41]))))
      expect(inside).toEqual([{ x: 42 }])
      allReturned(pool)
    })
  })

  it("commits a transaction's writes together, and rolls them back when its body fails, returning the client", async () => {
    await withPool(1, async ({ pool, executor }) => {
      const insert = `insert into ${things} (id) values ($1)`
      await Effect.runPromise(
        executor.transaction((tx) =>
          Effect.zipRight(tx.execute(compiled(insert, [1])), tx.execute(compiled(insert, [2])))
        )
      )
      expect(await thingsCount()).toBe(2)
      const failed = await Effect.runPromise(
        Effect.flip(
          executor.transaction((tx) =>
            Effect.zipRight(tx.execute(compiled(insert, [3])), Effect.fail("refused"))
          )
        )
      )
      expect(failed).toBe("refused")
      // a unique violation inside: the driver error, classified, and the client kept
      const duplicate = await Effect.runPromise(
        Effect.flip(
          executor.transaction((tx) =>
            Effect.zipRight(tx.execute(compiled(insert, [4])), tx.execute(compiled(insert, [1])))
          )
        )
      )
      expect(reason(duplicate)).toEqual({ _tag: "UniqueViolation", key: "other" })
      // a defect rolls back too
      await expect(
        Effect.runPromise(
          executor.transaction((tx) => Effect.zipRight(tx.execute(compiled(insert, [5])), Effect.die("bug")))
        )
      ).rejects.toBeDefined()
      expect(await thingsCount()).toBe(2)
      allReturned(pool)
      // on a pool of one, a client not returned would make this wait forever
      expect(
        await Effect.runPromise(executor.execute(compiled(`select count(*)::int as n from ${things}`)))
      ).toEqual([{ n: 2 }])
      await query(`delete from ${things}`)
    })
  })

  it("rolls back a transaction interrupted mid-way and returns its client", async () => {
    await withPool(1, async ({ pool, executor }) => {
      const inserted = Effect.runSync(Deferred.make<void>())
      const fiber = Effect.runFork(
        executor.transaction((tx) =>
          tx
            .execute(compiled(`insert into ${things} (id) values (10)`))
            .pipe(Effect.zipRight(Deferred.succeed(inserted, undefined)), Effect.zipRight(Effect.never))
        )
      )
      await Effect.runPromise(Deferred.await(inserted))
      await Effect.runPromise(Fiber.interrupt(fiber))
      allReturned(pool)
      expect(await thingsCount()).toBe(0)
      // interrupted while a statement runs: the rollback waits for it, then the client is back
      const sleeping = Effect.runFork(
        executor.transaction((tx) =>
          Effect.zipRight(
            tx.execute(compiled(`insert into ${things} (id) values (11)`)),
            tx.execute(compiled("select pg_sleep(0.3)"))
          )
        )
      )
      await new Promise((resolve) => setTimeout(resolve, 100))
      await Effect.runPromise(Fiber.interrupt(sleeping))
      expect(await Effect.runPromise(executor.execute(compiled("select 1 as one")))).toEqual([{ one: 1 }])
      allReturned(pool)
      expect(await thingsCount()).toBe(0)
    })
  })

  it("keeps a client after an ordinary server error, with its prepared statements", async () => {
    await withPool(1, async ({ pool, executor }) => {
      const pid = compiled("select pg_backend_pid() as pid")
      const [before] = await Effect.runPromise(executor.execute(pid))
      const failed = await Effect.runPromise(
        Effect.flip(executor.execute(compiled("select 1 / $1::int", [0])))
      )
      expect((failed.cause as { code?: unknown }).code).toBe("22012")
      const [after] = await Effect.runPromise(executor.execute(pid))
      expect(after).toEqual(before)
      allReturned(pool)
    })
  })

  it("gives Unavailable when the backend is killed, destroys that client, and the pool opens a new one", async () => {
    await withPool(2, async ({ pool, application, executor }) => {
      const pid = compiled("select pg_backend_pid() as pid")
      const kill = () =>
        query(
          "select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1 and pid <> pg_backend_pid()",
          [application]
        )
      // killed during a single statement
      const sleeping = Effect.runPromise(Effect.flip(executor.execute(compiled("select pg_sleep(5)"))))
      await eventually(
        async () =>
          (
            await query(
              "select 1 from pg_stat_activity where application_name = $1 and query like 'select pg_sleep%'",
              [application]
            )
          ).length === 1,
        "the statement to run"
      )
      await kill()
      expect(reason(await sleeping)).toEqual({ _tag: "Failure", reason: "Unavailable" })
      const [first] = await Effect.runPromise(executor.execute(pid))
      // killed inside a transaction
      const started = Effect.runSync(Deferred.make<void>())
      const killed = Effect.runPromise(
        Effect.flip(
          executor.transaction((tx) =>
            tx
              .execute(compiled(`insert into ${things} (id) values (20)`))
              .pipe(
                Effect.zipRight(Deferred.succeed(started, undefined)),
                Effect.zipRight(Effect.sleep("300 millis")),
                Effect.zipRight(tx.execute(compiled(`insert into ${things} (id) values (21)`)))
              )
          )
        )
      )
      await Effect.runPromise(Deferred.await(started))
      await kill()
      expect(reason(await killed)).toEqual({ _tag: "Failure", reason: "Unavailable" })
      await eventually(async () => pool.totalCount === pool.idleCount, "the broken client to be dropped")
      const [second] = await Effect.runPromise(executor.execute(pid))
      expect(second).not.toEqual(first)
      expect(await thingsCount()).toBe(0)
      allReturned(pool)
    })
  })

  it("runs many fibers at once within the pool's size, each with its own results", async () => {
    await withPool(3, async ({ pool, executor }) => {
      const singles = Effect.forEach(
        Array.from({ length: 30 }, (_, i) => i),
        (i) =>
          executor.execute(compiled("select $1::int * 2 as doubled, pg_sleep(0.01)::text as slept", [i])),
        { concurrency: "unbounded" }
      )
      const transactions = Effect.forEach(
        Array.from({ length: 12 }, (_, i) => i),
        (i) =>
          executor.transaction((tx) =>
            Effect.zipRight(
              tx.execute(compiled(`insert into ${things} (id) values ($1)`, [100 + i])),
              tx.execute(compiled(`select count(*)::int as n from ${things} where id = $1`, [100 + i]))
            )
          ),
        { concurrency: "unbounded" }
      )
      const opened = new Set<number>()
      const watch = setInterval(() => opened.add(pool.totalCount), 1)
      const [doubled, seen] = await Effect.runPromise(Effect.all([singles, transactions], { concurrency: 2 }))
      clearInterval(watch)
      expect(doubled.map((rows) => rows[0]!.doubled)).toEqual(Array.from({ length: 30 }, (_, i) => i * 2))
      expect(seen.map((rows) => rows[0])).toEqual(Array.from({ length: 12 }, () => ({ n: 1 })))
      expect(Math.max(...opened)).toBeLessThanOrEqual(3)
      expect(await thingsCount()).toBe(12)
      allReturned(pool)
      await query(`delete from ${things}`)
    })
  })
})

onServer("a read-only journal on the executor", () => {
  it("refuses key-carrying appends with ReadOnly before the server", async () => {
    const schema = schemaName()
    try {
      await run(Effect.flatMap(open(schema), (journal) => journal.append([batch("s-1", "any", 1)])))
      const error = await run(
        Effect.gen(function* () {
          const readonly = yield* open(schema, { readonly: true })
          expect(readonly.appendWithKeys).toBeDefined()
          return yield* Effect.flip(
            readonly.appendWithKeys!(
              [batch("s-1", 1, 2)],
              [
                {
                  ...KeyStorage.personSubject(
                    Ids.defaultOrganisation,
                    "11111111-0000-7000-8000-000000000009"
                  ),
                  material: new Uint8Array(32),
                  wrapping: "none",
                  createdAt: new Date()
                }
              ]
            )
          )
        })
      )
      expectStoreError(error, "ReadOnly")
      expect((error as EventJournal.StoreError).message).toContain("read-only")
      expect(await query(`select count(*)::int as n from "${schema}".ml_events`)).toEqual([{ n: 1 }])
      expect(await query(`select count(*)::int as n from "${schema}".ml_keys`)).toEqual([{ n: 0 }])
    } finally {
      await dropSchema(schema)
    }
  })
})
