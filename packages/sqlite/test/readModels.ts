/**
 * Test support for the read models on SQLite: the kit's fixtures
 * (random histories played through a ledger, the read-model tables in key
 * order), with a ledger and table dumps on a file.
 */
import { ReadModelFixtures } from "@mentor-ledger/testing"
import Database from "better-sqlite3"
import { SqliteReadModels } from "../src/index.js"

export const counts: typeof ReadModelFixtures.counts = ReadModelFixtures.counts
export const play: typeof ReadModelFixtures.play = ReadModelFixtures.play
export const scenarios: typeof ReadModelFixtures.scenarios = ReadModelFixtures.scenarios

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
    return Object.fromEntries(
      ReadModelFixtures.dumpStatements(options).map(([table, sql]) => [table, database.prepare(sql).all()])
    )
  } finally {
    database.close()
  }
}

/** A ledger on an SQLite file with its read models and keys. */
export const openLedger = async (filename: string, options: Partial<SqliteReadModels.Options> = {}) =>
  ReadModelFixtures.ledgerOn(await SqliteReadModels.open({ filename, ...options }))
