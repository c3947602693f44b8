/**
 * @mentor-ledger/postgres: mentor-ledger on PostgreSQL (node-postgres), for
 * one app instance or many on one database.
 *
 * @since 0.1.0
 */
export * as PgJournal from "./PgJournal.js"
export * as PgReadModels from "./PgReadModels.js"
