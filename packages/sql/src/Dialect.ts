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
 *   (PostgreSQL: `pg_current_xact_id()`); the insert returns both. Writers
 *   run concurrently and may commit in another order than they numbered
 *   their rows, so `readAll` returns only rows whose transaction id is below
 *   `horizon`: the oldest transaction still running when the read began
 *   (PostgreSQL: `pg_snapshot_xmin(pg_current_snapshot())`). Every
 *   transaction below it has ended, so no row can appear there later, and
 *   a reader that goes on from the last row it saw never skips one.
 * @since 0.1.0
 * @category models
 */
export type Positions =
  | {
      readonly _tag: "Assigned"
      /** One row with one column `last`: the last position ever assigned (0 when none). */
      readonly lastPosition: (tables: Tables) => RawBuilder<{ readonly last: unknown }>
    }
  | {
      readonly _tag: "Generated"
      readonly transactionId: RawBuilder<unknown>
      readonly horizon: RawBuilder<unknown>
    }

/**
 * Locks that serialise appends to one stream, for databases that run
 * writers concurrently (PostgreSQL). An append takes them first, in one
 * statement, and holds them until it commits or rolls back; its version
 * reads then see every earlier append to its streams. Without them two
 * appends with expected version `any` would both read version n and one
 * would fail on the unique key.
 * @since 0.1.0
 * @category models
 */
export interface StreamLocks {
  /** The statement that takes the locks; `keys` stands for its one parameter. */
  readonly statement: (keys: unknown) => RawBuilder<unknown>
  /**
   * The parameter for the streams an append writes: one key per stream,
   * without repeats and in one fixed order, so that two appends to the same
   * streams always lock them in the same order and never deadlock.
   */
  readonly keys: (
    tables: Tables,
    streams: ReadonlyArray<{ readonly organisation: string; readonly stream: string }>
  ) => unknown
}

/**
 * Projection locks, for databases where several processes may write the
 * read models at once (PostgreSQL).
 *
 * - `writers`: a transaction-scoped lock that every catch-up batch and every
 *   inline append with projections takes before it reads the checkpoints,
 *   so that the checkpoints it reads are the latest and two writers of one
 *   read model never interleave.
 * - `owner`: session-scoped locks, one per projection version, that say
 *   which worker processes it. A worker holds a connection of its own (a
 *   session) while it works and takes the lock of each projection it
 *   processes with `tryLock`; the lock stays with that connection until
 *   `unlock`, or until the connection closes: a process that dies (even by
 *   SIGKILL) loses its connection, the server ends its session and frees
 *   its locks, and another worker's next `tryLock` succeeds.
 *
 * A database without them (SQLite) runs one writer at a time: every worker
 * processes every projection, one batch after the other.
 * @since 0.1.0
 * @category models
 */
export interface ProjectionLocks {
  /** The transaction-scoped lock of the projection writers of one schema and prefix. */
  readonly writers: (tables: Tables) => RawBuilder<unknown>
  /** The key of one projection version's ownership lock. */
  readonly key: (tables: Tables, projection: string) => bigint
  /** Takes an ownership lock if it is free, without waiting: one row, `acquired` true or false. */
  readonly tryLock: (key: bigint) => RawBuilder<{ readonly acquired: unknown }>
  /**
   * Joins the workers of one schema and prefix: takes a shared lock on
   * `key` that this session holds until it closes. The sessions holding it
   * ({@link ProjectionLocks.holders}) are the live workers, among which
   * the projections are shared out.
   */
  readonly join: (key: bigint) => RawBuilder<unknown>
  /** Gives up an ownership lock held by this session. */
  readonly unlock: (key: bigint) => RawBuilder<unknown>
  /** Gives up every ownership lock of this session (before its connection goes back to a pool). */
  readonly unlockAll: RawBuilder<unknown>
  /** Names this session for {@link ProjectionLocks.holders} (an instance name). */
  readonly nameSession: (name: string) => RawBuilder<unknown>
  /**
   * The sessions holding these keys: one row per held key, with `key` (as
   * text), `pid` (the server process of the session) and `holder` (the
   * session's name).
   */
  readonly holders: (
    keys: ReadonlyArray<bigint>
  ) => RawBuilder<{ readonly key: unknown; readonly pid: unknown; readonly holder: unknown }>
}

