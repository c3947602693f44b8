/**
 * Test support for the read models on PostgreSQL: the kit's fixtures
 * (random histories played through a ledger, the read-model tables in key
 * order), with a ledger, table dumps and checkpoints in a schema.
 */
import { ReadModelFixtures } from "@mentor-ledger/testing"
import { PgReadModels } from "../src/index.js"
import { query, serverUrl } from "./server.js"

export const counts: typeof ReadModelFixtures.counts = ReadModelFixtures.counts
export const play: typeof ReadModelFixtures.play = ReadModelFixtures.play
export const scenarios: typeof ReadModelFixtures.scenarios = ReadModelFixtures.scenarios

/**
 * Every read-model table's rows in a schema, ordered by key, read on a
 * connection of its own. `versions` picks each projection's version.
 */
export const dump = async (
  schema: string,
  options: { readonly prefix?: string; readonly versions?: Readonly<Record<string, number>> } = {}
): Promise<Record<string, ReadonlyArray<unknown>>> => {
  const out: Record<string, ReadonlyArray<unknown>> = {}
  for (const [table, sql] of ReadModelFixtures.dumpStatements({ ...options, schema }))
    out[table] = await query(sql)
  return out
}

/** The read-model tables of a schema and prefix (the registry's too). */
export const readModelTableNames = async (schema: string, prefix = "ml_") =>
  (
    await query<{ table_name: string }>(
      `select table_name from information_schema.tables
       where table_schema = $1 and table_name like $2 order by table_name`,
      [schema, `${prefix.replace(/_/g, "\\_")}rm\\_%`]
    )
  ).map((r) => r.table_name)

/** Drops the read models of a schema: its events stay. */
export const dropReadModels = async (schema: string, prefix = "ml_") => {
  const names = await readModelTableNames(schema, prefix)
  for (const name of names) await query(`drop table "${schema}"."${name}"`)
  return names
}

/** The stored checkpoints of a schema, as `name@version` → event count reached and state. */
export const checkpoints = async (schema: string, prefix = "ml_") => {
  const rows = await query<{ projection: string; version: number; state: string; behind: string }>(
    `select c.projection, c.version, c.state,
       (select count(*) from "${schema}"."${prefix}events" e
         where (e.transaction_id, e.position) > (c.transaction_id, c.sequence)) as behind
     from "${schema}"."${prefix}rm_checkpoints" c order by c.projection, c.version`
  )
  return Object.fromEntries(
    rows.map((r) => [`${r.projection}@${r.version}`, { behind: Number(r.behind), state: r.state }])
  )
}

/** How many events a schema holds. */
export const eventCount = async (schema: string, prefix = "ml_") =>
  Number((await query<{ n: string }>(`select count(*) as n from "${schema}"."${prefix}events"`))[0]!.n)

/** A ledger on a schema of the test server with its read models and keys. */
export const openLedger = async (schema: string, options: Partial<PgReadModels.Options> = {}) =>
  ReadModelFixtures.ledgerOn(await PgReadModels.open({ url: serverUrl(), schema, ...options }))

/**
 * Catches up until every checkpoint has reached the last committed event.
 * A catch-up reads only below the oldest transaction running on the whole
 * server, so one pass may stop short while another test (or project)
 * writes; it goes on once that transaction ends.
 */
export const settle = async (
  schema: string,
  catchUp: () => Promise<unknown>,
  prefix = "ml_"
): Promise<void> => {
  const deadline = Date.now() + 30_000
  for (;;) {
    await catchUp()
    const all = Object.values(await checkpoints(schema, prefix))
    if (all.every((c) => c.behind === 0 && c.state === "live")) return
    if (Date.now() > deadline) throw new Error(`not caught up: ${JSON.stringify(all)}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
