/**
 * @mentor-ledger/testing: the property-based test kit. Arbitraries derived
 * from the event schemas; valid command sequences and event histories for
 * any process template; near misses that break one named rule; a
 * reference model of the process for model-based tests; given / when /
 * then for deciders; the conformance suites every event store passes
 * (the event store's contract, privacy, and for SQL stores the
 * viewer-scoped queries), and fixtures for read-model tests.
 *
 * The suites and given / when / then import vitest, so this entry loads
 * inside a vitest run only; `@mentor-ledger/testing/generators` gives
 * `Arbitraries`, `Histories`, `NearMisses` and `ProcessModel` without it.
 *
 * @since 0.1.0
 */
export * as Arbitraries from "./Arbitraries.js"
export * as DeciderSpecification from "./DeciderSpecification.js"
export * as Histories from "./Histories.js"
export * as NearMisses from "./NearMisses.js"
export * as PrivacyConformance from "./PrivacyConformance.js"
export * as ProcessModel from "./ProcessModel.js"
export * as QueriesConformance from "./QueriesConformance.js"
export * as ReadModelFixtures from "./ReadModelFixtures.js"
export * as StoreConformance from "./StoreConformance.js"
