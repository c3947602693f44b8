/**
 * Opening the store the command works on: an SQLite file or a PostgreSQL
 * database, read-only or writable.
 *
 * Read-only opens write nothing, whatever the command does:
 * - SQLite: the file is opened with `readonly: true` (better-sqlite3's
 *   `SQLITE_OPEN_READONLY`): no migration, and any write fails;
 * - PostgreSQL: every connection starts with
 *   `default_transaction_read_only = on`, so every transaction is
 *   read-only and the server refuses any write; the schema is checked, not
 *   migrated.
 *
 * @since 0.1.0
 */
import { existsSync, statSync } from "node:fs"
import { EventJournal, EventStore, Ids, KeyStore } from "@mentor-ledger/core"
import { Journal } from "@mentor-ledger/sql"
import { SqliteJournal } from "@mentor-ledger/sqlite"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { dbEnv } from "./args.js"
import { CliFailure, UsageError } from "./errors.js"

/**
 * Where the events are.
 * @since 0.1.0
 * @category models
 */
export type Target =
  | { readonly _tag: "Sqlite"; readonly filename: string; readonly tablePrefix?: string }
  | {
      readonly _tag: "Postgres"
      readonly url: string
      readonly schema?: string
      readonly tablePrefix?: string
    }

/** A short, password-free name of a target, for messages. @since 0.1.0 @category models */
export const describeTarget = (target: Target): string => {
  if (target._tag === "Sqlite") return target.filename
  const u = new URL(target.url)
  return `postgres://${u.hostname}${u.port === "" ? "" : `:${u.port}`}${u.pathname}${target.schema === undefined ? "" : ` (schema ${target.schema})`}`
}

const identifier = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/

/**
 * The target named by `--db` (or `$MENTOR_LEDGER_DB`, or `fallback`).
 * @since 0.1.0
 * @category constructors
 */
export const resolveTarget = (
  values: {
    readonly db?: string | undefined
    readonly schema?: string | undefined
    readonly "table-prefix"?: string | undefined
  },
  env: Readonly<Record<string, string | undefined>>,
  fallback?: string
): Target => {
  const raw = values.db ?? (env[dbEnv]?.trim() || undefined) ?? fallback
  if (raw === undefined || raw.trim() === "")
    throw new UsageError(`no database: give --db <file or postgres:// URL>, or set ${dbEnv}`)
  const prefix = values["table-prefix"]
  if (prefix !== undefined && !/^[a-z][a-z0-9_]{0,20}$/.test(prefix))
    throw new UsageError(`--table-prefix: "${prefix}" is not a valid prefix (lower-case letters, digits, _)`)
  const schema = values.schema
  if (schema !== undefined && !identifier.test(schema))
    throw new UsageError(`--schema: "${schema}" is not a valid PostgreSQL schema name`)
  const value = raw.trim()
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value)
  if (scheme !== null) {
    const protocol = scheme[1]!.toLowerCase()
    if (protocol !== "postgres" && protocol !== "postgresql")
      throw new UsageError(
        `--db: unsupported URL scheme "${protocol}://"; give an SQLite file path or a postgres:// URL`
      )
    let url: URL
    try {
      url = new URL(value)
    } catch {
      throw new UsageError(`--db: "${value}" is not a valid postgres:// URL`)
    }
    if (url.hostname === "" && !(url.searchParams.get("host") ?? "").startsWith("/"))
      throw new UsageError(
        `--db: the URL names no host; expected postgres://user:password@host:port/database`
      )
    if (url.pathname === "" || url.pathname === "/")
      throw new UsageError(
        `--db: the URL names no database; expected postgres://user:password@host:port/database`
      )
    return {
      _tag: "Postgres",
      url: value,
      ...(schema === undefined ? {} : { schema }),
      ...(prefix === undefined ? {} : { tablePrefix: prefix })
    }
  }
  if (schema !== undefined) throw new UsageError("--schema applies to PostgreSQL only")
  return { _tag: "Sqlite", filename: value, ...(prefix === undefined ? {} : { tablePrefix: prefix }) }
}

/** What a command gets from an open store. @since 0.1.0 @category models */
export type StoreServices =
  | EventStore.EventStore
  | EventJournal.EventJournal
  | Journal.SqlJournal
  | KeyStore.KeyStore

// The PostgreSQL adapter is loaded only for a PostgreSQL target (an SQLite command starts faster).
const loadPgJournal = Effect.promise(() => import("@mentor-ledger/postgres").then((m) => m.PgJournal))

/**
 * Checks that a read-only SQLite target exists before opening it, for a
 * clear message.
 */
const checkSqliteFile = (filename: string) => {
  if (filename === ":memory:") throw new UsageError("--db: an in-memory database holds no events")
  if (!existsSync(filename))
    throw new CliFailure(
      `no database at ${filename} (create a demo one with: mentor-ledger demo --db ${filename})`
    )
  if (statSync(filename).isDirectory())
    throw new CliFailure(`${filename} is a directory, not a database file`)
}

/**
 * The store as a layer: the core's event store, its journal, the SQL
 * journal and the key store.
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  target: Target,
  options: {
    readonly readonly: boolean
    /** Writable SQLite: the file must exist already (default: it is created). */
    readonly mustExist?: boolean
    readonly ids?: Layer.Layer<Ids.IdGenerator>
  }
): Layer.Layer<StoreServices, EventJournal.StoreError> => {
  const ids = options.ids ?? Ids.layerUuidV7
  if (target._tag === "Sqlite") {
    if (options.readonly || options.mustExist === true) checkSqliteFile(target.filename)
    return SqliteJournal.layer({
      filename: target.filename,
      readonly: options.readonly,
      ...(options.mustExist === true ? { create: false } : {}),
      ...(target.tablePrefix === undefined ? {} : { tablePrefix: target.tablePrefix })
    }).pipe(Layer.provide(ids))
  }
  return Layer.unwrapEffect(
    Effect.map(loadPgJournal, (PgJournal) =>
      PgJournal.layer({
        url: target.url,
        // read-only: every transaction is read-only (the server refuses any
        // write), the schema is checked, not migrated, and appends are refused
        readonly: options.readonly,
        applicationName: options.readonly ? "mentor-ledger-cli (read-only)" : "mentor-ledger-cli",
        maxConnections: 4,
        ...(target.schema === undefined ? {} : { schema: target.schema }),
        ...(target.tablePrefix === undefined ? {} : { tablePrefix: target.tablePrefix })
      })
    )
  ).pipe(Layer.provide(ids))
}

/**
 * A store error in the terms of the command line: a database that does not
 * hold mentor-ledger's tables, a server that does not answer.
 * @since 0.1.0
 * @category errors
 */
export const explainStoreError = (target: Target, error: EventJournal.StoreError): CliFailure => {
  const where = describeTarget(target)
  const message = error.message.split("\n")[0]!
  const events = `${target.tablePrefix ?? "ml_"}events`
  if (
    new RegExp(
      `has no (\\S+\\.)?${events} table|no such table: (\\S+\\.)?${events}\\b|relation "(\\S+\\.)?${events}" does not exist`,
      "i"
    ).test(message)
  )
    return new CliFailure(`${where} holds no mentor-ledger events (no ${events} table)`)
  if (error.reason === "Corrupt")
    return new CliFailure(`${where} is not a mentor-ledger database: ${message}`)
  if (error.reason === "Unavailable") return new CliFailure(`cannot open ${where}: ${message}`)
  return new CliFailure(`${where}: ${error.reason}: ${message}`)
}
