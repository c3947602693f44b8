/**
 * `@mentor-ledger/testing/generators`: the parts of the kit that run
 * without vitest, for scripts, benchmarks and demo data as well as tests.
 * The same modules as the main entry's: arbitraries derived from the event
 * schemas, valid scenarios and histories for any process template, near
 * misses, and the reference model of the process. The main entry adds the
 * suites and given / when / then, which import vitest and load only inside
 * a vitest run.
 *
 * @example
 * // a plain Node script: seeded, valid mentorship histories
 * import * as fc from "fast-check"
 * import { Histories } from "@mentor-ledger/testing/generators"
 * const [history] = fc.sample(Histories.history(), { numRuns: 1, seed: 42 })
 *
 * @since 0.1.0
 */
export * as Arbitraries from "./Arbitraries.js"
export * as Histories from "./Histories.js"
export * as NearMisses from "./NearMisses.js"
export * as ProcessModel from "./ProcessModel.js"
