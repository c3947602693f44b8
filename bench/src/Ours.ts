/**
 * Ours, on either database: the workloads written once against the core's
 * event store and ledger (and the SQL projection runtime for W6). Each
 * database's module gives only its layer: `@mentor-ledger/sqlite`'s on a
 * file, `@mentor-ledger/postgres`'s on a schema.
 *
 * Each workload runs as one Effect program that calls the store (or the
 * ledger) once per operation, as an application does.
 */
import { type Commands, EventStore, type Events, type Ids, Ledger } from "@mentor-ledger/core"
import { Executor, Journal, Projection, ReadModels } from "@mentor-ledger/sql"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Stream from "effect/Stream"
type Row = Executor.Row
import { hotEvent, mentorshipId } from "./Fixtures.js"
import type { Recorded } from "./Mentorships.js"
import type { Session } from "./Subject.js"

/** What a database's layer must provide: the event store, its SQL journal, and a ledger on top. */
export type StoreLayer = Layer.Layer<EventStore.EventStore | Journal.SqlJournal | Ledger.Ledger, unknown>

export const ref = (n: number): EventStore.StreamRef => EventStore.mentorshipStream(mentorshipId(n))

/** The ledger on a database's store layer, as an application builds it. */
export const withLedger = <R>(
  store: Layer.Layer<EventStore.EventStore | Journal.SqlJournal | R, unknown>
): StoreLayer => Ledger.layer().pipe(Layer.provideMerge(store)) as StoreLayer

/** Appends, counting what it appended: the body of W1, W2 and W7's writers. */
const appendStreams = (
  store: EventStore.EventStoreService,
  histories: ReadonlyArray<ReadonlyArray<Events.Event>>,
  streamOf: (n: number) => EventStore.StreamRef = ref
) =>
  Effect.gen(function* () {
    let events = 0
    for (let n = 0; n < histories.length; n++) {
      yield* store.append(streamOf(n), histories[n]!, { expected: EventStore.noStream })
      events += histories[n]!.length
    }
    return events
  })

/** Opens a session of ours on a database's layer (opening and migrating happen here, untimed). */
export const open = async (layer: StoreLayer, again?: () => StoreLayer): Promise<Session> => {
  const runtime = ManagedRuntime.make(layer)
  const { store, ledger, journal } = await runtime.runPromise(
    Effect.all({ store: EventStore.EventStore, ledger: Ledger.Ledger, journal: Journal.SqlJournal })
  )
  return {
    appendStreams: (histories, from = 0) =>
      runtime.runPromise(appendStreams(store, histories, (n) => ref(from + n))),
    appendOneByOne: (histories, from = 0) =>
      runtime.runPromise(
        Effect.gen(function* () {
          let events = 0
          const rounds = histories[0]?.length ?? 0
          for (let v = 0; v < rounds; v++) {
            for (let n = 0; n < histories.length; n++) {
              yield* store.append(ref(from + n), [histories[n]![v]!], { expected: EventStore.exact(v) })
              events++
            }
          }
          return events
        })
      ),
    readAll: () => runtime.runPromise(Stream.runFold(store.readAll(), 0, (n) => n + 1)),
    loadStreams: (mentorships) =>
      runtime.runPromise(
        Effect.gen(function* () {
          let events = 0
          for (const n of mentorships) events += (yield* store.readStream(ref(n))).length
          return events
        })
      ),
    executeCommands: (commands) =>
      runtime.runPromise(
        Effect.gen(function* () {
          for (const command of commands) yield* ledger.execute(command as Commands.CommandInput)
          return commands.length
        })
      ),
    rebuild: (observe) =>
      runtime.runPromise(
        Effect.gen(function* () {
          const projections = yield* Projection.make(metered(journal, observe), ReadModels.projections)
          return (yield* projections.rebuild()).events
        })
      ),
    ...(again === undefined
      ? {}
      : {
          concurrent: async (writers, plan) => {
            // each writer is an application instance: its own layer, its own connection pool
            const runtimes = Array.from({ length: writers }, () => ManagedRuntime.make(again()))
            const stores = await Promise.all(runtimes.map((r) => r.runPromise(EventStore.EventStore)))
            try {
              return await plan(
                stores.map((s, w) =>
                  oursWriter(s, (effect) => runtimes[w]!.runPromise(effect as Effect.Effect<never>))
                )
              )
            } finally {
              await Promise.all(runtimes.map((r) => r.dispose()))
            }
          },
          readHotStream: async () =>
            (await runtime.runPromise(store.readStream(hotStream))).map((e) => ({
              version: e.version,
              mark: (e.event as Events.ObservationRecorded).observationId
            }))
        }),
    close: () => runtime.dispose()
  }
}

/**
 * The journal with an executor that counts the log rows the projection
 * runtime reads and tells `observe` after every query: how W6 follows its
 * rebuild (which, on SQLite, never yields to the event loop until it ends).
 * The queries themselves are the runtime's, unchanged.
 */
