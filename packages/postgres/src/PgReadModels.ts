/**
 * mentor-ledger on PostgreSQL with its read models: the journal, the
 * projection runtime and the viewer-scoped queries of `@mentor-ledger/sql`,
 * wired to node-postgres. The read-model tables live in the journal's
 * schema, under its table prefix (`<prefix>rm_<table>_v<version>`).
 *
 * `projections` says how this app instance keeps the read-model tables:
 * - `"inline"` (default): in the same transaction as every append it
 *   makes, so a query right after a command sees it (appends of other
 *   instances that run without projections are replayed first);
 * - `"catch-up"`: by a worker in the background, woken by the journal's
 *   `NOTIFY` and polling as a fallback; several instances may run one on a
 *   database: each projection is processed by exactly one of them at a
 *   time (a session advisory lock), and another takes it over when its
 *   owner stops or dies (see docs/postgres.md). The worker holds one of
 *   the pool's connections; it starts again after a poll interval when the
 *   server is lost (`Unavailable`) or a lock is held too long (`Locked`);
 * - `"manual"`: not at all; call the runtime's `catchUp` or `rebuild`.
 *
 * Opening creates the read-model tables if needed and brings them up to
 * date with the log before it returns (whatever the mode; `catchUpOnOpen:
 * false` leaves that to the worker).
 *
 * @example
 * import { createLedger } from "@mentor-ledger/core"
 * import { PgReadModels } from "@mentor-ledger/postgres"
 *
 * const db = await PgReadModels.open({ url: process.env.DATABASE_URL!, schema: "mentoring" })
 * const ledger = createLedger({ store: db.layer })
 * // … ledger.execute(…) …
 * const mine = await db.queries.mentorshipsFor({ personId: mentorId, role: "mentor" })
 * await ledger.close()
 * await db.close()
 *
 * @since 0.1.0
 */
import { EventJournal, EventStore, KeyStore } from "@mentor-ledger/core"
import {
  Journal,
  Projection,
  Queries,
  ReadModels,
  KeyStorage as SqlKeyStorage,
  Scoped
} from "@mentor-ledger/sql"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import * as Scope from "effect/Scope"
import * as PgJournal from "./PgJournal.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options extends PgJournal.Options {
  /** How this instance keeps the read models (default `"inline"`). */
  readonly projections?: "inline" | "catch-up" | "manual"
  /** The projections to run (default: every read model of `ReadModels.projections`). */
  readonly readModels?: ReadonlyArray<Projection.Projection>
  /**
   * Events per catch-up batch, each in one transaction (default 2,000). A
   * rebuild reads the log in batches of this size, eight to a transaction.
   */
  readonly batchSize?: number
  /** Catch up before `open` returns (default true). */
  readonly catchUpOnOpen?: boolean
  /**
   * How long the catch-up worker waits for a notification before it reads
   * the log (and tries to take free projections) anyway (default 1 second).
   */
  readonly pollInterval?: Duration.DurationInput
  /** The name the worker reports as owner of its projections (default `applicationName`). */
  readonly instance?: string
  /** The most projections this instance's worker owns at a time (default: every free one). */
  readonly maxProjections?: number
  /** Called with the projections this instance's worker owns whenever that set changes. */
  readonly onOwnership?: (owned: ReadonlyArray<string>) => void
  /** Options of the query functions: organisation, pseudonymisation for analysts, how content is revealed. */
  readonly queries?: Queries.Options
  /**
   * The key store that seals and opens content (default: the database's
   * own, in the `<prefix>keys` table, its keys wrapped by `keyWrapper`).
   */
  readonly keys?: Layer.Layer<KeyStore.KeyStore, unknown>
}

/**
 * An open PostgreSQL store with its read models.
 * @since 0.1.0
 * @category models
 */
export interface ReadModelStore {
  readonly journal: PgJournal.PgEventJournal
  readonly runtime: Projection.Runtime
  readonly queries: Queries.QueriesService
  /** The key store that seals and opens content. */
  readonly keys: KeyStore.KeyStoreService
}

