/**
 * Test support for the read models on PostgreSQL: random histories played
 * through a ledger, and table dumps to compare (the SQLite tests have the
 * same helpers for files).
 */
import { type Commands, createLedger, Ids, type MentorLedger, Rules } from "@mentor-ledger/core"
import { Projection, ReadModels } from "@mentor-ledger/sql"
import { Histories } from "@mentor-ledger/testing"
import * as fc from "fast-check"
import { PgReadModels } from "../src/index.js"
import { query, serverUrl } from "./server.js"

/** Every read-model table: logical name, projection and key columns. */
export const readModelTables: ReadonlyArray<{
  readonly projection: string
  readonly table: ReadModels.Table
}> = [
  ...ReadModels.tables.mentorships.map((t) => ({ projection: "mentorships", table: t })),
  ...ReadModels.tables.programmes.map((t) => ({ projection: "programmes", table: t }))
]

/**
 * Every read-model table's rows in a schema, ordered by key, read on a
 * connection of its own. `versions` picks each projection's version.
 */
export const dump = async (
  schema: string,
  options: { readonly prefix?: string; readonly versions?: Readonly<Record<string, number>> } = {}
): Promise<Record<string, ReadonlyArray<unknown>>> => {
  const out: Record<string, ReadonlyArray<unknown>> = {}
  for (const { projection, table } of readModelTables) {
    const version = options.versions?.[projection] ?? 1
    const name = Projection.tableName(options.prefix ?? "ml_", table.name, version)
    out[table.name] = await query(
      `select * from "${schema}"."${name}" order by ${table.key.map((k) => `"${k}"`).join(", ")}`
    )
  }
  return out
}

/** How many rows each read-model table holds. */
export const counts = (tables: Record<string, ReadonlyArray<unknown>>) =>
  Object.fromEntries(Object.entries(tables).map(([k, v]) => [k, v.length]))

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

/** One to three mentorships, each in its own programme with its own people, as command sequences. */
export const scenarios = (options: { readonly maxSteps?: number } = {}) =>
  fc.array(
    Histories.scenario({
      cast: Histories.cast,
      maxSteps: options.maxSteps ?? 40,
      refusals: true
    }),
    { minLength: 1, maxLength: 3 }
  )

/** Plays scenarios through a ledger: every programme set-up, then their commands in turn. Refusals record nothing. */
export const play = async (ledger: MentorLedger, all: ReadonlyArray<Histories.Scenario>) => {
  for (const s of all) for (const command of s.setup) await ledger.execute(command as Commands.CommandInput)
  const longest = Math.max(0, ...all.map((s) => s.steps.length))
  for (let i = 0; i < longest; i++) {
    for (const s of all) {
      const step = s.steps[i]
      if (step === undefined) continue
      await execute(ledger, Histories.toInput(step.command))
    }
  }
}

/** Executes a command; a rule's refusal is part of the history, anything else fails the test. */
export const execute = async (ledger: MentorLedger, command: Commands.CommandInput) => {
  try {
    await ledger.execute(command)
  } catch (error) {
    if (!(error instanceof Rules.RuleViolation)) throw error
  }
}

/** A ledger on a schema of the test server with its read models and keys. */
export const openLedger = async (schema: string, options: Partial<PgReadModels.Options> = {}) => {
  const store = await PgReadModels.open({ url: serverUrl(), schema, ...options })
  const ledger = createLedger({ store: store.layer, ids: Ids.layerUuidV7 })
  return {
    store,
    ledger,
    close: async () => {
      await ledger.close()
      await store.close()
    }
  }
}

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
