/**
 * mentor-ledger on one SQLite file with its read models: the journal, the
 * projection runtime and the viewer-scoped queries of `@mentor-ledger/sql`,
 * wired to better-sqlite3.
 *
 * `projections` says how the read-model tables are kept:
 * - `"inline"` (default): in the same transaction as every append, so a
 *   query right after a command sees it;
 * - `"catch-up"`: by a worker that polls the log in the background (the
 *   appends do not wait for the projections);
 * - `"manual"`: not at all; call the runtime's `catchUp` or `rebuild`.
 *
 * Opening creates the read-model tables if needed and brings them up to
 * date with the log before it returns (whatever the mode).
 *
 * @example
 * import { createLedger } from "@mentor-ledger/core"
 * import { SqliteReadModels } from "@mentor-ledger/sqlite"
 *
 * const db = await SqliteReadModels.open({ filename: "mentoring.db" })
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
  KeyStorage as SqlKeyStorage,
  Projection,
  Queries,
  ReadModels,
  Scoped
} from "@mentor-ledger/sql"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import * as SqliteJournal from "./SqliteJournal.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options extends SqliteJournal.Options {
  /** How the read models are kept (default `"inline"`). */
  readonly projections?: "inline" | "catch-up" | "manual"
  /** The projections to run (default: every read model of `ReadModels.projections`). */
  readonly readModels?: ReadonlyArray<Projection.Projection>
  /**
   * Events per catch-up batch, each in one transaction (default 2,000). A
   * rebuild reads the log in batches of this size, eight to a transaction.
   */
  readonly batchSize?: number
  /** How often the catch-up worker looks for new events (default 1 second). */
  readonly pollInterval?: Duration.DurationInput
  /** Options of the query functions: organisation, pseudonymisation for analysts, how content is revealed. */
  readonly queries?: Queries.Options
  /**
   * The key store that seals and opens content (default: the file's own,
   * in the `<prefix>keys` table, its keys wrapped by `keyWrapper`). It is
   * built once, for the store's lifetime, and provided with the store, so
   * that a ledger made with `createLedger({ store })` seals with the keys
   * the queries open with.
   */
  readonly keys?: Layer.Layer<KeyStore.KeyStore, unknown>
}

/**
 * An open SQLite store with its read models.
 * @since 0.1.0
 * @category models
 */
export interface ReadModelStore {
  readonly journal: Journal.SqlEventJournal
  readonly runtime: Projection.Runtime
  readonly queries: Queries.QueriesService
  /** The key store that seals and opens content. */
  readonly keys: KeyStore.KeyStoreService
}

/**
 * Opens the file, sets up and catches up the read models, and keeps them
 * as `projections` says until the scope closes.
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: Options
): Effect.Effect<ReadModelStore, EventJournal.StoreError | Projection.ProjectionError, Scope.Scope> =>
  Effect.gen(function* () {
    const journal = yield* SqliteJournal.make(options)
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
      yield* runtime.catchUp()
      yield* runtime.upgrade
      if (mode === "catch-up") {
        yield* Effect.forkScoped(
          runtime.worker(options.pollInterval === undefined ? {} : { pollInterval: options.pollInterval })
        )
      }
    }
    return { journal, runtime, queries: Queries.make(journal, { keys, ...options.queries }), keys }
  })

/** The store's services, with its key store (`createLedger({ store })` uses it). */
const services = (store: ReadModelStore) =>
  Context.make(EventJournal.EventJournal, store.journal as EventJournal.EventJournalService).pipe(
    Context.add(Journal.SqlJournal, store.journal),
    Context.add(KeyStore.KeyStore, store.keys),
    Context.add(Projection.Projections, store.runtime),
    Context.add(Queries.Queries, store.queries)
  )

/**
 * The journal with its read models, for `createLedger({ store })` or an
 * Effect program: provides the core's `EventJournal` and `KeyStore`, the
 * SQL journal, the projection runtime and the query functions.
 *
 * @example
 * import { SqliteReadModels } from "@mentor-ledger/sqlite"
 * const store = SqliteReadModels.layerJournal({ filename: "mentoring.db", projections: "inline" })
 * @since 0.1.0
 * @category layers
 */
export const layerJournal = (
  options: Options
): Layer.Layer<
  | EventJournal.EventJournal
  | Journal.SqlJournal
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
 * import { SqliteReadModels } from "@mentor-ledger/sqlite"
 * const layer = SqliteReadModels.layer({ filename: "mentoring.db" }).pipe(Layer.provide(Ids.layerUuidV7))
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
  /** For `createLedger({ store })`: the journal (it does not own the file: call {@link OpenStore.close}). */
  readonly layer: Layer.Layer<
    | EventJournal.EventJournal
    | Journal.SqlJournal
    | KeyStore.KeyStore
    | Projection.Projections
    | Queries.Queries
  >
  readonly journal: Journal.SqlEventJournal
  /** The viewer-scoped query functions. */
  readonly queries: Queries.PromiseQueries
  /** The projection runtime: catch up, rebuild, build a new version beside the old, switch, drop. */
  readonly projections: Projection.PromiseRuntime
  /** A full rebuild of a projection (default: every read model), in place. */
  readonly rebuild: (projection?: string) => Promise<void>
  /** Stops the projections and closes the file. */
  readonly close: () => Promise<void>
}

/**
 * Opens an SQLite file with its read models; rejects with the typed error.
 *
 * @example
 * import { createLedger } from "@mentor-ledger/core"
 * import { SqliteReadModels } from "@mentor-ledger/sqlite"
 * const db = await SqliteReadModels.open({ filename: "mentoring.db", projections: "inline" })
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