/**
 * A database's capabilities.
 * @since 0.1.0
 * @category models
 */
export interface Dialect {
  readonly name: "sqlite" | "postgres"
  readonly positions: Positions
  /** Per-stream locks taken by every append (unset: the database runs one writer at a time). */
  readonly streamLocks?: StreamLocks
  /** Locks of projection writers and owners (unset: the database runs one writer at a time). */
  readonly projectionLocks?: ProjectionLocks
  /**
   * When set, migrations run inside one transaction begun with this SQL,
   * on one connection, so that two processes opening one new database do
   * not both migrate it. SQLite: `begin immediate` takes the write lock
   * (kysely's SQLite adapter neither locks nor wraps migrations).
   * PostgreSQL: `begin`, then {@link Dialect.migrationLock}.
   */
  readonly migrationTransaction?: string
  /**
   * Taken right after {@link Dialect.migrationTransaction} begins, before
   * anything is read: PostgreSQL's transaction-scoped advisory lock for the
   * schema and prefix, so that a second migrator waits, then finds the
   * schema migrated. (kysely's own migration lock comes too late: its
   * Migrator creates the schema and its tables before locking.)
   */
  readonly migrationLock?: (tables: Tables) => RawBuilder<unknown>
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

// ---------------------------------------------------------------------------
// PostgreSQL
// ---------------------------------------------------------------------------

const encoder = new TextEncoder()
const fnvOffset = 0xcbf29ce484222325n
const fnvPrime = 0x100000001b3n
const mask64 = (1n << 64n) - 1n

/**
 * A 64-bit key for a PostgreSQL advisory lock (`pg_advisory_lock(bigint)`
 * and friends), in the namespace of one schema and table prefix: `parts`
 * say what is locked. The journal locks `("stream", organisation, stream)`
 * during an append and `("migrations")` while it migrates; a projection
 * worker takes, e.g., `("projection", name)`. Keys are a 64-bit FNV-1a
 * hash, so two different names share a key with negligible probability
 * (and then only wait for each other).
 *
 * @example
 * import { Dialect, Tables } from "@mentor-ledger/sql"
 * const key = Dialect.advisoryKey(Tables.make("ml_", "public"), "projection", "mentorships")
 * // select pg_try_advisory_lock(${key})
 * @since 0.1.0
 * @category postgres
 */
export const advisoryKey = (tables: Tables, ...parts: ReadonlyArray<string>): bigint => {
  let hash = fnvOffset
  const text = [tables.schema ?? "", tables.prefix, ...parts].join("\u0000")
  for (const byte of encoder.encode(text)) {
    hash ^= BigInt(byte)
    hash = (hash * fnvPrime) & mask64
  }
  return BigInt.asIntN(64, hash)
}

/** SQLSTATE classes and codes that are not unique violations, most specific first. */
const postgresFailures: ReadonlyArray<readonly [string, EventJournal.StoreError["reason"]]> = [
  ["25006", "ReadOnly"], // read_only_sql_transaction (also a hot standby)
  ["55P03", "Locked"], // lock_not_available: lock_timeout passed
  ["40P01", "Locked"], // deadlock_detected
  ["40001", "Locked"], // serialization_failure
  ["57P01", "Unavailable"], // admin_shutdown: the backend was terminated
  ["57P02", "Unavailable"], // crash_shutdown
  ["57P03", "Unavailable"], // cannot_connect_now: starting up or shutting down
  ["3D000", "Unavailable"], // invalid_catalog_name: no such database
  ["08", "Unavailable"], // connection exception
  ["28", "Unavailable"], // invalid authorization specification
  ["53", "Unavailable"], // insufficient resources: disk full, too many connections
  ["XX001", "Corrupt"], // data_corrupted
  ["XX002", "Corrupt"] // index_corrupted
]

/** Node's socket errors (the server cannot be reached) and a connection string that is no URL. */
const unreachableCodes = new Set([
  "ERR_INVALID_URL",
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE"
])

/** pg's own errors for a lost, closed or never-made connection (they carry no code). */
const connectionMessages =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|is not queryable|Cannot use a pool after calling end|has already been destroyed/i

const field = (cause: unknown, name: string): unknown =>
  typeof cause === "object" && cause !== null ? (cause as Record<string, unknown>)[name] : undefined

/**
 * PostgreSQL through node-postgres (`pg`). Errors are sorted by their
 * SQLSTATE (`error.code`): `23505` is a unique violation, told apart by its
 * constraint name (`error.constraint`); socket errors and pg's messages for
 * lost connections are `Unavailable`. Positions are `Generated`: an identity
 * column and the writing transaction's id (`pg_current_xact_id()`), read
 * below the snapshot's xmin. Appends lock their streams with
 * transaction-scoped advisory locks ({@link advisoryKey}); migrations run
 * in one transaction under an advisory lock of the schema and prefix.
 * Needs PostgreSQL 13 or later (`pg_current_xact_id`).
 * @since 0.1.0
 * @category dialects
 */
export const postgres: Dialect = {
  name: "postgres",
  positions: {
    _tag: "Generated",
    // xid8 is a 64-bit, never wrapping transaction id: it fits a bigint
    transactionId: sql`pg_current_xact_id()::text::bigint`,
    horizon: sql`pg_snapshot_xmin(pg_current_snapshot())::text::bigint`
  },
  streamLocks: {
    // unnest yields the keys in array order, so the locks are taken in it
    statement: (keys) => sql`select pg_advisory_xact_lock(k) from unnest(cast(${keys} as bigint[])) as k`,
    keys: (tables, streams) => {
      const keys = [...new Set(streams.map((s) => advisoryKey(tables, "stream", s.organisation, s.stream)))]
      return keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map(String)
    }
  },
  projectionLocks: {
    // keys are bigints this module computed: safe to inline
    writers: (tables) =>
      sql`select pg_advisory_xact_lock((${sql.raw(String(advisoryKey(tables, "projections")))})::bigint)`,
    key: (tables, projection) => advisoryKey(tables, "projection", projection),
    tryLock: (key) =>
      sql<{ readonly acquired: unknown }>`select pg_try_advisory_lock(${String(key)}::bigint) as acquired`,
    join: (key) => sql`select pg_advisory_lock_shared(${String(key)}::bigint)`,
    unlock: (key) => sql`select pg_advisory_unlock(${String(key)}::bigint)`,
    unlockAll: sql`select pg_advisory_unlock_all()`,
    nameSession: (name) => sql`select set_config('application_name', ${name}, false)`,
    // A bigint advisory lock shows in pg_locks as classid (high 32 bits) and
    // objid (low 32 bits), both unsigned, with objsubid 1.
    holders: (keys) =>
      sql<{ readonly key: unknown; readonly pid: unknown; readonly holder: unknown }>`select
        ((l.classid::bigint << 32) | l.objid::bigint)::text as key, l.pid, a.application_name as holder
        from pg_locks l join pg_stat_activity a on a.pid = l.pid
        where l.locktype = 'advisory' and l.objsubid = 1 and l.granted
          and l.database = (select oid from pg_database where datname = current_database())
          and ((l.classid::bigint << 32) | l.objid::bigint) = any(cast(${keys.map(String)} as bigint[]))`
  },
  migrationTransaction: "begin",
  // the key is a bigint this module computed: safe to inline
  migrationLock: (tables) =>
    sql`select pg_advisory_xact_lock((${sql.raw(String(advisoryKey(tables, "migrations")))})::bigint)`,
  classify: (cause, tables) => {
    // node reports a refused dual-stack connect (localhost) as an AggregateError
    const errors = field(cause, "errors")
    const first = Array.isArray(errors) && errors.length > 0 ? errors[0] : cause
    const code = field(cause, "code") ?? field(first, "code")
    if (code === "23505") {
      const constraint = field(cause, "constraint")
      const key =
        constraint === tables.streamVersionKey
          ? "streamVersion"
          : constraint === tables.eventIdKey
            ? "eventId"
            : "other"
      return { _tag: "UniqueViolation", key }
    }
    if (typeof code === "string") {
      if (unreachableCodes.has(code)) return { _tag: "Failure", reason: "Unavailable" }
      for (const [prefix, reason] of postgresFailures) {
        if (code.startsWith(prefix)) return { _tag: "Failure", reason }
      }
    }
    const message = field(cause, "message")
    if (typeof message === "string" && connectionMessages.test(message)) {
      return { _tag: "Failure", reason: "Unavailable" }
    }
    return { _tag: "Failure", reason: "Unknown" }
  }
}
