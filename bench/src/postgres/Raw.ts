/**
 * The raw side on PostgreSQL: `pg` alone, one connection, the statements
 * ours runs on the schema our migrations create. An append is one
 * transaction: the stream's transaction-scoped advisory lock, the version
 * read and check, one multi-row insert returning the positions (the
 * transaction id from `pg_current_xact_id()`), the `pg_notify` ours sends
 * by default, commit. Payloads are `JSON.stringify`-ed, ids are uuid v7.
 * Reads run ours' queries (the log below the snapshot's xmin) and
 * `JSON.parse` payload and metadata, with no schema validation.
 */
import type { Events } from "@mentor-ledger/core"
import pg from "pg"
import { v7 as uuidv7 } from "uuid"
import { hotEvent, mentorshipId } from "../Fixtures.js"
import type { Writer } from "../Ours.js"
import { type Session, streamName } from "../Subject.js"
import { url } from "./Ours.js"

const columns =
  '"position", "transaction_id", "organisation", "stream", "stream_type", "version", "event_id", "event_type", "schema_version", cast("payload" as text) as "payload", cast("metadata" as text) as "metadata", "occurred_at", "recorded_at"'

interface Row {
  readonly position: string
  readonly transaction_id: string
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

const decode = (r: Row) => ({
  position: r.position,
  transaction: r.transaction_id,
  stream: r.stream,
  version: r.version,
  eventId: r.event_id,
  type: r.event_type,
  schemaVersion: r.schema_version,
  data: JSON.parse(r.payload) as unknown,
  metadata: JSON.parse(r.metadata) as unknown,
  occurredAt: r.occurred_at,
  recordedAt: r.recorded_at
})

const organisation = "default"

/** A version check that failed: the stream is at `actual`. */
class Conflict {
  constructor(readonly actual: number) {}
}

/** Ours' append, statement for statement, on one connection. */
const appender = (client: pg.Client, schema: string) => {
  const events = `"${schema}"."ml_events"`
  const channel = `${schema}.ml_events`
  const inserts = new Map<number, string>()
  const insert = (rows: number) => {
    let text = inserts.get(rows)
    if (text === undefined) {
      const tuples = Array.from({ length: rows }, (_, r) => {
        const p = (i: number) => `$${r * 11 + i}`
        return `(pg_current_xact_id()::text::bigint, ${[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map(p).join(", ")})`
      })
      text = `insert into ${events} ("transaction_id", "organisation", "stream", "stream_type", "version", "event_id", "event_type", "schema_version", "payload", "metadata", "occurred_at", "recorded_at") values ${tuples.join(", ")} returning "position", "transaction_id"`
      inserts.set(rows, text)
    }
    return text
  }
  /** Appends, or returns the stream's actual version when it is not `expected`. */
  return async (
    stream: string,
    expected: number,
    batch: ReadonlyArray<Events.Event>
  ): Promise<number | undefined> => {
    await client.query("begin")
    try {
      await client.query({
        name: "lock",
        text: "select pg_advisory_xact_lock(hashtextextended($1, 0))",
        values: [`${schema}/stream/${organisation}/${stream}`]
      })
      const current = Number(
        (
          await client.query({
            name: "version",
            text: `select coalesce(max(version), 0) as version from ${events} where organisation = $1 and stream = $2`,
            values: [organisation, stream]
          })
        ).rows[0].version
      )
      if (current !== expected) throw new Conflict(current)
      const recordedAt = new Date().toISOString()
      const values: Array<unknown> = []
      for (let i = 0; i < batch.length; i++) {
        const { _tag, ...payload } = batch[i]!
        values.push(
          organisation,
          stream,
          "Mentorship",
          current + i + 1,
          uuidv7(),
          _tag,
          1,
          JSON.stringify(payload),
          "{}",
          batch[i]!.occurredAt.toISOString(),
          recordedAt
        )
      }
      await client.query({ name: `insert${batch.length}`, text: insert(batch.length), values })
      await client.query({
        name: "notify",
        text: "select pg_notify($1, $2)",
        values: [channel, JSON.stringify([organisation])]
      })
      await client.query("commit")
      return undefined
    } catch (error) {
      await client.query("rollback")
      if (error instanceof Conflict) return error.actual
      throw error
    }
  }
}

const connect = async () => {
  // the session settings ours' connections have (@mentor-ledger/postgres: custom plans for
  // prepared statements, so that a plan made on an empty table is not kept as it grows)
  const client = new pg.Client({ connectionString: url(), options: "-c plan_cache_mode=force_custom_plan" })
  await client.connect()
  return client
}

export const open = async (schema: string): Promise<Session> => {
  const client = await connect()
  const events = `"${schema}"."ml_events"`
  const appendTo = appender(client, schema)
  const append = async (stream: string, expected: number, batch: ReadonlyArray<Events.Event>) => {
    const actual = await appendTo(stream, expected, batch)
    if (actual !== undefined) throw new Error(`${stream} is at version ${actual}, not ${expected}`)
  }
  const hot = streamName(mentorshipId(9_999_999))
  return {
    appendStreams: async (histories, from = 0) => {
      let n = 0
      for (let i = 0; i < histories.length; i++) {
        await append(streamName(mentorshipId(from + i)), 0, histories[i]!)
        n += histories[i]!.length
      }
      return n
    },
    appendOneByOne: async (histories, from = 0) => {
      let n = 0
      const rounds = histories[0]?.length ?? 0
      for (let v = 0; v < rounds; v++) {
        for (let i = 0; i < histories.length; i++) {
          await append(streamName(mentorshipId(from + i)), v, [histories[i]![v]!])
          n++
        }
      }
      return n
    },
    readAll: async () => {
      let n = 0
      let after = { transaction: "0", position: "0" }
      while (true) {
        const { rows } = await client.query<Row>({
          name: "log",
          text: `select ${columns} from ${events} where ("transaction_id", "position") > ($1, $2) and "transaction_id" < pg_snapshot_xmin(pg_current_snapshot())::text::bigint order by "transaction_id", "position" limit $3`,
          values: [after.transaction, after.position, 1000]
        })
        const batch = rows.map(decode)
        n += batch.length
        if (batch.length < 1000) return n
        const last = batch[batch.length - 1]!
        after = { transaction: last.transaction, position: last.position }
      }
    },
    loadStreams: async (mentorships) => {
      let n = 0
      for (const m of mentorships) {
        const { rows } = await client.query<Row>({
          name: "stream",
          text: `select ${columns} from ${events} where "organisation" = $1 and "stream" = $2 and "version" >= $3 order by "version"`,
          values: [organisation, streamName(mentorshipId(m)), 1]
        })
        n += rows.map(decode).length
      }
      return n
    },
    concurrent: async (writers, plan) => {
      // each writer its own connection, as separate application instances have
      const clients = await Promise.all(Array.from({ length: writers }, connect))
      try {
        return await plan(
          clients.map((c): Writer => {
            const appendWith = appender(c, schema)
            return {
              appendStreams: async (histories, first) => {
                let n = 0
                for (let i = 0; i < histories.length; i++) {
                  const stream = streamName(mentorshipId(first + i))
                  const actual = await appendWith(stream, 0, histories[i]!)
                  if (actual !== undefined) throw new Error(`${stream} is at version ${actual}, not 0`)
                  n += histories[i]!.length
                }
                return n
              },
              appendHot: async (writer, k, expected) => {
                const actual = await appendWith(hot, expected, [hotEvent(writer, k)])
                return actual === undefined ? { _tag: "Appended" } : { _tag: "Conflict", actual }
              }
            }
          })
        )
      } finally {
        await Promise.all(clients.map((c) => c.end()))
      }
    },
    readHotStream: async () => {
      const { rows } = await client.query<{ version: number; mark: string }>(
        `select "version", "payload"->>'observationId' as "mark" from ${events} where "organisation" = $1 and "stream" = $2 order by "version"`,
        [organisation, hot]
      )
      return rows.map((r) => ({ version: Number(r.version), mark: r.mark }))
    },
    close: () => client.end()
  }
}
