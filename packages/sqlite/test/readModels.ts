/**
 * Test support for the read models: random histories played through a
 * ledger on SQLite, and table dumps to compare.
 */
import { type Commands, createLedger, Ids, type MentorLedger, Rules } from "@mentor-ledger/core"
import { Projection, ReadModels } from "@mentor-ledger/sql"
import { Histories } from "@mentor-ledger/testing"
import Database from "better-sqlite3"
import * as fc from "fast-check"
import { SqliteReadModels } from "../src/index.js"

/** Every read-model table: logical name, projection and key columns. */
export const readModelTables: ReadonlyArray<{
  readonly projection: string
  readonly table: ReadModels.Table
}> = [
  ...ReadModels.tables.mentorships.map((t) => ({ projection: "mentorships", table: t })),
  ...ReadModels.tables.programmes.map((t) => ({ projection: "programmes", table: t }))
]

/**
 * Every read-model table's rows, ordered by key, read with a plain
 * connection of its own. `versions` picks each projection's version.
 */
export const dump = (
  filename: string,
  options: { readonly prefix?: string; readonly versions?: Readonly<Record<string, number>> } = {}
): Record<string, ReadonlyArray<unknown>> => {
  const database = new Database(filename, { readonly: true })
  try {
    const out: Record<string, ReadonlyArray<unknown>> = {}
    for (const { projection, table } of readModelTables) {
      const version = options.versions?.[projection] ?? 1
      const name = Projection.tableName(options.prefix ?? "ml_", table.name, version)
      out[table.name] = database
        .prepare(`select * from "${name}" order by ${table.key.map((k) => `"${k}"`).join(", ")}`)
        .all()
    }
    return out
  } finally {
    database.close()
  }
}

/** How many rows each read-model table holds. */
export const counts = (tables: Record<string, ReadonlyArray<unknown>>) =>
  Object.fromEntries(Object.entries(tables).map(([k, v]) => [k, v.length]))

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
export const play = async (ledger: MentorLedger, all: ReadonlyArray<Histories.Scenario>, offset = 0) => {
  for (const s of all) for (const command of s.setup) await ledger.execute(command as Commands.CommandInput)
  const longest = Math.max(0, ...all.map((s) => s.steps.length))
  for (let i = offset; i < longest; i++) {
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

/** A ledger on an SQLite file with its read models and keys. */
export const openLedger = async (filename: string, options: Partial<SqliteReadModels.Options> = {}) => {
  const store = await SqliteReadModels.open({ filename, ...options })
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

/** The mentorship ids of scenarios. */
export const mentorshipIds = (all: ReadonlyArray<Histories.Scenario>) => all.map((s) => s.cast.mentorshipId)
