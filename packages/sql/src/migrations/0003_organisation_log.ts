/**
 * Step 3: read one organisation's part of the global log by index, instead
 * of sorting all its rows (`readAll` with an organisation).
 *
 * Frozen in time: never edit a released step, add a new one.
 */
import type { Kysely, Migration } from "kysely"

export const migration = (context: {
  readonly tables: { readonly events: string; readonly meta: string }
}): Migration => {
  const { events, meta } = context.tables
  return {
    up: async (db: Kysely<any>) => {
      await db.schema
        .createIndex(`${events}_organisation_log`)
        .on(events)
        .columns(["organisation", "transaction_id", "position"])
        .execute()
      await db.updateTable(meta).set({ value: "3" }).where("key", "=", "schema_version").execute()
    },
    down: async (db: Kysely<any>) => {
      await db.schema.dropIndex(`${events}_organisation_log`).execute()
      await db.updateTable(meta).set({ value: "2" }).where("key", "=", "schema_version").execute()
    }
  }
}
