/**
 * The plain Promise API, for apps that do not use Effect.
 *
 * `createLedger` gives the same behaviour as the Effect {@link Ledger}:
 * the same rules, the same stores. Its promises reject with the same typed
 * errors, which are ordinary `Error` subclasses that keep their `_tag`
 * and fields (`RuleViolation` has `rule`, `phase`, `actor`…), so
 * `instanceof` and `switch (error._tag)` both work.
 *
 * Content is stored sealed. `history(mentorshipId, viewer)` reads a
 * mentorship as a viewer may see it; `erase(personId)` forgets a person.
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
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { CommandInput } from "./Commands.js"
import { EventJournal, layerMemory as journalMemory, StoreError } from "./EventJournal.js"
import type { Event } from "./Events.js"
import * as EventStore from "./EventStore.js"
import { IdGenerator, layerUuidV7, OrganisationId } from "./Ids.js"
import { KeyStore, layerMemory as keysMemory } from "./KeyStore.js"
import * as Ledger from "./Ledger.js"
import type * as Mentorship from "./Mentorship.js"
import type * as Privacy from "./Privacy.js"
import type * as Programme from "./Programme.js"

/** @since 0.1.0 @category models */
export interface CreateLedgerOptions {
  /**
   * The storage: a layer that provides an {@link EventJournal}, such as
   * `SqliteJournal.layer({ filename })` from `@mentor-ledger/sqlite`.
   * Default: in memory.
   */
  readonly store?: Layer.Layer<EventJournal, StoreError | unknown, never>
  /**
   * Where the data keys live: a layer that provides a {@link KeyStore}.
   * Default: the store's own key store when its layer provides one (an
   * adapter's layer does); in memory with the in-memory store. A store
   * without keys and no `keys` fails: keys held in memory would be lost
   * when the process ends, and with them all content. Pass
   * `KeyStore.layerMemory` to accept that (demos, tests).
   */
  readonly keys?: Layer.Layer<KeyStore, StoreError | unknown, never>
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
  /** A mentorship's events as a viewer may see them: content revealed, withheld or erased. */
  readonly history: (
    mentorshipId: string,
    viewer: Ledger.ViewerInput,
    options?: Ledger.AsOf
  ) => Promise<ReadonlyArray<Privacy.Revealed>>
  /** One recorded event (from `readStream` or `readAll`) as a viewer may see it. */
  readonly reveal: <E extends Event>(
    recorded: EventStore.RecordedEvent<E>,
    viewer: Ledger.ViewerInput
  ) => Promise<Privacy.Revealed<E>>
  /** Erases a person's personal data in every mentorship (GDPR); idempotent. */
  readonly erase: (personId: string, options?: Ledger.EraseOptions) => Promise<Ledger.Erasure>
  /** The Effect runtime behind this ledger, for mixing both styles. */
  readonly runtime: ManagedRuntime.ManagedRuntime<
    Ledger.Ledger | EventStore.EventStore | EventJournal | KeyStore,
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
  const storage: Layer.Layer<EventJournal | KeyStore, unknown> = Layer.flatMap(
    options.store ?? journalMemory,
    (context): Layer.Layer<EventJournal | KeyStore, unknown> => {
      const journal = Layer.succeedContext(context)
      if (options.keys !== undefined) return Layer.merge(journal, options.keys)
      const own = Context.getOption(context as unknown as Context.Context<KeyStore>, KeyStore)
      if (Option.isSome(own)) return Layer.merge(journal, Layer.succeed(KeyStore, own.value))
      if (options.store === undefined) return Layer.merge(journal, keysMemory)
      return Layer.fail(
        new StoreError({
          reason: "Unavailable",
          message:
            "this store keeps no keys: give createLedger a `keys` layer (KeyStore.layerMemory keeps them in memory, and loses all content when the process ends)"
        })
      )
    }
  )
  const layer = Ledger.layer({
    organisation,
    ...(options.maxRetries === undefined ? {} : { maxRetries: options.maxRetries })
  }).pipe(
    Layer.provideMerge(EventStore.layer),
    Layer.provideMerge(storage),
    Layer.provide(options.ids ?? layerUuidV7)
  )
  const runtime = ManagedRuntime.make(layer)

  const run = async <A, E>(
    effect: Effect.Effect<A, E, Ledger.Ledger | EventStore.EventStore | EventJournal | KeyStore>
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
    history: (id, viewer, o) => run(Effect.flatMap(Ledger.Ledger, (l) => l.history(id, viewer, o))),
    reveal: (recorded, viewer) => run(Effect.flatMap(Ledger.Ledger, (l) => l.reveal(recorded, viewer))),
    erase: (personId, o) => run(Effect.flatMap(Ledger.Ledger, (l) => l.erase(personId, o))),
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
