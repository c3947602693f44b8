/**
 * The examples of docs/postgres.md. The page quotes the `// #region`
 * blocks of this file verbatim (the first test checks that it still does),
 * so every example there compiles, and runs here against the test server.
 */
import { readFileSync } from "node:fs"
import { createLedger, EventJournal, EventStore, Ids, Template } from "@mentor-ledger/core"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Queue from "effect/Queue"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import { describe, expect, it } from "vitest"
import { Projection, ReadModels } from "@mentor-ledger/sql"
import { PgJournal, PgReadModels } from "../src/index.js"
import { batch, eventId, eventually, fresh, listening, range, run } from "./fixtures.js"
import { dropSchema, onServer, query, schemaName, serverUrl } from "./server.js"

// #region promise-api
const launch = async (url: string, schema: string) => {
  const ledger = createLedger({ store: PgJournal.layerJournal({ url, schema }) })
  try {
    await ledger.execute({
      _tag: "LaunchProgramme",
      actor: { personId: "0190a1b2-0000-7000-8000-000000000001", role: "coordinator" },
      programmeId: "0190a1b2-0000-7000-8000-0000000000aa",
      name: "Headmasters as Mentors 2026",
      templates: [Template.headmastersAsMentors]
    })
  } finally {
    await ledger.close() // ends the connection pool
  }
}
// #endregion

// #region effect-layer
const store = (url: string, schema: string) =>
  PgJournal.layer({ url, schema, maxConnections: 20 }).pipe(Layer.provide(Ids.layerUuidV7))

const programmeVersion = (url: string, schema: string, programmeId: string) =>
  Effect.flatMap(EventStore.EventStore, (events) =>
    events.version(EventStore.programmeStream(programmeId))
  ).pipe(Effect.provide(store(url, schema)))
// #endregion

// #region follow-the-log
/**
 * Hands every event after `from` to `handle`, batch by batch in log order,
 * until interrupted: it reads when an append commits (LISTEN) and every
 * second anyway, so a lost notification or a lost listening connection
 * only delays it.
 */
const follow = (
  journal: PgJournal.PgEventJournal,
  from: EventJournal.LogPosition,
  handle: (events: ReadonlyArray<EventJournal.StoredEvent>) => Effect.Effect<void>
) =>
  Effect.scoped(
    Effect.gen(function* () {
      const wake = yield* Queue.sliding<void>(1)
      yield* Effect.forkScoped(
        journal.notifications.pipe(
          Stream.runForEach(() => Queue.offer(wake, undefined)),
          Effect.retry(Schedule.spaced("1 second")) // listen again after a lost connection
        )
      )
      let after = from
      while (true) {
        const events = yield* journal.readAll({ after, limit: 500 })
        if (events.length > 0) {
          yield* handle(events)
          after = events[events.length - 1]!.position
        } else {
          yield* Effect.ignore(Effect.timeout(Queue.take(wake), "1 second"))
        }
      }
    })
  )
// #endregion

// #region read-models
/** One app instance with the read models, kept by a catch-up worker it shares with the others. */
const openInstance = (url: string, schema: string, instance: string) =>
  PgReadModels.open({
    url,
    schema,
    projections: "catch-up", // a worker in the background: woken by NOTIFY, polling as the fallback
    pollInterval: "1 second",
    instance // its name in `owners()` and in pg_stat_activity
  })
// #endregion

// #region worker-effect
/** A catch-up worker as an Effect, on the journal of the layer it runs in, until interrupted. */
const worker = (instance: string) =>
  Effect.gen(function* () {
    const journal = yield* PgJournal.PgJournal
    const runtime = yield* Projection.make(journal, ReadModels.projections)
    yield* runtime.setup
    return yield* runtime.worker({ wakeUp: journal.notifications, instance, pollInterval: "1 second" })
  })
// #endregion

