/**
 * Replaying a database into a fresh read model, without writing to it.
 *
 * The projection runtime keeps its tables in the database whose log it
 * reads, and an analyst works on a copy, never on the live file: the source
 * is opened read-only (a file that is missing, not a mentor-ledger database
 * or written by a newer version is refused with a typed `StoreError`), copied
 * with SQLite's online backup (a consistent snapshot, the write-ahead log
 * included, even while the app writes), and the copy gets the analyst's
 * projection, rebuilt from the first event.
 */
import { rmSync } from "node:fs"
import { resolve } from "node:path"
import { Projection } from "@mentor-ledger/sql"
import { SqliteReadModels } from "@mentor-ledger/sqlite"
import Database from "better-sqlite3"
import { tablePrefix, waits } from "./waits.js"

/** The working copy with the analyst's read model, rebuilt. */
export interface Replayed {
  /** The working copy, open (its `journal.db` queries the tables); close it when done. */
  readonly store: SqliteReadModels.OpenStore
  /** The runtime of the analyst's projection on the copy (`catchUp` after copying newer events in, `rebuild`, `status`). */
  readonly projections: Projection.PromiseRuntime
  /** Events read from the log. */
  readonly events: number
  /** Batches applied, one transaction each. */
  readonly batches: number
}

/**
 * Copies `source` to `workCopy` (replacing it; it must be another file)
 * and rebuilds the `waits` read model there from the log.
 */
// #region replay
export const replay = async (source: string, workCopy: string, batchSize = 2000): Promise<Replayed> => {
  // Read-only: checks the file is a mentor-ledger database of this version, and writes nothing.
  const checked = await SqliteReadModels.open({
    filename: source,
    tablePrefix,
    readonly: true,
    readModels: []
  })
  await checked.close()
  if (resolve(workCopy) === resolve(source))
    throw new Error(`the working copy must not be the source itself (${source})`)
  // A working copy left by an earlier replay is replaced whole, its write-ahead log included.
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${workCopy}${suffix}`, { force: true })
  const from = new Database(source, { readonly: true, fileMustExist: true })
  try {
    await from.backup(workCopy)
  } finally {
    from.close()
  }
  // The copy is opened without read models (the library's stay as they were copied), and the
  // analyst's projection gets a runtime of its own: one pass over the log, from the first event.
  const store = await SqliteReadModels.open({
    filename: workCopy,
    tablePrefix,
    projections: "manual",
    readModels: []
  })
  try {
    // An invalid definition rejects with the typed `ProjectionError`, before anything is written.
    const projections = await Projection.makePromise(store.journal, [waits], { batchSize })
    await projections.setup()
    const rebuilt = await projections.rebuild("waits")
    return { store, projections, events: rebuilt.events, batches: rebuilt.batches }
  } catch (error) {
    await store.close()
    throw error
  }
}
// #endregion replay
