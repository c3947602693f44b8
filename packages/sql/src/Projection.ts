/**
 * Projections: read-model tables kept up to date from the event log,
 * written once with kysely for SQLite and PostgreSQL.
 *
 * A {@link Projection} is a named, versioned definition: the tables it owns
 * and a function from a batch of decoded events to table changes (compiled
 * kysely queries, run through the journal's {@link Executor.Executor}). Its
 * tables are named `<prefix>rm_<table>_v<version>`, so that they sit beside
 * a host application's own tables, and a new version is built beside the
 * old one.
 *
 * The {@link Runtime} runs projections in two modes, which can be mixed:
 * - **inline**: inside every append's transaction (the journal's
 *   `onAppend` hook), so the read models change with the log, atomically;
 * - **catch-up**: a worker reads the global log from each projection's
 *   checkpoint and applies it in batches; each batch is one transaction
 *   with the checkpoint update, so a crash loses nothing and doubles
 *   nothing, and two workers never apply the same batch.
 *
 * A full rebuild drops the tables, creates them again and replays the log.
 * A changed projection gets a new version: its tables are built by
 * catch-up while the current version keeps serving, then
 * {@link Runtime.activate} switches queries to it and
 * {@link Runtime.drop} removes the old tables.
 *
 * @example
 * import { Effect } from "effect"
 * import { Projection, ReadModels } from "@mentor-ledger/sql"
 * const program = Effect.gen(function* () {
 *   const runtime = yield* Projection.make(journal, ReadModels.projections)
 *   yield* runtime.catchUp()
 * })
 *
 * @since 0.1.0
 */
import type { EventJournal, EventStore, Events } from "@mentor-ledger/core"
import * as EffectContext from "effect/Context"
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import type { CompiledQuery, Kysely } from "kysely"
import type { Dialect } from "./Dialect.js"
import type { Row } from "./Executor.js"
import * as internal from "./internal/runtime.js"
import type { SqlEventJournal } from "./Journal.js"
import { projections as libraryReadModels } from "./ReadModels.js"

/**
 * The queries of one batch as a generator: it yields each compiled query
 * and is given back the rows it returned. The runtime runs it synchronously
 * on a synchronous driver (better-sqlite3) and through Effect on others.
 * @since 0.1.0
 * @category models
 */
export type Steps<A> = Generator<CompiledQuery, A, ReadonlyArray<Row>>

/**
 * What a projection is given on a database.
 * @since 0.1.0
 * @category models
 */
export interface Context {
  /** For building queries (compile them with it; the runtime runs them). */
  readonly db: Kysely<any>
  readonly dialect: Dialect
  /** The physical name of each of the projection's tables, by its logical name. */
  readonly tables: Readonly<Record<string, string>>
}

/**
 * What the runtime tells a projection about a batch.
 * @since 0.1.0
 * @category models
 */
export interface Batch {
  /**
   * The previous batch this projection applied committed, and nothing has
   * written its tables since (its checkpoint is where that batch left it).
   * Only then may a projection trust rows it kept in memory from before.
   */
  readonly continues: boolean
}

/**
 * A projection prepared on a database.
 * @since 0.1.0
 * @category models
 */
export interface Prepared {
  /** Creates the tables (idempotent: `if not exists`). */
  readonly create: ReadonlyArray<CompiledQuery>
  /**
   * Creates the secondary indexes (idempotent). A full rebuild creates
   * them after the replay, which is faster than keeping them up to date
   * row by row; otherwise they come with the tables.
   */
  readonly indexes?: ReadonlyArray<CompiledQuery>
  /**
   * The table changes for a batch of events, in log order. It runs inside
   * the batch's transaction; throwing rolls the batch back.
   */
  readonly apply: (events: ReadonlyArray<EventStore.RecordedEvent>, batch: Batch) => Steps<void>
}

/**
 * A named, versioned projection.
 * @since 0.1.0
 * @category models
 */
