import { EventJournal, EventStore } from "@mentor-ledger/core"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Stream from "effect/Stream"
import { type CompiledQuery, type Kysely, sql } from "kysely"
import { DriverError, type Executor, type Row } from "../Executor.js"
import type { SqlEventJournal } from "../Journal.js"
import {
  type Batch,
  type CatchUpOptions,
  type CatchUpResult,
  type Owner,
  type Prepared,
  type Projection,
  ProjectionError,
  type PromiseRuntime,
  type Runtime,
  type RuntimeError,
  type Status,
  type Steps,
  type WorkerOptions
} from "../Projection.js"
import { bind, slot, template } from "./compiled.js"
import { storeError } from "./errors.js"
import * as Log from "./log.js"
import * as Run from "./steps.js"

// ---------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------

const validName = /^[a-z][a-z0-9_]{0,39}$/

export const tableName = (prefix: string, table: string, version: number): string =>
  `${prefix}rm_${table}_v${version}`

const idOf = (name: string, version: number) => `${name}@${version}`

const definitionError = (projection: string, message: string) =>
  new ProjectionError({ reason: "Definition", projection, message })

export const validate = (p: Projection): void => {
  const id = idOf(p.name, p.version)
  if (!validName.test(p.name)) {
    throw definitionError(id, `invalid projection name ${JSON.stringify(p.name)}: use a-z, 0-9 and "_"`)
  }
  if (!Number.isSafeInteger(p.version) || p.version < 1) {
    throw definitionError(id, `invalid version ${p.version}: use a whole number from 1`)
  }
  const seen = new Set<string>()
  for (const t of p.tables) {
    if (!validName.test(t)) throw definitionError(id, `invalid table name ${JSON.stringify(t)}`)
    if (seen.has(t)) throw definitionError(id, `table ${t} is listed twice`)
    seen.add(t)
  }
}

// ---------------------------------------------------------------------------
// The registry: checkpoints and current versions
// ---------------------------------------------------------------------------

type State = "building" | "live"

interface Checkpoint {
  readonly name: string
  readonly version: number
  readonly position: EventJournal.LogPosition
  readonly state: State
  readonly tables: Readonly<Record<string, string>>
  readonly updatedAt: string
}

const checkpointOf = (r: Row): Checkpoint => ({
  name: r.projection as string,
  version: Number(r.version),
  position: Log.position(r.transaction_id, r.sequence),
  state: r.state === "live" ? "live" : "building",
  tables: JSON.parse(String(r.tables)) as Record<string, string>,
  updatedAt: String(r.updated_at)
})

/** A batch that trusts nothing kept in memory (inline appends: their transaction is the journal's). */
const fresh = { continues: false }

/** The appends each projection applied inline, by the rows the journal handed to its hooks. */
const appliedInline = new WeakMap<ReadonlyArray<EventJournal.StoredEvent>, Set<string>>()

/** A batch found its checkpoint moved by another worker: it is rolled back and read again. */
class Moved extends Data.TaggedError("Moved")<{}> {}

