/**
 * Ours on SQLite: `@mentor-ledger/sqlite`'s layer with the core's event
 * store and ledger on top, as an application builds it (uuid v7 ids, the
 * default organisation). Each workload runs as one Effect program that
 * calls the store (or the ledger) once per operation.
 */
import { type Commands, EventStore, type Events, Ids, Ledger } from "@mentor-ledger/core"
import { SqliteJournal } from "@mentor-ledger/sqlite"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Stream from "effect/Stream"
import { mentorshipId } from "../Fixtures.js"
import type { Session, Subject } from "../Subject.js"

/**
 * Our SQLite store (and ledger), as an application builds it. The layer
 * keeps the data keys in the same file (the `<prefix>keys` table), so a
 * database prepared by one process is read, and its content decrypted, by
 * another.
 */
const layerOn = (filename: string) =>
  Ledger.layer().pipe(Layer.provideMerge(SqliteJournal.layer({ filename })), Layer.provide(Ids.layerUuidV7))

const runtimeOn = (filename: string) => ManagedRuntime.make(layerOn(filename))

const ref = (n: number) => EventStore.mentorshipStream(mentorshipId(n))

export const open = async (filename: string): Promise<Session> => {
  const runtime = runtimeOn(filename)
  // opens the file and runs the migrations now, outside the timed part
  const { store, ledger } = await runtime.runPromise(
    Effect.all({ store: EventStore.EventStore, ledger: Ledger.Ledger })
  )
  return {
    appendStreams: (histories) =>
      runtime.runPromise(
        Effect.gen(function* () {
          let events = 0
          for (let n = 0; n < histories.length; n++) {
            const history = histories[n]!
            yield* store.append(ref(n), history, { expected: EventStore.noStream })
            events += history.length
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

/** Appends streams through our own store, round by round, one transaction per round. */
const appendRounds = (
  filename: string,
  histories: ReadonlyArray<ReadonlyArray<Events.Event>>,
  order: ReadonlyArray<number>
) =>
  Effect.gen(function* () {
    const store = yield* EventStore.EventStore
    const rounds = histories[0]?.length ?? 0
    for (let v = 0; v < rounds; v++) {
      const requests = order.map((n) => ({
        stream: ref(n),
        events: [histories[n]![v]!],
        expected: EventStore.exact(v)
      }))
      // bounded transactions: a round of 10,000 streams is one append of 1,000 at a time
      for (let i = 0; i < requests.length; i += 1000) yield* store.appendMany(requests.slice(i, i + 1000))
    }
  }).pipe(Effect.provide(layerOn(filename)), Effect.runPromise)

export const subject: Subject = {
  label: "mentor-ledger",
  open,
  prepareEmpty: (filename) =>
    Effect.runPromise(Effect.scoped(Effect.asVoid(SqliteJournal.make({ filename })))),
  // through our own store, so that the stored rows are exactly what ours writes
  // (and, once content encryption lands, encrypted as ours stores them)
  prepareLog: appendRounds
}

/** The W5 database: `mentorships` mentorships in their meetings phase, appended through our store. */
export const prepareMeetings = (filename: string, histories: ReadonlyArray<ReadonlyArray<Events.Event>>) =>
  Effect.gen(function* () {
    const store = yield* EventStore.EventStore
    for (let i = 0; i < histories.length; i += 500) {
      yield* store.appendMany(
        histories.slice(i, i + 500).map((events, j) => ({
          stream: ref(i + j),
          events,
          expected: EventStore.noStream
        }))
      )
    }
  }).pipe(Effect.provide(layerOn(filename)), Effect.runPromise)

/** The journal settings ours opens a database with, read back from a connection it opened. */
export const settings = async (filename: string): Promise<{ journalMode: string; synchronous: number }> => {
  const { journal, close } = await SqliteJournal.open({ filename })
  try {
    const { sql } = await import("kysely")
    const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(journal.db)
    const sync = await sql<{ synchronous: number }>`pragma synchronous`.execute(journal.db)
    return { journalMode: mode.rows[0]!.journal_mode, synchronous: sync.rows[0]!.synchronous }
  } finally {
    await close()
  }
}