export interface Projection {
  /** Lower-case letters, digits and `_`, e.g. `mentorships`. */
  readonly name: string
  /** Raise it whenever the tables or the way they are filled change. */
  readonly version: number
  /** The logical names of its tables (lower-case letters, digits and `_`). */
  readonly tables: ReadonlyArray<string>
  /** The event types it reads; the others are skipped without being decoded. All when absent. */
  readonly eventTypes?: ReadonlyArray<Events.EventType>
  readonly prepare: (context: Context) => Prepared
}

/**
 * Defines a projection (checks its names).
 *
 * @example
 * import { Projection } from "@mentor-ledger/sql"
 * const meetingsPerDay = Projection.define({
 *   name: "meetings_per_day",
 *   version: 1,
 *   tables: ["days"],
 *   eventTypes: ["MeetingHeld"],
 *   prepare: ({ db, tables }) => ({
 *     create: [db.schema.createTable(tables.days).ifNotExists()
 *       .addColumn("day", "text", (c) => c.primaryKey())
 *       .addColumn("meetings", "integer", (c) => c.notNull()).compile()],
 *     apply: function* (events) {
 *       for (const e of events) {
 *         const day = e.event.occurredAt.toISOString().slice(0, 10)
 *         yield db.insertInto(tables.days).values({ day, meetings: 1 })
 *           .onConflict((oc) => oc.column("day").doUpdateSet((eb) => ({ meetings: eb("meetings", "+", 1) })))
 *           .compile()
 *       }
 *     }
 *   })
 * })
 * @since 0.1.0
 * @category constructors
 */
export const define = (projection: Projection): Projection => {
  internal.validate(projection)
  return projection
}

/**
 * The physical name of a projection table: `<prefix>rm_<table>_v<version>`.
 * @since 0.1.0
 * @category names
 */
export const tableName = (prefix: string, table: string, version: number): string =>
  internal.tableName(prefix, table, version)

/**
 * A projection failed:
 * - `EventDecode`: a stored event could not be decoded (`cause`: the core's `EventDecodeError`);
 * - `Apply`: the projection's code threw while applying a batch (`cause`);
 * - `Definition`: a definition is invalid (names, duplicate versions), or
 *   would share a table with another projection (`table` names it,
 *   `owner` its projection, one of the library's read models included);
 * - `NotFound`: no such projection or version;
 * - `NotReady`: a version cannot be activated before it has caught up;
 * - `InUse`: the current version cannot be dropped.
 * Driver failures are the core's `StoreError`. Nothing of a failed batch
 * is written.
 * @since 0.1.0
 * @category errors
 */
export class ProjectionError extends Data.TaggedError("ProjectionError")<{
  readonly reason: "EventDecode" | "Apply" | "Definition" | "NotFound" | "NotReady" | "InUse"
  /** `name@version`, when one projection is concerned. */
  readonly projection: string
  readonly message: string
  /** A table the projection would share with another (its physical name). */
  readonly table?: string
  /** The projection (`name@version`) that owns `table`. */
  readonly owner?: string
  readonly cause?: unknown
}> {}

/** PostgreSQL's longest name, in bytes. */
const maxIdentifierLength = 63

/**
 * Which projection owns each physical table: a projection's logical table
 * name can be chosen so that it becomes another's physical table (a table
 * `mentorships` of a version 1 is `<prefix>rm_mentorships_v1`, the
 * library's own read model). Two runtimes on one database (the library's
 * read models in the app, an analyst's projection in a worker) would then
 * write one table, and each would drop it in a rebuild. The library's read
 * models own their tables whether or not they run in this runtime; among
 * the projections given, the first to name a table owns it. A projection
 * with the name and version of a read model of the library must be that
 * read model (the same tables): they would share a checkpoint. The
 * runtime checks this before anything is written.
 */
