/**
 * The peer on PostgreSQL: Emmett's `emmett-postgresql` 0.42.0, used as its
 * docs show (`getPostgreSQLEventStore(connectionString)`, `appendToStream`,
 * `readStream`), on its own schema (`emt_streams`, `emt_messages`, its
 * `emt_append_to_stream` function, made by its own migrations in the
 * `public` schema), each run in a database of its own on the server at
 * `MENTOR_LEDGER_PG_URL` (ours and raw take a schema each; Emmett's
 * migrations look its functions up by name in the whole database, in
 * `pg_proc` whatever the schema, so a second schema of one database would
 * get its tables but not its functions). Reading
 * the whole log uses its `readMessagesBatch` (what its consumers'
 * `postgreSQLEventStoreMessageBatchPuller` pulls with; 100 at a time by
 * default there), 1,000 at a time, as the SQLite peer does.
 *
 * It is a package of its own, so that its `@event-driven-io/emmett` 0.42.0
 * does not meet the SQLite peer's 0.38.5: the bench's child processes load
 * it by its name, and Node resolves Emmett from this package's directory.
 *
 * Its defaults, which the bench keeps since they are what its users get,
 * and what they cost it:
 * - a `pg.Pool` (dumbo's, one per connection string), and every
 *   `appendToStream` is its own transaction on a connection taken from the
 *   pool and given back: `BEGIN`, one `select * from emt_append_to_stream(…)`
 *   with every event's data, metadata, id and type quoted into the SQL text
 *   (no bind parameters, so the server parses and plans each call anew),
 *   `COMMIT`; the function inserts or updates the stream's row in
 *   `emt_streams` (its version check) and inserts the events, all in
 *   PL/pgSQL;
 * - `readStream` and `readMessagesBatch` also quote their arguments into
 *   the SQL text (parsed and planned every call); `message_data` comes back
 *   as `jsonb`, which `pg` parses with dumbo's JSON parser; every `bigint`
 *   column becomes a `BigInt` (dumbo sets `pg`'s type parsers for the
 *   whole process, which is why the bench runs it only in child processes
 *   of its own);
 * - `readMessagesBatch` pages by `global_position` but orders by
 *   `transaction_id, global_position`, and `emt_messages` has no index
 *   but its primary key (stream, position, partition): each page reads
 *   the whole table and sorts the rows after the cursor, so W3's cost per
 *   event grows with the log;
 * - an append with `expectedStreamVersion: STREAM_DOES_NOT_EXIST` (W1) is
 *   not checked by 0.42.0 on PostgreSQL: it is sent as "no check", the
 *   function reads the stream's position and appends after it (a new
 *   stream's row is inserted, so two writers racing for one new stream
 *   still meet at its primary key). The bench's streams are new, so the
 *   rows are the same; the cost is one index lookup more than an exact
 *   version's.
 *
 * The one default it is not run at: `autoMigration` is `None`, since the
 * schema is made before the timed part (`prepareEmpty`, by its own
 * `schema.migrate()`); with `CreateOrUpdate` its first call in the timed
 * part would run its migration check.
 */
import { dumbo, rawSql } from "@event-driven-io/dumbo"
import { STREAM_DOES_NOT_EXIST } from "@event-driven-io/emmett"
import {
  appendToStream,
  getPostgreSQLEventStore,
  readMessagesBatch
} from "@event-driven-io/emmett-postgresql"
import { mentorshipId } from "../../src/Fixtures.js"
import { type Session, type Subject, streamName } from "../../src/Subject.js"

/** One of the bench's mentoring events (the core's `Events.Event`). */
type Event = Parameters<Session["appendStreams"]>[0][number][number]

const url = (): string => {
  const value = process.env.MENTOR_LEDGER_PG_URL
  if (value === undefined) throw new Error("MENTOR_LEDGER_PG_URL is not set")
  return value
}

/** The URL of the database `database` on the bench's server. */
export const connectionStringFor = (database: string): string => {
  if (!/^[a-z_][a-z0-9_]*$/.test(database))
    throw new Error(`not a plain database name: ${JSON.stringify(database)}`)
  const connection = new URL(url())
  connection.pathname = `/${database}`
  return connection.toString()
}

