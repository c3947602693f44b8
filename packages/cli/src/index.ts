/**
 * @mentor-ledger/cli: the `mentor-ledger` command for analysts (demo,
 * show, export, stats, rebuild) and its parts as a library: the
 * pseudonymised process facts, the exporters (NDJSON, CSV, XES, OCEL 2.0),
 * the statistics and the demo generator.
 *
 * @since 0.1.0
 */
export * as Cli from "./main.js"
export * as DemoPlan from "./demo/plan.js"
export * as Facts from "./export/facts.js"
export * as Formats from "./export/formats.js"
export * as Pseudonyms from "./pseudonyms.js"
export * as Statistics from "./stats/compute.js"
export * as Store from "./store.js"