/**
 * Connects, sets up and catches up the read models, and keeps them as
 * `projections` says until the scope closes (a catch-up worker gives its
 * projections up then).
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: Options
): Effect.Effect<ReadModelStore, EventJournal.StoreError | Projection.ProjectionError, Scope.Scope> =>
  Effect.gen(function* () {
    // A worker holds one connection for its locks and runs its batches on others.
    if (
      options.projections === "catch-up" &&
      options.readonly !== true &&
      options.maxConnections !== undefined &&
      Math.floor(options.maxConnections) < 2
    ) {
      return yield* new EventJournal.StoreError({
        reason: "Unknown",
        message: `a catch-up worker needs maxConnections of at least 2 (one holds its locks), not ${options.maxConnections}`
      })
    }
    const journal = yield* PgJournal.make(options)
    // One key store for the ledger that seals and the queries that open.
    const keysLayer =
      options.keys ??
      KeyStore.layer().pipe(
        Layer.provide(SqlKeyStorage.layer),
        Layer.provide(options.keyWrapper ?? KeyStore.layerUnwrapped)
      )
    const keys = Context.get(
      yield* Layer.build(Layer.provide(keysLayer, Layer.succeed(Journal.SqlJournal, journal))).pipe(
        Effect.mapError((cause) =>
          cause instanceof EventJournal.StoreError
            ? cause
            : new EventJournal.StoreError({ reason: "Unknown", message: "cannot open the key store", cause })
        )
      ),
      KeyStore.KeyStore
    )
    const runtime = yield* Projection.make(
      journal,
      options.readModels ?? ReadModels.projections,
      options.batchSize === undefined ? {} : { batchSize: options.batchSize }
    )
    const mode = options.projections ?? "inline"
    if (options.readonly === true) {
      // Nothing can be written: the tables are read as they are.
    } else if (mode === "inline") {
      yield* runtime.inline
      yield* runtime.upgrade
    } else {
      yield* runtime.setup
      if (options.catchUpOnOpen ?? true) {
        yield* runtime.catchUp()
        yield* runtime.upgrade
      }
      if (mode === "catch-up") {
        // A lost server (a restart, a failover) or a lock held too long stops
        // the worker; it starts again after a poll interval, from the checkpoints.
        yield* Effect.forkScoped(
          runtime.worker(workerOptions(options, journal)).pipe(
            Effect.retry({
              schedule: Schedule.spaced(options.pollInterval ?? "1 second"),
              while: (e) => e._tag === "StoreError" && (e.reason === "Unavailable" || e.reason === "Locked")
            })
          )
        )
      }
    }
    return { journal, runtime, queries: Queries.make(journal, { keys, ...options.queries }), keys }
  })

/** The worker's options from the store's: woken by the journal's notifications. */
const workerOptions = (options: Options, journal: PgJournal.PgEventJournal): Projection.WorkerOptions => ({
  wakeUp: journal.notifications,
  ...(options.pollInterval === undefined ? {} : { pollInterval: options.pollInterval }),
  ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
  ...(options.instance === undefined ? {} : { instance: options.instance }),
  ...(options.maxProjections === undefined ? {} : { maxProjections: options.maxProjections }),
  ...(options.onOwnership === undefined ? {} : { onOwnership: options.onOwnership })
})

/** The store's services, with its key store (`createLedger({ store })` uses it). */
const services = (store: ReadModelStore) =>
  Context.make(EventJournal.EventJournal, store.journal as EventJournal.EventJournalService).pipe(
    Context.add(Journal.SqlJournal, store.journal as Journal.SqlEventJournal),
    Context.add(PgJournal.PgJournal, store.journal),
    Context.add(KeyStore.KeyStore, store.keys),
    Context.add(Projection.Projections, store.runtime),
    Context.add(Queries.Queries, store.queries)
  )

