import { EventJournal, type KeyStorage } from "@mentor-ledger/core"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import { type CompiledQuery, type Kysely, sql } from "kysely"
import { DriverError, type Executor, fromKysely, type Row } from "../Executor.js"
import type { AppendHook, Options, SqlEventJournal } from "../Journal.js"
import * as Tables from "../Tables.js"
import { bind as bindSlots, slot, template } from "./compiled.js"
import { storeError } from "./errors.js"
import { CorruptRow, columns, decode, selected } from "./eventRow.js"

// ---------------------------------------------------------------------------
// Compiled queries: built with kysely once, with marker values in place of
// parameters, so that each call only binds values in the compiled order.
// ---------------------------------------------------------------------------

const marker = (name: string): string => `\u0000ml:${name}`

interface Prepared<K extends string> {
  readonly query: CompiledQuery
  readonly slots: ReadonlyArray<K>
}

const prepare = <K extends string>(query: CompiledQuery, keys: ReadonlyArray<K>): Prepared<K> => ({
  query,
  slots: query.parameters.map((p) => {
    const key = keys.find((k) => marker(k) === p)
    if (key === undefined) throw new Error(`unexpected parameter ${String(p)} in ${query.sql}`)
    return key
  })
})

const bind = <K extends string>(prepared: Prepared<K>, args: Readonly<Record<K, unknown>>): CompiledQuery => {
  const { slots } = prepared
  const parameters = new Array<unknown>(slots.length)
  for (let i = 0; i < slots.length; i++) parameters[i] = args[slots[i]!]
  return { ...prepared.query, parameters }
}

/** Rows per insert statement: 13 parameters a row stays far below every driver's limit. */
const chunkSize = 100

// ---------------------------------------------------------------------------
// Rows
// ---------------------------------------------------------------------------

// ---------------------------------------------------------------------------
// Append conflicts, resolved after the transaction rolled back
// ---------------------------------------------------------------------------

/** Batch `batch` found its stream at another version (`actual`, when known). */
class VersionConflict extends Data.TaggedError("VersionConflict")<{
  readonly batch: number
  readonly actual: number | undefined
}> {}

/** The event-id key refused a row. */
class IdConflict extends Data.TaggedError("IdConflict")<{}> {}

/** A data key given with the append was not stored: erased subject, or another writer's key. */
class KeyRefused extends Data.TaggedError("KeyRefused")<{
  readonly organisation: string
  readonly subject: string
  readonly erased: boolean
}> {}

type AppendError =
  | EventJournal.StreamVersionMismatch
  | EventJournal.DuplicateEventId
  | EventJournal.KeyNotStored
  | EventJournal.StoreError

type AppendFailure = DriverError | VersionConflict | IdConflict | KeyRefused

const isFailure = (error: unknown): error is AppendFailure =>
  error instanceof DriverError ||
  error instanceof VersionConflict ||
  error instanceof IdConflict ||
  error instanceof KeyRefused

const asFailure = (error: unknown): AppendFailure =>
  isFailure(error) ? error : new DriverError({ cause: error })

// ---------------------------------------------------------------------------
// Steps: a transaction's queries as a generator, run by either driver
// ---------------------------------------------------------------------------

type Steps<A> = Generator<CompiledQuery, A, ReadonlyArray<Row>>

/** Runs the steps synchronously; throws what they throw. */
const runSteps = <A>(steps: Steps<A>, execute: (query: CompiledQuery) => ReadonlyArray<Row>): A => {
  let next = steps.next()
  while (!next.done) {
    let rows: ReadonlyArray<Row>
    try {
      rows = execute(next.value)
    } catch (cause) {
      next = steps.throw(new DriverError({ cause }))
      continue
    }
    next = steps.next(rows)
  }
  return next.value
}

/** Runs the steps as an Effect on a (transaction's) executor. */
const stepEffect = <A>(steps: Steps<A>, tx: Executor): Effect.Effect<A, AppendFailure> => {
  const loop = (advance: () => IteratorResult<CompiledQuery, A>): Effect.Effect<A, AppendFailure> => {
    let next: IteratorResult<CompiledQuery, A>
    try {
      next = advance()
    } catch (error) {
      // a thrown conflict or driver error is a failure; anything else a bug
      return isFailure(error) ? Effect.fail(error) : Effect.die(error)
    }
    if (next.done) return Effect.succeed(next.value)
    return Effect.matchEffect(tx.execute(next.value), {
      onFailure: (error) => loop(() => steps.throw(error)),
      onSuccess: (rows) => loop(() => steps.next(rows))
    })
  }
  return Effect.suspend(() => loop(() => steps.next()))
}

