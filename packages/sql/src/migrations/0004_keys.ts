/**
 * Step 4: the key store's table (crypto-shredding). One row per subject
 * (organisation, subject): the wrapped data key, NULL once shredded, and
 * the time its erasure was recorded, set once and never cleared. One row
 * per subject makes every key operation a single-row statement, free of
 * races between a late write and an erasure.
 *
 * Frozen in time: never edit a released step, add a new one.
 */
import type { Kysely, Migration } from "kysely"

export const migration = (context: {
  readonly dialect: "sqlite" | "postgres"
  readonly tables: { readonly keys: string; readonly meta: string }
}): Migration => {
  const { keys, meta } = context.tables
  const postgres = context.dialect === "postgres"
  return {
    up: async (db: Kysely<any>) => {
      await db.schema
        .createTable(keys)
        .addColumn("organisation", "text", (c) => c.notNull())
        .addColumn("subject", "text", (c) => c.notNull())
        .addColumn("material", postgres ? "bytea" : "blob")
        .addColumn("wrapping", "text")
        .addColumn("created_at", postgres ? "timestamptz" : "text")
        .addColumn("erased_at", postgres ? "timestamptz" : "text")
        .addPrimaryKeyConstraint(`${keys}_pkey`, ["organisation", "subject"])
        .execute()
      await db.updateTable(meta).set({ value: "4" }).where("key", "=", "schema_version").execute()
    },
    down: async (db: Kysely<any>) => {
      await db.schema.dropTable(keys).execute()
      await db.updateTable(meta).set({ value: "3" }).where("key", "=", "schema_version").execute()
    }
  }
}
