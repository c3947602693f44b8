/**
 * Ours on SQLite: `@mentor-ledger/sqlite`'s layer with the core's event
 * store and ledger on top, as an application builds it (uuid v7 ids, the
 * default organisation); the workloads are `../Ours.ts`'s. The layer keeps
 * the data keys in the same file (the `<prefix>keys` table), so a database
 * prepared by one process is read, and its content decrypted, by another.
 */
import { Ids } from "@mentor-ledger/core"
import { SqliteJournal } from "@mentor-ledger/sqlite"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ours from "../Ours.js"
import type { Subject } from "../Subject.js"

const layerOn = (filename: string) =>
  Ours.withLedger(SqliteJournal.layer({ filename }).pipe(Layer.provide(Ids.layerUuidV7)))

export const subject: Subject = {
  label: "mentor-ledger",
  open: (filename) => Ours.open(layerOn(filename)),
  prepareEmpty: (filename) =>
    Effect.runPromise(Effect.scoped(Effect.asVoid(SqliteJournal.make({ filename })))),
  // through our own store, so that the stored rows are exactly what ours writes (encrypted as ours stores them)
  prepareLog: (filename, histories, order) => Ours.prepareLog(layerOn(filename), histories, order),
  prepareMeetings: (filename, histories) => Ours.prepareMeetings(layerOn(filename), histories),
  prepareHistories: (filename, chunks) => Ours.prepareHistories(layerOn(filename), chunks)
}

/** The journal settings ours opens a database with, read back from a connection it opened. */
export const settings = async (
  filename: string
): Promise<{ journalMode: string; synchronous: number; walAutocheckpoint: number }> => {
  const { journal, close } = await SqliteJournal.open({ filename })
  try {
    const { sql } = await import("kysely")
    const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(journal.db)
    const sync = await sql<{ synchronous: number }>`pragma synchronous`.execute(journal.db)
    const checkpoint = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(
      journal.db
    )
    return {
      journalMode: mode.rows[0]!.journal_mode,
      synchronous: sync.rows[0]!.synchronous,
      walAutocheckpoint: checkpoint.rows[0]!.wal_autocheckpoint
    }
  } finally {
    await close()
  }
}
