/**
 * A reference model of a store's streams, for model-based tests with
 * `fc.commands` (fast-check's `examples/004-stateMachine`): the model says
 * which appends succeed and where events land, the store must agree.
 */
import { EventJournal, EventStore, Ids } from "@mentor-ledger/core"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import * as fc from "fast-check"
import { expect } from "vitest"
import * as Fixtures from "./fixtures.js"
import type { StoreRuntime } from "./harness.js"

/** How an append states its expected version; `offset` is added to the stream's version (0: right). */
export type Expectation =
  | { readonly kind: "any" }
  | { readonly kind: "noStream" }
  | { readonly kind: "streamExists" }
  | { readonly kind: "exact"; readonly offset: number }

/** One stream's part of an append: which stream, how many events, which expectation. */
export interface Target {
  readonly stream: number
  readonly count: number
  readonly expectation: Expectation
}

export interface Model {
  /** The event ids of each stream, in version order. */
  readonly streams: Array<Array<string>>
  /** Every event id in global order. */
  readonly log: Array<string>
  /** Every successful append, for retries. */
  readonly appended: Array<{
    readonly requests: ReadonlyArray<EventStore.AppendRequest>
    readonly results: ReadonlyArray<EventStore.AppendResult>
  }>
}

export interface Real {
  readonly store: StoreRuntime
  readonly organisation: Ids.OrganisationId
  readonly nextEventId: () => string
}

export const streamCount = 3

export const emptyModel = (): Model => ({
  streams: Array.from({ length: streamCount }, () => []),
  log: [],
  appended: []
})

const expectedOf = (e: Expectation, version: number): EventStore.ExpectedVersion => {
  switch (e.kind) {
    case "any":
      return EventStore.any
    case "noStream":
      return EventStore.noStream
    case "streamExists":
      return EventStore.streamExists
    case "exact":
      return EventStore.exact(Math.max(0, version + e.offset))
  }
}

const accepts = (e: Expectation, version: number): boolean => {
  switch (e.kind) {
    case "any":
      return true
    case "noStream":
      return version === 0
    case "streamExists":
      return version > 0
    case "exact":
      return Math.max(0, version + e.offset) === version
  }
}

const describe = (e: Expectation): string =>
  e.kind === "exact"
    ? `exact(version${e.offset === 0 ? "" : e.offset > 0 ? `+${e.offset}` : e.offset})`
    : e.kind

const store = EventStore.EventStore

/** Appends to one stream, or atomically to several. */
export class AppendCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly targets: ReadonlyArray<Target>) {}
  check = () => true
  async run(m: Model, r: Real): Promise<void> {
    const versions = this.targets.map((t) => m.streams[t.stream]!.length)
    const requests: Array<EventStore.AppendRequest> = this.targets.map((t, i) => ({
      stream: Fixtures.mentorship(t.stream, r.organisation),
      events: Array.from({ length: t.count }, (_, j) => ({
        eventId: r.nextEventId(),
        event: Fixtures.meetingCancelled(j)
      })),
      expected: expectedOf(t.expectation, versions[i]!)
    }))
    const outcome = await r.store.either(Effect.flatMap(store, (s) => s.appendMany(requests)))
    const succeeds = this.targets.every((t, i) => accepts(t.expectation, versions[i]!))
    if (succeeds) {
      if (Either.isLeft(outcome))
        throw new Error(`expected the append to succeed, it failed: ${String(outcome.left)}`)
      expect(
        outcome.right.map((a) => [a.firstVersion, a.nextExpectedVersion, a.idempotent]),
        "append results"
      ).toEqual(this.targets.map((t, i) => [versions[i]! + 1, versions[i]! + t.count, false]))
      requests.forEach((request, i) => {
        const ids = request.events.map((e) => (e as EventStore.NewEvent).eventId!)
        m.streams[this.targets[i]!.stream]!.push(...ids)
        m.log.push(...ids)
      })
      m.appended.push({ requests, results: outcome.right })
    } else {
      if (Either.isRight(outcome)) throw new Error("expected a ConcurrencyConflict, the append succeeded")
      const error = outcome.left
      expect(error._tag).toBe("ConcurrencyConflict")
      if (error._tag !== "ConcurrencyConflict") return
      expect(error.reason).toBe("version")
      const failing = this.targets.flatMap((t, i) =>
        accepts(t.expectation, versions[i]!)
          ? []
          : [
              {
                stream: EventStore.streamName(Fixtures.mentorship(t.stream, r.organisation)),
                actual: versions[i]!
              }
            ]
      )
      expect(
        failing,
        "the conflict names a stream whose expectation failed, with its version"
      ).toContainEqual({
        stream: error.stream,
        actual: error.actual
      })
    }
  }
  toString = () =>
    `append(${this.targets.map((t) => `s${t.stream} +${t.count} ${describe(t.expectation)}`).join(", ")})`
}

