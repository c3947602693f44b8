/**
 * The store-conformance suite: one set of tests that every event store
 * passes, whatever holds its rows (in memory, SQLite, PostgreSQL, your
 * own adapter).
 *
 * Each test builds the core's {@link EventStore} on a fresh journal from
 * the factory you give, and checks both the event store's contract
 * (expected versions, atomic multi-stream appends, idempotent retries,
 * reads, upcasting, decode errors) and, where the port's contract matters,
 * the {@link EventJournal} adapter directly. Property tests compare random
 * append sequences with a reference model and race concurrent appends.
 *
 * @example
 * // test/MyJournal.int.test.ts of an adapter package: a fresh database per test
 * import { StoreConformance } from "@mentor-ledger/testing"
 * import { MyJournal } from "../src/index.js"
 * StoreConformance.suite("my store", () => MyJournal.layer({ database: ":memory:" }))
 *
 * Property tests run 50 times by default; `FC_NUM_RUNS` changes that. A
 * failure prints its seed and path; run that one test (`vitest -t`) with
 * `FC_SEED` and `FC_PATH` (and `FC_REPLAY_PATH` for the model-based test)
 * set as printed to replay it.
 *
 * @since 0.1.0
 */
import { EventJournal, EventStore, Events, Ids, Privacy } from "@mentor-ledger/core"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Fixtures from "./internal/fixtures.js"
import {
  type JournalWrapper,
  type ManualClock,
  type Services,
  scenario,
  type StoreRuntime,
  withStore
} from "./internal/harness.js"
import * as Model from "./internal/model.js"
import { assertProperty, env } from "./internal/properties.js"

/**
 * Registers the conformance suite as a vitest `describe(name)` block.
 *
 * `makeJournal` must return a layer that builds a fresh, empty journal
 * every time it is called (each test calls it once); the layer's scope
 * closes when the test ends, so it may open and close a database.
 * `options.timeout` is each test's timeout in milliseconds (default
 * 30,000). `options.checksJson`: the store refuses a payload or metadata
 * that is not JSON when it is appended (PostgreSQL's jsonb columns); the
 * suite then checks that such an append fails with a `StoreError` and
 * writes nothing, instead of checking the decode error on reading it.
 *
 * @example
 * import { EventJournal } from "@mentor-ledger/core"
 * import { StoreConformance } from "@mentor-ledger/testing"
 * StoreConformance.suite("in-memory", () => EventJournal.layerMemory)
 * @since 0.1.0
 * @category suites
 */
