/**
 * A clock for playing a school term in milliseconds.
 *
 * mentor-ledger takes "now" from Effect's `Clock` service: when a command
 * gives no `occurredAt`, the ledger stamps it with `Clock.currentTimeMillis`.
 * In production that is the default clock. This program replaces it with a
 * calendar that starts on a given morning and moves forward only when the
 * program sleeps: `Effect.sleep("14 days")` returns at once, two weeks
 * later. Every date it records is then the same on every run.
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/** A clock that starts at `start` and advances by exactly what is slept. */
export const make = (start: Date): Clock.Clock => {
  let now = start.getTime()
  return {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: () => now,
    currentTimeMillis: Effect.sync(() => now),
    unsafeCurrentTimeNanos: () => BigInt(now) * 1_000_000n,
    currentTimeNanos: Effect.sync(() => BigInt(now) * 1_000_000n),
    sleep: (duration) =>
      Effect.sync(() => {
        now += Duration.toMillis(duration)
      })
  }
}

/** Provides the calendar as the program's `Clock`. */
export const layer = (start: Date): Layer.Layer<never> => Layer.setClock(make(start))

/** Today's date on the clock in use, as YYYY-MM-DD. */
export const today: Effect.Effect<string> = Effect.map(Clock.currentTimeMillis, (ms) =>
  new Date(ms).toISOString().slice(0, 10)
)