/**
 * The journal with its read models, for `createLedger({ store })` or an
 * Effect program: provides the core's `EventJournal` and `KeyStore`, the
 * SQL and PostgreSQL journals, the projection runtime and the query
 * functions.
 *
 * @example
 * import { PgReadModels } from "@mentor-ledger/postgres"
 * const store = PgReadModels.layerJournal({ url: process.env.DATABASE_URL!, projections: "catch-up" })
 * @since 0.1.0
 * @category layers
 */
export const layerJournal = (
  options: Options
): Layer.Layer<
  | EventJournal.EventJournal
  | Journal.SqlJournal
  | PgJournal.PgJournal
  | KeyStore.KeyStore
  | Projection.Projections
  | Queries.Queries,
  EventJournal.StoreError | Projection.ProjectionError
> => Layer.scopedContext(Effect.map(make(options), services))

/** What the core's event store needs beside the journal and keys this store brings (an id generator). */
type StoreNeeds = Exclude<
  Layer.Layer.Context<typeof EventStore.layer>,
  EventJournal.EventJournal | KeyStore.KeyStore
>

/**
 * The core's `EventStore` too, on the journal with its read models; like
 * `EventStore.layerMemory` it needs an id generator.
 *
 * @example
 * import { Effect, Layer } from "effect"
 * import { Ids } from "@mentor-ledger/core"
 * import { Queries } from "@mentor-ledger/sql"
 * import { PgReadModels } from "@mentor-ledger/postgres"
 * const layer = PgReadModels.layer({ url: process.env.DATABASE_URL! }).pipe(Layer.provide(Ids.layerUuidV7))
 * const program = Effect.flatMap(Queries.Queries, (q) => q.mentorshipsFor({ personId, role: "coordinator" }))
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options
): Layer.Layer<
  | EventStore.EventStore
  | EventJournal.EventJournal
  | Journal.SqlJournal
  | PgJournal.PgJournal
  | KeyStore.KeyStore
  | Projection.Projections
  | Queries.Queries,
  EventJournal.StoreError | Projection.ProjectionError,
  StoreNeeds
> => Layer.provideMerge(EventStore.layer, layerJournal(options))

/**
 * An open store, for code that does not use Effect.
 * @since 0.1.0
 * @category models
 */
export interface OpenStore {
  /** For `createLedger({ store })`: the journal (it does not own the pool: call {@link OpenStore.close}). */
  readonly layer: Layer.Layer<
    | EventJournal.EventJournal
    | Journal.SqlJournal
    | PgJournal.PgJournal
    | KeyStore.KeyStore
    | Projection.Projections
    | Queries.Queries
  >
  readonly journal: PgJournal.PgEventJournal
  /** The viewer-scoped query functions. */
  readonly queries: Queries.PromiseQueries
  /** The projection runtime: catch up, rebuild, build a new version beside the old, switch, drop, workers. */
  readonly projections: Projection.PromiseRuntime
  /** A full rebuild of a projection (default: every read model), in place. */
  readonly rebuild: (projection?: string) => Promise<void>
  /** Stops the projections (a worker gives its projections up) and ends the pool. */
  readonly close: () => Promise<void>
}

/**
 * Opens a PostgreSQL database with its read models; rejects with the typed error.
 *
 * @example
 * import { createLedger } from "@mentor-ledger/core"
 * import { PgReadModels } from "@mentor-ledger/postgres"
 * const db = await PgReadModels.open({ url: process.env.DATABASE_URL!, projections: "catch-up" })
 * const ledger = createLedger({ store: db.layer })
 * const rows = await db.queries.meetings({ personId: supervisorId, role: "supervisor" }, mentorshipId)
 * await ledger.close()
 * await db.close()
 * @since 0.1.0
 * @category constructors
 */
export const open = async (options: Options): Promise<OpenStore> => {
  const { value: store, close } = await Scoped.open(make(options))
  const projections = Projection.toPromise(store.runtime)
  return {
    layer: Layer.succeedContext(services(store)),
    journal: store.journal,
    queries: Queries.toPromise(store.queries),
    projections,
    rebuild: async (projection) => {
      await projections.rebuild(projection)
    },
    close
  }
}
