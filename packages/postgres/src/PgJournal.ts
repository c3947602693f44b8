/**
 * mentor-ledger on PostgreSQL (node-postgres), for one app instance or many
 * on one database.
 *
 * Opening the journal:
 * - makes a connection pool (`maxConnections`, default 10) whose
 *   connections give up connecting after `connectTimeout` (default 5 s) and
 *   waiting for a lock after `lockTimeout` (default 5 s);
 * - creates the schema (`schema`, default `public`) when it is missing and
 *   migrates the tables (prefix `tablePrefix`, default `ml_`) in one
 *   transaction under an advisory lock, so that instances starting together
 *   migrate once; a database written by a newer mentor-ledger is refused
 *   with `SchemaTooNew` before anything is written.
 *
 * Appending runs in one transaction per call: advisory locks on the
 * streams it writes, a version read and one multi-row insert per stream,
 * and (with `notify`, the default) a `NOTIFY` on {@link PgEventJournal.channel}
 * that PostgreSQL delivers only when the append commits. Payloads and
 * metadata are stored as jsonb. kysely builds the queries and runs the
 * migrations; the journal, the key table and the read models run their
 * queries on `pg` directly, each as a named prepared statement (a
 * connection parses each query text once), a single query on a client
 * checked out for it and a transaction on one client from `begin` to
 * `commit`. A connection that broke is closed, not given back to the pool. Expected-version conflicts and reused
 * event ids (also when reported by the unique keys, SQLSTATE 23505) become
 * the core's conflicts; every other failure is a `StoreError`:
 * `Unavailable` (server unreachable, connection lost, no such database),
 * `Locked` (a lock held past `lockTimeout`), `ReadOnly` (a read-only
 * server), `SchemaTooNew`, `Corrupt`.
 *
 * Reading the global log returns only events of transactions that have
 * ended (below the snapshot's xmin), in (transaction id, position) order,
 * so a reader that goes on from the last event it saw never skips an event
 * that a concurrent writer committed late. See docs/postgres.md.
 *
 * @since 0.1.0
 */
import { EventJournal, EventStore, type Ids, type KeyStorage, KeyStore } from "@mentor-ledger/core"
import { Journal, KeyStorage as SqlKeyStorage, Scoped } from "@mentor-ledger/sql"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import type * as pg from "pg"
import * as internal from "./internal/open.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The server and database: `postgres://user:password@host:port/database`. */
  readonly url: string
  /**
   * How data keys are wrapped in the key table (default: unwrapped, i.e.
   * whoever can read the database holds the keys). Use
   * `KeyStore.layerMasterKey` with a key kept outside the database, or your
   * KMS; see docs/privacy.md.
   */
  readonly keyWrapper?: Layer.Layer<KeyStore.KeyWrapper>
  /** The schema holding the tables, created when missing (default `public`). */
  readonly schema?: string
  /** The prefix of every table mentor-ledger creates (default `ml_`). */
  readonly tablePrefix?: string
  /** The most connections the pool opens (default 10). */
  readonly maxConnections?: number
  /** How long to try to connect before failing with `StoreError` `Unavailable`, in milliseconds (default 5000). */
  readonly connectTimeout?: number
  /** How long a statement waits for a lock before failing with `StoreError` `Locked`, in milliseconds (default 5000). */
  readonly lockTimeout?: number
  /** Send a `NOTIFY` on {@link PgEventJournal.channel} when an append commits (default true). */
  readonly notify?: boolean
  /** The `application_name` the connections report in `pg_stat_activity` (default `mentor-ledger`). */
  readonly applicationName?: string
  /**
   * Opens the journal read-only (default false): every connection starts
   * with `default_transaction_read_only = on`, so the server refuses any
   * write; the schema is checked, not created or migrated (a database
   * without it, or an older one, is refused with `StoreError`
   * `Unavailable`); no `NOTIFY` is sent; and `append` fails with
   * `StoreError` `ReadOnly` before it reaches the server. For analysts'
   * tools and read replicas (a hot standby is read-only anyway).
   */
  readonly readonly?: boolean
}

/**
 * A committed append, as heard on the journal's channel.
 * @since 0.1.0
 * @category models
 */
export interface Notification {
  /** The organisations the append wrote to. */
  readonly organisations: ReadonlyArray<Ids.OrganisationId>
}

/**
 * The journal, with what a PostgreSQL worker needs beside the port.
 * @since 0.1.0
 * @category models
 */
export interface PgEventJournal extends Journal.SqlEventJournal {
  /** The connection pool (owned by the journal: it ends when the journal closes). */
  readonly pool: pg.Pool
  /** The schema holding the tables. */
  readonly schema: string
  /** The `NOTIFY` channel of committed appends: `<schema>.<prefix>events`. */
  readonly channel: string
  /**
   * Listens on {@link PgEventJournal.channel} on a connection of its own
   * (not one of the pool's), while the stream runs: one element per
   * committed append, in commit order. A notification is a hint to read,
   * never the data: one sent while nobody listened is lost. The stream
   * fails with `StoreError` `Unavailable` when its connection is lost; a
   * worker then reads the log (polling) and listens again.
   */
  readonly notifications: Stream.Stream<Notification, EventJournal.StoreError>
}

