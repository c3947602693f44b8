import { Executor } from "@mentor-ledger/sql"
import type Database from "better-sqlite3"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type { CompiledQuery } from "kysely"

const noRows: ReadonlyArray<Executor.Row> = []

/** How many prepared statements to keep; the journal uses a few dozen. */
const cacheSize = 256

/**
 * Runs compiled queries synchronously on one better-sqlite3 connection,
 * keeping their prepared statements. A transaction begins with
 * `begin immediate`, taking SQLite's write lock at once (waiting up to the
 * busy timeout), so that the version read and the insert of an append see
 * one state even with other processes on the same file.
 *
 * Everything runs synchronously, so nothing can interleave with a query;
 * only a transaction whose body suspends (an async append hook) holds the
 * connection across turns of the event loop, and then every other use of
 * the executor waits for it.
 */
export const make = (database: Database.Database): Executor.Executor => {
  // each statement with whether it returns rows (better-sqlite3's `reader`
  // is a native accessor: read once, when the statement is prepared)
  const statements = new Map<string, { readonly statement: Database.Statement; readonly reader: boolean }>()
  const prepared = (text: string) => {
    let s = statements.get(text)
    if (s === undefined) {
      if (statements.size >= cacheSize) statements.clear()
      const statement = database.prepare(text)
      s = { statement, reader: statement.reader }
      statements.set(text, s)
    }
    return s
  }
  const statement = (text: string): Database.Statement => prepared(text).statement
  const run = (query: CompiledQuery): ReadonlyArray<Executor.Row> => {
    const s = prepared(query.sql)
    if (s.reader) return s.statement.all(query.parameters as Array<unknown>) as ReadonlyArray<Executor.Row>
    s.statement.run(query.parameters as Array<unknown>)
    return noRows
  }
  const execute = (query: CompiledQuery) =>
    Effect.try({ try: () => run(query), catch: (cause) => new Executor.DriverError({ cause }) })
  const command = (text: string) =>
    Effect.try({
      try: () => {
        statement(text).run()
      },
      catch: (cause) => new Executor.DriverError({ cause })
    })

  // SQLite has already rolled back after some errors (SQLITE_FULL, …); a
  // failing rollback leaves the original failure to say what went wrong.
  const rollback = () => {
    if (!database.inTransaction) return
    try {
      statement("rollback").run()
    } catch {
      // ignored: see above
    }
  }

  const lock = Effect.unsafeMakeSemaphore(1)
  let held = false
  const inner: Executor.Executor = { execute, transaction: (use) => use(inner) }

  const sync: Executor.SyncExecutor = {
    available: () => !held,
    execute: run,
    transaction: (body) => {
      statement("begin immediate").run()
      try {
        const result = body()
        statement("commit").run()
        return result
      } catch (error) {
        rollback()
        throw error
      }
    }
  }

  return {
    sync,
    // decided when the query runs: wait only while a transaction holds the connection
    execute: (query) => Effect.suspend(() => (held ? lock.withPermits(1)(execute(query)) : execute(query))),
    transaction: <A, E, R>(use: (transaction: Executor.Executor) => Effect.Effect<A, E, R>) =>
      lock.withPermits(1)(
        Effect.uninterruptibleMask((restore) =>
          Effect.flatMap(command("begin immediate"), () => {
            held = true
            return Effect.flatMap(Effect.exit(restore(use(inner))), (exit) => {
              held = false
              if (Exit.isSuccess(exit)) {
                return Effect.matchEffect(command("commit"), {
                  onSuccess: () => exit,
                  onFailure: (error) => {
                    rollback()
                    return Effect.fail(error)
                  }
                })
              }
              rollback()
              return exit
            })
          })
        )
      )
  }
}
