/**
 * Plays a Headmasters-as-Mentors mentorship into an SQLite file, with its
 * read models kept in the same transactions, then shows a few read-model
 * rows as the mentor and as the supervisor sees them.
 *
 *   npm run demo                      # writes .tmp/demo.sqlite under the repository
 *   npm run demo -- /path/to/file.db  # or a file of your choice (also MENTOR_LEDGER_DEMO_DB)
 */
import { mkdirSync, rmSync } from "node:fs"
import { dirname, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { createLedger } from "@mentor-ledger/core"
import { SqliteReadModels } from "@mentor-ledger/sqlite"
import { cast, playHeadmastersStory } from "./story.js"

const root = fileURLToPath(new URL("../../..", import.meta.url))
const filename = resolve(
  process.argv[2] ?? process.env.MENTOR_LEDGER_DEMO_DB ?? resolve(root, ".tmp/demo.sqlite")
)
// The story uses fixed ids: it starts from an empty file every time.
mkdirSync(dirname(filename), { recursive: true })
for (const suffix of ["", "-wal", "-shm"]) rmSync(`${filename}${suffix}`, { force: true })

const db = await SqliteReadModels.open({ filename, projections: "inline" })
const ledger = createLedger({ store: db.layer })

console.log("Headmasters as Mentors: one mentorship from request to follow-up\n")
await playHeadmastersStory(ledger, (line) => {
  const mark = line.kind === "ok" ? "  ok     " : "  REFUSED"
  console.log(`${mark} ${line.command.padEnd(24)} phase: ${line.phase.padEnd(10)} ${line.detail}`)
})
let count = 0
for await (const _ of ledger.readAll()) count++
const shown = relative(root, filename)
console.log(`\n${count} events recorded in ${shown.startsWith("..") ? filename : shown}.`)

// The read models, as two people see them
const mentor = { personId: cast.mentor, role: "mentor" } as const
const supervisor = { personId: cast.supervisor, role: "supervisor" } as const
const day = (d: Date | null) => (d === null ? "-" : d.toISOString().slice(0, 10))

const [m] = await db.queries.mentorshipsFor(mentor)
if (m !== undefined) {
  console.log("\nRead model ml_rm_mentorships_v1 (as the mentor):")
  console.table([
    {
      template: m.templateId,
      phase: m.phase,
      requested: day(m.requestedAt),
      agreement: day(m.agreementAt),
      meetings: m.meetingsHeld,
      "last meeting": day(m.lastMeetingAt),
      report: day(m.reportAt),
      "follow-up held": day(m.followUpHeldAt),
      outcome: m.outcome ?? "-"
    }
  ])
}

console.log("Read model ml_rm_meetings_v1 (as the supervisor: process facts):")
console.table(
  (await db.queries.meetings(supervisor, cast.mentorship)).map((meeting) => ({
    "#": meeting.number,
    held: day(meeting.heldAt),
    modality: meeting.modality,
    minutes: meeting.durationMinutes,
    planning: meeting.planning ? "yes" : ""
  }))
)

const summaries = async (viewer: typeof mentor | typeof supervisor) =>
  (await db.queries.summaries(viewer, cast.mentorship)).slice(0, 3).map((s) => ({
    drafted: day(s.draftedAt),
    "shared with supervisor": s.shared ? "yes" : "no",
    text: s.text ?? "(not shared: absent)",
    amendments: s.amendments.map((a) => a.text ?? "(absent)").join("; ")
  }))
console.log("Read model ml_rm_summaries_v1, first three, as the mentor:")
console.table(await summaries(mentor))
console.log("… and as the supervisor (only what both mentees consented to share):")
console.table(await summaries(supervisor))

await ledger.close()
await db.close()
