/**
 * Ours on PostgreSQL: `@mentor-ledger/postgres`'s layer with the core's
 * event store and ledger on top, as an application builds it, each run in
 * a schema of its own on the server at `MENTOR_LEDGER_PG_URL`; the
 * workloads are `../Ours.ts`'s.
 */
import { Ids } from "@mentor-ledger/core"
import { PgJournal } from "@mentor-ledger/postgres"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ours from "../Ours.js"
import type { Subject } from "../Subject.js"

export const url = (): string => {
  const value = process.env.MENTOR_LEDGER_PG_URL
  if (value === undefined) throw new Error("MENTOR_LEDGER_PG_URL is not set")
  return value
}

/** Our PostgreSQL store (and ledger) on one schema; the keys live in its key table. */
const layerOn = (schema: string) =>
  Ours.withLedger(PgJournal.layer({ url: url(), schema }).pipe(Layer.provide(Ids.layerUuidV7)))

export const subject: Subject = {
  label: "mentor-ledger",
  // W7's writers: each its own layer, so its own pool, as separate application instances have
  // (a writer appends one call at a time, so its pool opens one connection, or two when it issues keys)
  open: (schema) => Ours.open(layerOn(schema), () => layerOn(schema)),
  prepareEmpty: (schema) =>
    Effect.runPromise(Effect.scoped(Effect.asVoid(PgJournal.make({ url: url(), schema })))),
  prepareLog: (schema, histories, order) => Ours.prepareLog(layerOn(schema), histories, order),
  prepareMeetings: (schema, histories) => Ours.prepareMeetings(layerOn(schema), histories),
  prepareHistories: (schema, chunks) => Ours.prepareHistories(layerOn(schema), chunks)
}
