/**
 * The SQLite backups of docs/operations.md: an online copy with SQLite's
 * backup API, and a compacted snapshot with VACUUM INTO. Both are taken
 * while the app keeps writing, and both give one self-contained file (no
 * -wal file to copy beside it).
 *
 *   pnpm --filter @mentor-ledger/example-getting-started exec tsx --conditions=source src/backup.ts mentoring.sqlite backup.sqlite
 */
import Database from "better-sqlite3"

// #region online-backup
/** Copies a live database file page by page (SQLite's online backup API). */
export const backup = async (filename: string, destination: string): Promise<void> => {
  const db = new Database(filename, { readonly: true, fileMustExist: true })
  try {
    await db.backup(destination) // consistent: restarts if a writer changes a page it copied
  } finally {
    db.close()
  }
}
// #endregion online-backup

// #region vacuum-into
/** Writes a compacted, consistent snapshot (one read transaction) to a new file. */
export const snapshot = (filename: string, destination: string): void => {
  const db = new Database(filename, { readonly: true, fileMustExist: true })
  try {
    db.prepare("vacuum into ?").run(destination) // the destination must not exist
  } finally {
    db.close()
  }
}
// #endregion vacuum-into

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, "/"))) {
  const [filename, destination] = process.argv.slice(2)
  if (filename === undefined || destination === undefined) {
    console.error("usage: backup.ts <database file> <backup file>")
    process.exit(2)
  }
  await backup(filename, destination)
  console.log(`backed up ${filename} to ${destination}`)
}
