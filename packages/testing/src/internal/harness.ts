import { EventJournal, EventStore, Ids, KeyStore } from "@mentor-ledger/core"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"

/** Makes a fresh journal for every test. */
export type JournalFactory = () => Layer.Layer<EventJournal.EventJournal, unknown>

/** What a conformance test runs with (keys in memory: the suite tests the journal). */
export type Services = EventStore.EventStore | EventJournal.EventJournal | KeyStore.KeyStore

/**
 * A clock the test sets by hand: `recordedAt` is what the test says. Only
 * the time is fixed; `sleep` still waits in real time, so an adapter's
 * timeouts and retries keep working (a TestClock would freeze them).
 */
export interface ManualClock {
  readonly clock: Clock.Clock
  readonly set: (at: Date) => void
  readonly advance: (millis: number) => void
  readonly now: () => Date
}

export const makeClock = (start: Date): ManualClock => {
  let now = start.getTime()
  const live = Clock.make()
  const clock: Clock.Clock = {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: () => now,
    currentTimeMillis: Effect.sync(() => now),
    unsafeCurrentTimeNanos: () => BigInt(now) * 1_000_000n,
    currentTimeNanos: Effect.sync(() => BigInt(now) * 1_000_000n),
    sleep: (duration) => live.sleep(duration)
  }
  return {
    clock,
    set: (at) => {
      now = at.getTime()
    },
    advance: (millis) => {
      now += millis
    },
    now: () => new Date(now)
  }
}

/** The time every test starts at. */
export const startTime = new Date("2025-03-03T08:00:00.000Z")

/** Changes what a journal does, e.g. to observe its calls or to add a yield point. */
export type JournalWrapper = (journal: EventJournal.EventJournalService) => EventJournal.EventJournalService

/**
 * The core event store on a fresh journal from the factory (optionally
 * wrapped), with in-memory keys and deterministic ids.
 */
export const storeLayer = (
  makeJournal: JournalFactory,
  wrap?: JournalWrapper
): Layer.Layer<Services, unknown> => {
  const journal =
    wrap === undefined
      ? makeJournal()
      : Layer.effect(EventJournal.EventJournal, Effect.map(EventJournal.EventJournal, wrap)).pipe(
          Layer.provide(makeJournal())
        )
  return EventStore.layer.pipe(
    Layer.provideMerge(journal),
    Layer.provideMerge(KeyStore.layerMemory),
    Layer.provide(Ids.layerSequential())
  )
}

// A failed test effect rethrows what failed (an assertion error keeps its
// diff, a store error its fields) instead of a wrapped FiberFailure.
const unwrap = <A, E>(exit: Exit.Exit<A, E>): A => {
  if (Exit.isSuccess(exit)) return exit.value
  throw Cause.squash(exit.cause)
}

/**
 * A test body as an Effect, run on a fresh store that is closed when it
 * ends (the layer's scope closes the journal).
 */
export const scenario =
  (
    makeJournal: JournalFactory,
    body: (clock: ManualClock) => Effect.Effect<void, unknown, Services>,
    wrap?: JournalWrapper
  ) =>
  async (): Promise<void> => {
    const clock = makeClock(startTime)
    const exit = await Effect.runPromiseExit(
      body(clock).pipe(Effect.provide(storeLayer(makeJournal, wrap)), Effect.withClock(clock.clock))
    )
    unwrap(exit)
  }

/** A store kept for a whole property (many runs), for effects run from Promise code. */
export interface StoreRuntime {
  readonly clock: ManualClock
  readonly run: <A, E>(effect: Effect.Effect<A, E, Services>) => Promise<A>
  readonly either: <A, E>(effect: Effect.Effect<A, E, Services>) => Promise<Either.Either<A, E>>
}

/** Runs `f` with a fresh store, and closes the store when `f` ends. */
export const withStore = async (
  makeJournal: JournalFactory,
  f: (store: StoreRuntime) => Promise<void>
): Promise<void> => {
  const clock = makeClock(startTime)
  const runtime = ManagedRuntime.make(storeLayer(makeJournal))
  const run = <A, E>(effect: Effect.Effect<A, E, Services>) =>
    runtime.runPromiseExit(Effect.withClock(effect, clock.clock)).then(unwrap)
  try {
    await f({ clock, run, either: (effect) => run(Effect.either(effect)) })
  } finally {
    await runtime.dispose()
  }
}
