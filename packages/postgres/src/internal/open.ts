import { EventJournal, type Ids } from "@mentor-ledger/core"
import { Dialect, Journal, Migrations, Tables } from "@mentor-ledger/sql"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { Kysely, PostgresDialect, sql } from "kysely"
import pg from "pg"
import type { Notification, Options, PgEventJournal } from "../PgJournal.js"
import * as Executor from "./executor.js"

export const defaultSchema = "public"
export const defaultMaxConnections = 10
export const defaultConnectTimeout = 5000
export const defaultLockTimeout = 5000

/** PostgreSQL's limit on identifiers, channel names included (NAMEDATALEN - 1 bytes). */
const maxChannelBytes = 63

const describe = (cause: unknown) => (cause instanceof Error ? cause.message : String(cause))

const failure =
  (tables: Tables.Tables, doing: string) =>
  (cause: unknown): EventJournal.StoreError => {
    if (cause instanceof EventJournal.StoreError) return cause
    const fault = Dialect.postgres.classify(cause, tables)
    return new EventJournal.StoreError({
      reason: fault._tag === "Failure" ? fault.reason : "Unknown",
      message: `${doing}: ${describe(cause)}`,
      cause
    })
  }

const invalid = (message: string) => new EventJournal.StoreError({ reason: "Unknown", message })

const milliseconds = (value: number | undefined, fallback: number) =>
  Math.max(0, Math.floor(value ?? fallback))

/**
 * Session settings of every connection. `plan_cache_mode`: the journal's
 * statements are named prepared statements, and PostgreSQL would after
 * five executions keep a generic plan made for whatever the tables held
 * then; for a stream's version on a new database's nearly empty events
 * table that was a sequential scan, kept as the table grew (an append's
 * version read took 0.7 ms at 10,000 events and 5 ms at 50,000). A custom
 * plan for each execution costs a few microseconds of planning.
 */
export const sessionSettings = ["-c plan_cache_mode=force_custom_plan"] as const

/**
 * The connection string with our session settings before the ones its own
 * `options` parameter gives (those win where both set one): pg lets a
 * connection string's `options` replace the config's.
 */
const withSettings = (url: string, settings: ReadonlyArray<string>): pg.ClientConfig => {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return { connectionString: url, options: settings.join(" ") }
  }
  const given = parsed.searchParams.get("options")
  parsed.searchParams.set("options", [...settings, ...(given === null ? [] : [given])].join(" "))
  return { connectionString: parsed.toString() }
}

const clientConfig = (options: Options): pg.ClientConfig => ({
  ...withSettings(options.url, [
    ...sessionSettings,
    // every transaction of every connection is read-only: the server refuses any write
    ...(options.readonly === true ? ["-c default_transaction_read_only=on"] : [])
  ]),
  connectionTimeoutMillis: milliseconds(options.connectTimeout, defaultConnectTimeout),
  lock_timeout: milliseconds(options.lockTimeout, defaultLockTimeout),
  application_name: options.applicationName ?? "mentor-ledger"
})

/**
 * A pool whose connections never crash the process: pg emits `error` on a
 * client whose server went away (terminated backend, restart), and an
 * `error` event nobody listens to is fatal in Node. The pool listens while
 * a client is idle; these listeners cover checked-out clients, whose next
 * query then fails (and the pool drops them on release).
 */
const makePool = (options: Options): pg.Pool => {
  const pool = new pg.Pool({
    ...clientConfig(options),
    max: Math.max(1, Math.floor(options.maxConnections ?? defaultMaxConnections))
  })
  pool.on("error", () => {})
  pool.on("connect", (client) => {
    client.on("error", () => {})
  })
  return pool
}

const parseNotification = (payload: string | undefined): Notification => {
  try {
    const organisations = JSON.parse(payload ?? "[]")
    return {
      organisations: Array.isArray(organisations) ? (organisations as Array<Ids.OrganisationId>) : []
    }
  } catch {
    return { organisations: [] }
  }
}

/** Notifications on `channel`, on a client of their own. */
const listen = (options: Options, tables: Tables.Tables, channel: string) =>
  Stream.asyncScoped<Notification, EventJournal.StoreError>((emit) =>
    Effect.gen(function* () {
      let closing = false
      const client = new pg.Client(clientConfig(options))
      const lost = (cause: unknown) => {
        if (closing) return
        closing = true
        emit.fail(failure(tables, `lost the connection listening on ${channel}`)(cause))
      }
      client.on("error", lost)
      client.on("end", () => lost(new Error("Connection terminated")))
      client.on("notification", (message) => {
        if (message.channel === channel) emit.single(parseNotification(message.payload))
      })
      yield* Effect.acquireRelease(
        Effect.tryPromise({
          try: () => client.connect(),
          catch: failure(tables, `cannot listen on ${channel}`)
        }),
        () =>
          Effect.promise(() => {
            closing = true
            return client.end().catch(() => undefined)
          })
      )
      yield* Effect.tryPromise({
        // the channel is made of identifier characters and a dot: quoting suffices
        try: () => client.query(`listen "${channel}"`),
        catch: failure(tables, `cannot listen on ${channel}`)
      })
    })
  )

export const make = (options: Options): Effect.Effect<PgEventJournal, EventJournal.StoreError, Scope.Scope> =>
  Effect.gen(function* () {
    const schema = options.schema ?? defaultSchema
    const tables = yield* Effect.try({
      try: () => Tables.make(options.tablePrefix, schema),
      catch: (cause) => cause as EventJournal.StoreError
    })
    const channel = `${schema}.${tables.events}`
    if (new TextEncoder().encode(channel).length > maxChannelBytes) {
      return yield* invalid(
        `the notification channel ${channel} is longer than PostgreSQL's ${maxChannelBytes} bytes: use a shorter schema or table prefix`
      )
    }
    const pool = makePool(options)
    const db = yield* Effect.acquireRelease(
      Effect.sync(() => new Kysely<any>({ dialect: new PostgresDialect({ pool }) })),
      (db) => Effect.promise(() => db.destroy().catch(() => undefined))
    )
    const journalOptions = {
      dialect: Dialect.postgres,
      schema,
      ...(options.tablePrefix === undefined ? {} : { tablePrefix: options.tablePrefix })
    }
    const readonly = options.readonly === true
    if (readonly) yield* Migrations.check(db, journalOptions)
    else yield* Migrations.migrate(db, journalOptions)
    // kysely builds and compiles the queries (and runs the migrations); the
    // journal runs them on pg directly, with named prepared statements
    const made = Journal.make(db, { ...journalOptions, executor: Executor.make(pool) })
    const refuse = () =>
      Effect.fail(
        new EventJournal.StoreError({
          reason: "ReadOnly",
          message: `cannot append to ${schema}.${tables.events}: the journal was opened read-only`
        })
      )
    const journal: Journal.SqlEventJournal = readonly
      ? { ...made, append: refuse, appendWithKeys: refuse }
      : made
    if ((options.notify ?? true) && !readonly) {
      // NOTIFY is transactional: PostgreSQL delivers it when the append
      // commits, and drops it when the append rolls back.
      yield* journal.onAppend((rows, tx) => {
        const organisations = [...new Set(rows.map((r) => r.organisation))]
        return tx
          .execute(sql`select pg_notify(${channel}, ${JSON.stringify(organisations)})`.compile(journal.db))
          .pipe(
            Effect.asVoid,
            Effect.mapError((e) => failure(tables, "cannot notify")(e.cause))
          )
      })
    }
    return {
      ...journal,
      pool,
      schema,
      channel,
      notifications: listen(options, tables, channel)
    }
  })
