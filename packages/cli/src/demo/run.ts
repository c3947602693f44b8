/**
 * Plays the demo plan through the ledger: every step is a real command,
 * decided by the aggregates and refused if it broke a rule, recorded at its
 * planned time by a simulated clock (the event store stamps `recordedAt`
 * from Effect's `Clock`).
 *
 * @since 0.1.0
 */
import { Ledger } from "@mentor-ledger/core"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type { Plan } from "./plan.js"

/** A clock that reads the time from `now` (the step being played). @since 0.1.0 @category clock */
export const simulatedClock = (now: () => number): Clock.Clock => {
  const base = Clock.make()
  return {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: now,
    unsafeCurrentTimeNanos: () => BigInt(now()) * 1_000_000n,
    currentTimeMillis: Effect.sync(now),
    currentTimeNanos: Effect.sync(() => BigInt(now()) * 1_000_000n),
    sleep: (duration) => base.sleep(duration)
  }
}

/** What playing the plan did. @since 0.1.0 @category models */
export interface Played {
  readonly commands: number
  readonly erasedIn: number
}

/**
 * Plays every step, in order; an erasure at the end.
 * @since 0.1.0
 * @category play
 */
export const play = (plan: Plan, onStep: (done: number, total: number) => void = () => {}) =>
  Effect.gen(function* () {
    const ledger = yield* Ledger.Ledger
    let now = 0
    const clock = simulatedClock(() => now)
    // The pool's free capacity, to match mentors who can take one more mentorship.
    const free = new Map<string, number>()
    const pools = new Map<string, ReadonlyArray<string>>()
    for (const p of plan.programmes) {
      const trained = p.mentors.filter((m) => m.trained)
      for (const m of trained) free.set(m.id, m.capacity)
      pools.set(
        p.id,
        trained.map((m) => m.id)
      )
    }
    let done = 0
    for (const step of plan.steps) {
      now = step.recordedAt.getTime()
      const ctx = step.mentorship >= 0 ? plan.mentorships[step.mentorship]!.context : undefined
      if (step.kind === "match" && ctx !== undefined) {
        const pool = [...(pools.get(ctx.programmeId) ?? [])]
        // Most free capacity first; the pool's order breaks ties (deterministic).
        pool.sort((a, b) => (free.get(b) ?? 0) - (free.get(a) ?? 0))
        ctx.mentorIds = pool.slice(0, ctx.mentorCount)
        for (const m of ctx.mentorIds) free.set(m, (free.get(m) ?? 0) - 1)
      }
      yield* ledger.execute(step.command(ctx)).pipe(Effect.withClock(clock))
      if (step.kind === "release" && ctx !== undefined)
        for (const m of ctx.mentorIds) free.set(m, (free.get(m) ?? 0) + 1)
      done++
      if (done % 50 === 0) onStep(done, plan.steps.length)
    }
    let erasedIn = 0
    if (plan.erased !== undefined) {
      const last = plan.steps[plan.steps.length - 1]!.recordedAt.getTime()
      now = last + 60_000
      const erasure = yield* ledger
        .erase(plan.erased, { occurredAt: new Date(now) })
        .pipe(Effect.withClock(clock))
      erasedIn = erasure.recordedIn.length
    }
    onStep(plan.steps.length, plan.steps.length)
    return { commands: done, erasedIn } satisfies Played
  })
