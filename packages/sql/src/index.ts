/**
 * @mentor-ledger/sql: the event journal and its migrations, the projection
 * runtime, the read models and their viewer-scoped queries, written once
 * with kysely for SQLite and PostgreSQL. Adapters (`@mentor-ledger/sqlite`)
 * bring the driver.
 *
 * @since 0.1.0
 */
export * as Dialect from "./Dialect.js"
export * as Executor from "./Executor.js"
export * as Journal from "./Journal.js"
export * as KeyStorage from "./KeyStorage.js"
export * as Migrations from "./Migrations.js"
export * as Projection from "./Projection.js"
export * as Queries from "./Queries.js"
export * as ReadModels from "./ReadModels.js"
export * as Scoped from "./Scoped.js"
export * as Tables from "./Tables.js"