export const suite = (
  name: string,
  makeJournal: () => Layer.Layer<EventJournal.EventJournal, unknown>,
  options?: { timeout?: number; checksJson?: boolean }
): void => {
  const timeout = options?.timeout ?? 30_000
  const test = (
    title: string,
    body: (clock: ManualClock) => Effect.Effect<void, unknown, Services>,
    wrap?: JournalWrapper
  ) => it(title, scenario(makeJournal, body, wrap), timeout)
  const property = (title: string, body: (store: StoreRuntime) => Promise<void>) =>
    it(title, () => withStore(makeJournal, body), timeout)

  describe(name, () => {
    describe("append", () => {
      test("appends to a new stream with noStream: the first version is 1", () =>
        Effect.gen(function* () {
          const store = yield* Store
          const ref = Fixtures.mentorship(1)
          const result = yield* store.append(ref, [Fixtures.meetingCancelled(1)], {
            expected: EventStore.noStream
          })
          expect(result).toEqual({ stream: ref, firstVersion: 1, nextExpectedVersion: 1, idempotent: false })
          expect(yield* store.version(ref)).toBe(1)
          expect(versions(yield* store.readStream(ref))).toEqual([1])
        }))

      test("appends to a new stream with exact(0)", () =>
        Effect.gen(function* () {
          const store = yield* Store
          const ref = Fixtures.mentorship(1)
          const result = yield* store.append(ref, [Fixtures.meetingCancelled(1)], {
            expected: EventStore.exact(0)
          })
          expect([result.firstVersion, result.nextExpectedVersion]).toEqual([1, 1])
          expect(yield* store.version(ref)).toBe(1)
        }))

      test("appends with any, to a new stream and to an existing one (the default)", () =>
        Effect.gen(function* () {
          const store = yield* Store
          const ref = Fixtures.mentorship(1)
          const first = yield* store.append(ref, [Fixtures.meetingCancelled(1)], { expected: EventStore.any })
          const second = yield* store.append(ref, [Fixtures.meetingCancelled(2)], {
            expected: EventStore.any
          })
          const third = yield* store.append(ref, [Fixtures.meetingCancelled(3)])
          expect([first, second, third].map((r) => [r.firstVersion, r.nextExpectedVersion])).toEqual([
            [1, 1],
            [2, 2],
            [3, 3]
          ])
          expect(versions(yield* store.readStream(ref))).toEqual([1, 2, 3])
        }))

      test("appends with streamExists to an existing stream", () =>
        Effect.gen(function* () {
          const store = yield* Store
          const ref = Fixtures.mentorship(1)
          yield* store.append(ref, [Fixtures.meetingCancelled(1), Fixtures.meetingCancelled(2)])
          const result = yield* store.append(ref, [Fixtures.meetingCancelled(3)], {
            expected: EventStore.streamExists
          })
          expect([result.firstVersion, result.nextExpectedVersion]).toEqual([3, 3])
        }))

      test("appends several events as one batch, with dense versions, and continues from nextExpectedVersion", () =>
        Effect.gen(function* () {
          const store = yield* Store
          const journal = yield* Journal
          const ref = Fixtures.mentorship(1)
          const first = yield* store.append(
            ref,
            [1, 2, 3].map((n) => Fixtures.meetingCancelled(n)),
            {
              expected: EventStore.noStream
            }
          )
          expect([first.firstVersion, first.nextExpectedVersion]).toEqual([1, 3])
          const second = yield* store.append(
            ref,
            [4, 5].map((n) => Fixtures.meetingCancelled(n)),
            {
              expected: EventStore.exact(first.nextExpectedVersion)
            }
          )
          expect([second.firstVersion, second.nextExpectedVersion]).toEqual([4, 5])
          expect(versions(yield* store.readStream(ref))).toEqual([1, 2, 3, 4, 5])
          const rows = yield* journal.readStream(ref.organisation, EventStore.streamName(ref))
          expect(rows.map((r) => r.version)).toEqual([1, 2, 3, 4, 5])
          expect(yield* journal.streamVersion(ref.organisation, EventStore.streamName(ref))).toBe(5)
        }))

      test("round-trips every event exactly: fields, nested data, dates, ids, metadata", (clock) =>
        Effect.gen(function* () {
          const store = yield* Store
          const ref = Fixtures.mentorship(7, Fixtures.organisation("school-7"))
          const history = Fixtures.richHistory(7)
          const recordedAt = new Date("2025-02-02T10:20:30.456Z")
          clock.set(recordedAt)
          yield* store.append(
            ref,
            history.map((event, i) => ({
              event,
              eventId: Fixtures.eventId(100 + i),
              ...(i % 2 === 0 ? { metadata: { causationId: Fixtures.eventId(900 + i) } } : {})
            })),
            { expected: EventStore.noStream, metadata: { correlationId: Fixtures.eventId(999) } }
          )
          const expected = history.map((event, i) => ({
            eventId: Fixtures.eventId(100 + i),
            organisation: ref.organisation,
            stream: EventStore.streamName(ref),
            streamType: "Mentorship",
            version: i + 1,
            recordedAt,
            storedSchemaVersion: Events.catalogue.get(event._tag)!.version,
            metadata:
              i % 2 === 0
                ? { correlationId: Fixtures.eventId(999), causationId: Fixtures.eventId(900 + i) }
                : { correlationId: Fixtures.eventId(999) },
            event
          }))
          // Content comes back sealed; unsealed, every event is what was appended.
          const read = yield* store.readStream(ref)
          const unsealed = yield* Effect.forEach(read, (e) => Privacy.unseal(e))
          expect(unsealed.map(({ position: _, ...rest }) => rest)).toEqual(expected)
          for (const e of read) expect(e.event.occurredAt).toBeInstanceOf(Date)
          const all = yield* readAll()
          const allUnsealed = yield* Effect.forEach(all, (e) => Privacy.unseal(e))
          expect(allUnsealed.map(({ position: _, ...rest }) => rest)).toEqual(expected)
          expect(all.map((e) => e.position)).toEqual(read.map((e) => e.position))
        }))

      test("seals content before it reaches the journal: no row holds a content string", () =>
        Effect.gen(function* () {
          const store = yield* Store
          const ref = Fixtures.mentorship(7)
          const history = Fixtures.richHistory(7)
          yield* store.append(ref, history, { expected: EventStore.noStream })
          const texts = history
            .flatMap((e) => Privacy.contentOf(e).map((c) => c.value))
            .filter((t): t is string => typeof t === "string" && t.length >= 8)
          expect(texts.length).toBeGreaterThan(0)
          const rows = yield* Effect.flatMap(Journal, (journal) =>
            journal.readAll({ after: EventJournal.start, limit: 1_000 })
          )
          const stored = rows.map((r) => `${r.payload}\n${r.metadata}`).join("\n")
          for (const text of texts) expect(stored).not.toContain(JSON.stringify(text).slice(1, -1))
          for (const e of yield* store.readStream(ref))
            for (const c of Privacy.contentOf(e.event)) expect(Privacy.isSealed(c.value as string)).toBe(true)
        }))

      test("takes recordedAt from the Clock at each append and keeps occurredAt as given", (clock) =>
        Effect.gen(function* () {
          const store = yield* Store
          const journal = yield* Journal
          const ref = Fixtures.mentorship(1)
          const occurred = [new Date("2024-11-30T23:59:59.999Z"), new Date("2031-01-01T00:00:00.001Z")]
          const t1 = new Date("2025-01-10T08:00:00.123Z")
          clock.set(t1)
          yield* store.append(ref, [Fixtures.meetingCancelled(1, occurred[0])])
          clock.advance(61_001)
          yield* store.append(ref, [Fixtures.meetingCancelled(2, occurred[1])])
          const t2 = new Date(t1.getTime() + 61_001)
          const read = yield* store.readStream(ref)
          expect(read.map((e) => e.recordedAt)).toEqual([t1, t2])
          expect(read.map((e) => e.event.occurredAt)).toEqual(occurred)
          const rows = yield* journal.readStream(ref.organisation, EventStore.streamName(ref))
          expect(rows.map((r) => r.recordedAt)).toEqual([t1, t2])
          expect(rows.map((r) => r.occurredAt)).toEqual(occurred)
        }))

      test("keeps a programme stream apart from a mentorship stream with the same id", () =>
        Effect.gen(function* () {
          const store = yield* Store
          const id = Fixtures.mentorshipId(1)
          const mentorship = EventStore.mentorshipStream(id)
          const programme = EventStore.programmeStream(id)
          yield* store.append(mentorship, [Fixtures.meetingCancelled(1)], { expected: EventStore.noStream })
          yield* store.append(programme, [Fixtures.meetingCancelled(2)], { expected: EventStore.noStream })
          const [m, p] = [yield* store.readStream(mentorship), yield* store.readStream(programme)]
          expect(m.map((e) => [e.streamType, e.version])).toEqual([["Mentorship", 1]])
          expect(p.map((e) => [e.streamType, e.version])).toEqual([["Programme", 1]])
        }))
    })

    describe("expected version", () => {
      test("fails exact(n) below the stream's version, and writes nothing", () =>
        Effect.gen(function* () {
          const store = yield* Store
          const ref = Fixtures.mentorship(1)
          yield* store.append(ref, [Fixtures.meetingCancelled(1), Fixtures.meetingCancelled(2)])
          const before = yield* everything
          const error = yield* conflict(
            store.append(ref, [Fixtures.meetingCancelled(3)], { expected: EventStore.exact(1) })
          )
          expect([error.reason, error.expected, error.actual]).toEqual([
            "version",
            EventStore.describeExpected(EventStore.exact(1)),
            2
          ])
          expect(yield* everything).toEqual(before)
        }))

      test("fails exact(n) above the stream's version without leaving a gap", () =>
        Effect.gen(function* () {
          const store = yield* Store
          const ref = Fixtures.mentorship(1)
          yield* store.append(ref, [Fixtures.meetingCancelled(1), Fixtures.meetingCancelled(2)])
          const before = yield* everything
          const error = yield* conflict(
            store.append(ref, [Fixtures.meetingCancelled(3)], { expected: EventStore.exact(5) })
          )
          expect([error.expected, error.actual]).toEqual([
            EventStore.describeExpected(EventStore.exact(5)),
            2
          ])
          expect(yield* everything).toEqual(before)
          expect(yield* store.version(ref)).toBe(2)
          const next = yield* store.append(ref, [Fixtures.meetingCancelled(3)], {
            expected: EventStore.exact(2)
          })
          expect(next.firstVersion).toBe(3)
          expect(versions(yield* store.readStream(ref))).toEqual([1, 2, 3])
        }))

      test("fails noStream and exact(0) on an existing stream", () =>
        Effect.gen(function* () {
          const store = yield* Store
          const ref = Fixtures.mentorship(1)
          yield* store.append(ref, [Fixtures.meetingCancelled(1)])
          const before = yield* everything
          for (const expected of [EventStore.noStream, EventStore.exact(0)]) {
            const error = yield* conflict(store.append(ref, [Fixtures.meetingCancelled(2)], { expected }))
            expect([error.expected, error.actual]).toEqual([EventStore.describeExpected(expected), 1])
          }
          expect(yield* everything).toEqual(before)
        }))

      test("fails streamExists on a missing stream, and creates nothing", () =>
        Effect.gen(function* () {
          const store = yield* Store
          const ref = Fixtures.mentorship(1)
          yield* store.append(Fixtures.mentorship(2), [Fixtures.meetingCancelled(1)])
          const before = yield* everything
          const error = yield* conflict(
            store.append(ref, [Fixtures.meetingCancelled(2)], { expected: EventStore.streamExists })
          )
          expect([error.expected, error.actual]).toEqual([
            EventStore.describeExpected(EventStore.streamExists),
            0
          ])
          expect(yield* store.version(ref)).toBe(0)
          expect(yield* store.readStream(ref)).toEqual([])
          expect(yield* everything).toEqual(before)
        }))

      test("a ConcurrencyConflict names the organisation, stream, expected and actual version", () =>
        Effect.gen(function* () {
          const store = yield* Store
          const ref = Fixtures.mentorship(1, Fixtures.organisation("school-1"))
          yield* store.append(
            ref,
            [1, 2, 3].map((n) => Fixtures.meetingCancelled(n))
          )
          const error = yield* conflict(
            store.append(ref, [Fixtures.meetingCancelled(4)], { expected: EventStore.exact(2) })
          )
          expect(error).toBeInstanceOf(EventStore.ConcurrencyConflict)
          expect({ ...error, message: undefined }).toMatchObject({
            _tag: "ConcurrencyConflict",
            organisation: "school-1",
            stream: EventStore.streamName(ref),
            reason: "version",
            expected: EventStore.describeExpected(EventStore.exact(2)),
            actual: 3
          })
        }))

      test("journal: a batch whose expected version is not the stream's fails with StreamVersionMismatch", () =>
        Effect.gen(function* () {
          const journal = yield* Journal
          const org = Ids.defaultOrganisation
          const first = yield* journal.append([batch("s-1", 0, rows(1, 2))])
          expect(first).toEqual([{ organisation: org, stream: "s-1", firstVersion: 1, lastVersion: 2 }])
          for (const expected of [0, 1, 3]) {
            const error = yield* failure(journal.append([batch("s-1", expected, rows(3))]))
            expect(error).toMatchObject({
              _tag: "StreamVersionMismatch",
              organisation: org,
              stream: "s-1",
              expected,
              actual: 2
            })
          }
          expect((yield* journal.readStream(org, "s-1")).map((r) => r.eventId)).toEqual([rowId(1), rowId(2)])
          expect(yield* journal.readAll({ after: EventJournal.start, limit: 100 })).toHaveLength(2)
        }))

      test("journal: expected any numbers a batch from the current version plus one", () =>
        Effect.gen(function* () {
          const journal = yield* Journal
          yield* journal.append([batch("s-1", "any", rows(1))])
          const appended = yield* journal.append([batch("s-1", "any", rows(2, 3))])
          expect(appended.map((a) => [a.firstVersion, a.lastVersion])).toEqual([[2, 3]])
          expect(yield* journal.streamVersion(Ids.defaultOrganisation, "s-1")).toBe(3)
          expect(yield* journal.streamVersion(Ids.defaultOrganisation, "s-unknown")).toBe(0)
        }))
    })

    describe("appendMany", () => {
      test("appends to two streams in one call", () =>
        Effect.gen(function* () {
          const store = yield* Store
          const [a, b] = [Fixtures.mentorship(1), Fixtures.mentorship(2)]
          yield* store.append(b, [Fixtures.meetingCancelled(1)])
          const results = yield* store.appendMany([
            {
              stream: a,
              events: [Fixtures.meetingCancelled(2), Fixtures.meetingCancelled(3)],
              expected: EventStore.noStream
            },
            { stream: b, events: [Fixtures.meetingCancelled(4)], expected: EventStore.exact(1) }
          ])
          expect(results).toEqual([
            { stream: a, firstVersion: 1, nextExpectedVersion: 2, idempotent: false },
            { stream: b, firstVersion: 2, nextExpectedVersion: 2, idempotent: false }
          ])
          const all = yield* readAll()
          expect(all.map((e) => `${e.stream}@${e.version}`)).toEqual([
            `${EventStore.streamName(b)}@1`,
            `${EventStore.streamName(a)}@1`,
            `${EventStore.streamName(a)}@2`,
            `${EventStore.streamName(b)}@2`
          ])
        }))

      test("a version conflict on the second stream writes nothing to the first", () =>
        Effect.gen(function* () {
          const store = yield* Store
          const [a, b] = [Fixtures.mentorship(1), Fixtures.mentorship(2)]
          yield* store.append(b, [Fixtures.meetingCancelled(1)])
          const before = yield* everything
          const error = yield* conflict(
            store.appendMany([
              { stream: a, events: [Fixtures.meetingCancelled(2)], expected: EventStore.noStream },
              { stream: b, events: [Fixtures.meetingCancelled(3)], expected: EventStore.exact(0) }
            ])
          )
          expect([error.stream, error.expected, error.actual]).toEqual([
            EventStore.streamName(b),
            EventStore.describeExpected(EventStore.exact(0)),
            1
          ])
          expect(yield* store.version(a)).toBe(0)
          expect(yield* everything).toEqual(before)
        }))

      test("a streamExists failure on the second stream writes nothing to the first", () =>
        Effect.gen(function* () {
          const store = yield* Store
          const [a, b] = [Fixtures.mentorship(1), Fixtures.mentorship(2)]
          const error = yield* conflict(
            store.appendMany([
              { stream: a, events: [Fixtures.meetingCancelled(1)], expected: EventStore.any },
              { stream: b, events: [Fixtures.meetingCancelled(2)], expected: EventStore.streamExists }
            ])
          )
          expect([error.stream, error.actual]).toEqual([EventStore.streamName(b), 0])
          expect(yield* everything).toEqual([])
        }))

      test("journal: a failing batch rolls back every batch of the call", () =>
        Effect.gen(function* () {
          const journal = yield* Journal
          const org = Ids.defaultOrganisation
          yield* journal.append([batch("s-2", 0, rows(1))])
          const mismatch = yield* failure(
            journal.append([batch("s-1", 0, rows(2)), batch("s-2", 0, rows(3))])
          )
          expect(mismatch).toMatchObject({
            _tag: "StreamVersionMismatch",
            stream: "s-2",
            expected: 0,
            actual: 1
          })
          const duplicate = yield* failure(
            journal.append([batch("s-1", 0, rows(4)), batch("s-2", 1, rows(1))])
          )
          expect(duplicate).toMatchObject({ _tag: "DuplicateEventId" })
          expect(yield* journal.streamVersion(org, "s-1")).toBe(0)
          expect(yield* journal.readStream(org, "s-1")).toEqual([])
          expect(
            (yield* journal.readAll({ after: EventJournal.start, limit: 100 })).map((r) => r.eventId)
          ).toEqual([rowId(1)])
        }))
    })

    describe("idempotent retries", () => {
      test("retrying an append with the same event ids succeeds as idempotent and writes nothing", () =>
        Effect.gen(function* () {
          const store = yield* Store
          const ref = Fixtures.mentorship(1)
          const events = [1, 2].map((n) => ({
            eventId: Fixtures.eventId(n),
            event: Fixtures.meetingCancelled(n)
          }))
          const first = yield* store.append(ref, events, { expected: EventStore.noStream })
          const before = yield* everything
          const retry = yield* store.append(ref, events, { expected: EventStore.noStream })
          expect(first).toEqual({ stream: ref, firstVersion: 1, nextExpectedVersion: 2, idempotent: false })
          expect(retry).toEqual({ stream: ref, firstVersion: 1, nextExpectedVersion: 2, idempotent: true })
          expect(yield* everything).toEqual(before)
        }))

      test("a retry is idempotent whatever its expected version, also after later appends", () =>
        Effect.gen(function* () {
          const store = yield* Store
          const ref = Fixtures.mentorship(1)
          const events = [{ eventId: Fixtures.eventId(1), event: Fixtures.meetingCancelled(1) }]
          yield* store.append(ref, [Fixtures.meetingCancelled(0)])
          yield* store.append(ref, events, { expected: EventStore.exact(1) })
          yield* store.append(ref, [Fixtures.meetingCancelled(2)])
          const before = yield* everything
          for (const expected of [
            EventStore.exact(1),
            EventStore.streamExists,
            EventStore.any,
            EventStore.noStream
          ]) {
            const retry = yield* store.append(ref, events, { expected })
            expect(retry, EventStore.describeExpected(expected)).toEqual({
              stream: ref,
              firstVersion: 2,
              nextExpectedVersion: 2,
              idempotent: true
            })
          }
          expect(yield* everything).toEqual(before)
        }))

      test("retrying appendMany is idempotent for every stream", () =>
        Effect.gen(function* () {
          const store = yield* Store
          const [a, b] = [Fixtures.mentorship(1), Fixtures.mentorship(2)]
          const requests: Array<EventStore.AppendRequest> = [
            {
              stream: a,
              events: [{ eventId: Fixtures.eventId(1), event: Fixtures.meetingCancelled(1) }],
              expected: EventStore.noStream
            },
            {
              stream: b,
              events: [2, 3].map((n) => ({
                eventId: Fixtures.eventId(n),
                event: Fixtures.meetingCancelled(n)
              })),
              expected: EventStore.noStream
            }
          ]
          yield* store.appendMany(requests)
          const before = yield* everything
          const retry = yield* store.appendMany(requests)
          expect(retry.map((r) => [r.firstVersion, r.nextExpectedVersion, r.idempotent])).toEqual([
            [1, 1, true],
            [1, 2, true]
          ])
          expect(yield* everything).toEqual(before)
        }))

      test("reusing an event id on another stream is a conflict with reason event-id, and writes nothing", () =>
        Effect.gen(function* () {
          const store = yield* Store
          const event = { eventId: Fixtures.eventId(1), event: Fixtures.meetingCancelled(1) }
          yield* store.append(Fixtures.mentorship(1), [event])
          const before = yield* everything
          const error = yield* conflict(
            store.append(Fixtures.mentorship(2), [
              { eventId: Fixtures.eventId(2), event: Fixtures.meetingCancelled(2) },
              event
            ])
          )
          expect([error.reason, error.stream]).toEqual([
            "event-id",
            EventStore.streamName(Fixtures.mentorship(2))
          ])
          expect(yield* everything).toEqual(before)
        }))

      test("reusing an event id for a different event type is a conflict with reason event-id", () =>
        Effect.gen(function* () {
          const store = yield* Store
          const ref = Fixtures.mentorship(1)
          yield* store.append(ref, [{ eventId: Fixtures.eventId(1), event: Fixtures.meetingCancelled(1) }])
          const before = yield* everything
          const other = Events.MentorshipCompleted.make({
            actor: Fixtures.mentor,
            occurredAt: new Date("2025-05-05T05:05:05.005Z"),
            mentorshipId: Fixtures.mentorshipId(1)
          })
          const error = yield* conflict(store.append(ref, [{ eventId: Fixtures.eventId(1), event: other }]))
          expect(error.reason).toBe("event-id")
          expect(yield* everything).toEqual(before)
        }))

      test("reusing an event id in another organisation is a conflict with reason event-id", () =>
        Effect.gen(function* () {
          const store = yield* Store
          const event = { eventId: Fixtures.eventId(1), event: Fixtures.meetingCancelled(1) }
          yield* store.append(Fixtures.mentorship(1, Fixtures.organisation("school-a")), [event])
          const before = yield* everything
          const error = yield* conflict(
            store.append(Fixtures.mentorship(1, Fixtures.organisation("school-b")), [event])
          )
          expect([error.reason, error.organisation]).toEqual(["event-id", "school-b"])
          expect(yield* everything).toEqual(before)
        }))

      test("a retry that adds new events to stored ones is a conflict, and writes none of them", () =>
        Effect.gen(function* () {
          const store = yield* Store
          const ref = Fixtures.mentorship(1)
          const [e1, e2, e3] = [1, 2, 3].map((n) => ({
            eventId: Fixtures.eventId(n),
            event: Fixtures.meetingCancelled(n)
          }))
          yield* store.append(ref, [e1!, e2!])
          const before = yield* everything
          const error = yield* conflict(store.append(ref, [e1!, e3!]))
          expect(error.reason).toBe("event-id")
          expect(yield* everything).toEqual(before)
        }))

      test("the same event id twice in one append is a conflict, and writes nothing", () =>
        Effect.gen(function* () {
          const store = yield* Store
          const event = { eventId: Fixtures.eventId(1), event: Fixtures.meetingCancelled(1) }
          const error = yield* conflict(store.append(Fixtures.mentorship(1), [event, event]))
          expect(error.reason).toBe("event-id")
          expect(yield* everything).toEqual([])
        }))

      test("journal: a stored event id fails with DuplicateEventId naming it; findEvents finds stored rows by id", () =>
        Effect.gen(function* () {
          const journal = yield* Journal
          yield* journal.append([batch("s-1", 0, rows(1, 2))])
          const error = yield* failure(journal.append([batch("s-2", 0, rows(3, 2))]))
          expect(error).toMatchObject({ _tag: "DuplicateEventId" })
          expect((error as EventJournal.DuplicateEventId).eventIds).toContain(rowId(2))
          expect(yield* journal.streamVersion(Ids.defaultOrganisation, "s-2")).toBe(0)
          const found = yield* journal.findEvents([rowId(2), rowId(9), rowId(1)])
          expect(found.map((r) => [r.eventId, r.stream, r.version]).sort()).toEqual([
            [rowId(1), "s-1", 1],
            [rowId(2), "s-1", 2]
          ])
          expect(yield* journal.findEvents([])).toEqual([])
        }))
    })

    describe("readStream", () => {
      test("reads up to toVersion", () =>
        Effect.gen(function* () {
          const store = yield* Store
          const ref = Fixtures.mentorship(1)
          yield* store.append(
            ref,
            [1, 2, 3, 4, 5].map((n) => Fixtures.meetingCancelled(n))
          )
          expect(versions(yield* store.readStream(ref, { toVersion: 3 }))).toEqual([1, 2, 3])
          expect(versions(yield* store.readStream(ref, { toVersion: 1 }))).toEqual([1])
          expect(versions(yield* store.readStream(ref, { toVersion: 9 }))).toEqual([1, 2, 3, 4, 5])
        }))

      test("reads what the store had recorded by a time (recordedUntil, inclusive)", (clock) =>
        Effect.gen(function* () {
          const store = yield* Store
          const ref = Fixtures.mentorship(1)
          const t = [0, 1, 2].map((d) => new Date(Date.UTC(2025, 0, 10 + d, 12, 0, 0, 500)))
          for (const [i, at] of t.entries()) {
            clock.set(at)
            yield* store.append(ref, [Fixtures.meetingCancelled(i)])
          }
          const until = (d: Date) => Effect.map(store.readStream(ref, { recordedUntil: d }), versions)
          expect(yield* until(t[1]!)).toEqual([1, 2])
          expect(yield* until(new Date(t[1]!.getTime() - 1))).toEqual([1])
          expect(yield* until(new Date(t[0]!.getTime() - 1))).toEqual([])
          expect(yield* until(t[2]!)).toEqual([1, 2, 3])
          expect(versions(yield* store.readStream(ref, { recordedUntil: t[2]!, toVersion: 2 }))).toEqual([
            1, 2
          ])
        }))

      test("reads what had happened by a time (occurredUntil, inclusive), whatever the append order", () =>
        Effect.gen(function* () {
          const store = yield* Store
          const ref = Fixtures.mentorship(1)
          // The third meeting is logged last but happened first.
          const occurred = [
            "2025-01-10T10:00:00.000Z",
            "2025-01-12T10:00:00.000Z",
            "2025-01-05T10:00:00.000Z"
          ]
          yield* store.append(
            ref,
            occurred.map((at, i) => Fixtures.meetingCancelled(i, new Date(at)))
          )
          const until = (at: string) =>
            Effect.map(store.readStream(ref, { occurredUntil: new Date(at) }), versions)
          expect(yield* until("2025-01-10T10:00:00.000Z")).toEqual([1, 3])
          expect(yield* until("2025-01-10T09:59:59.999Z")).toEqual([3])
          expect(yield* until("2025-01-01T00:00:00.000Z")).toEqual([])
          expect(yield* until("2025-02-01T00:00:00.000Z")).toEqual([1, 2, 3])
        }))

      test("reads an unknown stream as empty, at version 0", () =>
        Effect.gen(function* () {
          const store = yield* Store
          yield* store.append(Fixtures.mentorship(1), [Fixtures.meetingCancelled(1)])
          const unknown = Fixtures.mentorship(404)
          expect(yield* store.readStream(unknown)).toEqual([])
          expect(yield* store.version(unknown)).toBe(0)
        }))

      test("keeps organisations apart: the same stream id in two organisations is two streams", () =>
        Effect.gen(function* () {
          const store = yield* Store
          const [orgA, orgB] = [Fixtures.organisation("school-a"), Fixtures.organisation("school-b")]
          const [a, b] = [Fixtures.mentorship(1, orgA), Fixtures.mentorship(1, orgB)]
          yield* store.append(a, [Fixtures.meetingCancelled(1), Fixtures.meetingCancelled(2)], {
            expected: EventStore.noStream
          })
          yield* store.append(b, [Fixtures.meetingCancelled(3)], { expected: EventStore.noStream })
          yield* store.append(a, [Fixtures.meetingCancelled(4)], { expected: EventStore.exact(2) })
          expect(yield* store.version(a)).toBe(3)
          expect(yield* store.version(b)).toBe(1)
          expect(yield* store.version(Fixtures.mentorship(1))).toBe(0)
          const [readA, readB] = [yield* store.readStream(a), yield* store.readStream(b)]
          expect(readA.map((e) => [e.organisation, e.version])).toEqual([
            ["school-a", 1],
            ["school-a", 2],
            ["school-a", 3]
          ])
          expect(readB.map((e) => [e.organisation, e.version])).toEqual([["school-b", 1]])
          expect((yield* readAll({ organisation: orgB })).map((e) => e.eventId)).toEqual(
            readB.map((e) => e.eventId)
          )
        }))

      test("journal: readStream honours fromVersion, toVersion and recordedUntil", () =>
        Effect.gen(function* () {
          const journal = yield* Journal
          const org = Ids.defaultOrganisation
          const at = (n: number) => new Date(Date.UTC(2025, 0, n))
          yield* journal.append([
            batch(
              "s-1",
              0,
              [1, 2, 3, 4].map((n) => ({ ...row(n), recordedAt: at(n) }))
            )
          ])
          const read = (options: EventJournal.ReadStreamOptions) =>
            Effect.map(journal.readStream(org, "s-1", options), (rs) => rs.map((r) => r.version))
          expect(yield* read({})).toEqual([1, 2, 3, 4])
          expect(yield* read({ fromVersion: 2 })).toEqual([2, 3, 4])
          expect(yield* read({ fromVersion: 2, toVersion: 3 })).toEqual([2, 3])
          expect(yield* read({ recordedUntil: at(2) })).toEqual([1, 2])
          expect(yield* read({ fromVersion: 2, recordedUntil: at(3) })).toEqual([2, 3])
          expect(yield* journal.readStream(org, "s-unknown")).toEqual([])
        }))

      test("journal: rows keep their fields: JSON text, dates, stream type and positions", () =>
        Effect.gen(function* () {
          const journal = yield* Journal
          const org = Fixtures.organisation("school-1")
          const stored: EventJournal.EncodedEvent = {
            eventId: rowId(1),
            eventType: "MeetingCancelled",
            schemaVersion: 1,
            payload: JSON.stringify({ text: 'välitehtävä "quoted" \\ 👩‍🏫\n', list: [1, 2.5, null, true] }),
            metadata: JSON.stringify({ correlationId: rowId(99) }),
            occurredAt: new Date("1999-12-31T23:59:59.999Z"),
            recordedAt: new Date("2025-06-30T12:34:56.789Z")
          }
          yield* journal.append([
            {
              organisation: org,
              stream: "mentorship-x",
              streamType: "Mentorship",
              expected: 0,
              events: [stored]
            }
          ])
          const [fromStream] = yield* journal.readStream(org, "mentorship-x")
          const [fromLog] = yield* journal.readAll({ after: EventJournal.start, limit: 10 })
          for (const r of [fromStream!, fromLog!]) {
            expect(r).toMatchObject({
              eventId: stored.eventId,
              eventType: stored.eventType,
              schemaVersion: 1,
              occurredAt: stored.occurredAt,
              recordedAt: stored.recordedAt,
              organisation: org,
              stream: "mentorship-x",
              streamType: "Mentorship",
              version: 1
            })
            // JSON text may be re-serialised by the database; its value must not change.
            expect(JSON.parse(r.payload)).toEqual(JSON.parse(stored.payload))
            expect(JSON.parse(r.metadata)).toEqual(JSON.parse(stored.metadata))
            expect(EventJournal.compare(EventJournal.start, r.position)).toBe(-1)
          }
          expect(fromStream!.position).toEqual(fromLog!.position)
        }))
    })

    describe("readAll", () => {
      test("reads an empty store as empty", () =>
        Effect.gen(function* () {
          expect(yield* readAll()).toEqual([])
          expect(yield* readAll({ batchSize: 1 })).toEqual([])
        }))

      test("reads every stream in global append order, with increasing positions", () =>
        Effect.gen(function* () {
          const store = yield* Store
          const [a, b, c] = [1, 2, 3].map((n) => Fixtures.mentorship(n))
          const order = [a, b, a, c, b, a]
          for (const [i, ref] of order.entries()) yield* store.append(ref!, [Fixtures.meetingCancelled(i)])
          const all = yield* readAll()
          expect(all.map((e) => e.stream)).toEqual(order.map((ref) => EventStore.streamName(ref!)))
          expect(all.map((e) => e.version)).toEqual([1, 1, 2, 1, 2, 3])
          for (let i = 1; i < all.length; i++) {
            expect(EventJournal.compare(all[i - 1]!.position, all[i]!.position)).toBe(-1)
          }
        }))

      test("reads strictly after a given position", () =>
        Effect.gen(function* () {
          const store = yield* Store
          yield* store.append(
            Fixtures.mentorship(1),
            [1, 2, 3].map((n) => Fixtures.meetingCancelled(n))
          )
          yield* store.append(
            Fixtures.mentorship(2),
            [4, 5].map((n) => Fixtures.meetingCancelled(n))
          )
          const all = yield* readAll()
          expect(all).toHaveLength(5)
          for (const [i, e] of all.entries()) {
            expect((yield* readAll({ after: e.position })).map((x) => x.eventId)).toEqual(
              all.slice(i + 1).map((x) => x.eventId)
            )
            expect((yield* readAll({ after: e.position, batchSize: 2 })).map((x) => x.eventId)).toEqual(
              all.slice(i + 1).map((x) => x.eventId)
            )
          }
          expect((yield* readAll({ after: EventJournal.start })).map((x) => x.eventId)).toEqual(
            all.map((x) => x.eventId)
          )
        }))

      const calls: Array<{ readonly limit: number; readonly rows: number }> = []
      const countReads: JournalWrapper = (journal) => ({
        ...journal,
        readAll: (options) =>
          Effect.tap(journal.readAll(options), (rows) => {
            calls.push({ limit: options.limit, rows: rows.length })
          })
      })
      test(
        "reads in bounded batches: every event exactly once, in order",
        () =>
          Effect.gen(function* () {
            const store = yield* Store
            const order = [1, 2, 1, 3, 3, 2, 1]
            for (const [i, n] of order.entries())
              yield* store.append(Fixtures.mentorship(n), [Fixtures.meetingCancelled(i)])
            const ids = (yield* readAll()).map((e) => e.eventId)
            expect(ids).toHaveLength(7)
            for (const batchSize of [1, 2, 3, 6, 7, 8]) {
              calls.length = 0
              const batched = yield* readAll({ batchSize })
              expect(
                batched.map((e) => e.eventId),
                `batch size ${batchSize}`
              ).toEqual(ids)
              expect(calls.length, `journal reads for batch size ${batchSize}`).toBeGreaterThanOrEqual(
                Math.ceil(7 / batchSize)
              )
              for (const call of calls) {
                expect(call.limit).toBe(batchSize)
                expect(call.rows).toBeLessThanOrEqual(batchSize)
              }
            }
          }),
        countReads
      )

      test("filters by organisation, across batches", () =>
        Effect.gen(function* () {
          const store = yield* Store
          const [orgA, orgB] = [Fixtures.organisation("school-a"), Fixtures.organisation("school-b")]
          const plan = [orgA, orgB, orgB, orgA, orgB, orgA, orgA, orgB, orgB]
          for (const [i, org] of plan.entries()) {
            yield* store.append(Fixtures.mentorship(i % 2, org), [Fixtures.meetingCancelled(i)])
          }
          const all = yield* readAll()
          for (const org of [orgA, orgB]) {
            const mine = all.filter((e) => e.organisation === org).map((e) => e.eventId)
            for (const batchSize of [1, 2, 4, 100]) {
              expect((yield* readAll({ organisation: org, batchSize })).map((e) => e.eventId)).toEqual(mine)
            }
            const second = all.find((e) => e.eventId === mine[1])!
            expect(
              (yield* readAll({ organisation: org, after: second.position, batchSize: 2 })).map(
                (e) => e.eventId
              )
            ).toEqual(mine.slice(2))
          }
          expect(yield* readAll({ organisation: Fixtures.organisation("school-c") })).toEqual([])
        }))

      test("journal: readAll returns at most limit rows, strictly after the position, in order", () =>
        Effect.gen(function* () {
          const journal = yield* Journal
          yield* journal.append([batch("s-1", 0, rows(1, 2)), batch("s-2", 0, rows(3))])
          yield* journal.append([batch("s-1", 2, rows(4, 5))])
          const all = yield* journal.readAll({ after: EventJournal.start, limit: 100 })
          expect(all.map((r) => r.eventId)).toEqual([1, 2, 3, 4, 5].map(rowId))
          const first = yield* journal.readAll({ after: EventJournal.start, limit: 2 })
          expect(first.map((r) => r.eventId)).toEqual([rowId(1), rowId(2)])
          const next = yield* journal.readAll({ after: first[1]!.position, limit: 2 })
          expect(next.map((r) => r.eventId)).toEqual([rowId(3), rowId(4)])
          expect(yield* journal.readAll({ after: all[4]!.position, limit: 2 })).toEqual([])
          const other = yield* journal.readAll({
            after: EventJournal.start,
            limit: 10,
            organisation: Fixtures.organisation("x")
          })
          expect(other).toEqual([])
        }))
    })

    describe("decoding", () => {
      test("upcasts a MeetingHeld stored as version 1 (no modality, no duration)", () =>
        Effect.gen(function* () {
          const store = yield* Store
          const ref = Fixtures.mentorship(1)
          const occurredAt = new Date("2019-04-01T09:30:00.000Z")
          yield* storeRows(ref, [
            encoded(1, "MeetingHeld", 1, {
              actor: Fixtures.mentor,
              occurredAt: occurredAt.toISOString(),
              mentorshipId: Fixtures.mentorshipId(1),
              meetingId: Fixtures.meetingId(1),
              planning: true
            })
          ])
          const [read] = yield* store.readStream(ref)
          expect(read!.storedSchemaVersion).toBe(1)
          expect(read!.event).toEqual(
            Events.MeetingHeld.make({
              actor: Fixtures.mentor,
              occurredAt,
              mentorshipId: Fixtures.mentorshipId(1),
              meetingId: Fixtures.meetingId(1),
              modality: "in-person",
              durationMinutes: 60,
              planning: true
            })
          )
        }))

      test("upcasts an AgreementSigned stored as version 1 (goals as one text)", () =>
        Effect.gen(function* () {
          const store = yield* Store
          const ref = Fixtures.mentorship(1)
          const occurredAt = new Date("2020-09-01T12:00:00.000Z")
          const v1 = {
            actor: Fixtures.mentee,
            occurredAt: occurredAt.toISOString(),
            mentorshipId: Fixtures.mentorshipId(1),
            goals: "Lead the team\n\n  Grow trust  \r\nDelegate more",
            topics: ["budget"],
            plannedMeetings: 6,
            cadenceDays: 14,
            confidentiality: true,
            signatories: [Fixtures.personId(1), Fixtures.personId(2)]
          }
          yield* storeRows(ref, [encoded(1, "AgreementSigned", 1, v1)])
          const all = yield* readAll()
          expect((yield* store.readStream(ref)).map((e) => e.event)).toEqual(all.map((e) => e.event))
          expect(all.map((e) => [e.storedSchemaVersion, e.event])).toEqual([
            [
              1,
              Events.AgreementSigned.make({
                ...v1,
                occurredAt,
                mentorshipId: Fixtures.mentorshipId(1),
                goals: ["Lead the team", "Grow trust", "Delegate more"],
                confidentiality: true,
                signatories: v1.signatories
              })
            ]
          ])
        }))

      const meetingHeld = {
        actor: Fixtures.mentor,
        occurredAt: "2025-01-23T15:00:00.000Z",
        mentorshipId: Fixtures.mentorshipId(1),
        meetingId: Fixtures.meetingId(1),
        modality: "phone",
        durationMinutes: 45,
        planning: false
      }
      const undecodable: ReadonlyArray<{
        readonly title: string
        readonly row: EventJournal.EncodedEvent
        readonly eventType: string
        readonly path?: string
        readonly message: RegExp
        /** The row's payload or metadata is not JSON. */
        readonly notJson?: true
      }> = [
        {
          title: "an unknown event type",
          row: encoded(1, "MeetingTeleported", 1, meetingHeld),
          eventType: "MeetingTeleported",
          path: "_tag",
          message: /MeetingTeleported/
        },
        {
          title: "a schema version newer than known",
          row: encoded(1, "MeetingHeld", 3, meetingHeld),
          eventType: "MeetingHeld",
          message: /version 3/
        },
        {
          title: "a payload that is not JSON",
          row: encoded(1, "MeetingHeld", 2, '{"actor": {"personId"'),
          eventType: "MeetingHeld",
          message: /JSON/,
          notJson: true
        },
        {
          title: "a payload that is not an object",
          row: encoded(1, "MeetingHeld", 2, "[1, 2, 3]"),
          eventType: "MeetingHeld",
          message: /object/
        },
        {
          title: "a field of the wrong type",
          row: encoded(1, "MeetingHeld", 2, { ...meetingHeld, durationMinutes: "sixty" }),
          eventType: "MeetingHeld",
          path: "durationMinutes",
          message: /durationMinutes/
        },
        {
          title: "a field out of its range",
          row: encoded(1, "MeetingHeld", 2, { ...meetingHeld, durationMinutes: 0 }),
          eventType: "MeetingHeld",
          path: "durationMinutes",
          message: /durationMinutes/
        },
        {
          title: "a missing field",
          row: encoded(1, "MeetingHeld", 2, { ...meetingHeld, meetingId: undefined }),
          eventType: "MeetingHeld",
          path: "meetingId",
          message: /meetingId/
        },
        {
          title: "a wrong nested field",
          row: encoded(1, "MeetingHeld", 2, {
            ...meetingHeld,
            actor: { personId: "not-a-uuid", role: "mentor" }
          }),
          eventType: "MeetingHeld",
          path: "actor.personId",
          message: /actor\.personId/
        },
        {
          title: "a wrong array element",
          row: encoded(1, "MentorMatched", 1, {
            actor: Fixtures.mentor,
            occurredAt: meetingHeld.occurredAt,
            mentorshipId: Fixtures.mentorshipId(1),
            mentorIds: [Fixtures.personId(1), 42]
          }),
          eventType: "MentorMatched",
          path: "mentorIds.1",
          message: /mentorIds\.1/
        },
        {
          title: "a wrong field in a version-1 event that is upcast",
          row: encoded(1, "AgreementSigned", 1, {
            actor: Fixtures.mentee,
            occurredAt: meetingHeld.occurredAt,
            mentorshipId: Fixtures.mentorshipId(1),
            goals: 42,
            topics: [],
            plannedMeetings: 6,
            cadenceDays: 14,
            confidentiality: true,
            signatories: []
          }),
          eventType: "AgreementSigned",
          path: "goals",
          message: /goals/
        },
        {
          title: "metadata that is not JSON",
          row: { ...encoded(1, "MeetingHeld", 2, meetingHeld), metadata: "{" },
          eventType: "MeetingHeld",
          path: "metadata",
          message: /metadata/,
          notJson: true
        }
      ]
      for (const c of undecodable) {
        if (c.notJson && options?.checksJson) {
          test(`refuses to store ${c.title} with a StoreError, and writes nothing`, () =>
            Effect.gen(function* () {
              const ref = Fixtures.mentorship(1)
              const error = yield* failure(storeRows(ref, [encoded(9, "MeetingHeld", 2, meetingHeld), c.row]))
              expect(error).toBeInstanceOf(EventJournal.StoreError)
              expect(yield* everything).toEqual([])
            }))
          continue
        }
        test(`fails with EventDecodeError naming the event type and field for ${c.title}`, () =>
          Effect.gen(function* () {
            const store = yield* Store
            const ref = Fixtures.mentorship(1)
            yield* storeRows(ref, [encoded(9, "MeetingHeld", 2, meetingHeld), c.row])
            const fromStream = yield* failure(store.readStream(ref))
            const fromLog = yield* failure(readAll({ batchSize: 1 }))
            for (const error of [fromStream, fromLog]) {
              expect(error).toBeInstanceOf(EventStore.EventDecodeError)
              const e = error as EventStore.EventDecodeError
              expect(e).toMatchObject({
                stream: EventStore.streamName(ref),
                version: 2,
                eventId: c.row.eventId,
                eventType: c.eventType,
                schemaVersion: c.row.schemaVersion
              })
              if (c.path !== undefined) expect(e.path).toBe(c.path)
              expect(e.message).toMatch(c.message)
            }
            // The error stops the read; it does not skip the event.
            expect(versions(yield* store.readStream(ref, { toVersion: 1 }))).toEqual([1])
          }))
      }
    })

    describe("properties", () => {
      let runs = 0
      let eventIds = 0
      property(
        "random appends agree with a reference model: versions, successes, retries, readAll order",
        (store) =>
          assertProperty(
            fc.asyncProperty(Model.commands(env("FC_REPLAY_PATH")), async (commands) => {
              const real: Model.Real = {
                store,
                organisation: Fixtures.organisation(`model-run-${++runs}`),
                nextEventId: () => Fixtures.eventId(++eventIds)
              }
              const model = Model.emptyModel()
              await fc.asyncModelRun(() => ({ model, real }), commands)
              await Model.verify(model, real, 1000)
            })
          )
      )

      property(
        "racing appends with the same expected version: exactly one wins per version, nothing lost or doubled",
        (store) =>
          assertProperty(
            fc.asyncProperty(
              fc.array(fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 2, maxLength: 5 }), {
                minLength: 1,
                maxLength: 3
              }),
              fc.scheduler(),
              async (rounds, scheduler) => {
                const ref = Fixtures.mentorship(1, Fixtures.organisation(`race-run-${++runs}`))
                const stored: Array<string> = []
                for (const sizes of rounds) {
                  const version = stored.length
                  const expected = version === 0 ? EventStore.noStream : EventStore.exact(version)
                  const racers = sizes.map((size) =>
                    Array.from({ length: size }, (_, j) => ({
                      eventId: Fixtures.eventId(++eventIds),
                      event: Fixtures.meetingCancelled(j)
                    }))
                  )
                  const outcomes = await race(
                    store,
                    scheduler,
                    racers.map((events) => Effect.flatMap(Store, (s) => s.append(ref, events, { expected })))
                  )
                  const winners = outcomes.flatMap((o, i) => (Either.isRight(o) ? [i] : []))
                  expect(winners, "winners").toHaveLength(1)
                  const winner = winners[0]!
                  expect(outcomes[winner]).toEqual(
                    Either.right({
                      stream: ref,
                      firstVersion: version + 1,
                      nextExpectedVersion: version + racers[winner]!.length,
                      idempotent: false
                    })
                  )
                  stored.push(...racers[winner]!.map((e) => e.eventId))
                  for (const o of outcomes) {
                    if (Either.isLeft(o)) {
                      expect(o.left).toMatchObject({
                        _tag: "ConcurrencyConflict",
                        reason: "version",
                        actual: stored.length
                      })
                    }
                  }
                }
                const { events, log } = await store.run(
                  Effect.all({
                    events: Effect.flatMap(Store, (s) => s.readStream(ref)),
                    log: readAll({ organisation: ref.organisation })
                  })
                )
                expect(events.map((e) => e.eventId)).toEqual(stored)
                expect(versions(events)).toEqual(stored.map((_, i) => i + 1))
                expect(log.map((e) => e.eventId)).toEqual(stored)
              }
            )
          )
      )

      property("racing appends with any: every append lands, whole and once, with dense versions", (store) =>
        assertProperty(
          fc.asyncProperty(
            fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 2, maxLength: 6 }),
            fc.scheduler(),
            async (sizes, scheduler) => {
              const ref = Fixtures.mentorship(1, Fixtures.organisation(`any-run-${++runs}`))
              const racers = sizes.map((size) =>
                Array.from({ length: size }, (_, j) => ({
                  eventId: Fixtures.eventId(++eventIds),
                  event: Fixtures.meetingCancelled(j)
                }))
              )
              const outcomes = await race(
                store,
                scheduler,
                racers.map((events) =>
                  Effect.flatMap(Store, (s) => s.append(ref, events, { expected: EventStore.any }))
                )
              )
              const events = await store.run(Effect.flatMap(Store, (s) => s.readStream(ref)))
              expect(versions(events)).toEqual(events.map((_, i) => i + 1))
              expect(events).toHaveLength(sizes.reduce((a, b) => a + b, 0))
              const ids = events.map((e) => e.eventId)
              outcomes.forEach((o, i) => {
                if (Either.isLeft(o)) throw new Error(`racer ${i} failed: ${String(o.left)}`)
                const { firstVersion, nextExpectedVersion } = o.right
                // Each append's events are contiguous, in order, where the result says.
                expect(ids.slice(firstVersion - 1, nextExpectedVersion)).toEqual(
                  racers[i]!.map((e) => e.eventId)
                )
              })
            }
          )
        )
      )
    })

    describe("concurrency", () => {
      // A yield between reading a stream's version and appending, as any
      // journal doing I/O has: the appends interleave.
      const yieldAfterVersion: JournalWrapper = (journal) => ({
        ...journal,
        streamVersion: (organisation, stream) =>
          Effect.zipLeft(journal.streamVersion(organisation, stream), Effect.yieldNow())
      })
      test(
        "concurrent appends with streamExists to an existing stream all land",
        () =>
          Effect.gen(function* () {
            const store = yield* Store
            const ref = Fixtures.mentorship(1)
            yield* store.append(ref, [Fixtures.meetingCancelled(0)])
            const outcomes = yield* Effect.all(
              [1, 2, 3, 4].map((n) =>
                Effect.either(
                  store.append(ref, [Fixtures.meetingCancelled(n)], { expected: EventStore.streamExists })
                )
              ),
              { concurrency: "unbounded" }
            )
            expect(
              outcomes.map((o) => (Either.isRight(o) ? "appended" : `${o.left._tag}: ${o.left.message}`)),
              "a stream that exists satisfies streamExists, however many appends race"
            ).toEqual(["appended", "appended", "appended", "appended"])
            expect(yield* store.version(ref)).toBe(5)
          }),
        yieldAfterVersion
      )
    })
  })
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

