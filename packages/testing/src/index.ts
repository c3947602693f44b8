/**
 * @mentor-ledger/testing: the property-based test kit. The conformance
 * suite every event store passes, and arbitraries derived from the event
 * schemas.
 *
 * @since 0.1.0
 */
export * as Arbitraries from "./Arbitraries.js"
export * as StoreConformance from "./StoreConformance.js"
