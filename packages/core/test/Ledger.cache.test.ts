/**
 * The ledger's state cache: a command on a stream the ledger has seen reads
 * only the events after the version it knows, and decides exactly as a
 * ledger that folds the whole stream every time, also while other ledgers
 * write to the same store.
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  type Commands,
  EventJournal,
  EventStore,
  Ids,
  KeyStore,
  Ledger,
  type Mentorship
} from "@mentor-ledger/core"
import { Histories } from "@mentor-ledger/testing"

/** A journal that records the `fromVersion` of every read of a mentorship stream. */
const recordingJournal = (reads: Array<number>): Layer.Layer<EventJournal.EventJournal> =>
  Layer.sync(EventJournal.EventJournal, () => {
    const journal = EventJournal.makeMemory()
    return {
      ...journal,
      readStream: (organisation, stream, options = {}) => {
        if (stream.startsWith("mentorship-")) reads.push(options.fromVersion ?? 1)
        return journal.readStream(organisation, stream, options)
      }
    }
  })

/** One store, and on it the ledgers of three app instances: two cached, one not. */
const threeLedgers = (reads: Array<number> = []) =>
  Effect.gen(function* () {
    const a = yield* Ledger.make()
    const b = yield* Ledger.make()
    const uncached = yield* Ledger.make({ stateCacheSize: 0 })
    return { a, b, uncached }
  }).pipe(
    Effect.provide(
      EventStore.layer.pipe(
        Layer.provideMerge(recordingJournal(reads)),
        Layer.provideMerge(KeyStore.layerMemory),
        Layer.provide(Ids.layerSequential(1_000_000))
      )
    )
  )

const setUp = (ledger: Ledger.LedgerService, scenario: Histories.Scenario) =>
  Effect.forEach(scenario.setup, (c) => ledger.execute(c as Commands.CommandInput), { discard: true })

const mentorshipOf = (scenario: Histories.Scenario): string => {
  const first = scenario.steps[0]?.command as Mentorship.Command | undefined
  return first === undefined ? "" : first.mentorshipId
}

describe("Ledger state cache", () => {
  /**
   * Two cached ledgers on one store run a scenario's commands, picked at
   * random; each outcome must be the one the scenario expects, and both end
   * with the state an uncached ledger folds. With `readBetween`, the chosen
   * ledger's state is read (and checked) before each command; without, its
   * cache falls behind unseen whenever the other one writes.
   */
  const twoLedgersDecideAlike = (readBetween: boolean) =>
    fc.assert(
      fc.asyncProperty(
        Histories.scenario({ refusals: true, maxSteps: 40 }),
        fc.infiniteStream(fc.boolean()),
        async (scenario, pick) => {
          const program = Effect.gen(function* () {
            const { a, b, uncached } = yield* threeLedgers()
            yield* setUp(a, scenario)
            const id = mentorshipOf(scenario)
            const choices = pick[Symbol.iterator]()
            for (const step of scenario.steps) {
              const ledger = choices.next().value ? a : b
              // the cached ledger sees the state a whole fold gives, at the same version
              if (readBetween) expect(yield* ledger.mentorship(id)).toEqual(yield* uncached.mentorship(id))
              const result = yield* Effect.either(ledger.execute(Histories.toInput(step.command)))
              if (step.expected._tag === "Accepted") {
                expect(Either.isRight(result)).toBe(true)
                // a stale cache costs a decision, never a retry of the caller's budget
                if (Either.isRight(result)) expect(result.right.retries).toBe(0)
              } else {
                expect(Either.isLeft(result) && result.left._tag === "RuleViolation").toBe(true)
                if (Either.isLeft(result) && result.left._tag === "RuleViolation")
                  expect(result.left.rule).toBe(step.expected.rule)
              }
            }
            const end = yield* uncached.mentorship(id)
            expect(yield* a.mentorship(id)).toEqual(end)
            expect(yield* b.mentorship(id)).toEqual(end)
          })
          await Effect.runPromise(program)
        }
      ),
      { numRuns: 25 }
    )

  it("decides like a ledger without cache, whichever of two ledgers on one store runs each command", () =>
    twoLedgersDecideAlike(true))

  it("decides like a ledger without cache when two ledgers overtake each other's cached states unseen", () =>
    twoLedgersDecideAlike(false))

  it("decides an accepted command on its cached state without reading, and reads only after the version it knows otherwise", async () => {
    const reads: Array<number> = []
    const scenarios = fc.sample(Histories.scenario({ refusals: true, maxSteps: 24 }), { numRuns: 8, seed: 7 })
    let unread = 0
    let refused = 0
    for (const scenario of scenarios) {
      const program = Effect.gen(function* () {
        const { a } = yield* threeLedgers(reads)
        yield* setUp(a, scenario)
        const id = mentorshipOf(scenario)
        let version = (yield* a.mentorship(id)).version
        for (const step of scenario.steps) {
          reads.length = 0
          const result = yield* Effect.either(a.execute(Histories.toInput(step.command)))
          if (Either.isRight(result) && version > 0) {
            // the state it decided on was its own latest: nothing to read
            expect(reads).toEqual([])
            unread++
          } else if (version > 0 && (step.command as { mentorshipId?: string }).mentorshipId === id) {
            // a refusal is confirmed on the log, read from just after what the ledger knew
            expect(reads.filter((from) => from !== 1)).toEqual([version + 1])
            refused++
          }
          version = (yield* a.mentorship(id)).version
        }
      })
      await Effect.runPromise(program)
    }
    expect(unread).toBeGreaterThan(0)
    expect(refused).toBeGreaterThan(0)
  })

  it("sees what another ledger appended since, and refuses on it", async () => {
    const scenario = fc.sample(Histories.scenario({ maxSteps: 30 }), { numRuns: 1, seed: 11 })[0]!
    const program = Effect.gen(function* () {
      const { a, b } = yield* threeLedgers()
      yield* setUp(a, scenario)
      const id = mentorshipOf(scenario)
      const [first, ...rest] = scenario.steps
      yield* a.execute(Histories.toInput(first!.command))
      const before = yield* a.mentorship(id)
      // b records the rest of the story; a's cache still holds the first version
      for (const step of rest) yield* Effect.either(b.execute(Histories.toInput(step.command)))
      const after = yield* b.mentorship(id)
      expect(yield* a.mentorship(id)).toEqual(after)
      // a replays the first command: decided on the current state, not the cached one
      const again = yield* Effect.either(a.execute(Histories.toInput(first!.command)))
      expect(Either.isLeft(again)).toBe(true)
      expect(before.version).toBeLessThanOrEqual(after.version)
    })
    await Effect.runPromise(program)
  })

  it("time travel reads the stream as it was, around the cache", async () => {
    const scenario = fc.sample(Histories.scenario({ maxSteps: 20 }), { numRuns: 1, seed: 3 })[0]!
    const program = Effect.gen(function* () {
      const { a, uncached } = yield* threeLedgers()
      yield* setUp(a, scenario)
      const id = mentorshipOf(scenario)
      for (const step of scenario.steps) yield* Effect.either(a.execute(Histories.toInput(step.command)))
      const until = scenario.steps[Math.floor(scenario.steps.length / 2)]!.command.occurredAt
      expect(yield* a.mentorship(id, { occurredUntil: until })).toEqual(
        yield* uncached.mentorship(id, { occurredUntil: until })
      )
      expect(yield* a.mentorship(id)).toEqual(yield* uncached.mentorship(id))
    })
    await Effect.runPromise(program)
  })
})
