/**
 * Runs compiled kysely queries on one database, as Effects.
 *
 * The journal builds its SQL once with kysely and compiles it; an executor
 * only runs the compiled text with fresh parameters. {@link fromKysely} runs
 * it through any kysely dialect (the portable path, used for PostgreSQL);
 * an adapter may bring a faster executor of its own, as the SQLite adapter
 * does with synchronous, cached better-sqlite3 statements.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type { CompiledQuery, Kysely } from "kysely"

/**
 * A database driver failed. The journal sorts the `cause` with its
 * dialect's `classify` and never lets it leak to callers.
 * @since 0.1.0
 * @category errors
 */
export class DriverError extends Data.TaggedError("DriverError")<{
  readonly cause: unknown
}> {}

/** A result row. @since 0.1.0 @category models */
export type Row = Record<string, unknown>

/**
 * The synchronous side of an executor whose driver is synchronous
 * (better-sqlite3). The journal uses it, when {@link SyncExecutor.available},
 * to run a whole append or read without an async hop; its methods throw the
 * driver's errors as they are.
 * @since 0.1.0
 * @category models
 */
export interface SyncExecutor {
  /** False while a transaction holds the connection across an async gap (then use the Effect side). */
  readonly available: () => boolean
  /** Runs one compiled query now. */
  readonly execute: (query: CompiledQuery) => ReadonlyArray<Row>
  /** Runs `body` in one write transaction now: commits when it returns, rolls back when it throws. */
  readonly transaction: <A>(body: () => A) => A
}

/**
 * Runs compiled queries, one at a time, on one database.
 * @since 0.1.0
 * @category models
 */
export interface Executor {
  /** Runs one compiled query with its parameters: the rows it returns, or none for a write without `returning`. */
  readonly execute: (query: CompiledQuery) => Effect.Effect<ReadonlyArray<Row>, DriverError>
  /**
   * Runs `use` in one write transaction: commits when it succeeds, rolls
   * back when it fails or is interrupted. The executor given to `use` runs
   * its queries inside the transaction. Nested calls join the outer one.
   */
  readonly transaction: <A, E, R>(
    use: (transaction: Executor) => Effect.Effect<A, E, R>
  ) => Effect.Effect<A, E | DriverError, R>
  /** Present when the driver can also run queries synchronously. */
  readonly sync?: SyncExecutor
}

/**
 * An executor on a kysely instance: works with every kysely dialect.
 * Transactions use kysely's controlled transactions (`begin` … `commit`).
 *
 * @example
 * import { Executor } from "@mentor-ledger/sql"
 * const executor = Executor.fromKysely(db)
 * @since 0.1.0
 * @category constructors
 */
export const fromKysely = (db: Kysely<any>): Executor => {
  const execute = (query: CompiledQuery) =>
    Effect.tryPromise({
      try: () => db.executeQuery(query),
      catch: (cause) => new DriverError({ cause })
    }).pipe(Effect.map((result) => result.rows as ReadonlyArray<Row>))
  return {
    execute,
    transaction: <A, E, R>(use: (transaction: Executor) => Effect.Effect<A, E, R>) =>
      Effect.uninterruptibleMask((restore) =>
        Effect.gen(function* () {
          const trx = yield* Effect.tryPromise({
            try: () => db.startTransaction().execute(),
            catch: (cause) => new DriverError({ cause })
          })
          const inner: Executor = {
            execute: (query) =>
              Effect.tryPromise({
                try: () => trx.executeQuery(query),
                catch: (cause) => new DriverError({ cause })
              }).pipe(Effect.map((result) => result.rows as ReadonlyArray<Row>)),
            transaction: (nested) => nested(inner)
          }
          const exit = yield* Effect.exit(restore(use(inner)))
          if (Exit.isSuccess(exit)) {
            const committed = yield* Effect.exit(
              Effect.tryPromise({
                try: () => trx.commit().execute(),
                catch: (cause) => new DriverError({ cause })
              })
            )
            if (Exit.isFailure(committed)) {
              yield* Effect.tryPromise(() => trx.rollback().execute()).pipe(Effect.ignore)
              return yield* Effect.failCause(committed.cause)
            }
            return exit.value
          }
          yield* Effect.tryPromise(() => trx.rollback().execute()).pipe(Effect.ignore)
          return yield* Effect.failCause(exit.cause)
        })
      )
  }
}
