import * as fc from "fast-check"

export const env = (name: string): string | undefined => {
  const value = typeof process === "undefined" ? undefined : process.env[name]
  return value === undefined || value === "" ? undefined : value
}

/**
 * fast-check parameters: `numRuns` from `FC_NUM_RUNS` (else the given
 * default), and a replay of one failure from `FC_SEED` and `FC_PATH`
 * (`FC_REPLAY_PATH` also, for model-based tests: see `commands`).
 */
export const parameters = <Ts>(defaultRuns: number): fc.Parameters<Ts> => {
  const seed = env("FC_SEED")
  const path = env("FC_PATH")
  const numRuns = env("FC_NUM_RUNS")
  return {
    numRuns: numRuns === undefined ? defaultRuns : Number(numRuns),
    ...(seed === undefined ? {} : { seed: Number(seed) }),
    ...(path === undefined ? {} : { path })
  }
}

/**
 * Runs a property and, when it fails, throws fast-check's report (seed,
 * path, shrunk counterexample, the error) with the line that replays it.
 */
export const assertProperty = async <Ts>(
  property: fc.IAsyncProperty<Ts> | fc.IProperty<Ts>,
  defaultRuns = 50
): Promise<void> => {
  const details = await fc.check(property as fc.IAsyncProperty<Ts>, parameters<Ts>(defaultRuns))
  if (details.failed) {
    const report = fc.defaultReportMessage(details) ?? ""
    // fc.commands prints the replay path of its shrinking in the counterexample.
    const replayPath = /replayPath="([^"]*)"/.exec(report)?.[1]
    const error = new Error(
      `${report}\n\nReplay this test alone (vitest -t) with: FC_SEED=${details.seed} FC_PATH="${details.counterexamplePath ?? ""}"${replayPath === undefined ? "" : ` FC_REPLAY_PATH="${replayPath}"`}`
    )
    if (details.errorInstance instanceof Error) error.cause = details.errorInstance
    throw error
  }
}