const sharedTable = (prefix: string, projections: ReadonlyArray<Projection>): ProjectionError | undefined => {
  const idOf = (p: Projection) => `${p.name}@${p.version}`
  const isLibrary = (id: string) => libraryReadModels.some((l) => idOf(l) === id)
  // PostgreSQL keeps the first 63 bytes of a name (these names are ASCII): two longer names that agree
  // in them are one table there, so they are one table everywhere (a projection moves between stores).
  const key = (table: string) => table.slice(0, maxIdentifierLength)
  const owners = new Map<string, { readonly id: string; readonly table: string }>()
  for (const library of libraryReadModels)
    for (const t of library.tables) {
      const table = tableName(prefix, t, library.version)
      owners.set(key(table), { id: idOf(library), table })
    }
  for (const p of projections) {
    // Names first, with the errors `define` gives.
    try {
      internal.validate(p)
    } catch (error) {
      return error as ProjectionError
    }
    const id = idOf(p)
    const library = libraryReadModels.find((l) => idOf(l) === id)
    if (library !== undefined && [...p.tables].sort().join() !== [...library.tables].sort().join())
      return new ProjectionError({
        reason: "Definition",
        projection: id,
        owner: id,
        message: `${id} is the name and version of a read model of mentor-ledger (tables ${library.tables.join(", ")}), with other tables here: they would share its checkpoint; give the projection a name of its own`
      })
    for (const t of p.tables) {
      const table = tableName(prefix, t, p.version)
      const owner = owners.get(key(table))
      if (owner === undefined) owners.set(key(table), { id, table })
      else if (owner.id !== id) {
        const whose = isLibrary(owner.id) ? `mentor-ledger's read model ${owner.id}` : owner.id
        return new ProjectionError({
          reason: "Definition",
          projection: id,
          table,
          owner: owner.id,
          message: `${
            owner.table === table
              ? `the table ${t} of ${id} is ${table}, the table of ${whose}`
              : `the table ${t} of ${id} is ${table}, and the table ${owner.table} of ${whose} agrees with it in the first ${maxIdentifierLength} characters, all that PostgreSQL keeps of a name`
          }: rename the table (or the projection's version) so that the two do not write each other's rows`
        })
      }
    }
  }
  return undefined
}

/** What the runtime can fail with. @since 0.1.0 @category errors */
export type RuntimeError = ProjectionError | EventJournal.StoreError

/**
 * A projection version as stored: where it stands in the log.
 * @since 0.1.0
 * @category models
 */
export interface Status {
  readonly name: string
  readonly version: number
  /** The position of the last event applied (`start` before any). */
  readonly checkpoint: EventJournal.LogPosition
  /**
   * `building`: catching up, inline appends leave it alone;
   * `live`: it has reached the end of the log once, inline appends keep it up to date.
   */
  readonly state: "building" | "live"
  /** Whether queries read this version. */
  readonly current: boolean
  /** Its physical tables. */
  readonly tables: ReadonlyArray<string>
  readonly updatedAt: string
}

/** @since 0.1.0 @category models */
export interface CatchUpOptions {
  /** Only these projections (`name` or `name@version`); default: every projection of the runtime. */
  readonly only?: ReadonlyArray<string>
  /** Events read per batch (one transaction each; a rebuild's are eight to a transaction). Default 2,000. */
  readonly batchSize?: number
  /** Stop after this many batches (default: at the end of the log). */
  readonly maxBatches?: number
}

/**
 * How a catch-up worker runs.
 * @since 0.1.0
 * @category models
 */
export interface WorkerOptions extends CatchUpOptions {
  /**
   * How long the worker waits for a wake-up before it looks at the log (and,
   * where projections have owners, for free projections) anyway. Default 1 s.
   */
  readonly pollInterval?: Duration.DurationInput
  /**
   * Hints that the log has grown (PostgreSQL: the journal's
   * `notifications`). Each one wakes the worker before its poll interval is
   * over; hints that arrive while it works are coalesced into one more pass.
   * When the stream fails (its connection is lost) the worker polls and
   * subscribes again after a poll interval.
   */
  readonly wakeUp?: Stream.Stream<unknown, unknown>
  /**
   * The name this worker reports as the owner of its projections
   * ({@link Runtime.owners}); PostgreSQL: its lock connection's
   * `application_name`. Default: the journal's connection name.
   */
  readonly instance?: string
  /**
   * Where projections have owners (PostgreSQL): the most projections this
   * worker owns at a time, leaving the others to other instances. Default:
   * every free one.
   */
  readonly maxProjections?: number
  /** Called with the projections (`name@version`) this worker owns whenever that set changes. */
  readonly onOwnership?: (owned: ReadonlyArray<string>) => void
}

