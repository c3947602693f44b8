/**
 * What the journal needs to know about a database, in one place.
 *
 * The journal's SQL is written once with kysely. Where SQLite and
 * PostgreSQL truly differ, the difference is a capability here (as in
 * kysely's `DialectAdapter`), not an `if (sqlite)` in the journal.
 *
 * @since 0.1.0
 */
import type { EventJournal } from "@mentor-ledger/core"
import { sql, type RawBuilder } from "kysely"
import type { Tables } from "./Tables.js"

/**
 * A driver error, sorted:
 * - `UniqueViolation`: a unique key refused a row (`key` says which);
 * - `Failure`: anything else, with the core's `StoreError` reason.
 * @since 0.1.0
 * @category models
 */
export type Fault =
  | { readonly _tag: "UniqueViolation"; readonly key: "streamVersion" | "eventId" | "other" }
  | { readonly _tag: "Failure"; readonly reason: EventJournal.StoreError["reason"] }

/**
 * How an append places its rows in the global log:
 * - `Assigned`: the database runs one writer at a time (SQLite), so the
 *   journal reads the last position inside the write transaction and numbers
 *   the rows itself; the transaction column equals the position;
 * - `Generated`: the database numbers the rows (an identity column) and
 *   `transactionId` is an SQL expression for the writing transaction's id
 *   (PostgreSQL: `pg_current_xact_id()`); the insert returns both.
 * @since 0.1.0
 * @category models
 */
export type Positions =
  | {
      readonly _tag: "Assigned"
      /** One row with one column `last`: the last position ever assigned (0 when none). */
      readonly lastPosition: (tables: Tables) => RawBuilder<{ readonly last: unknown }>
    }
  | { readonly _tag: "Generated"; readonly transactionId: RawBuilder<unknown> }

/**
 * A database's capabilities.
 * @since 0.1.0
 * @category models
 */
export interface Dialect {
  readonly name: "sqlite" | "postgres"
  readonly positions: Positions
  /**
   * When set, migrations run inside one transaction begun with this SQL,
   * on one connection. SQLite needs it: kysely's SQLite adapter neither locks
   * nor wraps migrations, and `begin immediate` gives both (so two processes
   * opening one new file do not both migrate it). Unset for PostgreSQL,
   * where kysely's Migrator takes an advisory lock and a transaction itself.
   */
  readonly migrationTransaction?: string
  /** Sorts a driver error. */
  readonly classify: (cause: unknown, tables: Tables) => Fault
}

const sqliteFailures: ReadonlyArray<readonly [string, EventJournal.StoreError["reason"]]> = [
  ["SQLITE_BUSY", "Locked"],
  ["SQLITE_LOCKED", "Locked"],
  ["SQLITE_READONLY", "ReadOnly"],
  ["SQLITE_CANTOPEN", "Unavailable"],
  ["SQLITE_PERM", "Unavailable"],
  ["SQLITE_AUTH", "Unavailable"],
  ["SQLITE_FULL", "Unavailable"],
  ["SQLITE_IOERR", "Unavailable"],
  ["SQLITE_NOTADB", "Corrupt"],
  ["SQLITE_CORRUPT", "Corrupt"]
]

/**
 * SQLite. Errors are sorted by SQLite's result-code names
 * (`SQLITE_CONSTRAINT_UNIQUE`, `SQLITE_BUSY`, …), which better-sqlite3
 * puts in `error.code`; a unique violation names its columns in the message
 * (`UNIQUE constraint failed: ml_events.event_id`).
 * @since 0.1.0
 * @category dialects
 */
export const sqlite: Dialect = {
  name: "sqlite",
  positions: {
    _tag: "Assigned",
    // AUTOINCREMENT keeps its high-water mark in sqlite_sequence, so a
    // position is never reused, not even after the last rows were deleted.
    lastPosition: (tables) =>
      sql<{
        readonly last: unknown
      }>`select coalesce(max(seq), 0) as last from sqlite_sequence where name = ${sql.lit(tables.events)}`
  },
  migrationTransaction: "begin immediate",
  classify: (cause, tables) => {
    const code = typeof cause === "object" && cause !== null ? (cause as { code?: unknown }).code : undefined
    if (typeof code !== "string") return { _tag: "Failure", reason: "Unknown" }
    if (code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY") {
      const message = String((cause as { message?: unknown }).message)
      const key = message.includes(`${tables.events}.event_id`)
        ? "eventId"
        : message.includes(`${tables.events}.version`)
          ? "streamVersion"
          : "other"
      return { _tag: "UniqueViolation", key }
    }
    for (const [prefix, reason] of sqliteFailures) {
      if (code === prefix || code.startsWith(`${prefix}_`)) return { _tag: "Failure", reason }
    }
    return { _tag: "Failure", reason: "Unknown" }
  }
}
