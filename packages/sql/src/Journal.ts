/**
 * The core's `EventJournal` port on SQL, written once with kysely for
 * SQLite and PostgreSQL.
 *
 * Queries are built with kysely and compiled once, when the journal is made;
 * each call only binds parameters and runs the compiled text through an
 * {@link Executor.Executor}. An append runs all its batches in one
 * transaction: where the dialect runs writers concurrently, one statement
 * locking the streams it writes (`Dialect.streamLocks`), then per batch one
 * read of the stream's version and one multi-row insert. Unique-key
 * violations become the core's `StreamVersionMismatch` and
 * `DuplicateEventId`; every other driver error becomes a `StoreError` with a
 * reason.
 *
 * Inline projections: {@link SqlEventJournal.onAppend} registers a hook that
 * runs inside every append's transaction, after the rows are inserted, with
 * the stored rows and the transaction's executor. A failing hook rolls the
 * append back, so a read model written there is never out of step with the
 * log.
 *
 * @since 0.1.0
 */
import type { EventJournal } from "@mentor-ledger/core"
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type { Kysely } from "kysely"
import type { Dialect } from "./Dialect.js"
import type { Executor } from "./Executor.js"
import * as internal from "./internal/journal.js"
import type { Tables } from "./Tables.js"

/** @since 0.1.0 @category models */
export interface Options {
  /** The prefix of every table (default `ml_`). */
  readonly tablePrefix?: string
  /** The schema holding the tables (PostgreSQL; default: the connection's search path). */
  readonly schema?: string
  /** The database's capabilities, e.g. `Dialect.sqlite`. */
  readonly dialect: Dialect
  /** Runs the compiled queries (default: `Executor.fromKysely(db)`). */
  readonly executor?: Executor
}

/**
 * Runs inside an append's transaction, after its rows are inserted: the
 * stored rows (with their log positions) and the transaction's executor.
 * Failing rolls the whole append back.
 * @since 0.1.0
 * @category models
 */
export type AppendHook = (
  appended: ReadonlyArray<EventJournal.StoredEvent>,
  transaction: Executor
) => Effect.Effect<void, EventJournal.StoreError>

/**
 * The journal, with what an SQL projection runtime needs beside the port.
 * @since 0.1.0
 * @category models
 */
export interface SqlEventJournal extends EventJournal.EventJournalService {
  /** The kysely instance the journal builds its queries with (bound to `tables.schema`, if any). */
  readonly db: Kysely<any>
  readonly dialect: Dialect
  readonly tables: Tables
  readonly executor: Executor
  /**
   * Runs `hook` inside every append's transaction until the scope closes
   * (hooks run in the order they were added).
   */
  readonly onAppend: (hook: AppendHook) => Effect.Effect<void, never, Scope.Scope>
}

/**
 * Makes the journal on a kysely instance whose schema is migrated
 * (see `Migrations.migrate`).
 *
 * @example
 * import { Dialect, Journal } from "@mentor-ledger/sql"
 * const journal = Journal.make(db, { dialect: Dialect.sqlite, tablePrefix: "ml_" })
 * @since 0.1.0
 * @category constructors
 */
export const make: (db: Kysely<any>, options: Options) => SqlEventJournal = internal.make

/**
 * The SQL journal as a service, for projection runtimes and tools that need
 * the database beside the port. Adapter layers provide it together with the
 * core's `EventJournal`.
 * @since 0.1.0
 * @category services
 */
export class SqlJournal extends Context.Tag("@mentor-ledger/sql/SqlJournal")<SqlJournal, SqlEventJournal>() {}