const registry = (journal: SqlEventJournal) => {
  const { db } = journal
  const prefix = journal.tables.prefix
  const checkpoints = `${prefix}rm_checkpoints`
  const current = `${prefix}rm_current`
  const create: ReadonlyArray<CompiledQuery> = [
    db.schema
      .createTable(checkpoints)
      .ifNotExists()
      .addColumn("projection", "text", (c) => c.notNull())
      .addColumn("version", "integer", (c) => c.notNull())
      .addColumn("transaction_id", "bigint", (c) => c.notNull())
      .addColumn("sequence", "bigint", (c) => c.notNull())
      .addColumn("state", "text", (c) => c.notNull())
      .addColumn("tables", "text", (c) => c.notNull())
      .addColumn("updated_at", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint(`${checkpoints}_pk`, ["projection", "version"])
      .compile(),
    db.schema
      .createTable(current)
      .ifNotExists()
      .addColumn("projection", "text", (c) => c.primaryKey())
      .addColumn("version", "integer", (c) => c.notNull())
      .addColumn("switched_at", "text", (c) => c.notNull())
      .compile()
  ]
  const selectCheckpoints = db
    .selectFrom(checkpoints)
    .selectAll()
    .orderBy("projection")
    .orderBy("version")
    .compile()
  const selectCurrent = db.selectFrom(current).selectAll().orderBy("projection").compile()
  const insert = template(
    db
      .insertInto(checkpoints)
      .values({
        projection: slot(0),
        version: slot(1),
        transaction_id: slot(2),
        sequence: slot(3),
        state: slot(4),
        tables: slot(5),
        updated_at: slot(6)
      })
      .compile()
  )
  // Compare-and-set: moves a checkpoint only from where this batch read it.
  const advance = template(
    db
      .updateTable(checkpoints)
      .set({ transaction_id: slot(0), sequence: slot(1), state: slot(2), updated_at: slot(3) })
      .where("projection", "=", slot(4))
      .where("version", "=", slot(5))
      .where("transaction_id", "=", slot(6))
      .where("sequence", "=", slot(7))
      .returning("projection")
      .compile()
  )
  // Taken first by every batch and inline append where writers run
  // concurrently (PostgreSQL): it serialises projection writers, so the
  // checkpoints read next are the latest. SQLite runs one writer at a time.
  const lock = journal.dialect.projectionLocks?.writers(journal.tables).compile(db)
  // Moves a checkpoint forward only: an inline append whose rows sort before
  // a concurrent one that committed first leaves it where it is.
  const raise = template(
    db
      .updateTable(checkpoints)
      .set({ transaction_id: slot(0), sequence: slot(1), updated_at: slot(2) })
      .where("projection", "=", slot(3))
      .where("version", "=", slot(4))
      .where((eb) => eb(eb.refTuple("transaction_id", "sequence"), "<", eb.tuple(slot(0), slot(1))))
      .compile()
  )
  const reset = template(
    db
      .updateTable(checkpoints)
      .set({ transaction_id: 0, sequence: 0, state: "building", tables: slot(0), updated_at: slot(1) })
      .where("projection", "=", slot(2))
      .where("version", "=", slot(3))
      .compile()
  )
  const remove = template(
    db.deleteFrom(checkpoints).where("projection", "=", slot(0)).where("version", "=", slot(1)).compile()
  )
  const setCurrent = template(
    db
      .insertInto(current)
      .values({ projection: slot(0), version: slot(1), switched_at: slot(2) })
      .onConflict((oc) =>
        oc.column("projection").doUpdateSet((eb) => ({
          version: eb.ref("excluded.version"),
          switched_at: eb.ref("excluded.switched_at")
        }))
      )
      .compile()
  )
  const dropTable = (name: string) => db.schema.dropTable(name).ifExists().compile()
  return {
    checkpoints,
    current,
    create,
    selectCheckpoints,
    selectCurrent,
    insert: (c: Omit<Checkpoint, "position">) =>
      bind(insert, [c.name, c.version, 0, 0, c.state, JSON.stringify(c.tables), c.updatedAt]),
    advance: (
      name: string,
      version: number,
      from: EventJournal.LogPosition,
      to: EventJournal.LogPosition,
      state: State,
      at: string
    ) =>
      bind(advance, [to.transaction, to.sequence, state, at, name, version, from.transaction, from.sequence]),
    lock,
    raise: (name: string, version: number, to: EventJournal.LogPosition, at: string) =>
      bind(raise, [to.transaction, to.sequence, at, name, version]),
    reset: (name: string, version: number, tables: Readonly<Record<string, string>>, at: string) =>
      bind(reset, [JSON.stringify(tables), at, name, version]),
    remove: (name: string, version: number) => bind(remove, [name, version]),
    setCurrent: (name: string, version: number, at: string) => bind(setCurrent, [name, version, at]),
    dropTable
  }
}

// ---------------------------------------------------------------------------
// The runtime
// ---------------------------------------------------------------------------

interface Active {
  readonly def: Projection
  readonly id: string
  readonly tables: Readonly<Record<string, string>>
  readonly prepared: Prepared
  readonly handles: (eventType: string) => boolean
}

const defaultBatchSize = 2000
/**
 * A rebuild's transactions hold this many batches of the log, read one
 * batch at a time: the library's read models write a row once per
 * transaction however many events touch it (a mentorship's row, a
 * programme's, a mentor's load), so larger transactions write less, while
 * the events in memory stay one batch's.
 */
const rebuildParts = 8
/** Events per read when an inline append first replays a gap in the log. */
const gapChunk = 2000

const max = (a: EventJournal.LogPosition, b: EventJournal.LogPosition) =>
  EventJournal.compare(a, b) >= 0 ? a : b

const decodeError = (projection: string, cause: unknown) =>
  new ProjectionError({
    reason: "EventDecode",
    projection,
    message:
      cause instanceof EventStore.EventDecodeError
        ? `${projection}: cannot decode event ${cause.eventId} (${cause.eventType} v${cause.schemaVersion}, ${cause.stream}@${cause.version}): ${cause.message}`
        : `${projection}: cannot read a stored event: ${cause instanceof Error ? cause.message : String(cause)}`,
    cause
  })

/** Decodes a stored event, or throws the projection's error. */
const decode = (projection: string, row: EventJournal.StoredEvent): EventStore.RecordedEvent => {
  const decoded = EventStore.decodeRow(row)
  if (Either.isLeft(decoded)) throw decodeError(projection, decoded.left)
  return decoded.right
}

const storedOrThrow = (projection: string, row: Row): EventJournal.StoredEvent => {
  try {
    return Log.stored(row)
  } catch (cause) {
    throw decodeError(projection, cause)
  }
}

export const make = (
  journal: SqlEventJournal,
  projections: ReadonlyArray<Projection>,
  options: { readonly batchSize?: number } = {}
): Effect.Effect<Runtime, ProjectionError> =>
  Effect.gen(function* () {
    const seen = new Set<string>()
    const actives: Array<Active> = []
    for (const def of projections) {
      yield* Effect.try({ try: () => validate(def), catch: (e) => e as ProjectionError })
      const id = idOf(def.name, def.version)
      if (seen.has(id)) return yield* definitionError(id, `${id} is given twice`)
      seen.add(id)
      const tables = Object.fromEntries(
        def.tables.map((t) => [t, tableName(journal.tables.prefix, t, def.version)])
      )
      const prepared = yield* Effect.try({
        try: () => def.prepare({ db: journal.db, dialect: journal.dialect, tables }),
        catch: (cause) =>
          new ProjectionError({
            reason: "Definition",
            projection: id,
            message: `${id} cannot be prepared: ${String(cause)}`,
            cause
          })
      })
      const types = def.eventTypes === undefined ? undefined : new Set<string>(def.eventTypes)
      actives.push({
        def,
        id,
        tables,
        prepared,
        handles: types === undefined ? () => true : (t) => types.has(t)
      })
    }
    return makeRuntime(journal, actives, options.batchSize ?? defaultBatchSize)
  })

const makeRuntime = (
  journal: SqlEventJournal,
  actives: ReadonlyArray<Active>,
  batchSize: number
): Runtime => {
  const reg = registry(journal)
  // Where each projection's last batch committed by this runtime left its checkpoint.
  const committedAt = new Map<Active, EventJournal.LogPosition>()
  const log = Log.make(journal.db, journal.tables, journal.dialect)
  const { executor } = journal
  // PostgreSQL: a batch's statements planned for their values and for the
  // tables as they are. Prepared statements otherwise settle on a generic
  // plan after five runs, chosen while a rebuild's tables were nearly empty
  // (sequential scans), and keep it as the tables grow: the loads and the
  // set-based refreshes then scan whole tables (W6: the server's CPU 37 s
  // instead of 20 for 1,000,000 events).
  const customPlans =
    journal.dialect.name === "postgres"
      ? sql`set local plan_cache_mode = force_custom_plan`.compile(journal.db)
      : undefined

  const onThrow = (thrown: unknown): ProjectionError | Moved =>
    thrown instanceof ProjectionError || thrown instanceof Moved
      ? thrown
      : new ProjectionError({
          reason: "Apply",
          projection: "",
          message: `a projection failed: ${thrown instanceof Error ? thrown.message : String(thrown)}`,
          cause: thrown
        })
  const driverFailure = (doing: string) => (e: DriverError) =>
    Effect.fail(storeError(journal.dialect, journal.tables, doing, e.cause))

  const now = Effect.map(Clock.currentTimeMillis, (ms) => new Date(ms).toISOString())

  /** Runs steps in one transaction, with errors sorted. */
  const inTransaction = <A>(doing: string, steps: () => Steps<A>) =>
    Run.transaction(steps, executor, onThrow).pipe(Effect.catchTag("DriverError", driverFailure(doing)))

  const readCheckpoints = function* (): Steps<Map<string, Checkpoint>> {
    const rows = yield reg.selectCheckpoints
    return new Map(
      rows.map((r) => {
        const c = checkpointOf(r)
        return [idOf(c.name, c.version), c] as const
      })
    )
  }

  const select = (
    only: ReadonlyArray<string> | undefined
  ): Effect.Effect<ReadonlyArray<Active>, ProjectionError> => {
    if (only === undefined) return Effect.succeed(actives)
    const chosen: Array<Active> = []
    for (const o of only) {
      const found = actives.filter((a) => a.id === o || a.def.name === o)
      if (found.length === 0) {
        return Effect.fail(
          new ProjectionError({
            reason: "NotFound",
            projection: o,
            message: `no projection ${o} in this runtime`
          })
        )
      }
      for (const a of found) if (!chosen.includes(a)) chosen.push(a)
    }
    return Effect.succeed(chosen)
  }

  // -- setup --------------------------------------------------------------

  function* setupSteps(group: ReadonlyArray<Active>, at: string): Steps<void> {
    for (const q of reg.create) yield q
    const stored = yield* readCheckpoints()
    const currentRows = yield reg.selectCurrent
    const current = new Set(currentRows.map((r) => String(r.projection)))
    for (const a of group) {
      if (!stored.has(a.id)) {
        for (const q of a.prepared.create) yield q
        yield reg.insert({
          name: a.def.name,
          version: a.def.version,
          state: "building",
          tables: a.tables,
          updatedAt: at
        })
      }
      // Also after a rebuild that stopped before its indexes were made.
      for (const q of a.prepared.indexes ?? []) yield q
    }
    // The highest version given for a name that has none becomes its current one.
    const highest = new Map<string, number>()
    for (const a of group) highest.set(a.def.name, Math.max(highest.get(a.def.name) ?? 0, a.def.version))
    for (const [name, version] of highest) {
      if (!current.has(name)) yield reg.setCurrent(name, version, at)
    }
  }

  const setupGroup = (group: ReadonlyArray<Active>) =>
    Effect.flatMap(now, (at) =>
      inTransaction("cannot set up the projections", () => setupSteps(group, at))
    ).pipe(Effect.catchTag("Moved", (e) => Effect.die(e)))

  // -- catch-up -------------------------------------------------------------

  /**
   * One batch, in one transaction: up to `parts` reads of `size` rows of the
   * log, each part's events handed to the projections as it is read (and
   * let go of before the next), the checkpoints moved once at the end. A
   * projection that can take a batch in parts (the library's read models)
   * folds every part into the same changes and writes them once, when the
   * batch ends: a row that many parts touch is written once per batch.
   */
  function* batchSteps(
    group: ReadonlyArray<Active>,
    size: number,
    parts: number,
    at: string
  ): Steps<{
    readonly read: number
    readonly end: boolean
    readonly advanced: ReadonlyArray<readonly [Active, EventJournal.LogPosition]>
  }> {
    if (reg.lock !== undefined) yield reg.lock
    if (customPlans !== undefined) yield customPlans
    const stored = yield* readCheckpoints()
    const members = group.map((a) => {
      const c = stored.get(a.id)
      if (c === undefined) {
        throw new ProjectionError({ reason: "NotFound", projection: a.id, message: `${a.id} is not set up` })
      }
      // This runtime committed the batch that left the checkpoint here: the
      // rows the projection kept in memory are what its tables hold.
      const committed = committedAt.get(a)
      const batch: Batch = {
        continues: committed !== undefined && EventJournal.compare(committed, c.position) === 0
      }
      return { a, c, batch, inParts: Run.partsOf(a.prepared), applied: false }
    })
    if (members.length === 0) return { read: 0, end: true, advanced: [] }
    let lowest = members[0]!.c.position
    for (const m of members) if (EventJournal.compare(m.c.position, lowest) < 0) lowest = m.c.position
    let last = lowest
    let read = 0
    let end = false
    for (let part = 0; part < parts && !end; part++) {
      const rows = yield log.after(last, size)
      end = rows.length < size
      read += rows.length
      if (rows.length === 0) break
      const partStart = last
      last = Log.position(rows[rows.length - 1]!.transaction_id, rows[rows.length - 1]!.position)
      // Each event is decoded once, for every projection that reads it.
      const decoded = new Array<EventStore.RecordedEvent | undefined>(rows.length)
      for (const m of members) {
        const { a, c } = m
        // A projection behind the others skips nothing; one ahead skips what it has.
        if (EventJournal.compare(c.position, last) >= 0) continue
        const ahead = EventJournal.compare(c.position, partStart) > 0
        const events: Array<EventStore.RecordedEvent> = []
        for (let i = 0; i < rows.length; i++) {
          const row = rows[i]!
          if (!a.handles(row.event_type as string)) continue
          if (ahead && EventJournal.compare(Log.position(row.transaction_id, row.position), c.position) <= 0)
            continue
          let e = decoded[i]
          if (e === undefined) {
            e = decode(a.id, storedOrThrow(a.id, row))
            decoded[i] = e
          }
          events.push(e)
        }
        if (events.length === 0) continue
        if (m.inParts !== undefined) yield* withProjection(a.id, m.inParts.part(events, m.batch))
        else {
          // A later part sees the tables as this projection's own earlier part left them.
          yield* withProjection(a.id, a.prepared.apply(events, m.applied ? { continues: true } : m.batch))
        }
        m.applied = true
      }
    }
    const advanced: Array<readonly [Active, EventJournal.LogPosition]> = []
    for (const m of members) {
      const { a, c } = m
      if (m.applied && m.inParts !== undefined) yield* withProjection(a.id, m.inParts.finish(m.batch))
      const target = max(c.position, last)
      const state: State = end ? "live" : c.state
      if (EventJournal.compare(target, c.position) === 0 && state === c.state) continue
      const moved = yield reg.advance(a.def.name, a.def.version, c.position, target, state, at)
      if (moved.length === 0) throw new Moved()
      advanced.push([a, target])
    }
    return { read, end, advanced }
  }

  const catchUpGroup = (
    group: ReadonlyArray<Active>,
    options: CatchUpOptions,
    parts = 1
  ): Effect.Effect<CatchUpResult, RuntimeError> => {
    const size = Math.max(1, Math.floor(options.batchSize ?? batchSize))
    const maxBatches = options.maxBatches ?? Number.POSITIVE_INFINITY
    const loop = (events: number, batches: number): Effect.Effect<CatchUpResult, RuntimeError> =>
      batches >= maxBatches
        ? Effect.succeed({ events, batches, caughtUp: false })
        : Effect.flatMap(now, (at) =>
            inTransaction("cannot apply a batch", () => batchSteps(group, size, parts, at))
          ).pipe(
            Effect.matchEffect({
              onFailure: (e) => {
                // What the projections kept in memory may hold the rolled-back batch.
                for (const a of group) committedAt.delete(a)
                return e._tag === "Moved" ? loop(events, batches) : Effect.fail(e)
              },
              onSuccess: ({ read, end, advanced }) => {
                for (const [a, target] of advanced) committedAt.set(a, target)
                return end
                  ? Effect.succeed({ events: events + read, batches: batches + 1, caughtUp: true })
                  : // between transactions, a turn for the rest of the program (an interruption, a
                    // signal handler): a synchronous driver would otherwise never give one up
                    Effect.zipRight(Effect.yieldNow(), loop(events + read, batches + 1))
              }
            })
          )
    return loop(0, 0)
  }

  const catchUp = (options: CatchUpOptions = {}) =>
    Effect.flatMap(select(options.only), (group) => catchUpGroup(group, options))

  // -- inline ---------------------------------------------------------------

  function* inlineSteps(appended: ReadonlyArray<EventJournal.StoredEvent>, at: string): Steps<void> {
    if (appended.length === 0) return
    // Several runtimes may hook one journal: each projection applies an append once.
    let done = appliedInline.get(appended)
    if (done === undefined) {
      done = new Set()
      appliedInline.set(appended, done)
    }
    const mine = actives.filter((a) => !done.has(a.id))
    if (mine.length === 0) return
    if (reg.lock !== undefined) yield reg.lock
    const stored = yield* readCheckpoints()
    const first = appended[0]!.position
    const last = appended[appended.length - 1]!.position
    const decoded = new Array<EventStore.RecordedEvent | undefined>(appended.length)
    for (const a of mine) {
      const c = stored.get(a.id)
      // Still building: catch-up brings it to the end, then it is live.
      if (c === undefined || c.state !== "live") continue
      done.add(a.id)
      // Events appended without this projection (another process, or while
      // it was not live) are replayed first, so that the tables skip none.
      if (EventJournal.compare(c.position, first) < 0) {
        let from = c.position
        const gap = yield log.between(from, first)
        while (gap.length > 0) {
          const rows = yield log.committedAfter(from, gapChunk)
          const events: Array<EventStore.RecordedEvent> = []
          let reached = false
          for (const row of rows) {
            const p = Log.position(row.transaction_id, row.position)
            if (EventJournal.compare(p, first) >= 0) {
              reached = true
              break
            }
            from = p
            if (a.handles(row.event_type as string)) events.push(decode(a.id, storedOrThrow(a.id, row)))
          }
          if (events.length > 0) yield* withProjection(a.id, a.prepared.apply(events, fresh))
          if (reached || rows.length < gapChunk) break
        }
      }
      const events: Array<EventStore.RecordedEvent> = []
      for (let i = 0; i < appended.length; i++) {
        const row = appended[i]!
        if (!a.handles(row.eventType)) continue
        let e = decoded[i]
        if (e === undefined) {
          e = decode(a.id, row)
          decoded[i] = e
        }
        events.push(e)
      }
      if (events.length > 0) yield* withProjection(a.id, a.prepared.apply(events, fresh))
      yield reg.raise(a.def.name, a.def.version, last, at)
    }
  }

  const hook = (appended: ReadonlyArray<EventJournal.StoredEvent>, tx: Executor) =>
    Effect.flatMap(now, (at) => Run.runEffect(() => inlineSteps(appended, at), tx, onThrow)).pipe(
      Effect.mapError(
        (e): EventJournal.StoreError =>
          e._tag === "DriverError"
            ? storeError(journal.dialect, journal.tables, "cannot apply the inline projections", e.cause)
            : new EventJournal.StoreError({
                reason: "Unknown",
                message:
                  e._tag === "ProjectionError"
                    ? e.message
                    : "a projection checkpoint moved during the append",
                cause: e
              })
      )
    )

  // -- versions -------------------------------------------------------------

  const activate = (name: string, version: number) =>
    Effect.flatMap(now, (at) =>
      inTransaction("cannot activate a projection", function* () {
        const stored = yield* readCheckpoints()
        const c = stored.get(idOf(name, version))
        if (c === undefined) {
          throw new ProjectionError({
            reason: "NotFound",
            projection: idOf(name, version),
            message: `no projection ${idOf(name, version)} is stored`
          })
        }
        if (c.state !== "live") {
          throw new ProjectionError({
            reason: "NotReady",
            projection: idOf(name, version),
            message: `${idOf(name, version)} is still building: catch it up before activating it`
          })
        }
        yield reg.setCurrent(name, version, at)
      })
    ).pipe(Effect.catchTag("Moved", (e) => Effect.die(e)))

  const drop = (name: string, version: number) =>
    inTransaction("cannot drop a projection", function* () {
      const stored = yield* readCheckpoints()
      const id = idOf(name, version)
      const c = stored.get(id)
      if (c === undefined) {
        throw new ProjectionError({
          reason: "NotFound",
          projection: id,
          message: `no projection ${id} is stored`
        })
      }
      const currentRows = yield reg.selectCurrent
      if (currentRows.some((r) => r.projection === name && Number(r.version) === version)) {
        throw new ProjectionError({
          reason: "InUse",
          projection: id,
          message: `${id} is the current version: activate another version before dropping it`
        })
      }
      for (const t of Object.values(c.tables)) yield reg.dropTable(t)
      yield reg.remove(name, version)
    }).pipe(Effect.catchTag("Moved", (e) => Effect.die(e)))

  const rebuild = (which?: string | ReadonlyArray<string>) =>
    Effect.gen(function* () {
      const named = which === undefined ? undefined : typeof which === "string" ? [which] : which
      const candidates = yield* select(named)
      // On a database never set up, the registry tables come first (idempotent).
      yield* inTransaction("cannot set up the projections", function* () {
        for (const q of reg.create) yield q
      }).pipe(Effect.catchTag("Moved", (e) => Effect.die(e)))
      const currentRows = yield* run(reg.selectCurrent).pipe(
        Effect.catchTag("DriverError", driverFailure("cannot read the projections")),
        Effect.catchTag("Moved", (e) => Effect.die(e))
      )
      const isCurrent = (a: Active) =>
        currentRows.some((r) => r.projection === a.def.name && Number(r.version) === a.def.version)
      // Per name, the version asked for; a name alone (or nothing) means its
      // current version when this runtime has it, else its highest.
      const chosen: Array<Active> = []
      for (const name of new Set(candidates.map((a) => a.def.name))) {
        const versions = candidates.filter((a) => a.def.name === name)
        const explicit = named === undefined ? [] : versions.filter((a) => named.includes(a.id))
        if (explicit.length > 0) chosen.push(...explicit)
        else
          chosen.push(
            versions.find(isCurrent) ?? [...versions].sort((x, y) => y.def.version - x.def.version)[0]!
          )
      }
      yield* setupGroup(chosen)
      const at = yield* now
      yield* inTransaction("cannot rebuild a projection", function* () {
        const stored = yield* readCheckpoints()
        for (const a of chosen) {
          const c = stored.get(a.id)
          const old = c === undefined ? [] : Object.values(c.tables)
          for (const t of new Set([...old, ...Object.values(a.tables)])) yield reg.dropTable(t)
          for (const q of a.prepared.create) yield q
          yield reg.reset(a.def.name, a.def.version, a.tables, at)
        }
      }).pipe(Effect.catchTag("Moved", (e) => Effect.die(e)))
      // One pass over the log for all of them: each event is read and decoded
      // once, in transactions of several batches' worth (see rebuildParts).
      const result = yield* catchUpGroup(chosen, {}, rebuildParts)
      // The indexes come last: building each once beats keeping it up to date row by row.
      yield* inTransaction("cannot index a projection", function* () {
        for (const a of chosen) for (const q of a.prepared.indexes ?? []) yield q
      }).pipe(Effect.catchTag("Moved", (e) => Effect.die(e)))
      return result
    })

  const run = (query: CompiledQuery) =>
    Run.run(
      function* (): Steps<ReadonlyArray<Row>> {
        return yield query
      },
      executor,
      onThrow
    )

  const status = Effect.gen(function* () {
    const rows = yield* run(reg.selectCheckpoints)
    const currentRows = yield* run(reg.selectCurrent)
    return rows.map((r): Status => {
      const c = checkpointOf(r)
      return {
        name: c.name,
        version: c.version,
        checkpoint: c.position,
        state: c.state,
        current: currentRows.some((x) => x.projection === c.name && Number(x.version) === c.version),
        tables: Object.values(c.tables),
        updatedAt: c.updatedAt
      }
    })
  }).pipe(
    Effect.catchTag("DriverError", driverFailure("cannot read the projections")),
    Effect.catchTag("Moved", (e) => Effect.die(e))
  )

  const currentTables = (name: string) =>
    Effect.map(status, (all): Readonly<Record<string, string>> => {
      const s = all.find((x) => x.name === name && x.current)
      if (s === undefined) return {}
      const active = actives.find((a) => a.def.name === name && a.def.version === s.version)
      return active?.tables ?? {}
    })

  const setup = setupGroup(actives)

  const upgrade = Effect.gen(function* () {
    const all = yield* status
    const switched: Array<string> = []
    for (const name of new Set(actives.map((a) => a.def.name))) {
      const current = all.find((s) => s.name === name && s.current)
      if (
        current !== undefined &&
        actives.some((a) => a.def.name === name && a.def.version === current.version)
      )
        continue
      const highest = Math.max(...actives.filter((a) => a.def.name === name).map((a) => a.def.version))
      const target = all.find((s) => s.name === name && s.version === highest)
      if (target === undefined || target.state !== "live") continue
      yield* activate(name, highest)
      switched.push(idOf(name, highest))
    }
    return switched as ReadonlyArray<string>
  })

  // -- workers --------------------------------------------------------------

  const locks = journal.dialect.projectionLocks
  const keyOf = new Map(actives.map((a) => [a, locks?.key(journal.tables, a.id) ?? 0n] as const))

  const owners: Effect.Effect<ReadonlyArray<Owner>, RuntimeError> = locks === undefined
    ? Effect.succeed([])
    : Effect.gen(function* () {
        const rows = yield* run(locks.holders([...keyOf.values()]).compile(journal.db))
        const byKey = new Map([...keyOf].map(([a, key]) => [String(key), a.id] as const))
        return rows
          .flatMap((r): ReadonlyArray<Owner> => {
            const projection = byKey.get(String(r.key))
            return projection === undefined
              ? []
              : [{ projection, instance: String(r.holder), pid: Number(r.pid) }]
          })
          .sort((x, y) => (x.projection < y.projection ? -1 : x.projection > y.projection ? 1 : 0))
      }).pipe(
        Effect.catchTag("DriverError", driverFailure("cannot read the projection owners")),
        Effect.catchTag("Moved", (e) => Effect.die(e))
      )

  /** Whether the log holds committed rows after the lowest checkpoint of these projections. */
  const committedBeyond = (group: ReadonlyArray<Active>) =>
    Run.run(
      function* (): Steps<boolean> {
        const stored = yield* readCheckpoints()
        let lowest: EventJournal.LogPosition | undefined
        for (const a of group) {
          const c = stored.get(a.id)
          if (c !== undefined && (lowest === undefined || EventJournal.compare(c.position, lowest) < 0))
            lowest = c.position
        }
        if (lowest === undefined) return false
        const rows = yield log.committedAfter(lowest, 1)
        return rows.length > 0
      },
      executor,
      onThrow
    ).pipe(
      Effect.catchTag("DriverError", driverFailure("cannot read the projections")),
      Effect.catchTag("Moved", (e) => Effect.die(e))
    )

  const worker = (options: WorkerOptions = {}): Effect.Effect<never, RuntimeError> =>
    Effect.scoped(
      Effect.gen(function* () {
        const poll = Duration.decode(options.pollInterval ?? "1 second")
        const group = yield* select(options.only)
        // One pending wake-up at most: hints that arrive while the worker works are one more pass.
        const wake = yield* Queue.sliding<void>(1)
        if (options.wakeUp !== undefined) {
          const hints = options.wakeUp
          yield* Effect.forkScoped(
            Stream.runForEach(hints, () => Queue.offer(wake, undefined)).pipe(
              // lost (its connection, say): polling carries on, and it listens again
              Effect.catchAllCause(() => Effect.void),
              Effect.zipRight(Effect.sleep(poll)),
              Effect.forever
            )
          )
        }
        // A pass gives the projections it caught up (all of the group, or those it owns).
        const pass: Effect.Effect<ReadonlyArray<Active>, RuntimeError> = locks === undefined
          ? Effect.as(catchUpGroup(group, options), group)
          : yield* ownedPass(locks, group, options)
        // Where writers run concurrently, a pass reads only below the oldest
        // running transaction: rows committed beyond it (the append that
        // sent the wake-up, say) wait for it to end. The worker then looks
        // again soon, backing off up to a second (or its poll interval, if
        // shorter), instead of waiting for a wake-up that already came.
        const horizonBound = journal.dialect.positions._tag === "Generated"
        const shortest = Duration.millis(25)
        const longest = Duration.min(poll, Duration.seconds(1))
        let retry = shortest
        const loop = Effect.gen(function* () {
          yield* Queue.takeAll(wake)
          const caughtUp = yield* pass
          const behind = horizonBound && caughtUp.length > 0 ? yield* committedBeyond(caughtUp) : false
          retry = behind ? Duration.min(longest, Duration.times(retry, 2)) : shortest
          yield* Effect.raceFirst(Queue.take(wake), Effect.sleep(behind ? retry : poll))
        })
        return yield* Effect.forever(loop) as Effect.Effect<never, RuntimeError>
      })
    )

  /**
   * A pass of a worker whose projections have owners: keeps a session (a
   * connection of its own), takes the locks of free projections on it, and
   * catches up the ones it owns.
   */
  const ownedPass = (
    locks: NonNullable<typeof journal.dialect.projectionLocks>,
    group: ReadonlyArray<Active>,
    options: WorkerOptions
  ) =>
    Effect.gen(function* () {
      const limit = Math.max(1, Math.floor(options.maxProjections ?? Number.POSITIVE_INFINITY))
      const owned = new Set<Active>()
      let session: Session | undefined
      const report = () => options.onOwnership?.(group.filter((a) => owned.has(a)).map((a) => a.id))
      const close = Effect.suspend(() => {
        const s = session
        session = undefined
        const had = owned.size > 0
        owned.clear()
        if (had) report()
        return s === undefined ? Effect.void : s.close(locks.unlockAll.compile(journal.db))
      })
      yield* Effect.addFinalizer(() => close)
      const failed = (doing: string) => (e: DriverError) =>
        Effect.zipRight(close, Effect.fail(storeError(journal.dialect, journal.tables, doing, e.cause)))
      // Workers count each other only when they run the same projections
      // (one fair share is meaningless across different sets).
      const members = locks.key(journal.tables, `*workers:${group.map((a) => a.id).join(",")}`)
      const claim = Effect.gen(function* () {
        if (session === undefined) {
          session = yield* openSession(journal.db)
          if (options.instance !== undefined) {
            yield* session.run(locks.nameSession(options.instance).compile(journal.db))
          }
          yield* session.run(locks.join(members).compile(journal.db))
        }
        const s = session
        const before = [...owned]
        // The live workers (this one among them) share the projections out:
        // each owns at most its fair share, and takes more only when the
        // others cannot (they died, or own their share). Also a check that
        // the session, and so every lock it holds, is still there.
        const live = Math.max(1, (yield* s.run(locks.holders([members]).compile(journal.db))).length)
        const share = Math.min(limit, Math.ceil(group.length / live))
        // Beyond its share (a worker joined): gives the last ones up, between batches.
        for (const a of [...group].reverse()) {
          if (owned.size <= share) break
          if (!owned.has(a)) continue
          yield* s.run(locks.unlock(keyOf.get(a)!).compile(journal.db))
          owned.delete(a)
        }
        for (const a of group) {
          if (owned.size >= share) break
          if (owned.has(a)) continue
          const [row] = yield* s.run(locks.tryLock(keyOf.get(a)!).compile(journal.db))
          if (row?.acquired === true || row?.acquired === "t") owned.add(a)
        }
        if (owned.size !== before.length || before.some((a) => !owned.has(a))) report()
      })
      return Effect.gen(function* () {
        // A lost session lost its locks: start again with a new one, once.
        yield* claim.pipe(
          Effect.catchTag("DriverError", () => Effect.zipRight(close, claim)),
          Effect.catchTag("DriverError", failed("cannot take the projections' ownership locks"))
        )
        const mine = group.filter((a) => owned.has(a))
        if (mine.length > 0) yield* catchUpGroup(mine, options)
        return mine
      })
    })

  return {
    journal,
    projections: actives.map((a) => a.def),
    setup,
    catchUp,
    worker,
    owners,
    inline: Effect.gen(function* () {
      yield* setup
      yield* catchUp()
      yield* journal.onAppend(hook)
    }),
    rebuild,
    activate,
    drop,
    status,
    currentTables,
    upgrade
  }
}

// ---------------------------------------------------------------------------
// Sessions: one connection held for a worker's ownership locks
// ---------------------------------------------------------------------------

interface Session {
  readonly run: (query: CompiledQuery) => Effect.Effect<ReadonlyArray<Row>, DriverError>
  /** Runs `last` (ignoring its failure) and gives the connection back. */
  readonly close: (last: CompiledQuery) => Effect.Effect<void>
}

/**
 * Takes one connection of a kysely instance's pool and holds it until
 * `close`. Interrupted while it waits for the connection, it gives the
 * connection back as soon as it gets it.
 */
const openSession = (db: Kysely<any>): Effect.Effect<Session, DriverError> =>
  Effect.async<Session, DriverError>((resume) => {
    let cancelled = false
    let opened = false
    let release: (() => void) | undefined
    const held = db.connection().execute(
      (connection) =>
        new Promise<void>((done) => {
          opened = true
          release = done
          if (cancelled) return done()
          resume(
            Effect.succeed({
              run: (query) =>
                Effect.tryPromise({
                  try: () => connection.executeQuery(query).then((r) => r.rows as ReadonlyArray<Row>),
                  catch: (cause) => new DriverError({ cause })
                }),
              close: (last) =>
                Effect.promise(async () => {
                  await connection.executeQuery(last).catch(() => undefined)
                  done()
                  await held.catch(() => undefined)
                })
            })
          )
        })
    )
    held.catch((cause: unknown) => {
      if (!opened) resume(Effect.fail(new DriverError({ cause })))
    })
    return Effect.sync(() => {
      cancelled = true
      release?.()
    })
  })

/** Tags errors thrown while a projection applies a batch with the projection's id. */
function* withProjection(id: string, steps: Steps<void>): Steps<void> {
  try {
    return yield* steps
  } catch (thrown) {
    if (thrown instanceof DriverError || thrown instanceof ProjectionError || thrown instanceof Moved)
      throw thrown
    throw new ProjectionError({
      reason: "Apply",
      projection: id,
      message: `${id} failed to apply a batch: ${thrown instanceof Error ? thrown.message : String(thrown)}`,
      cause: thrown
    })
  }
}

// ---------------------------------------------------------------------------
// Promise form
// ---------------------------------------------------------------------------

const squash = (cause: Cause.Cause<unknown>): unknown => {
  const failure = Cause.failureOption(cause)
  return Option.isSome(failure) ? failure.value : Cause.squash(cause)
}

const runPromise = async <A, E>(effect: Effect.Effect<A, E>): Promise<A> => {
  const exit = await Effect.runPromiseExit(effect)
  if (Exit.isSuccess(exit)) return exit.value
  throw squash(exit.cause)
}

export const toPromise = (runtime: Runtime): PromiseRuntime => ({
  setup: () => runPromise(runtime.setup),
  catchUp: (options) => runPromise(runtime.catchUp(options)),
  rebuild: (projections) => runPromise(runtime.rebuild(projections)),
  activate: (name, version) => runPromise(runtime.activate(name, version)),
  drop: (name, version) => runPromise(runtime.drop(name, version)),
  status: () => runPromise(runtime.status),
  upgrade: () => runPromise(runtime.upgrade),
  owners: () => runPromise(runtime.owners),
  currentTables: (name) => runPromise(runtime.currentTables(name)),
  startWorker: (options) => {
    const fiber = Effect.runFork(runtime.worker(options))
    const done = Effect.runPromise(Fiber.await(fiber)).then((exit) => {
      if (Exit.isFailure(exit) && !Cause.isInterruptedOnly(exit.cause)) throw squash(exit.cause)
    })
    // a failure nobody awaits is not an unhandled rejection: `stop` reports it too
    done.catch(() => undefined)
    return {
      done,
      stop: async () => {
        await Effect.runPromise(Fiber.interrupt(fiber))
        await done
      }
    }
  }
})

export const makePromise = (
  journal: SqlEventJournal,
  projections: ReadonlyArray<Projection>,
  options?: { readonly batchSize?: number }
): Promise<PromiseRuntime> => runPromise(make(journal, projections, options)).then(toPromise)
