/**
 * Tracing spans are opt-in: with `spans: true`, a command's work (the
 * journal's append included) runs in a `Ledger.execute` span; by default
 * there is none, and the command runs in whatever span the caller has.
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { describe, expect, it } from "vitest"
import { EventJournal, EventStore, Ids, KeyStore, Ledger } from "@mentor-ledger/core"
import { Template } from "@mentor-ledger/core"
import { commandsTo, journey, programmeCommands, toInput } from "./support/fixtures.js"

/** A memory journal that records the name of the span each append runs in. */
const spanRecordingJournal = (spans: Array<string>) =>
  Layer.sync(EventJournal.EventJournal, () => {
    const journal = EventJournal.makeMemory()
    return {
      ...journal,
      append: (batches) =>
        Effect.flatMap(Effect.option(Effect.currentSpan), (span) => {
          spans.push(Option.match(span, { onNone: () => "(none)", onSome: (s) => s.name }))
          return journal.append(batches)
        })
    }
  })

const commands = () => [
  ...programmeCommands(),
  ...commandsTo(journey(Template.headmastersAsMentors), "agreement").map(toInput)
]

const run = (options: Ledger.LedgerOptions, spans: Array<string>) =>
  Effect.gen(function* () {
    const ledger = yield* Ledger.make(options)
    for (const c of commands()) yield* ledger.execute(c as Parameters<typeof ledger.execute>[0])
  }).pipe(
    Effect.provide(
      EventStore.layer.pipe(
        Layer.provideMerge(spanRecordingJournal(spans)),
        Layer.provideMerge(KeyStore.layerMemory),
        Layer.provide(Ids.layerSequential(1_000_000))
      )
    )
  )

describe("Ledger spans", () => {
  it("runs each command in a Ledger.execute span when asked to", async () => {
    const spans: Array<string> = []
    await Effect.runPromise(run({ spans: true }, spans))
    expect(spans.length).toBeGreaterThan(3)
    expect(new Set(spans)).toEqual(new Set(["Ledger.execute"]))
  })

  it("adds no span by default: the command runs in the caller's", async () => {
    const spans: Array<string> = []
    await Effect.runPromise(run({}, spans))
    expect(spans.length).toBeGreaterThan(3)
    expect(new Set(spans)).toEqual(new Set(["(none)"]))
    const inCaller: Array<string> = []
    await Effect.runPromise(Effect.withSpan(run({}, inCaller), "caller"))
    expect(new Set(inCaller)).toEqual(new Set(["caller"]))
  })
})
