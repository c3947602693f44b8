import { PrivacyConformance } from "@mentor-ledger/testing"
import { PgJournal } from "../src/index.js"
import { dropSchema, onServer, query, schemaName, serverUrl } from "./server.js"

// The kit's privacy suite on PostgreSQL: a journal in a schema of its own,
// every row of every table of the schema searched as text.
onServer("PostgreSQL holds no plaintext content", () => {
  PrivacyConformance.suite("PostgreSQL", async () => {
    const schema = schemaName()
    const opened = await PgJournal.open({ url: serverUrl(), schema }).catch(async (error) => {
      await dropSchema(schema)
      throw error
    })
    return {
      layer: opened.layer,
      find: async (needles) => {
        const tables = await query<{ table_name: string }>(
          "select table_name from information_schema.tables where table_schema = $1",
          [schema]
        )
        const found: Array<string> = []
        for (const { table_name } of tables) {
          const rows = await query<{ row: string }>(
            `select t::text as row from "${schema}"."${table_name}" t`
          )
          for (const { row } of rows)
            for (const needle of needles) if (row.includes(needle)) found.push(`${table_name}: ${needle}`)
        }
        return found
      },
      keyRecords: async (subject) =>
        (
          await query<{ material: Buffer | null; erased_at: Date | null }>(
            `select material, erased_at from "${schema}".ml_keys where subject = $1`,
            [subject]
          )
        ).map((row) => ({ material: row.material, erasedAt: row.erased_at })),
      close: async () => {
        await opened.close()
        await dropSchema(schema)
      }
    }
  })
})
