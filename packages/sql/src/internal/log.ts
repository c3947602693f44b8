import type { EventJournal, Ids } from "@mentor-ledger/core"
import type { Kysely } from "kysely"
import type { Dialect } from "../Dialect.js"
import type { Row } from "../Executor.js"
import type { Tables } from "../Tables.js"
import { bind, slot, type Template, template } from "./compiled.js"

// The global log read through any executor (the journal's own readAll runs
// on the journal's executor, which a projection inside an append's
// transaction must not wait for).

const columns = [
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

export interface Log {
  /**
   * At most `limit` rows strictly after a position, in log order, up to the
   * dialect's horizon: where writers run concurrently (PostgreSQL), only
   * rows of transactions older than every running one, so that a reader
   * that goes on from the last row it saw never skips a late commit.
   */
  readonly after: (position: EventJournal.LogPosition, limit: number) => ReturnType<typeof bind>
  /** The same without the horizon: every committed row (to replay a gap inside an append). */
  readonly committedAfter: (position: EventJournal.LogPosition, limit: number) => ReturnType<typeof bind>
  /** One row (if any) strictly between two positions. */
  readonly between: (from: EventJournal.LogPosition, to: EventJournal.LogPosition) => ReturnType<typeof bind>
  /** The last row's position (no row: none). */
  readonly last: ReturnType<typeof bind>
}

export const make = (db: Kysely<any>, tables: Tables, dialect: Dialect): Log => {
  const afterQuery = (horizon: boolean): Template => {
    let query = db
      .selectFrom(tables.events)
      .select(columns)
      .where((eb) => eb(eb.refTuple("transaction_id", "position"), ">", eb.tuple(slot(0), slot(1))))
    if (horizon && dialect.positions._tag === "Generated") {
      query = query.where("transaction_id", "<", dialect.positions.horizon)
    }
    return template(
      query
        .orderBy("transaction_id")
        .orderBy("position")
        .limit(slot(2) as any)
        .compile()
    )
  }
  const after = afterQuery(true)
  const committedAfter = afterQuery(false)
  const between: Template = template(
    db
      .selectFrom(tables.events)
      .select(["position"])
      .where((eb) => eb(eb.refTuple("transaction_id", "position"), ">", eb.tuple(slot(0), slot(1))))
      .where((eb) => eb(eb.refTuple("transaction_id", "position"), "<", eb.tuple(slot(2), slot(3))))
      .limit(1)
      .compile()
  )
  const last = db
    .selectFrom(tables.events)
    .select(["transaction_id", "position"])
    .orderBy("transaction_id", "desc")
    .orderBy("position", "desc")
    .limit(1)
    .compile()
  return {
    after: (position, limit) => bind(after, [position.transaction, position.sequence, limit]),
    committedAfter: (position, limit) =>
      bind(committedAfter, [position.transaction, position.sequence, limit]),
    between: (from, to) => bind(between, [from.transaction, from.sequence, to.transaction, to.sequence]),
    last
  }
}

/** The position of a row of the events table (or of a checkpoint). */
export const position = (transaction: unknown, sequence: unknown): EventJournal.LogPosition => ({
  transaction: BigInt(transaction as number | string | bigint),
  sequence: BigInt(sequence as number | string | bigint)
})

/** A row of the events table as the journal port's stored event; throws on an invalid row. */
export const stored = (r: Row): EventJournal.StoredEvent => {
  const occurredAt = new Date(r.occurred_at as string)
  const recordedAt = new Date(r.recorded_at as string)
  if (Number.isNaN(occurredAt.getTime()) || Number.isNaN(recordedAt.getTime())) {
    throw new Error(`event ${String(r.event_id)} has an invalid occurred_at or recorded_at`)
  }
  return {
    eventId: r.event_id as string,
    eventType: r.event_type as string,
    schemaVersion: Number(r.schema_version),
    // PostgreSQL returns jsonb as a value; the port carries JSON text.
    payload: typeof r.payload === "string" ? r.payload : JSON.stringify(r.payload),
    metadata: typeof r.metadata === "string" ? r.metadata : JSON.stringify(r.metadata),
    occurredAt,
    recordedAt,
    organisation: r.organisation as Ids.OrganisationId,
    stream: r.stream as string,
    streamType: r.stream_type as string,
    version: Number(r.version),
    position: position(r.transaction_id, r.position)
  }
}
