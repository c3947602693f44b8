/**
 * The plain Promise API, for apps that do not use Effect.
 *
 * `createLedger` gives the same behaviour as the Effect {@link Ledger}:
 * the same rules, the same stores. Its promises reject with the same typed
 * errors, which are ordinary `Error` subclasses that keep their `_tag`
 * and fields (`RuleViolation` has `rule`, `phase`, `actor`…), so
 * `instanceof` and `switch (error._tag)` both work.
 *
 * @example
 * import { createLedger } from "@mentor-ledger/core"
 * const ledger = createLedger()
 * await ledger.execute({
 *   _tag: "LaunchProgramme",
 *   actor: { personId: coordinatorId, role: "coordinator" },
 *   programmeId,
 *   name: "Headmasters as Mentors 2026",
 *   templates: [Template.headmastersAsMentors]
 * })
 * await ledger.close()
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { CommandInput } from "./Commands.js"
import { EventJournal, layerMemory as journalMemory, type StoreError } from "./EventJournal.js"
import * as EventStore from "./EventStore.js"
import { IdGenerator, layerUuidV7, OrganisationId } from "./Ids.js"
import * as Ledger from "./Ledger.js"
import type * as Mentorship from "./Mentorship.js"
import type * as Programme from "./Programme.js"

/** @since 0.1.0 @category models */
export interface CreateLedgerOptions {
  /**
   * The storage: a layer that provides an {@link EventJournal}, such as
   * `SqliteJournal.layer({ filename })` from `@mentor-ledger/sqlite`.
   * Default: in memory.
   */
  readonly store?: Layer.Layer<EventJournal, StoreError | unknown, never>
  /** The organisation (tenant) used when a call names none. */
  readonly organisation?: string
  /** How many times to decide again after a concurrency conflict (default 3). */
  readonly maxRetries?: number
  /** The id source (default: uuid v7). */
  readonly ids?: Layer.Layer<IdGenerator>
}

/** @since 0.1.0 @category models */
export interface MentorLedger {
  /** Decodes, decides and records a command; rejects with a typed error. */
  readonly execute: (command: CommandInput, options?: Ledger.ExecuteOptions) => Promise<Ledger.Executed>
  /** A mentorship's state, now or as of a point in time. */
  readonly mentorship: (
    id: string,
    options?: Ledger.AsOf & { readonly organisation?: OrganisationId }
  ) => Promise<Ledger.Loaded<Mentorship.State>>
  /** A programme's state. */
  readonly programme: (
    id: string,
    options?: { readonly organisation?: OrganisationId }
  ) => Promise<Ledger.Loaded<Programme.State>>
  /** One stream's recorded events. */
  readonly readStream: (
    stream: EventStore.StreamRef,
    options?: EventStore.ReadStreamOptions
  ) => Promise<ReadonlyArray<EventStore.RecordedEvent>>
  /** The global log, in order, read in bounded batches. */
  readonly readAll: (options?: EventStore.ReadAllOptions) => AsyncIterable<EventStore.RecordedEvent>
  /** The Effect runtime behind this ledger, for mixing both styles. */
  readonly runtime: ManagedRuntime.ManagedRuntime<
    Ledger.Ledger | EventStore.EventStore | EventJournal,
    unknown
  >
  /** Releases the store (closes database files and connections). */
  readonly close: () => Promise<void>
}

/**
 * Creates a ledger with a Promise API.
 * @since 0.1.0
 * @category constructors
 */
export const createLedger = (options: CreateLedgerOptions = {}): MentorLedger => {
  const organisation = OrganisationId.make(options.organisation ?? "default")
  const layer = Ledger.layer({
    organisation,
    ...(options.maxRetries === undefined ? {} : { maxRetries: options.maxRetries })
  }).pipe(
    Layer.provideMerge(EventStore.layer),
    Layer.provideMerge(options.store ?? journalMemory),
    Layer.provide(options.ids ?? layerUuidV7)
  )
  const runtime = ManagedRuntime.make(layer)

  const run = async <A, E>(
    effect: Effect.Effect<A, E, Ledger.Ledger | EventStore.EventStore | EventJournal>
  ) => {
    const exit = await runtime.runPromiseExit(effect)
    if (Exit.isSuccess(exit)) return exit.value
    throw squash(exit.cause)
  }

  return {
    execute: (command, o) => run(Effect.flatMap(Ledger.Ledger, (l) => l.execute(command, o))),
    mentorship: (id, o) => run(Effect.flatMap(Ledger.Ledger, (l) => l.mentorship(id, o))),
    programme: (id, o) => run(Effect.flatMap(Ledger.Ledger, (l) => l.programme(id, o))),
    readStream: (stream, o) => run(Effect.flatMap(EventStore.EventStore, (s) => s.readStream(stream, o))),
    readAll: (o = {}) => ({
      async *[Symbol.asyncIterator]() {
        // One batch per round trip, so typed errors reject like every other call.
        const batchSize = o.batchSize ?? 1000
        let after = o.after
        while (true) {
          const batch = await run(
            Effect.flatMap(EventStore.EventStore, (s) =>
              Stream.runCollect(
                Stream.take(
                  s.readAll({ ...o, batchSize, ...(after === undefined ? {} : { after }) }),
                  batchSize
                )
              )
            )
          )
          for (const event of batch) yield event
          if (batch.length < batchSize) return
          after = Chunk.unsafeLast(batch).position
        }
      }
    }),
    runtime,
    close: () => runtime.dispose()
  }
}

/** The typed failure of a cause, or the defect itself, as an Error. */
const squash = (cause: Cause.Cause<unknown>): unknown => {
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure)) return failure.value
  return Cause.squash(cause)
}
