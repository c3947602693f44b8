/**
 * @mentor-ledger/testing: the property-based test kit. Arbitraries derived
 * from the event schemas; valid command sequences and event histories for
 * any process template; near misses that break one named rule; a
 * reference model of the process for model-based tests; given / when /
 * then for deciders; and the conformance suite every event store passes.
 *
 * The suite and given / when / then import vitest, so this entry loads
 * inside a vitest run only; `@mentor-ledger/testing/generators` gives
 * `Arbitraries`, `Histories`, `NearMisses` and `ProcessModel` without it.
 *
 * @since 0.1.0
 */
export * as Arbitraries from "./Arbitraries.js"
export * as DeciderSpecification from "./DeciderSpecification.js"
export * as Histories from "./Histories.js"
export * as NearMisses from "./NearMisses.js"
export * as ProcessModel from "./ProcessModel.js"
export * as StoreConformance from "./StoreConformance.js"