/**
 * Which worker session processes a projection (PostgreSQL).
 * @since 0.1.0
 * @category models
 */
export interface Owner {
  /** `name@version`. */
  readonly projection: string
  /** The owning worker's name ({@link WorkerOptions.instance}). */
  readonly instance: string
  /** The server process of its lock connection. */
  readonly pid: number
}

/** @since 0.1.0 @category models */
export interface CatchUpResult {
  /** Events read from the log. */
  readonly events: number
  /** Batches applied (transactions committed). */
  readonly batches: number
  /** Whether the end of the log was reached. */
  readonly caughtUp: boolean
}

/**
 * The projection runtime on one SQL journal.
 * @since 0.1.0
 * @category models
 */
export interface Runtime {
  readonly journal: SqlEventJournal
  readonly projections: ReadonlyArray<Projection>
  /**
   * Creates the checkpoint and current-version tables, and each
   * projection's tables with its checkpoint at the start of the log (if
   * missing). The first version of a name becomes its current version.
   */
  readonly setup: Effect.Effect<void, RuntimeError>
  /** Catch-up mode: applies the log from each checkpoint, in batches, one transaction each. */
  readonly catchUp: (options?: CatchUpOptions) => Effect.Effect<CatchUpResult, RuntimeError>
  /**
   * Catch-up as a worker: catches up, waits for a wake-up or `pollInterval`
   * (default 1 s), and again, until interrupted.
   *
   * Where the dialect has `projectionLocks` (PostgreSQL),
   * several workers, in one process or many, may run on one database: a
   * worker holds a connection of its own and processes only the projections
   * whose ownership lock it took on it. The live workers (of the same
   * projections) share them out: each owns at most its fair share
   * (projections divided by live workers, rounded up), gives the rest up
   * between batches when another worker joins, and at every pass tries
   * the free ones again.
   * When an owner stops or dies its connection closes, its locks are freed,
   * and the others take its projections over at their next pass (a
   * notification or the poll interval), from their checkpoints. Elsewhere
   * (SQLite) every worker processes every projection, one batch at a time.
   */
  readonly worker: (options?: WorkerOptions) => Effect.Effect<never, RuntimeError>
  /**
   * Which worker owns which projection right now (empty where projections
   * have no owners, as on SQLite).
   */
  readonly owners: Effect.Effect<ReadonlyArray<Owner>, RuntimeError>
  /**
   * Inline mode, for the scope's lifetime: sets up, catches up, then
   * applies every append inside its transaction (a failing projection
   * fails the append, which writes nothing). Projections still `building`
   * are left to catch-up.
   */
  readonly inline: Effect.Effect<void, RuntimeError, Scope.Scope>
  /**
   * A full rebuild in place: drops and creates the tables, then replays the
   * log once for all of them. `projections`: names (their current version,
   * or the highest this runtime has) or `name@version`; default: every
   * projection of the runtime. While it runs, queries see the tables fill
   * up; to rebuild without that, build a new version beside the current one.
   * It commits eight batches per transaction, each with the checkpoints it
   * reached: interrupted, it keeps what it committed, and a catch-up goes on
   * from there.
   */
  readonly rebuild: (
    projections?: string | ReadonlyArray<string>
  ) => Effect.Effect<CatchUpResult, RuntimeError>
  /** Makes a version the one queries read; it must be `live`. */
  readonly activate: (name: string, version: number) => Effect.Effect<void, RuntimeError>
  /** Drops a version's tables and checkpoint; not the current version. */
  readonly drop: (name: string, version: number) => Effect.Effect<void, RuntimeError>
  /** Every stored projection version. */
  readonly status: Effect.Effect<ReadonlyArray<Status>, RuntimeError>
  /** The physical tables of a name's current version, by logical name (empty when unknown). */
  readonly currentTables: (name: string) => Effect.Effect<Readonly<Record<string, string>>, RuntimeError>
  /**
   * After an upgrade: each name whose current version is not one this
   * runtime defines switches to the highest version it defines, if that
   * one is `live`. Returns the versions switched to (`name@version`).
   */
  readonly upgrade: Effect.Effect<ReadonlyArray<string>, RuntimeError>
}

