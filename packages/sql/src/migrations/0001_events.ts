/**
 * Step 1: the append-only event log.
 *
 * Frozen in time: never edit a released step, add a new one. It imports
 * nothing but kysely, and takes its table names and dialect as arguments.
 */
import type { Kysely, Migration } from "kysely"

export const migration = (context: {
  readonly dialect: "sqlite" | "postgres"
  readonly tables: { readonly events: string; readonly streamVersionKey: string; readonly eventIdKey: string }
}): Migration => {
  const { events, streamVersionKey, eventIdKey } = context.tables
  const postgres = context.dialect === "postgres"
  return {
    up: async (db: Kysely<any>) => {
      await db.schema
        .createTable(events)
        // SQLite: an alias of the rowid, never reused (AUTOINCREMENT).
        // PostgreSQL: an identity; the log is ordered by the writing
        // transaction's id (pg_current_xact_id(), a 64-bit xid8 that fits
        // a bigint), then by this position.
        .addColumn("position", postgres ? "bigint" : "integer", (c) =>
          postgres ? c.primaryKey().generatedAlwaysAsIdentity() : c.primaryKey().autoIncrement()
        )
        .addColumn("transaction_id", "bigint", (c) => c.notNull())
        .addColumn("organisation", "text", (c) => c.notNull())
        .addColumn("stream", "text", (c) => c.notNull())
        .addColumn("stream_type", "text", (c) => c.notNull())
        .addColumn("version", "integer", (c) => c.notNull())
        .addColumn("event_id", "text", (c) => c.notNull())
        .addColumn("event_type", "text", (c) => c.notNull())
        .addColumn("schema_version", "integer", (c) => c.notNull())
        // JSON: PostgreSQL checks and stores it as jsonb (queryable by read
        // models and operators); SQLite keeps the text.
        .addColumn("payload", postgres ? "jsonb" : "text", (c) => c.notNull())
        .addColumn("metadata", postgres ? "jsonb" : "text", (c) => c.notNull())
        // Instants: timestamptz in PostgreSQL; ISO-8601 UTC text in SQLite,
        // which sorts as the instants do.
        .addColumn("occurred_at", postgres ? "timestamptz" : "text", (c) => c.notNull())
        .addColumn("recorded_at", postgres ? "timestamptz" : "text", (c) => c.notNull())
        .addUniqueConstraint(streamVersionKey, ["organisation", "stream", "version"])
        .addUniqueConstraint(eventIdKey, ["event_id"])
        .execute()
      // The global log is read in (transaction, position) order.
      await db.schema
        .createIndex(`${events}_log`)
        .on(events)
        .columns(["transaction_id", "position"])
        .execute()
    },
    down: async (db: Kysely<any>) => {
      await db.schema.dropTable(events).execute()
    }
  }
}
