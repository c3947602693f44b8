/**
 * The names of mentor-ledger's tables inside a host database.
 *
 * Every table carries a prefix (default `ml_`) so that the journal can sit
 * beside a host application's own tables in the same database. On
 * PostgreSQL the tables also live in a schema (the adapter's `schema`
 * option, default `public`); SQLite has none.
 *
 * @since 0.1.0
 */
import { EventJournal } from "@mentor-ledger/core"

/**
 * The table and constraint names for one prefix.
 * @since 0.1.0
 * @category models
 */
export interface Tables {
  readonly prefix: string
  /** The schema holding the tables (PostgreSQL); absent: the connection's default. */
  readonly schema?: string
  /** The append-only event log. */
  readonly events: string
  /** The key store: wrapped data keys and erasure records, one row per subject. */
  readonly keys: string
  /** Key/value facts about the stored schema (`schema_version`). */
  readonly meta: string
  /** kysely's record of the migrations that ran. */
  readonly migration: string
  /** kysely's migration lock row. */
  readonly migrationLock: string
  /** The unique constraint on `(organisation, stream, version)`. */
  readonly streamVersionKey: string
  /** The unique constraint on `event_id`. */
  readonly eventIdKey: string
}

/** The prefix used when none is given. @since 0.1.0 @category constants */
export const defaultPrefix = "ml_"

const validPrefix = /^[A-Za-z_][A-Za-z0-9_]{0,30}$/
// PostgreSQL reserves names starting with pg_ for its own schemas.
const validSchema = /^(?![Pp][Gg]_)[A-Za-z_][A-Za-z0-9_]{0,62}$/

/**
 * The names for a prefix, in a schema when one is given. A prefix is a plain
 * SQL identifier start: letters, digits and `_`, at most 31 characters, not
 * starting with a digit. A schema is a plain identifier of at most 63
 * characters, not starting with `pg_`.
 *
 * @example
 * import { Tables } from "@mentor-ledger/sql"
 * Tables.make("hr_ml_").events // "hr_ml_events"
 * Tables.make("ml_", "mentoring").schema // "mentoring"
 * @since 0.1.0
 * @category constructors
 */
export const make = (prefix: string = defaultPrefix, schema?: string): Tables => {
  if (!validPrefix.test(prefix)) {
    throw new EventJournal.StoreError({
      reason: "Unknown",
      message: `invalid table prefix ${JSON.stringify(prefix)}: use letters, digits and "_" (at most 31), not starting with a digit`
    })
  }
  if (schema !== undefined && !validSchema.test(schema)) {
    throw new EventJournal.StoreError({
      reason: "Unknown",
      message: `invalid schema ${JSON.stringify(schema)}: use letters, digits and "_" (at most 63), not starting with a digit or "pg_"`
    })
  }
  return {
    prefix,
    ...(schema === undefined ? {} : { schema }),
    events: `${prefix}events`,
    keys: `${prefix}keys`,
    meta: `${prefix}meta`,
    migration: `${prefix}migration`,
    migrationLock: `${prefix}migration_lock`,
    streamVersionKey: `${prefix}events_stream_version_key`,
    eventIdKey: `${prefix}events_event_id_key`
  }
}
