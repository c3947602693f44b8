import type { EventJournal } from "@mentor-ledger/core"
import type { Kysely } from "kysely"
import type { Dialect } from "../Dialect.js"
import type { Row } from "../Executor.js"
import type { Tables } from "../Tables.js"
import { bind, slot, type Template, template } from "./compiled.js"
import { decode, selected } from "./eventRow.js"

// The global log read through any executor (the journal's own readAll runs
// on the journal's executor, which a projection inside an append's
// transaction must not wait for).

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
      .select(selected)
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
export const stored = (r: Row): EventJournal.StoredEvent => decode(r)
