/**
 * Fixtures for tests of the read models of `@mentor-ledger/sql` on a
 * store: random mentorships played through a ledger, and every read-model
 * table read in key order, so that two ways of building the read models
 * (inline, caught up, rebuilt, on another store) can be compared row for
 * row.
 *
 * @example
 * import * as fc from "fast-check"
 * import { ReadModelFixtures } from "@mentor-ledger/testing"
 * const [all] = fc.sample(ReadModelFixtures.scenarios({ maxSteps: 20 }), { numRuns: 1, seed: 1 })
 * const app = ReadModelFixtures.ledgerOn(await SqliteReadModels.open({ filename }))
 * await ReadModelFixtures.play(app.ledger, all!)
 * const rows = Object.fromEntries(
 *   ReadModelFixtures.dumpStatements().map(([table, sql]) => [table, database.prepare(sql).all()])
 * )
 *
 * @since 0.1.0
 */
import {
  type Commands,
  createLedger,
  type EventJournal,
  Ids,
  type MentorLedger,
  Rules
} from "@mentor-ledger/core"
import { Projection, ReadModels } from "@mentor-ledger/sql"
import type * as Layer from "effect/Layer"
import * as fc from "fast-check"
import * as Histories from "./Histories.js"

/**
 * Every read-model table: its projection and its table (logical name and
 * key columns).
 * @since 0.1.0
 * @category tables
 */
export const tables: ReadonlyArray<{
  readonly projection: string
  readonly table: ReadModels.Table
}> = [
  ...ReadModels.tables.mentorships.map((t) => ({ projection: "mentorships", table: t })),
  ...ReadModels.tables.programmes.map((t) => ({ projection: "programmes", table: t }))
]

/**
 * Which read-model tables to read: their table prefix (default `ml_`),
 * each projection's version (default 1), and the schema that holds them
 * (none: the connection's default).
 * @since 0.1.0
 * @category tables
 */
export interface DumpOptions {
  readonly prefix?: string
  readonly versions?: Readonly<Record<string, number>>
  readonly schema?: string
}

/**
 * One statement per read-model table, `[logical name, sql]`: every row of
 * the table, ordered by its key. SQLite and PostgreSQL run them as they
 * are; a store's dump runs each and keeps the rows under the logical name.
 * @since 0.1.0
 * @category tables
 */
export const dumpStatements = (options: DumpOptions = {}): ReadonlyArray<readonly [string, string]> =>
  tables.map(({ projection, table }) => {
    const name = Projection.tableName(
      options.prefix ?? "ml_",
      table.name,
      options.versions?.[projection] ?? 1
    )
    const from = options.schema === undefined ? `"${name}"` : `"${options.schema}"."${name}"`
    const order = table.key.map((k) => `"${k}"`).join(", ")
    return [table.name, `select * from ${from} order by ${order}`] as const
  })

/**
 * How many rows each table of a dump holds.
 * @since 0.1.0
 * @category tables
 */
export const counts = (dump: Readonly<Record<string, ReadonlyArray<unknown>>>): Record<string, number> =>
  Object.fromEntries(Object.entries(dump).map(([table, rows]) => [table, rows.length]))

/**
 * One to three mentorships, each in its own programme with its own people,
 * as command sequences (with refusals among them); `maxSteps` (default 40)
 * bounds each one's walk.
 * @since 0.1.0
 * @category scenarios
 */
export const scenarios = (
  options: { readonly maxSteps?: number } = {}
): fc.Arbitrary<ReadonlyArray<Histories.Scenario>> =>
  fc.array(
    Histories.scenario({
      cast: Histories.cast,
      maxSteps: options.maxSteps ?? 40,
      refusals: true
    }),
    { minLength: 1, maxLength: 3 }
  )

/**
 * Executes a command; a rule's refusal is part of the history and records
 * nothing, any other failure rejects.
 * @since 0.1.0
 * @category scenarios
 */
export const execute = async (ledger: MentorLedger, command: Commands.CommandInput): Promise<void> => {
  try {
    await ledger.execute(command)
  } catch (error) {
    if (!(error instanceof Rules.RuleViolation)) throw error
  }
}

/**
 * Plays scenarios through a ledger: every programme's set-up, then their
 * steps in turn, one step of each scenario at a time (as mentorships
 * running side by side leave the log). Refused commands record nothing.
 * @since 0.1.0
 * @category scenarios
 */
export const play = async (ledger: MentorLedger, all: ReadonlyArray<Histories.Scenario>): Promise<void> => {
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

/**
 * A ledger on an open store (uuid v7 ids), and a `close` that closes the
 * ledger, then the store.
 * @since 0.1.0
 * @category constructors
 */
export const ledgerOn = <
  S extends {
    readonly layer: Layer.Layer<EventJournal.EventJournal, unknown>
    readonly close: () => Promise<void>
  }
>(
  store: S
): { readonly store: S; readonly ledger: MentorLedger; readonly close: () => Promise<void> } => {
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