// ---------------------------------------------------------------------------
// The journal
// ---------------------------------------------------------------------------

export const make = (base: Kysely<any>, options: Options): SqlEventJournal => {
  const { dialect } = options
  const tables = Tables.make(options.tablePrefix, options.schema)
  const db = tables.schema === undefined ? base : base.withSchema(tables.schema)
  const executor = options.executor ?? fromKysely(base)
  const { positions, streamLocks } = dialect
  const hooks = new Set<{ readonly hook: AppendHook }>()
  const fail = (doing: string) => (e: DriverError) => Effect.fail(storeError(dialect, tables, doing, e.cause))

  const streamVersionQuery = prepare(
    db
      .selectFrom(tables.events)
      .select(sql<number>`coalesce(max(version), 0)`.as("version"))
      .where("organisation", "=", marker("organisation"))
      .where("stream", "=", marker("stream"))
      .compile(),
    ["organisation", "stream"]
  )

  const lastPositionQuery =
    positions._tag === "Assigned" ? positions.lastPosition(tables).compile(db) : undefined

  const lockQuery =
    streamLocks === undefined
      ? undefined
      : prepare(streamLocks.statement(marker("keys")).compile(db), ["keys"])

  // readStream: one query per combination of the optional bounds
  type StreamKey = "organisation" | "stream" | "from" | "to" | "until"
  const readStreamQueries: ReadonlyArray<Prepared<StreamKey>> = [0, 1, 2, 3].map((variant) => {
    let query = db
      .selectFrom(tables.events)
      .select(selected)
      .where("organisation", "=", marker("organisation"))
      .where("stream", "=", marker("stream"))
      .where("version", ">=", marker("from"))
    if (variant & 1) query = query.where("version", "<=", marker("to"))
    if (variant & 2) query = query.where("recorded_at", "<=", marker("until"))
    return prepare(query.orderBy("version").compile(), ["organisation", "stream", "from", "to", "until"])
  })

  // readAll: strictly after a position, in (transaction, position) order
  type LogKey = "transaction" | "sequence" | "organisation" | "limit"
  const readAllQueries: ReadonlyArray<Prepared<LogKey>> = [false, true].map((byOrganisation) => {
    let query = db
      .selectFrom(tables.events)
      .select(selected)
      .where((eb) =>
        eb(
          eb.refTuple("transaction_id", "position"),
          ">",
          eb.tuple(marker("transaction"), marker("sequence"))
        )
      )
    // concurrent writers: only rows of transactions that have ended
    if (positions._tag === "Generated") query = query.where("transaction_id", "<", positions.horizon)
    if (byOrganisation) query = query.where("organisation", "=", marker("organisation"))
    return prepare(
      query
        .orderBy("transaction_id")
        .orderBy("position")
        .limit(marker("limit") as any)
        .compile(),
      ["transaction", "sequence", "organisation", "limit"]
    )
  })

  // inserts: one compiled statement per row count, made on first use
  const insertColumns = columns.filter((c) => positions._tag === "Assigned" || c !== "position")
  const assigned = positions._tag === "Assigned"
  const width = insertColumns.length
  // slots: for each parameter, its cell (row * width + column); undefined
  // when kysely compiled them in row-major order, as it does
  const insertQueries = new Map<
    number,
    { readonly query: CompiledQuery; readonly slots: Int32Array | undefined; readonly width: number }
  >()
  const insertQuery = (rows: number) => {
    let prepared = insertQueries.get(rows)
    if (prepared === undefined) {
      const values = Array.from({ length: rows }, (_, r) =>
        Object.fromEntries(
          insertColumns.map((c) => [
            c,
            c === "transaction_id" && positions._tag === "Generated"
              ? positions.transactionId
              : marker(`${r}:${c}`)
          ])
        )
      )
      let builder = db.insertInto(tables.events).values(values)
      if (positions._tag === "Generated") builder = builder.returning(["position", "transaction_id"]) as any
      const query = builder.compile()
      const slots = Int32Array.from(query.parameters, (p) => {
        const [r, c] = String(p).slice(marker("").length).split(":")
        return Number(r) * width + insertColumns.indexOf(c as (typeof insertColumns)[number])
      })
      const rowMajor = assigned && slots.every((cell, i) => cell === i)
      prepared = { query, slots: rowMajor ? undefined : slots, width }
      insertQueries.set(rows, prepared)
    }
    return prepared
  }

  // data keys stored with an append (appendWithKeys): only into a new row,
  // or an empty one whose subject was never erased; the row comes back if stored
  const keyInsertQuery = template(
    db
      .insertInto(tables.keys)
      .values({
        organisation: slot(0),
        subject: slot(1),
        material: slot(2),
        wrapping: slot(3),
        created_at: slot(4),
        erased_at: null
      })
      .onConflict((oc) =>
        oc
          .columns(["organisation", "subject"])
          .doUpdateSet({
            material: sql`excluded.material`,
            wrapping: sql`excluded.wrapping`,
            created_at: sql`excluded.created_at`
          })
          .where(`${tables.keys}.material` as any, "is", null)
          .where(`${tables.keys}.erased_at` as any, "is", null)
      )
      .returning(["subject"])
      .compile()
  )
  const keyErasedQuery = template(
    db
      .selectFrom(tables.keys)
      .select(["erased_at"])
      .where("organisation", "=", slot(0))
      .where("subject", "=", slot(1))
      .compile()
  )
  const when = (d: Date) => (dialect.name === "postgres" ? d : d.toISOString())

  const streamVersion =
    (run: (query: CompiledQuery) => Effect.Effect<ReadonlyArray<Row>, DriverError>) =>
    (organisation: string, stream: string) =>
      Effect.map(run(bind(streamVersionQuery, { organisation, stream })), (rows) =>
        Number(rows[0]?.version ?? 0)
      )

  // The append, written once as a sequence of queries: `appendSteps` yields
  // each query and is given its rows back (or, thrown into it, the driver's
  // error). A synchronous driver runs it in one go; any other through Effect.
  function* appendSteps(
    batches: ReadonlyArray<EventJournal.StreamAppend>,
    keepRows: boolean,
    keys: ReadonlyArray<KeyStorage.StoredKey> = []
  ): Steps<{
    readonly results: ReadonlyArray<EventJournal.StreamAppended>
    readonly stored: ReadonlyArray<EventJournal.StoredEvent>
  }> {
    if (lockQuery !== undefined && streamLocks !== undefined) {
      yield bind(lockQuery, { keys: streamLocks.keys(tables, batches) })
    }
    for (const key of keys) {
      const stored = yield bindSlots(keyInsertQuery, [
        key.organisation,
        key.subject,
        Buffer.from(key.material),
        key.wrapping,
        when(key.createdAt)
      ])
      if (stored.length === 0) {
        const rows = yield bindSlots(keyErasedQuery, [key.organisation, key.subject])
        const erasedAt = rows[0]?.erased_at
        throw new KeyRefused({
          organisation: key.organisation,
          subject: key.subject,
          erased: erasedAt !== null && erasedAt !== undefined
        })
      }
    }
    let last = 0
    if (lastPositionQuery !== undefined) {
      const rows = yield lastPositionQuery
      last = Number(rows[0]?.last ?? 0)
    }
    const stored: Array<EventJournal.StoredEvent> = []
    const results = new Array<EventJournal.StreamAppended>(batches.length)
    // an append's events share their recording time: formatted once
    let recorded: Date | undefined
    let recordedText = ""
    for (let b = 0; b < batches.length; b++) {
      const batch = batches[b]!
      const versionRows = yield bind(streamVersionQuery, {
        organisation: batch.organisation,
        stream: batch.stream
      })
      const current = Number(versionRows[0]?.version ?? 0)
      if (batch.expected !== "any" && batch.expected !== current) {
        throw new VersionConflict({ batch: b, actual: current })
      }
      const { events } = batch
      for (let start = 0; start < events.length; start += chunkSize) {
        const count = Math.min(chunkSize, events.length - start)
        const { query, slots, width } = insertQuery(count)
        const cells = new Array<unknown>(count * width)
        for (let i = 0, k = 0; i < count; i++) {
          const e = events[start + i]!
          // in insertColumns order: Assigned leads with position and transaction
          // id (equal); Generated with the transaction id, an SQL expression
          if (assigned) {
            const position = last + start + i + 1
            cells[k++] = position
            cells[k++] = position
          } else {
            cells[k++] = null
          }
          cells[k++] = batch.organisation
          cells[k++] = batch.stream
          cells[k++] = batch.streamType
          cells[k++] = current + start + i + 1
          cells[k++] = e.eventId
          cells[k++] = e.eventType
          cells[k++] = e.schemaVersion
          cells[k++] = e.payload
          cells[k++] = e.metadata
          cells[k++] = e.occurredAt.toISOString()
          if (e.recordedAt !== recorded) {
            recorded = e.recordedAt
            recordedText = recorded.toISOString()
          }
          cells[k++] = recordedText
        }
        const parameters = slots === undefined ? cells : Array.from(slots, (cell) => cells[cell])
        let returned: ReadonlyArray<Row>
        try {
          returned = yield { ...query, parameters }
        } catch (error) {
          if (error instanceof DriverError) {
            const fault = dialect.classify(error.cause, tables)
            if (fault._tag === "UniqueViolation" && fault.key === "eventId") throw new IdConflict()
            if (fault._tag === "UniqueViolation" && fault.key === "streamVersion") {
              throw new VersionConflict({ batch: b, actual: undefined })
            }
          }
          throw error
        }
        if (keepRows) {
          for (let i = 0; i < count; i++) {
            const e = events[start + i]!
            const r = returned[i]
            const sequence = r === undefined ? BigInt(last + start + i + 1) : BigInt(r.position as number)
            stored.push({
              ...e,
              organisation: batch.organisation,
              stream: batch.stream,
              streamType: batch.streamType,
              version: current + start + i + 1,
              position: {
                transaction: r === undefined ? sequence : BigInt(r.transaction_id as number),
                sequence
              }
            })
          }
        }
      }
      last += events.length
      results[b] = {
        organisation: batch.organisation,
        stream: batch.stream,
        firstVersion: current + 1,
        lastVersion: current + events.length
      }
    }
    return { results, stored }
  }

  // One query: synchronously when the driver can, else through Effect.
  const run = (query: CompiledQuery): Effect.Effect<ReadonlyArray<Row>, DriverError> => {
    const { sync } = executor
    if (sync === undefined) return executor.execute(query)
    return Effect.suspend(() => {
      if (!sync.available()) return executor.execute(query)
      try {
        return Effect.succeed(sync.execute(query))
      } catch (cause) {
        return Effect.fail(new DriverError({ cause }))
      }
    })
  }
  const readVersion = streamVersion(run)

  const storedIds = (ids: ReadonlyArray<string>) =>
    Effect.map(findEvents(ids), (rows) => rows.map((r) => r.eventId))

  // The in-memory journal reports a reused event id before a version
  // conflict (a retried append is then idempotent); so does this one.
  const resolveConflict = (
    batches: ReadonlyArray<EventJournal.StreamAppend>,
    conflict: VersionConflict | IdConflict
  ): Effect.Effect<never, AppendError> =>
    Effect.gen(function* () {
      const ids = yield* storedIds(batches.flatMap((b) => b.events.map((e) => e.eventId)))
      if (ids.length > 0 || conflict._tag === "IdConflict") {
        return yield* new EventJournal.DuplicateEventId({ eventIds: ids })
      }
      const batch = batches[conflict.batch]!
      const actual =
        conflict.actual ??
        (yield* readVersion(batch.organisation, batch.stream).pipe(
          Effect.catchTag("DriverError", fail("cannot read a stream version"))
        ))
      return yield* new EventJournal.StreamVersionMismatch({
        organisation: batch.organisation,
        stream: batch.stream,
        expected: batch.expected,
        actual
      })
    })

  const append = (
    batches: ReadonlyArray<EventJournal.StreamAppend>,
    keys: ReadonlyArray<KeyStorage.StoredKey> = []
  ): Effect.Effect<ReadonlyArray<EventJournal.StreamAppended>, AppendError> => {
    if (batches.length === 0) return Effect.succeed([])
    const seen = new Set<string>()
    const repeated: Array<string> = []
    for (const batch of batches) {
      for (const e of batch.events) {
        if (seen.has(e.eventId)) repeated.push(e.eventId)
        seen.add(e.eventId)
      }
    }
    if (repeated.length > 0) return Effect.fail(new EventJournal.DuplicateEventId({ eventIds: repeated }))
    const failed = (error: AppendFailure) =>
      error._tag === "DriverError"
        ? fail("cannot append")(error)
        : error._tag === "KeyRefused"
          ? Effect.fail(
              new EventJournal.KeyNotStored({
                organisation: error.organisation as EventJournal.StreamAppend["organisation"],
                subject: error.subject,
                erased: error.erased
              })
            )
          : resolveConflict(batches, error)
    const { sync } = executor
    // suspended: whether hooks run is decided when the append runs
    const viaEffect = Effect.suspend(() =>
      executor.transaction((tx) => {
        const active = [...hooks]
        return Effect.flatMap(
          stepEffect(appendSteps(batches, active.length > 0, keys), tx),
          ({ results, stored }) =>
            active.length === 0
              ? Effect.succeed(results)
              : Effect.as(
                  Effect.forEach(active, ({ hook }) => hook(stored, tx), { discard: true }),
                  results
                )
        )
      })
    ).pipe(
      Effect.catchIf(
        (e): e is AppendFailure =>
          e._tag === "DriverError" ||
          e._tag === "VersionConflict" ||
          e._tag === "IdConflict" ||
          e._tag === "KeyRefused",
        failed
      )
    )
    if (sync === undefined) return viaEffect
    // Hooks are Effects (perhaps async): appends with hooks go through Effect.
    return Effect.suspend(() => {
      if (hooks.size > 0 || !sync.available()) return viaEffect
      try {
        return Effect.succeed(
          sync.transaction(() => runSteps(appendSteps(batches, false, keys), sync.execute)).results
        )
      } catch (error) {
        return failed(asFailure(error))
      }
    })
  }

  const decodeAll = (rows: ReadonlyArray<Row>) => {
    try {
      const out = new Array<EventJournal.StoredEvent>(rows.length)
      for (let i = 0; i < rows.length; i++) out[i] = decode(rows[i]!)
      return Effect.succeed(out)
    } catch (e) {
      return Effect.fail(
        new EventJournal.StoreError({
          reason: "Corrupt",
          message: e instanceof CorruptRow ? e.message : `a stored row is invalid: ${String(e)}`,
          cause: e
        })
      )
    }
  }

  const findEvents = (eventIds: ReadonlyArray<string>) =>
    Effect.gen(function* () {
      const found = new Map<string, EventJournal.StoredEvent>()
      const unique = [...new Set(eventIds)]
      for (let start = 0; start < unique.length; start += 500) {
        const chunk = unique.slice(start, start + 500)
        const rows = yield* run(
          db.selectFrom(tables.events).select(selected).where("event_id", "in", chunk).compile()
        ).pipe(Effect.catchTag("DriverError", fail("cannot find events")))
        for (const row of yield* decodeAll(rows)) found.set(row.eventId, row)
      }
      return eventIds.flatMap((id) => {
        const row = found.get(id)
        return row === undefined ? [] : [row]
      })
    })

  return {
    db,
    dialect,
    tables,
    executor,
    onAppend: (hook) =>
      Effect.acquireRelease(
        Effect.sync(() => {
          const entry = { hook }
          hooks.add(entry)
          return entry
        }),
        (entry) => Effect.sync(() => hooks.delete(entry))
      ).pipe(Effect.asVoid),
    // without keys, no key can be refused
    append: (batches) =>
      append(batches) as Effect.Effect<
        ReadonlyArray<EventJournal.StreamAppended>,
        Exclude<AppendError, EventJournal.KeyNotStored>
      >,
    appendWithKeys: append,
    readStream: (organisation, stream, options = {}) => {
      const variant =
        (options.toVersion === undefined ? 0 : 1) | (options.recordedUntil === undefined ? 0 : 2)
      const query = bind(readStreamQueries[variant]!, {
        organisation,
        stream,
        from: options.fromVersion ?? 1,
        to: options.toVersion,
        until: options.recordedUntil?.toISOString()
      })
      return run(query).pipe(
        Effect.flatMap(decodeAll),
        Effect.catchTag("DriverError", fail("cannot read a stream"))
      )
    },
    readAll: ({ after, limit, organisation }) => {
      if (limit <= 0) return Effect.succeed([])
      const query = bind(readAllQueries[organisation === undefined ? 0 : 1]!, {
        transaction: after.transaction,
        sequence: after.sequence,
        organisation,
        limit
      })
      return run(query).pipe(
        Effect.flatMap(decodeAll),
        Effect.catchTag("DriverError", fail("cannot read the log"))
      )
    },
    streamVersion: (organisation, stream) =>
      readVersion(organisation, stream).pipe(
        Effect.catchTag("DriverError", fail("cannot read a stream version"))
      ),
    findEvents
  }
}