/** The regions of this file, dedented, by name. */
const regions = (): Map<string, string> => {
  const source = readFileSync(new URL(import.meta.url), "utf8")
  const out = new Map<string, string>()
  for (const [, indent, name, body] of source.matchAll(
    /^( *)\/\/ #region (\S+)\n([\s\S]*?)^ *\/\/ #endregion/gm
  ))
    out.set(name!, body!.replace(new RegExp(`^${indent}`, "gm"), "").trimEnd())
  return out
}

describe("docs/postgres.md", () => {
  it("quotes every example of this file as it is", () => {
    const page = readFileSync(new URL("../../../docs/postgres.md", import.meta.url), "utf8")
    const found = regions()
    expect([...found.keys()]).toEqual([
      "promise-api",
      "effect-layer",
      "follow-the-log",
      "read-models",
      "worker-effect"
    ])
    for (const [name, code] of found) expect(page, `region ${name}`).toContain(code)
  })
})

onServer("docs/postgres.md examples", () => {
  it("the Promise API and the layer record and read a programme", async () => {
    const [url, schema] = [serverUrl(), schemaName()]
    try {
      await launch(url, schema)
      expect(
        await Effect.runPromise(programmeVersion(url, schema, "0190a1b2-0000-7000-8000-0000000000aa"))
      ).toBe(1)
      expect(await query(`select event_type from "${schema}".ml_events`)).toEqual([
        { event_type: "ProgrammeLaunched" }
      ])
    } finally {
      await dropSchema(schema)
    }
  })

  it("two instances share the read models out, and one takes over when the other closes", async () => {
    const [url, schema] = [serverUrl(), schemaName()]
    try {
      const first = await openInstance(url, schema, "instance-1")
      const second = await openInstance(url, schema, "instance-2")
      const owners = async () =>
        (await second.projections.owners()).map((o) => `${o.projection} ${o.instance}`)
      await eventually(
        async () => (await owners()).join() === "mentorships@1 instance-1,programmes@1 instance-2",
        "shared out",
        15_000
      )
      await first.close()
      await eventually(
        async () => (await owners()).join() === "mentorships@1 instance-2,programmes@1 instance-2",
        "taken over",
        15_000
      )
      await second.close()
    } finally {
      await dropSchema(schema)
    }
  }, 40_000)

  it("the worker as an Effect owns the projections of its layer's journal", async () => {
    const [url, schema] = [serverUrl(), schemaName()]
    try {
      await Effect.runPromise(
        Effect.gen(function* () {
          const fiber = yield* Effect.fork(worker("effect-worker"))
          const journal = yield* PgJournal.PgJournal
          const runtime = yield* Projection.make(journal, ReadModels.projections)
          yield* Effect.promise(() =>
            eventually(
              async () =>
                (await Effect.runPromise(runtime.owners)).filter((o) => o.instance === "effect-worker")
                  .length === 2,
              "the worker owns both projections"
            )
          )
          yield* Fiber.interrupt(fiber)
          expect(yield* runtime.owners).toEqual([])
        }).pipe(Effect.provide(PgJournal.layerJournal({ url, schema })))
      )
    } finally {
      await dropSchema(schema)
    }
  })

  it("following the log hands over every event once, in order, woken by notifications", async () => {
    await run(
      Effect.gen(function* () {
        const journal = yield* fresh()
        yield* journal.append([batch("s-1", 0, 1, 2)])
        const seen: Array<string> = []
        const follower = yield* Effect.fork(
          follow(journal, EventJournal.start, (events) =>
            Effect.sync(() => seen.push(...events.map((e) => e.eventId)))
          )
        )
        yield* Effect.promise(() => eventually(async () => seen.length === 2, "the follower caught up"))
        yield* Effect.promise(() => listening(journal.channel))
        yield* journal.append([batch("s-1", 2, 3), batch("s-2", 0, 4, 5)])
        yield* Effect.promise(() =>
          eventually(async () => seen.length === 5, "the follower heard the append")
        )
        // (that a notification, not the poll, woke it is shown by the read-model worker
        // whose poll interval is an hour, in PgReadModels.int.test.ts: no timing here)
        yield* Fiber.interrupt(follower)
        expect(seen).toEqual(range(1, 5).map(eventId))
      })
    )
  })
})