/**
 * The projection runtime as a service (SQL adapters provide it).
 * @since 0.1.0
 * @category services
 */
export class Projections extends EffectContext.Tag("@mentor-ledger/sql/Projections")<
  Projections,
  Runtime
>() {}

/** @since 0.1.0 @category models */
export interface Options {
  /**
   * Events per catch-up batch, each in one transaction (default 2,000). A
   * rebuild reads the log in batches of this size, eight to a transaction:
   * the library's read models write a row once per transaction however
   * many of its events touch it, while only one batch is in memory.
   */
  readonly batchSize?: number
}

/**
 * Makes the runtime for these projections on an SQL journal (nothing is
 * written until {@link Runtime.setup}). It fails with a `Definition`
 * {@link ProjectionError} when a definition is invalid, or when a table of
 * one would be another's: one of the library's read models (whether or not
 * they run in this runtime) or another projection given here. The error's
 * `table` and `owner` name them.
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  journal: SqlEventJournal,
  projections: ReadonlyArray<Projection>,
  options?: Options
): Effect.Effect<Runtime, ProjectionError> =>
  Effect.suspend(() => {
    const shared = sharedTable(journal.tables.prefix, projections)
    return shared === undefined ? internal.make(journal, projections, options) : Effect.fail(shared)
  })

/**
 * The runtime for code that does not use Effect: every operation returns
 * a Promise that rejects with the typed error.
 * @since 0.1.0
 * @category models
 */
export interface PromiseRuntime {
  readonly setup: () => Promise<void>
  readonly catchUp: (options?: CatchUpOptions) => Promise<CatchUpResult>
  readonly rebuild: (projections?: string | ReadonlyArray<string>) => Promise<CatchUpResult>
  readonly activate: (name: string, version: number) => Promise<void>
  readonly drop: (name: string, version: number) => Promise<void>
  readonly status: () => Promise<ReadonlyArray<Status>>
  readonly upgrade: () => Promise<ReadonlyArray<string>>
  readonly owners: () => Promise<ReadonlyArray<Owner>>
  /** The physical tables of a name's current version, by logical name (empty when unknown). */
  readonly currentTables: (name: string) => Promise<Readonly<Record<string, string>>>
  /**
   * Starts a catch-up worker ({@link Runtime.worker}). `stop` interrupts it,
   * gives its projections up and waits for it to end; `done` settles when
   * the worker ends: it rejects with the typed error when the worker fails.
   */
  readonly startWorker: (options?: WorkerOptions) => {
    readonly stop: () => Promise<void>
    readonly done: Promise<void>
  }
}

/**
 * The Promise form of a runtime.
 *
 * @example
 * import { Projection } from "@mentor-ledger/sql"
 * const projections = Projection.toPromise(runtime)
 * await projections.rebuild() // every read model, in one pass over the log
 * @since 0.1.0
 * @category constructors
 */
export const toPromise = (runtime: Runtime): PromiseRuntime => internal.toPromise(runtime)

/**
 * {@link make} for code that does not use Effect: the Promise form of the
 * runtime, or a rejection with the typed {@link ProjectionError} when a
 * definition is invalid or would share a table with another projection
 * (the library's read models included). Nothing is written until `setup`,
 * `catchUp` or `rebuild`.
 *
 * @example
 * import { Projection, ReadModels } from "@mentor-ledger/sql"
 * const runtime = await Projection.makePromise(journal, ReadModels.projections)
 * await runtime.rebuild() // sets up what is missing, then replays the log once
 * @since 0.1.0
 * @category constructors
 */
export const makePromise = (
  journal: SqlEventJournal,
  projections: ReadonlyArray<Projection>,
  options?: Options
): Promise<PromiseRuntime> => {
  const shared = sharedTable(journal.tables.prefix, projections)
  return shared === undefined ? internal.makePromise(journal, projections, options) : Promise.reject(shared)
}
