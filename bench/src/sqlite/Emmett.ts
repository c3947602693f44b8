/**
 * The peer on SQLite: Emmett's `emmett-sqlite`, used as its docs show
 * (`getSQLiteEventStore({ fileName })`, `appendToStream`, `readStream`),
 * at its own defaults, on its own schema. Reading the whole log uses its
 * `readMessagesBatch` (what its consumers pull with), 1,000 at a time.
 *
 * Its defaults differ from ours in ways that cost it time, and the bench
 * keeps them, since they are what its users get: each store call opens
 * and closes its own `sqlite3` connection (asynchronous, one libuv hop per
 * statement), and `synchronous` stays at SQLite's default (FULL), so each
 * commit syncs the write-ahead log.
 */
import { STREAM_DOES_NOT_EXIST } from "@event-driven-io/emmett"
import {
  appendToStream,
  createEventStoreSchema,
  getSQLiteEventStore,
  readMessagesBatch,
  sqliteConnection
} from "@event-driven-io/emmett-sqlite"
import type { Events } from "@mentor-ledger/core"
import { mentorshipId } from "../Fixtures.js"
import { type Session, type Subject, streamName } from "../Subject.js"

/** Emmett's event shape: type and data (dates become ISO strings in its JSON). */
const toEmmett = (event: Events.Event) => {
  const { _tag, ...data } = event
  return { type: _tag, data: data as Record<string, unknown> }
}

const convert = (histories: ReadonlyArray<ReadonlyArray<Events.Event>>) =>
  histories.map((events) => events.map(toEmmett))

/**
 * Emmett's commit sometimes fails with `SQLITE_BUSY: cannot commit
 * transaction - SQL statements in progress` (sqlite3 runs its statements
 * in parallel mode and a `RETURNING` statement is not finalised before
 * the `COMMIT`; 0.38.5 and 0.42.4 alike). Its transaction is rolled back,
 * so the bench does what an application would: it appends again, and
 * counts how often.
 */
const inProgress = (error: unknown) =>
  error instanceof Error && (error as { code?: unknown }).code === "SQLITE_BUSY"

export const open = async (fileName: string): Promise<Session> => {
  const eventStore = getSQLiteEventStore({ fileName, schema: { autoMigration: "None" } })
  let retries = 0
  const store = {
    appendToStream: async (...args: Parameters<typeof eventStore.appendToStream>) => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await eventStore.appendToStream(...args)
        } catch (error) {
          if (!inProgress(error) || attempt === 10) throw error
          retries++
        }
      }
    },
    readStream: eventStore.readStream
  }
  return {
    appendStreams: async (histories, from = 0) => {
      // to its event shape: timed, but a few milliseconds next to its appends
      const converted = convert(histories)
      let events = 0
      for (let n = 0; n < converted.length; n++) {
        await store.appendToStream(streamName(mentorshipId(from + n)), [...converted[n]!], {
          expectedStreamVersion: STREAM_DOES_NOT_EXIST
        })
        events += converted[n]!.length
      }
      return events
    },
    appendOneByOne: async (histories, from = 0) => {
      const converted = convert(histories)
      let events = 0
      const rounds = converted[0]?.length ?? 0
      for (let v = 0; v < rounds; v++) {
        for (let n = 0; n < converted.length; n++) {
          await store.appendToStream(streamName(mentorshipId(from + n)), [converted[n]![v]!], {
            expectedStreamVersion: BigInt(v)
          })
          events++
        }
      }
      return events
    },
    readAll: async () => {
      const connection = sqliteConnection({ fileName })
      try {
        let events = 0
        let after = 0n
        while (true) {
          const batch = await readMessagesBatch(connection, { after, batchSize: 1000 })
          events += batch.messages.length
          if (!batch.areEventsLeft) return events
          after = batch.currentGlobalPosition
        }
      } finally {
        connection.close()
      }
    },
    loadStreams: async (mentorships) => {
      let events = 0
      for (const n of mentorships)
        events += (await store.readStream(streamName(mentorshipId(n)))).events.length
      return events
    },
    retries: () => retries,
    close: async () => {}
  }
}

/** Moves everything into the main file, so that a copy of it alone is the whole database. */
const checkpoint = (connection: ReturnType<typeof sqliteConnection>) =>
  connection.command("pragma wal_checkpoint(TRUNCATE)")

export const subject: Subject = {
  label: "emmett-sqlite",
  open,
  prepareEmpty: async (fileName) => {
    const connection = sqliteConnection({ fileName })
    try {
      await createEventStoreSchema(connection)
      await checkpoint(connection)
    } finally {
      connection.close()
    }
  },
  // Emmett's own append, on one connection, a transaction per round (quicker to make than call by call)
  prepareLog: async (fileName, histories, order) => {
    const connection = sqliteConnection({ fileName })
    try {
      await connection.command("pragma synchronous = off")
      const rounds = histories[0]?.length ?? 0
      for (let v = 0; v < rounds; v++) {
        await connection.withTransaction(async () => {
          for (const n of order) {
            const result = await appendToStream(
              connection,
              streamName(mentorshipId(n)),
              "mentorship",
              [toEmmett(histories[n]![v]!)],
              { expectedStreamVersion: BigInt(v) }
            )
            if (!result.success) throw new Error(`emmett refused event ${v + 1} of mentorship ${n}`)
          }
        })
      }
      await checkpoint(connection)
    } finally {
      connection.close()
    }
  }
}
