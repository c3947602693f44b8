/**
 * Step 2: facts about the stored schema, so that an older library refuses a
 * database written by a newer one (`schema_version` greater than it knows).
 *
 * Frozen in time: never edit a released step, add a new one.
 */
import type { Kysely, Migration } from "kysely"

export const migration = (context: { readonly tables: { readonly meta: string } }): Migration => {
  const { meta } = context.tables
  return {
    up: async (db: Kysely<any>) => {
      await db.schema
        .createTable(meta)
        .addColumn("key", "text", (c) => c.primaryKey())
        .addColumn("value", "text", (c) => c.notNull())
        .execute()
      await db.insertInto(meta).values({ key: "schema_version", value: "2" }).execute()
    },
    down: async (db: Kysely<any>) => {
      await db.schema.dropTable(meta).execute()
    }
  }
}