const Store = EventStore.EventStore
const Journal = EventJournal.EventJournal

const versions = (events: ReadonlyArray<{ readonly version: number }>) => events.map((e) => e.version)

const readLimit = 10_000

/** The global log; bounded, so that a store that never ends a read fails the test instead of hanging it. */
const readAll = (options?: EventStore.ReadAllOptions) =>
  Effect.flatMap(Store, (store) => Stream.runCollect(Stream.take(store.readAll(options), readLimit))).pipe(
    Effect.map(Chunk.toArray)
  )

/** Every stored row, as the journal holds it: to show that a failed append wrote nothing. */
const everything = Effect.flatMap(Journal, (journal) =>
  journal
    .readAll({ after: EventJournal.start, limit: 1_000_000 })
    .pipe(Effect.map((rows) => rows.map((r) => `${r.organisation}/${r.stream}@${r.version}:${r.eventId}`)))
)

/** The error of an effect that must fail. */
const failure = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<E, never, R> =>
  Effect.flatMap(Effect.either(effect), (result) =>
    Either.isLeft(result)
      ? Effect.succeed(result.left)
      : Effect.dieMessage("expected a failure, but it succeeded")
  )

/** The ConcurrencyConflict of an append that must conflict. */
const conflict = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.map(failure(effect), (error) => {
    expect(error, "a ConcurrencyConflict").toBeInstanceOf(EventStore.ConcurrencyConflict)
    return error as EventStore.ConcurrencyConflict
  })

