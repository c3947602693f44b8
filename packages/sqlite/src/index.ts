/**
 * @mentor-ledger/sqlite: mentor-ledger on embedded SQLite (better-sqlite3).
 *
 * @since 0.1.0
 */
export * as SqliteJournal from "./SqliteJournal.js"
export * as SqliteReadModels from "./SqliteReadModels.js"
