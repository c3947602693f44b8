/**
 * The examples of the package READMEs (packages/core, packages/cli), run by
 * test/readmes.test.ts; `pnpm docs:check` keeps the READMEs equal to them.
 */
import { Writable } from "node:stream"
// #region cli-imports
import { Cli } from "@mentor-ledger/cli"
// #endregion cli-imports
// #region core-imports
import { createLedger, Ids, Rules, Template } from "@mentor-ledger/core"
// #endregion core-imports

/** The core README's example: an in-memory ledger, a command, a refusal. */
export const core = async (): Promise<string> => {
  const coordinator = { personId: Ids.newId(), role: "coordinator" } as const
  const mentor = { personId: Ids.newId(), role: "mentor" } as const
  const programmeId = Ids.newId()
  const mentorshipId = Ids.newId()
  // #region core
  const ledger = createLedger() // in memory; pass `store` for SQLite or PostgreSQL
  await ledger.execute({
    _tag: "LaunchProgramme",
    actor: coordinator,
    programmeId,
    name: "Early-career induction 2026",
    templates: [Template.earlyCareerInduction]
  })
  const refusal = await ledger
    .execute({
      _tag: "HoldMeeting",
      actor: mentor,
      mentorshipId,
      meetingId: Ids.newId(),
      modality: "video",
      durationMinutes: 60
    })
    .catch((e: unknown) => (e instanceof Rules.RuleViolation ? `${e.rule}: ${e.message}` : Promise.reject(e)))
  await ledger.close()
  // #endregion core
  return String(refusal)
}

/** The CLI README's library example: the command as a function, output captured. */
export const cli = async (filename: string): Promise<{ code: number; output: string }> => {
  // #region cli
  let output = ""
  const stdout = new Writable({
    write: (chunk, _encoding, done) => {
      output += String(chunk)
      done()
    }
  })
  const code = await Cli.run(["stats", "--db", filename, "--json"], {
    stdout,
    stderr: process.stderr,
    env: {}
  })
  const statistics = JSON.parse(output) // the same as `mentor-ledger stats --db <file> --json`
  // #endregion cli
  return { code, output: JSON.stringify(statistics) }
}
