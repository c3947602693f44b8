import { EventJournal } from "@mentor-ledger/core"
import { Dialect, Journal, Migrations, Tables } from "@mentor-ledger/sql"
import Database from "better-sqlite3"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { Kysely, SqliteDialect } from "kysely"
import type { Options } from "../SqliteJournal.js"
import * as Executor from "./executor.js"

export const defaultBusyTimeout = 5000

/** Pages of write-ahead log (4 KiB each) after which a commit checkpoints it into the database file. */
export const defaultCheckpointPages = 10_000

const describe = (cause: unknown) => (cause instanceof Error ? cause.message : String(cause))

const failure = (tables: Tables.Tables, doing: string) => (cause: unknown) => {
  if (cause instanceof EventJournal.StoreError) return cause
  const fault = Dialect.sqlite.classify(cause, tables)
  return new EventJournal.StoreError({
    reason: fault._tag === "Failure" ? fault.reason : "Unknown",
    message: `${doing}: ${describe(cause)}`,
    cause
  })
}

const checkpointPages = (options: Options): number => {
  const pages = options.checkpointPages ?? defaultCheckpointPages
  if (!Number.isSafeInteger(pages) || pages < 0)
    throw new EventJournal.StoreError({
      reason: "Unknown",
      message: `invalid checkpointPages ${String(pages)}: use a whole number of pages, 0 or more (0: no automatic checkpoints)`
    })
  return pages
}

const openDatabase = (options: Options, tables: Tables.Tables, pages: number) =>
  Effect.try({
    try: () => {
      const readonly = options.readonly ?? false
      const database = new Database(options.filename, {
        readonly,
        fileMustExist: readonly || options.create === false
      })
      try {
        // First, so that the statements below wait for other connections too.
        database.pragma(
          `busy_timeout = ${Math.max(0, Math.floor(options.busyTimeout ?? defaultBusyTimeout))}`
        )
        // Reading the journal mode is the first read of the file: it fails on
        // a file that is not an SQLite database.
        if (readonly) database.pragma("journal_mode")
        else database.pragma("journal_mode = WAL")
        database.pragma("synchronous = NORMAL")
        // Fewer checkpoints (each syncs the disk twice and copies the pages
        // of many commits at once) than SQLite's 1,000 pages.
        if (!readonly) database.pragma(`wal_autocheckpoint = ${pages}`)
        database.pragma("foreign_keys = ON")
        // Shredded keys are overwritten on disk, not only unlinked (crypto-shredding).
        database.pragma("secure_delete = ON")
      } catch (error) {
        database.close()
        throw error
      }
      return database
    },
    catch: failure(tables, `cannot open ${options.filename}`)
  })

export const make = (
  options: Options
): Effect.Effect<Journal.SqlEventJournal, EventJournal.StoreError, Scope.Scope> =>
  Effect.gen(function* () {
    // the options are checked before the file is opened (or created)
    const { tables, pages } = yield* Effect.try({
      try: () => ({ pages: checkpointPages(options), tables: Tables.make(options.tablePrefix) }),
      catch: (cause) => cause as EventJournal.StoreError
    })
    const database = yield* Effect.acquireRelease(openDatabase(options, tables, pages), (database) =>
      Effect.sync(() => database.close())
    )
    const db = new Kysely<any>({ dialect: new SqliteDialect({ database }) })
    const migrationOptions = {
      dialect: Dialect.sqlite,
      ...(options.tablePrefix === undefined ? {} : { tablePrefix: options.tablePrefix })
    }
    if (options.readonly === true) yield* Migrations.check(db, migrationOptions)
    else yield* Migrations.migrate(db, migrationOptions)
    return Journal.make(db, { ...migrationOptions, executor: Executor.make(database) })
  })
