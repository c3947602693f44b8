/**
 * The journal's schema, as kysely migrations kept in code.
 *
 * Each step is one immutable file under `migrations/`, typed `Kysely<any>`
 * and importing no domain code. The migration bookkeeping tables carry the
 * same prefix as the journal's tables. A database written by a newer
 * version of mentor-ledger (a step this version does not know, or a
 * `schema_version` above {@link latestVersion}) is refused with a
 * `StoreError` whose reason is `"SchemaTooNew"`, before anything is written.
 *
 * @since 0.1.0
 */
import { EventJournal } from "@mentor-ledger/core"
import * as Effect from "effect/Effect"
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from "kysely"
import type { Dialect } from "./Dialect.js"
import { storeError } from "./internal/errors.js"
import { migration as events } from "./migrations/0001_events.js"
import { migration as meta } from "./migrations/0002_meta.js"
import { migration as organisationLog } from "./migrations/0003_organisation_log.js"
import { migration as keys } from "./migrations/0004_keys.js"
import * as Tables from "./Tables.js"

/** @since 0.1.0 @category models */
export interface Options {
  /** The prefix of every table (default `ml_`). */
  readonly tablePrefix?: string
  /** The schema holding the tables, created when missing (PostgreSQL; default: the connection's search path). */
  readonly schema?: string
  readonly dialect: Dialect
}

interface Resolved {
  readonly tables: Tables.Tables
  readonly dialect: Dialect
}

const resolve = (options: Options): Resolved => ({
  tables: Tables.make(options.tablePrefix, options.schema),
  dialect: options.dialect
})

/** `db` with unqualified table names resolved in the schema, if there is one. */
const inSchema = (db: Kysely<any>, tables: Tables.Tables): Kysely<any> =>
  tables.schema === undefined ? db : db.withSchema(tables.schema)

/**
 * Every step, by name, in order.
 * @since 0.1.0
 * @category migrations
 */
export const all = (options: Options): Readonly<Record<string, Migration>> => {
  const context = { dialect: options.dialect.name, tables: Tables.make(options.tablePrefix, options.schema) }
  return {
    "0001_events": events(context),
    "0002_meta": meta(context),
    "0003_organisation_log": organisationLog(context),
    "0004_keys": keys(context)
  }
}

/** The names of the steps this version knows, in order. @since 0.1.0 @category migrations */
export const names: ReadonlyArray<string> = ["0001_events", "0002_meta", "0003_organisation_log", "0004_keys"]

/**
 * The schema version this version of the library writes: the `schema_version`
 * that its last step records in the meta table.
 * @since 0.1.0
 * @category migrations
 */
export const latestVersion = 4

/** The steps as a kysely `MigrationProvider`. @since 0.1.0 @category migrations */
export const provider = (options: Options): MigrationProvider => ({
  getMigrations: () => Promise.resolve({ ...all(options) })
})

/**
 * A kysely `Migrator` over the steps, with prefixed bookkeeping tables (in
 * the schema, if one is given). For tools and tests (e.g.
 * `migrateTo("0001_events")`); applications call {@link migrate}, which
 * also locks and refuses newer databases.
 * @since 0.1.0
 * @category migrations
 */
export const migrator = (db: Kysely<any>, options: Options): Migrator => makeMigrator(db, options, false)

// Inside migrate()'s own transaction the Migrator must not begin another.
const makeMigrator = (db: Kysely<any>, options: Options, inTransaction: boolean): Migrator => {
  const tables = Tables.make(options.tablePrefix, options.schema)
  return new Migrator({
    // the steps create their tables in the schema; kysely creates the schema
    db: inSchema(db, tables),
    provider: provider(options),
    ...(tables.schema === undefined ? {} : { migrationTableSchema: tables.schema }),
    migrationTableName: tables.migration,
    migrationLockTableName: tables.migrationLock,
    disableTransactions: inTransaction
  })
}

/**
 * What a database holds: the steps that ran there and its `schema_version`.
 * @since 0.1.0
 * @category models
 */
export interface State {
  /** Whether the events table exists. */
  readonly initialised: boolean
  readonly executed: ReadonlyArray<string>
  /** The meta table's `schema_version`, `undefined` before step 2. */
  readonly schemaVersion: number | undefined
}

const inspect = async (db: Kysely<any>, options: Resolved): Promise<State> => {
  const { tables } = options
  const present = new Set(
    (await db.introspection.getTables({ withInternalKyselyTables: true }))
      .filter((table) => tables.schema === undefined || table.schema === tables.schema)
      .map((table) => table.name)
  )
  const scoped = inSchema(db, tables)
  const executed = present.has(tables.migration)
    ? (await scoped.selectFrom(tables.migration).select("name").orderBy("name").execute()).map((r) =>
        String(r.name)
      )
    : []
  let schemaVersion: number | undefined
  if (present.has(tables.meta)) {
    const row = await scoped
      .selectFrom(tables.meta)
      .select("value")
      .where("key", "=", "schema_version")
      .executeTakeFirst()
    schemaVersion = row === undefined ? undefined : Number(row.value)
  }
  return { initialised: present.has(tables.events), executed, schemaVersion }
}