/**
 * The PostgreSQL journal as a service.
 * @since 0.1.0
 * @category services
 */
export class PgJournal extends Context.Tag("@mentor-ledger/postgres/PgJournal")<
  PgJournal,
  PgEventJournal
>() {}

/**
 * Connects, migrates and makes the journal; the pool ends when the scope
 * closes.
 * @since 0.1.0
 * @category constructors
 */
export const make: (options: Options) => Effect.Effect<PgEventJournal, EventJournal.StoreError, Scope.Scope> =
  internal.make

/**
 * The core's `EventJournal` (and the SQL and PostgreSQL journals, for
 * projection runtimes and workers) on PostgreSQL, open for the layer's
 * lifetime.
 *
 * @example
 * import { PgJournal } from "@mentor-ledger/postgres"
 * const journal = PgJournal.layerJournal({ url: process.env.DATABASE_URL! })
 * @since 0.1.0
 * @category layers
 */
export const layerJournal = (
  options: Options
): Layer.Layer<
  EventJournal.EventJournal | Journal.SqlJournal | PgJournal | KeyStorage.KeyStorage | KeyStore.KeyStore,
  EventJournal.StoreError
> => Layer.provideMerge(keysOn(options), Layer.scopedContext(Effect.map(make(options), contextOf)))

/** The key store, its rows in the `<prefix>keys` table beside the events. */
const keysOn = (options: Options) =>
  KeyStore.layer().pipe(
    Layer.provideMerge(SqlKeyStorage.layer),
    Layer.provide(options.keyWrapper ?? KeyStore.layerUnwrapped)
  )

const contextOf = (journal: PgEventJournal) =>
  Context.make(EventJournal.EventJournal, journal as EventJournal.EventJournalService).pipe(
    Context.add(Journal.SqlJournal, journal as Journal.SqlEventJournal),
    Context.add(PgJournal, journal)
  )

/**
 * What the core's event store needs beside a journal (an id generator, …).
 * @since 0.1.0
 * @category layers
 */
export type StoreRequirements = Exclude<
  Layer.Layer.Context<typeof EventStore.layer>,
  EventJournal.EventJournal | KeyStore.KeyStore
>

/**
 * The core's `EventStore` and `EventJournal` on PostgreSQL, open for the
 * layer's lifetime. Like the core's `EventStore.layerMemory`, it needs what
 * the core's event store needs beside a journal ({@link StoreRequirements}:
 * an id generator).
 *
 * @example
 * import { Effect, Layer } from "effect"
 * import { EventStore, Ids } from "@mentor-ledger/core"
 * import { PgJournal } from "@mentor-ledger/postgres"
 * const store = PgJournal.layer({ url: process.env.DATABASE_URL!, schema: "mentoring" }).pipe(
 *   Layer.provide(Ids.layerUuidV7)
 * )
 * const program = Effect.flatMap(EventStore.EventStore, (s) => s.version(EventStore.mentorshipStream(id)))
 * Effect.runPromise(Effect.provide(program, store))
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options
): Layer.Layer<
  | EventStore.EventStore
  | EventJournal.EventJournal
  | Journal.SqlJournal
  | PgJournal
  | KeyStorage.KeyStorage
  | KeyStore.KeyStore,
  EventJournal.StoreError,
  StoreRequirements
> => Layer.provideMerge(EventStore.layer, layerJournal(options))

/**
 * An open PostgreSQL journal, for code that does not run Effect.
 * @since 0.1.0
 * @category models
 */
export interface OpenJournal {
  readonly journal: PgEventJournal
  /** The journal as a layer (for `createLedger`); it does not own the pool: call {@link OpenJournal.close}. */
  readonly layer: Layer.Layer<
    EventJournal.EventJournal | Journal.SqlJournal | PgJournal | KeyStorage.KeyStorage | KeyStore.KeyStore
  >
  /** Ends the pool. */
  readonly close: () => Promise<void>
}

/**
 * Opens a PostgreSQL journal with a Promise; rejects with the `StoreError`.
 *
 * @example
 * import { PgJournal } from "@mentor-ledger/postgres"
 * const { layer, close } = await PgJournal.open({ url: process.env.DATABASE_URL! })
 * try {
 *   // … createLedger({ store: layer }) …
 * } finally {
 *   await close()
 * }
 * @since 0.1.0
 * @category constructors
 */
export const open = async (options: Options): Promise<OpenJournal> => {
  const { value: journal, close } = await Scoped.open(make(options))
  return {
    journal,
    layer: Layer.provideMerge(keysOn(options), Layer.succeedContext(contextOf(journal))),
    close
  }
}