/** Retries an earlier successful append, same ids and expectations: it must be idempotent. */
export class RetryCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly pick: number) {}
  check = (m: Readonly<Model>) => m.appended.length > 0
  async run(m: Model, r: Real): Promise<void> {
    const earlier = m.appended[this.pick % m.appended.length]!
    const results = await r.store.run(Effect.flatMap(store, (s) => s.appendMany(earlier.requests)))
    expect(results.map((a) => [a.firstVersion, a.nextExpectedVersion, a.idempotent])).toEqual(
      earlier.results.map((a) => [a.firstVersion, a.nextExpectedVersion, true])
    )
  }
  toString = () => `retry(#${this.pick})`
}

/** Reads everything back: readAll (in batches), readStream and version agree with the model. */
export class ReadCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly batchSize: number) {}
  check = () => true
  async run(m: Model, r: Real): Promise<void> {
    await verify(m, r, this.batchSize)
  }
  toString = () => `read(batch ${this.batchSize})`
}

export const verify = async (m: Model, r: Real, batchSize: number): Promise<void> => {
  const { all, streams } = await r.store.run(
    Effect.flatMap(store, (s) =>
      Effect.all({
        all: Stream.runCollect(
          Stream.take(s.readAll({ organisation: r.organisation, batchSize }), 10_000)
        ).pipe(Effect.map(Chunk.toArray)),
        streams: Effect.forEach(m.streams, (_, i) => {
          const ref = Fixtures.mentorship(i, r.organisation)
          return Effect.all({ events: s.readStream(ref), version: s.version(ref) })
        })
      })
    )
  )
  expect(
    all.map((e) => e.eventId),
    "readAll order"
  ).toEqual(m.log)
  for (let i = 1; i < all.length; i++) {
    expect(EventJournal.compare(all[i - 1]!.position, all[i]!.position), "positions increase").toBe(-1)
  }
  streams.forEach(({ events, version }, i) => {
    const ids = m.streams[i]!
    expect(
      events.map((e) => e.eventId),
      `stream s${i}`
    ).toEqual(ids)
    expect(
      events.map((e) => e.version),
      `versions of s${i}`
    ).toEqual(ids.map((_, j) => j + 1))
    expect(version, `version of s${i}`).toBe(ids.length)
  })
}

const expectation: fc.Arbitrary<Expectation> = fc.oneof(
  { arbitrary: fc.constant({ kind: "any" } as const), weight: 2 },
  { arbitrary: fc.constant({ kind: "noStream" } as const), weight: 2 },
  { arbitrary: fc.constant({ kind: "streamExists" } as const), weight: 2 },
  { arbitrary: fc.constant({ kind: "exact", offset: 0 } as const), weight: 5 },
  {
    arbitrary: fc.integer({ min: -2, max: 2 }).map((offset) => ({ kind: "exact", offset }) as const),
    weight: 3
  }
)

const target: fc.Arbitrary<Target> = fc.record({
  stream: fc.integer({ min: 0, max: streamCount - 1 }),
  count: fc.integer({ min: 1, max: 3 }),
  expectation
})

/**
 * Random sequences of appends (single and atomic pairs), retries and reads.
 * `replayPath` (printed with a failing counterexample) replays its
 * shrinking together with `FC_SEED` and `FC_PATH`.
 */
export const commands = (replayPath?: string) =>
  fc.commands<Model, Real, false>(
    [
      target.map((t) => new AppendCommand([t])),
      fc
        .tuple(target, target)
        .filter(([a, b]) => a.stream !== b.stream)
        .map((ts) => new AppendCommand(ts)),
      fc.nat().map((pick) => new RetryCommand(pick)),
      fc.integer({ min: 1, max: 4 }).map((batchSize) => new ReadCommand(batchSize))
    ],
    { maxCommands: 25, ...(replayPath === undefined ? {} : { replayPath }) }
  )