const tooNew = (state: State): EventJournal.StoreError | undefined => {
  const unknown = state.executed.filter((name) => !names.includes(name))
  if (unknown.length > 0 || (state.schemaVersion !== undefined && state.schemaVersion > latestVersion)) {
    return new EventJournal.StoreError({
      reason: "SchemaTooNew",
      message:
        `the database was written by a newer version of mentor-ledger (schema version ${state.schemaVersion ?? "?"}` +
        `${unknown.length > 0 ? `, unknown migrations ${unknown.join(", ")}` : ""}; this version knows ${latestVersion}): upgrade mentor-ledger`
    })
  }
  return undefined
}

/**
 * Reads what a database holds, without changing it.
 * @since 0.1.0
 * @category migrations
 */
export const state = (db: Kysely<any>, options: Options): Effect.Effect<State, EventJournal.StoreError> =>
  Effect.flatMap(resolveEffect(options), (resolved) =>
    Effect.tryPromise({
      try: () => inspect(db, resolved),
      catch: (cause) => storeError(resolved.dialect, resolved.tables, "cannot read the schema", cause)
    })
  )

const resolveEffect = (options: Options): Effect.Effect<Resolved, EventJournal.StoreError> =>
  Effect.try({
    try: () => resolve(options),
    catch: (cause) =>
      cause instanceof EventJournal.StoreError
        ? cause
        : new EventJournal.StoreError({ reason: "Unknown", message: String(cause), cause })
  })

/**
 * Brings the database to the latest schema: creates the tables on a new
 * database, runs the missing steps on an older one, and refuses a newer one
 * (`SchemaTooNew`) without writing. Returns the names of the steps it ran.
 *
 * @example
 * import { Dialect, Migrations } from "@mentor-ledger/sql"
 * const ran = Migrations.migrate(db, { dialect: Dialect.sqlite, tablePrefix: "ml_" })
 * @since 0.1.0
 * @category migrations
 */
export const migrate = (
  db: Kysely<any>,
  options: Options
): Effect.Effect<ReadonlyArray<string>, EventJournal.StoreError> =>
  Effect.flatMap(resolveEffect(options), (resolved) => migrateResolved(db, options, resolved))

const migrateResolved = (db: Kysely<any>, options: Options, resolved: Resolved) =>
  Effect.tryPromise({
    try: async () => {
      const run = async (conn: Kysely<any>) => {
        const refused = tooNew(await inspect(conn, resolved))
        if (refused !== undefined) throw refused
        const { error, results = [] } = await makeMigrator(
          conn,
          options,
          options.dialect.migrationTransaction !== undefined
        ).migrateToLatest()
        if (error !== undefined) {
          const message = error instanceof Error ? error.message : String(error)
          // kysely's own check for steps it does not know (a newer library ran them)
          if (message.startsWith("corrupted migrations")) {
            throw new EventJournal.StoreError({ reason: "SchemaTooNew", message, cause: error })
          }
          const failed = results.find((r) => r.status === "Error")?.migrationName
          throw storeError(
            resolved.dialect,
            resolved.tables,
            `migration ${failed ?? "(setup)"} failed`,
            error
          )
        }
        return results.filter((r) => r.status === "Success").map((r) => r.migrationName)
      }
      const begin = options.dialect.migrationTransaction
      if (begin === undefined) return run(db)
      return db.connection().execute(async (conn) => {
        await sql.raw(begin).execute(conn)
        try {
          await options.dialect.migrationLock?.(resolved.tables).execute(conn)
          const ran = await run(conn)
          await sql`commit`.execute(conn)
          return ran
        } catch (error) {
          await sql`rollback`.execute(conn).catch(() => undefined)
          throw error
        }
      })
    },
    catch: (cause) => storeError(resolved.dialect, resolved.tables, "cannot migrate the database", cause)
  })

/**
 * Checks, without writing, that the database holds exactly the latest
 * schema: for read-only opens, which cannot migrate. Fails with
 * `SchemaTooNew` for a newer database and `Unavailable` for a missing or
 * older one.
 * @since 0.1.0
 * @category migrations
 */
export const check = (db: Kysely<any>, options: Options): Effect.Effect<State, EventJournal.StoreError> =>
  Effect.flatMap(state(db, options), (s) => {
    const refused = tooNew(s)
    if (refused !== undefined) return Effect.fail(refused)
    if (!s.initialised) {
      return Effect.fail(
        new EventJournal.StoreError({
          reason: "Unavailable",
          message: `the database has no ${Tables.make(options.tablePrefix, options.schema).events} table: open it writable once to create the schema`
        })
      )
    }
    const missing = names.filter((name) => !s.executed.includes(name))
    if (missing.length > 0) {
      return Effect.fail(
        new EventJournal.StoreError({
          reason: "Unavailable",
          message: `the database was written by an older version of mentor-ledger (missing ${missing.join(", ")}): open it writable once to migrate it`
        })
      )
    }
    return Effect.succeed(s)
  })