const rowId = (n: number) => Fixtures.eventId(10_000 + n)

/** A journal row for tests that write rows directly. */
const encoded = (
  n: number,
  eventType: string,
  schemaVersion: number,
  payload: unknown,
  at = new Date("2025-02-01T00:00:00.000Z")
): EventJournal.EncodedEvent => ({
  eventId: rowId(n),
  eventType,
  schemaVersion,
  payload: typeof payload === "string" ? payload : JSON.stringify(payload),
  metadata: "{}",
  occurredAt: at,
  recordedAt: at
})

const row = (n: number) => encoded(n, "MeetingCancelled", 1, { n })
const rows = (...ns: Array<number>) => ns.map(row)

const batch = (
  stream: string,
  expected: number | "any",
  events: ReadonlyArray<EventJournal.EncodedEvent>
): EventJournal.StreamAppend => ({
  organisation: Ids.defaultOrganisation,
  stream,
  streamType: "Mentorship",
  expected,
  events
})

/** Writes rows to a store's stream directly through the journal (e.g. rows of an older schema version). */
const storeRows = (ref: EventStore.StreamRef, events: ReadonlyArray<EventJournal.EncodedEvent>) =>
  Effect.flatMap(Journal, (journal) =>
    journal.append([
      {
        organisation: ref.organisation,
        stream: EventStore.streamName(ref),
        streamType: ref.type,
        expected: "any",
        events
      }
    ])
  )

/**
 * Runs effects concurrently, each starting when fast-check's scheduler
 * releases it, so that every run tries another order
 * (fast-check `examples/005-race`).
 */
const race = async <A, E>(
  store: StoreRuntime,
  scheduler: fc.Scheduler,
  effects: ReadonlyArray<Effect.Effect<A, E, Services>>
): Promise<Array<Either.Either<A, E>>> => {
  let waiting = 0
  const gates = effects.map((_, i) => scheduler.schedule(Promise.resolve(i), `append ${i}`))
  const running = store.run(
    Effect.all(
      effects.map((effect, i) =>
        Effect.sync(() => waiting++).pipe(
          Effect.zipRight(Effect.promise(() => gates[i]!)),
          Effect.zipRight(Effect.either(effect))
        )
      ),
      { concurrency: "unbounded" }
    )
  )
  // Release the gates only once every effect waits at its gate.
  let settled = false
  running.then(
    () => (settled = true),
    () => (settled = true)
  )
  while (waiting < effects.length && !settled) await new Promise((resolve) => setTimeout(resolve, 0))
  await scheduler.waitAll()
  return running
}
