/**
 * Ours on PostgreSQL: `@mentor-ledger/postgres`'s layer with the core's
 * event store and ledger on top, as an application builds it, each run in
 * a schema of its own on the server at `MENTOR_LEDGER_PG_URL`.
 */
import { type Commands, EventStore, type Events, Ids, Ledger } from "@mentor-ledger/core"
import { PgJournal } from "@mentor-ledger/postgres"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Stream from "effect/Stream"
import { mentorshipId } from "../Fixtures.js"
import type { Session, Subject } from "../Subject.js"

export const url = (): string => {
  const value = process.env.MENTOR_LEDGER_PG_URL
  if (value === undefined) throw new Error("MENTOR_LEDGER_PG_URL is not set")
  return value
}

/** Our PostgreSQL store (and ledger) on one schema; the keys live in its key table. */
const layerOn = (schema: string) =>
  Ledger.layer().pipe(
    Layer.provideMerge(PgJournal.layer({ url: url(), schema })),
    Layer.provide(Ids.layerUuidV7)
  )

const ref = (n: number) => EventStore.mentorshipStream(mentorshipId(n))

export const open = async (schema: string): Promise<Session> => {
  const runtime = ManagedRuntime.make(layerOn(schema))
  const { store, ledger } = await runtime.runPromise(
    Effect.all({ store: EventStore.EventStore, ledger: Ledger.Ledger })
  )
  return {
    appendStreams: (histories) =>
      runtime.runPromise(
        Effect.gen(function* () {
          let events = 0
          for (let n = 0; n < histories.length; n++) {
            yield* store.append(ref(n), histories[n]!, { expected: EventStore.noStream })
            events += histories[n]!.length
          }
          return events
        })
      ),
    appendOneByOne: (histories) =>
      runtime.runPromise(
        Effect.gen(function* () {
          let events = 0
          const rounds = histories[0]?.length ?? 0
          for (let v = 0; v < rounds; v++) {
            for (let n = 0; n < histories.length; n++) {
              yield* store.append(ref(n), [histories[n]![v]!], { expected: EventStore.exact(v) })
              events++
            }
          }
          return events
        })
      ),
    readAll: () => runtime.runPromise(Stream.runFold(store.readAll(), 0, (n) => n + 1)),
    loadStreams: (mentorships) =>
      runtime.runPromise(
        Effect.gen(function* () {
          let events = 0
          for (const n of mentorships) events += (yield* store.readStream(ref(n))).length
          return events
        })
      ),
    executeCommands: (commands) =>
      runtime.runPromise(
        Effect.gen(function* () {
          for (const command of commands) yield* ledger.execute(command as Commands.CommandInput)
          return commands.length
        })
      ),
    close: () => runtime.dispose()
  }
}

const appendAll = (
  schema: string,
  requests: (store: EventStore.EventStoreService) => Effect.Effect<void, unknown>
) =>
  Effect.gen(function* () {
    yield* requests(yield* EventStore.EventStore)
  }).pipe(Effect.provide(layerOn(schema)), Effect.runPromise)

export const subject: Subject = {
  label: "mentor-ledger",
  open,
  prepareEmpty: (schema) =>
    Effect.runPromise(Effect.scoped(Effect.asVoid(PgJournal.make({ url: url(), schema })))),
  prepareLog: (schema, histories, order) =>
    appendAll(schema, (store) =>
      Effect.gen(function* () {
        const rounds = histories[0]?.length ?? 0
        for (let v = 0; v < rounds; v++) {
          const requests = order.map((n) => ({
            stream: ref(n),
            events: [histories[n]![v]!],
            expected: EventStore.exact(v)
          }))
          for (let i = 0; i < requests.length; i += 1000) yield* store.appendMany(requests.slice(i, i + 1000))
        }
      })
    )
}

/** The W5 schema: mentorships in their meetings phase, appended through our store. */
export const prepareMeetings = (schema: string, histories: ReadonlyArray<ReadonlyArray<Events.Event>>) =>
  appendAll(schema, (store) =>
    Effect.gen(function* () {
      for (let i = 0; i < histories.length; i += 500) {
        yield* store.appendMany(
          histories.slice(i, i + 500).map((events, j) => ({
            stream: ref(i + j),
            events,
            expected: EventStore.noStream
          }))
        )
      }
    })
  )
