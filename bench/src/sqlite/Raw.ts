/**
 * The raw side on SQLite: better-sqlite3 prepared statements, no library,
 * doing the SQL work ours does on the same schema (made by our
 * migrations), with the same journal mode, `synchronous` and
 * `wal_autocheckpoint` settings as ours opens a database with.
 *
 * An append is one `begin immediate` transaction: read the last log
 * position and the stream's version, check the expected version, insert
 * the rows with one multi-row insert (as ours does). Events are encoded
 * with `JSON.stringify` (no schema), ids are uuid v7 as ours makes them.
 * Reads run ours' queries and `JSON.parse` payload and metadata into
 * plain objects (no schema validation, no upcasting).
 */
import type { Events } from "@mentor-ledger/core"
import Database from "better-sqlite3"
import { v7 as uuidv7 } from "uuid"
import { mentorshipId } from "../Fixtures.js"
import { type Session, streamName } from "../Subject.js"

/** The pragmas a raw connection is opened with: ours', read back from a connection ours opened. */
export interface Settings {
  readonly journalMode: string
  readonly synchronous: number
  readonly walAutocheckpoint: number
}

const columns =
  '"position", "transaction_id", "organisation", "stream", "stream_type", "version", "event_id", "event_type", "schema_version", "payload", "metadata", "occurred_at", "recorded_at"'

/** A decoded event, as a hand-written reader would return it. */
interface RawEvent {
  readonly position: number
  readonly stream: string
  readonly version: number
  readonly eventId: string
  readonly type: string
  readonly schemaVersion: number
  readonly data: unknown
  readonly metadata: unknown
  readonly occurredAt: string
  readonly recordedAt: string
}

interface Row {
  readonly position: number
  readonly stream: string
  readonly version: number
  readonly event_id: string
  readonly event_type: string
  readonly schema_version: number
  readonly payload: string
  readonly metadata: string
  readonly occurred_at: string
  readonly recorded_at: string
}

const decode = (r: Row): RawEvent => ({
  position: r.position,
  stream: r.stream,
  version: r.version,
  eventId: r.event_id,
  type: r.event_type,
  schemaVersion: r.schema_version,
  data: JSON.parse(r.payload),
  metadata: JSON.parse(r.metadata),
  occurredAt: r.occurred_at,
  recordedAt: r.recorded_at
})

const organisation = "default"

export const open = async (filename: string, settings: Settings): Promise<Session> => {
  const db = new Database(filename)
  db.pragma("busy_timeout = 5000")
  db.pragma(`journal_mode = ${settings.journalMode}`)
  db.pragma(`synchronous = ${settings.synchronous}`)
  db.pragma(`wal_autocheckpoint = ${settings.walAutocheckpoint}`)

  const lastPosition = db
    .prepare("select coalesce(max(seq), 0) as last from sqlite_sequence where name = 'ml_events'")
    .pluck()
  const streamVersion = db
    .prepare('select coalesce(max(version), 0) from "ml_events" where "organisation" = ? and "stream" = ?')
    .pluck()
  const inserts = new Map<number, Database.Statement>()
  const insert = (rows: number) => {
    let statement = inserts.get(rows)
    if (statement === undefined) {
      const tuple = `(${new Array(13).fill("?").join(", ")})`
      statement = db.prepare(
        `insert into "ml_events" (${columns}) values ${new Array(rows).fill(tuple).join(", ")}`
      )
      inserts.set(rows, statement)
    }
    return statement
  }
  const readStream = db.prepare(
    `select ${columns} from "ml_events" where "organisation" = ? and "stream" = ? and "version" >= ? order by "version"`
  )
  const readLog = db.prepare(
    `select ${columns} from "ml_events" where ("transaction_id", "position") > (?, ?) order by "transaction_id", "position" limit ?`
  )

  const appendTransaction = db.transaction(
    (stream: string, expected: number, events: ReadonlyArray<Events.Event>) => {
      const last = lastPosition.get() as number
      const current = streamVersion.get(organisation, stream) as number
      if (current !== expected) throw new Error(`${stream} is at version ${current}, not ${expected}`)
      const recordedAt = new Date().toISOString()
      const cells = new Array<unknown>(events.length * 13)
      let k = 0
      for (let i = 0; i < events.length; i++) {
        const { _tag, ...payload } = events[i]!
        const position = last + i + 1
        cells[k++] = position
        cells[k++] = position
        cells[k++] = organisation
        cells[k++] = stream
        cells[k++] = "Mentorship"
        cells[k++] = current + i + 1
        cells[k++] = uuidv7()
        cells[k++] = _tag
        cells[k++] = 1
        cells[k++] = JSON.stringify(payload)
        cells[k++] = "{}"
        cells[k++] = events[i]!.occurredAt.toISOString()
        cells[k++] = recordedAt
      }
      insert(events.length).run(cells)
    }
  )
  const append = (stream: string, expected: number, events: ReadonlyArray<Events.Event>) =>
    appendTransaction.immediate(stream, expected, events)

  return {
    appendStreams: async (histories, from = 0) => {
      let events = 0
      for (let n = 0; n < histories.length; n++) {
        append(streamName(mentorshipId(from + n)), 0, histories[n]!)
        events += histories[n]!.length
      }
      return events
    },
    appendOneByOne: async (histories, from = 0) => {
      let events = 0
      const rounds = histories[0]?.length ?? 0
      for (let v = 0; v < rounds; v++) {
        for (let n = 0; n < histories.length; n++) {
          append(streamName(mentorshipId(from + n)), v, [histories[n]![v]!])
          events++
        }
      }
      return events
    },
    readAll: async () => {
      let events = 0
      let after = 0
      while (true) {
        const rows = readLog.all(after, after, 1000) as Array<Row>
        const batch = rows.map(decode)
        events += batch.length
        if (batch.length < 1000) return events
        // SQLite: the transaction column equals the position
        after = batch[batch.length - 1]!.position
      }
    },
    loadStreams: async (mentorships) => {
      let events = 0
      for (const n of mentorships) {
        const rows = readStream.all(organisation, streamName(mentorshipId(n)), 1) as Array<Row>
        events += rows.map(decode).length
      }
      return events
    },
    close: async () => {
      db.close()
    }
  }
}
