/**
 * W6's log on PostgreSQL: the rows ours wrote to the SQLite template (the
 * same events, encoded and sealed by the same code), copied into a schema
 * our migrations made, a thousand rows per insert, each insert its own
 * transaction. Positions and transaction ids are PostgreSQL's own; the
 * data keys come along. Writing a million events through ours' appends
 * over the network takes some twenty minutes on these machines; this takes
 * one or two, and gives the rebuild the same rows to read.
 */
import Database from "better-sqlite3"
import pg from "pg"
import { url } from "./Ours.js"

const eventColumns = [
  "organisation",
  "stream",
  "stream_type",
  "version",
  "event_id",
  "event_type",
  "schema_version",
  "payload",
  "metadata",
  "occurred_at",
  "recorded_at"
] as const

const keyColumns = ["organisation", "subject", "material", "wrapping", "created_at", "erased_at"] as const

const insert = (table: string, columns: ReadonlyArray<string>, rows: number, transaction: boolean) => {
  const width = columns.length
  const tuples = Array.from({ length: rows }, (_, r) => {
    const params = columns.map((_, c) => `$${r * width + c + 1}`)
    return `(${transaction ? "pg_current_xact_id()::text::bigint, " : ""}${params.join(", ")})`
  })
  const names = (transaction ? ["transaction_id", ...columns] : columns).map((c) => `"${c}"`).join(", ")
  return `insert into ${table} (${names}) values ${tuples.join(", ")}`
}

/** Copies the events (in log order) and keys of the SQLite file `from` into `schema`. */
export const copyFromSqlite = async (from: string, schema: string, prefix = "ml_"): Promise<number> => {
  const source = new Database(from, { readonly: true })
  const client = new pg.Client({ connectionString: url() })
  await client.connect()
  try {
    const copy = async (
      table: string,
      columns: ReadonlyArray<string>,
      order: string,
      transaction: boolean
    ) => {
      const target = `"${schema}"."${prefix}${table}"`
      const rows = source
        .prepare(
          `select ${columns.map((c) => `"${c}"`).join(", ")} from "${prefix}${table}" order by ${order}`
        )
        .raw()
        .iterate() as IterableIterator<Array<unknown>>
      let batch: Array<unknown> = []
      let count = 0
      const flush = async () => {
        if (batch.length === 0) return
        const n = batch.length / columns.length
        await client.query({ text: insert(target, columns, n, transaction), values: batch })
        count += n
        batch = []
      }
      for (const row of rows) {
        for (const value of row) batch.push(value)
        if (batch.length >= 1000 * columns.length) await flush()
      }
      await flush()
      return count
    }
    await copy("keys", keyColumns, '"organisation", "subject"', false)
    return await copy("events", eventColumns, '"position"', true)
  } finally {
    source.close()
    await client.end()
  }
}
