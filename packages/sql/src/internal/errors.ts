import { EventJournal } from "@mentor-ledger/core"
import type { Dialect } from "../Dialect.js"
import type { Tables } from "../Tables.js"

const describe = (cause: unknown): string =>
  cause instanceof Error ? cause.message : typeof cause === "string" ? cause : JSON.stringify(cause)

/** A driver error as the core's StoreError, saying what the journal was doing. */
export const storeError = (
  dialect: Dialect,
  tables: Tables,
  doing: string,
  cause: unknown
): EventJournal.StoreError => {
  if (cause instanceof EventJournal.StoreError) return cause
  const fault = dialect.classify(cause, tables)
  const reason = fault._tag === "Failure" ? fault.reason : "Unknown"
  return new EventJournal.StoreError({ reason, message: `${doing}: ${describe(cause)}`, cause })
}