/** Emmett's event shape: type and data (dates become ISO strings in its JSON). */
const toEmmett = (event: Event) => {
  const { _tag, ...data } = event
  return { type: _tag, data: data as Record<string, unknown> }
}

const convert = (histories: ReadonlyArray<ReadonlyArray<Event>>) =>
  histories.map((events) => events.map(toEmmett))

export const open = async (database: string): Promise<Session> => {
  const connectionString = connectionStringFor(database)
  const eventStore = getPostgreSQLEventStore(connectionString, { schema: { autoMigration: "None" } })
  return {
    appendStreams: async (histories, from = 0) => {
      // to its event shape: timed, but a few milliseconds next to its appends
      const converted = convert(histories)
      let events = 0
      for (let n = 0; n < converted.length; n++) {
        await eventStore.appendToStream(streamName(mentorshipId(from + n)), [...converted[n]!], {
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
          await eventStore.appendToStream(streamName(mentorshipId(from + n)), [converted[n]![v]!], {
            expectedStreamVersion: BigInt(v)
          })
          events++
        }
      }
      return events
    },
    readAll: async () => {
      // its own pool (dumbo shares the store's `pg.Pool`: the same connection string)
      const pool = dumbo({ connectionString })
      try {
        let events = 0
        let after = 0n
        while (true) {
          const batch = await readMessagesBatch(pool.execute, { after, batchSize: 1000 })
          events += batch.messages.length
          if (!batch.areMessagesLeft) return events
          after = batch.currentGlobalPosition
        }
      } finally {
        await pool.close()
      }
    },
    loadStreams: async (mentorships) => {
      let events = 0
      for (const n of mentorships)
        events += (await eventStore.readStream(streamName(mentorshipId(n)))).events.length
      return events
    },
    close: () => eventStore.close()
  }
}

/** How many events the W3/W4 log's preparation writes per transaction. */
const perTransaction = 1000

export const subject: Subject = {
  label: "emmett-postgresql",
  open,
  // a database of its own (`pnpm bench` drops it at the end), with its schema made by its own migrations
  prepareEmpty: async (database) => {
    const connectionString = connectionStringFor(database)
    const pool = dumbo({ connectionString: url() })
    try {
      // a plain name: connectionStringFor refuses others
      await pool.execute.command(rawSql(`create database "${database}"`))
    } finally {
      await pool.close()
    }
    const eventStore = getPostgreSQLEventStore(connectionString, {
      schema: { autoMigration: "None" }
    })
    try {
      await eventStore.schema.migrate()
    } finally {
      await eventStore.close()
    }
  },
  // Emmett's own append, call by call in the seeded order, round by round, each call joined to a
  // transaction of 1,000 (as ours' preparation writes 1,000 per transaction): Emmett opens a transaction
  // per call, so it is given a pool whose transaction is the one already open
  prepareLog: async (database, histories, order) => {
    const pool = dumbo({ connectionString: connectionStringFor(database) })
    try {
      const rounds = histories[0]?.length ?? 0
      for (let v = 0; v < rounds; v++) {
        for (let i = 0; i < order.length; i += perTransaction) {
          await pool.withTransaction(async (transaction) => {
            const joined = {
              withTransaction: async (
                handle: (t: typeof transaction) => Promise<{ success: boolean; result: unknown }>
              ) => (await handle(transaction)).result
            } as unknown as Parameters<typeof appendToStream>[0]
            for (const n of order.slice(i, i + perTransaction)) {
              const result = await appendToStream(
                joined,
                streamName(mentorshipId(n)),
                "mentorship",
                [toEmmett(histories[n]![v]!)],
                { expectedStreamVersion: BigInt(v) }
              )
              if (!result.success) throw new Error(`emmett refused event ${v + 1} of mentorship ${n}`)
            }
          })
        }
      }
    } finally {
      await pool.close()
    }
  }
}
