/**
 * One row of the events table, as every reader selects and decodes it: the
 * journal's own reads and the projection runtime's log reader.
 */
import type { EventJournal, Ids } from "@mentor-ledger/core"
import * as Data from "effect/Data"
import { sql } from "kysely"
import type { Row } from "../Executor.js"

/** The columns of a row, in insert order. */
export const columns = [
  "position",
  "transaction_id",
  "organisation",
  "stream",
  "stream_type",
  "version",
  "event_id",
  "event_type",
  "schema_version",
  "payload",
  "metadata",
  "occurred_at",
  "recorded_at"
] as const

// Read as JSON text: PostgreSQL's jsonb would otherwise be parsed by the
// driver only to be serialised again for the port (a no-op in SQLite).
export const selected = columns.map((c) =>
  c === "payload" || c === "metadata" ? sql<string>`cast(${sql.ref(c)} as text)`.as(c) : c
)

export class CorruptRow extends Data.TaggedError("CorruptRow")<{ readonly message: string }> {}

export const decode = (r: Row): EventJournal.StoredEvent => {
  // SQLite keeps ISO text; PostgreSQL's timestamptz arrives as a Date
  const occurredAt = new Date(r.occurred_at as string | Date)
  const recordedAt = new Date(r.recorded_at as string | Date)
  if (Number.isNaN(occurredAt.getTime()) || Number.isNaN(recordedAt.getTime())) {
    throw new CorruptRow({ message: `event ${String(r.event_id)} has an invalid occurred_at or recorded_at` })
  }
  let position: EventJournal.LogPosition
  try {
    const sequence = BigInt(r.position as number)
    // one BigInt where the transaction id is the position (always, on SQLite)
    position = {
      transaction: r.transaction_id === r.position ? sequence : BigInt(r.transaction_id as number),
      sequence
    }
  } catch {
    throw new CorruptRow({ message: `event ${String(r.event_id)} has an invalid position` })
  }
  return {
    eventId: r.event_id as string,
    eventType: r.event_type as string,
    schemaVersion: Number(r.schema_version),
    // selected as text; a value only from a driver that parses JSON anyway
    payload: typeof r.payload === "string" ? r.payload : JSON.stringify(r.payload),
    metadata: typeof r.metadata === "string" ? r.metadata : JSON.stringify(r.metadata),
    occurredAt,
    recordedAt,
    organisation: r.organisation as Ids.OrganisationId,
    stream: r.stream as string,
    streamType: r.stream_type as string,
    version: Number(r.version),
    position
  }
}