const metered = (
  journal: Journal.SqlEventJournal,
  observe: (events: number) => void
): Journal.SqlEventJournal => {
  let events = 0
  const seen = (rows: ReadonlyArray<Row>) => {
    if (rows.length > 0 && "event_type" in rows[0]! && "payload" in rows[0]!) events += rows.length
    observe(events)
    return rows
  }
  const wrap = (executor: Executor.Executor): Executor.Executor => {
    const { sync } = executor
    return {
      execute: (query) => Effect.map(executor.execute(query), seen),
      transaction: (use) => executor.transaction((tx) => use(wrap(tx))),
      ...(sync === undefined
        ? {}
        : {
            sync: {
              available: sync.available,
              execute: (query) => seen(sync.execute(query)),
              transaction: sync.transaction
            }
          })
    }
  }
  return { ...journal, executor: wrap(journal.executor) }
}

/** The one stream W7h's writers race on. */
export const hotStream = EventStore.mentorshipStream(mentorshipId(9_999_999))

/** One W7 writer of ours: its own store (and pool); a conflict says the stream's actual version. */
const oursWriter = (
  store: EventStore.EventStoreService,
  run: <A>(effect: Effect.Effect<A, unknown>) => Promise<A>
): Writer => ({
  appendStreams: (histories, first) => run(appendStreams(store, histories, (n) => ref(first + n))),
  appendHot: (writer, k, expected) =>
    run(
      store.append(hotStream, [hotEvent(writer, k)], { expected: EventStore.exact(expected) }).pipe(
        Effect.as({ _tag: "Appended" as const }),
        Effect.catchTag("ConcurrencyConflict", (e) =>
          Effect.succeed({ _tag: "Conflict" as const, actual: e.actual })
        )
      )
    )
})

/** One of W7's concurrent writers, on its own connection. */
export interface Writer {
  /** Appends each history to a new stream (numbers from `first`), one call each; returns the events. */
  readonly appendStreams: (
    histories: ReadonlyArray<ReadonlyArray<Events.Event>>,
    first: number
  ) => Promise<number>
  /** Appends event `k` of `writer` to the hot stream, expecting `expected`. */
  readonly appendHot: (
    writer: number,
    k: number,
    expected: number
  ) => Promise<{ readonly _tag: "Appended" } | { readonly _tag: "Conflict"; readonly actual: number }>
}

/** The W3/W4 log: each round of `order`'s streams in bounded transactions of 1,000 appends. */
export const prepareLog = (
  layer: StoreLayer,
  histories: ReadonlyArray<ReadonlyArray<Events.Event>>,
  order: ReadonlyArray<number>
) =>
  Effect.gen(function* () {
    const store = yield* EventStore.EventStore
    const rounds = histories[0]?.length ?? 0
    for (let v = 0; v < rounds; v++) {
      const requests = order.map((n) => ({
        stream: ref(n),
        events: [histories[n]![v]!],
        expected: EventStore.exact(v)
      }))
      for (let i = 0; i < requests.length; i += 1000) yield* store.appendMany(requests.slice(i, i + 1000))
    }
  }).pipe(Effect.provide(layer), Effect.runPromise)

/** The W5 database: mentorships in their meetings phase, 500 streams per transaction. */
export const prepareMeetings = (layer: StoreLayer, histories: ReadonlyArray<ReadonlyArray<Events.Event>>) =>
  Effect.gen(function* () {
    const store = yield* EventStore.EventStore
    for (let i = 0; i < histories.length; i += 500) {
      yield* store.appendMany(
        histories.slice(i, i + 500).map((events) => ({
          stream: EventStore.mentorshipStream((events[0] as Events.MentoringRequested).mentorshipId),
          events,
          expected: EventStore.noStream
        }))
      )
    }
  }).pipe(Effect.provide(layer), Effect.runPromise)

/** The stream of a recorded event of W6's histories. */
const streamOfRecorded = (r: Recorded): EventStore.StreamRef => {
  const e = r.event as { readonly mentorshipId?: Ids.MentorshipId; readonly programmeId?: Ids.ProgrammeId }
  return r.stream === "mentorship"
    ? EventStore.mentorshipStream(e.mentorshipId!)
    : EventStore.programmeStream(e.programmeId!)
}

/**
 * The W6 log, chunk by chunk, through our own store (so the rows are what
 * ours writes: encoded, content sealed). Each chunk is one transaction;
 * a stream's consecutive events in it go in one request.
 */
export const prepareHistories = (layer: StoreLayer, chunks: Iterable<ReadonlyArray<Recorded>>) =>
  Effect.gen(function* () {
    const store = yield* EventStore.EventStore
    const versions = new Map<string, number>()
    for (const chunk of chunks) {
      const requests: Array<{ stream: EventStore.StreamRef; events: Array<Events.Event>; expected: number }> =
        []
      const byStream = new Map<string, (typeof requests)[number]>()
      for (const r of chunk) {
        const stream = streamOfRecorded(r)
        const key = `${stream.type}/${stream.id}`
        let request = byStream.get(key)
        if (request === undefined) {
          request = { stream, events: [], expected: versions.get(key) ?? 0 }
          byStream.set(key, request)
          requests.push(request)
        }
        request.events.push(r.event)
      }
      yield* store.appendMany(
        requests.map((q) => ({
          stream: q.stream,
          events: q.events,
          expected: q.expected === 0 ? EventStore.noStream : EventStore.exact(q.expected)
        }))
      )
      for (const [key, q] of byStream) versions.set(key, q.expected + q.events.length)
    }
    // the read models set up (empty, at the start of the log), as an application that opened them has them
    const projections = yield* Projection.make(yield* Journal.SqlJournal, ReadModels.projections)
    yield* projections.setup
  }).pipe(Effect.provide(layer), Effect.runPromise)
