import * as fc from "fast-check"

// Reproduce a failing property: FC_SEED=<seed> FC_PATH=<path> pnpm test
// (fast-check prints both with the shrunk counterexample). FC_NUM_RUNS
// scales every property up or down.
const seed = process.env.FC_SEED
const path = process.env.FC_PATH
const numRuns = process.env.FC_NUM_RUNS
fc.configureGlobal({
  ...(seed === undefined ? {} : { seed: Number(seed) }),
  ...(path === undefined ? {} : { path }),
  ...(numRuns === undefined ? {} : { numRuns: Number(numRuns) }),
  verbose: 0
})
