/**
 * A programme with its own process template and its own read model, on an
 * SQLite file:
 *
 *   pnpm --filter @mentor-ledger/example-custom-template start             # writes .tmp/custom-template.sqlite
 *   pnpm --filter @mentor-ledger/example-custom-template start -- my.db    # or a file of your choice
 *
 * 1. validates the circle template (and shows two drafts refused, field by field);
 * 2. plays two circles through the Promise API, with the read model kept
 *    inline, in each append's transaction;
 * 3. prints the read model, and the circles without a meeting in the last month;
 * 4. rebuilds the read model from the log and checks it comes out the same.
 */
import { isDeepStrictEqual } from "node:util"
import { mkdirSync, rmSync } from "node:fs"
import { dirname, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { createLedger } from "@mentor-ledger/core"
import { ReadModels } from "@mentor-ledger/sql"
import { SqliteReadModels } from "@mentor-ledger/sqlite"
import { circles, circlesWithoutMeeting, circleTables, readCircles, tablePrefix } from "./circles.js"
import { asOf, cast, playCircles } from "./story.js"
import { checkTemplate, invalidDrafts, leadersCircle } from "./template.js"

const root = fileURLToPath(new URL("../../..", import.meta.url))
// (`pnpm start -- file.db` passes the `--` on.)
const [argument] = process.argv.slice(2).filter((a) => a !== "--")
// (`pnpm --filter … start` runs in this package's folder; INIT_CWD is where it was called from.)
const filename = resolve(
  process.env.INIT_CWD ?? process.cwd(),
  argument ?? resolve(root, ".tmp/custom-template.sqlite")
)
// The story uses fixed ids: it starts from an empty file every time.
mkdirSync(dirname(filename), { recursive: true })
for (const suffix of ["", "-wal", "-shm"]) rmSync(`${filename}${suffix}`, { force: true })

console.log(`Template ${leadersCircle.id} ("${leadersCircle.name}") is valid.`)
for (const draft of invalidDrafts) {
  const checked = checkTemplate(draft)
  if (checked.ok) throw new Error("a draft should have been refused")
  console.log(`A draft is refused by Template.parseSync (InvalidTemplate):`)
  for (const issue of checked.issues) console.log(`  ${issue.path}: ${issue.message}`)
}

// The library's read models and the programme's own, all kept in each append's transaction.
// #region open
const db = await SqliteReadModels.open({
  filename,
  tablePrefix,
  projections: "inline",
  readModels: [...ReadModels.projections, circles]
})
const ledger = createLedger({ store: db.layer })
// #endregion open

console.log("\nTwo circles under the programme's template:\n")
const names = new Map<string, string>([
  [cast.northCircle, "north"],
  [cast.coastCircle, "coast"],
  ...cast.directors.map((id, i) => [id, `director ${i + 1}`] as const)
])
// Repeated commands without a note (each director's SWOT, each completed task) print as one line.
let repeated: { command: string; times: number } | undefined
const flush = () => {
  if (repeated !== undefined)
    console.log(`  ok      ${repeated.command.padEnd(20)} ${repeated.times > 1 ? `×${repeated.times}` : ""}`)
  repeated = undefined
}
await playCircles(ledger, (line) => {
  if (line.kind === "ok" && line.detail === "") {
    if (repeated?.command === line.command) repeated.times++
    else {
      flush()
      repeated = { command: line.command, times: 1 }
    }
    return
  }
  flush()
  const mark = line.kind === "ok" ? "  ok     " : "  REFUSED"
  const at = line.error === undefined ? "" : `[${line.error.tag}: ${line.error.at}] `
  console.log(`${mark} ${line.command.padEnd(20)} ${at}${line.detail}`)
})
flush()

const day = (iso: string | null) => (iso === null ? "-" : iso.slice(0, 10))
const model = await readCircles(db.journal.db)
console.log(`\nRead model ${circleTables.circles}:`)
console.table(
  model.circles.map((c) => ({
    circle: names.get(c.mentorship_id),
    requested: day(c.requested_at),
    mentees: c.mentees,
    mentors: c.mentors,
    meetings: c.meetings_held,
    first: day(c.first_meeting_at),
    last: day(c.last_meeting_at),
    status: c.status
  }))
)
console.log(`Read model ${circleTables.months} (meetings and minutes per circle and month):`)
console.table(
  model.months.map((m) => ({
    circle: names.get(m.mentorship_id),
    month: m.month,
    meetings: m.meetings,
    minutes: m.minutes
  }))
)
console.log(`Read model ${circleTables.tasks} (between-meeting tasks per director):`)
console.table(
  model.tasks.map((t) => ({
    circle: names.get(t.mentorship_id),
    director: names.get(t.mentee_id),
    assigned: t.assigned,
    completed: t.completed
  }))
)
const quiet = await circlesWithoutMeeting(db.journal.db, asOf)
console.log(`Circles without a meeting in the month before ${day(asOf.toISOString())}:`)
for (const c of quiet)
  console.log(`  ${names.get(c.mentorship_id)} circle: last met ${day(c.last_meeting_at)}`)

// The read model is derived: rebuild it from the log and it comes out the same.
// #region rebuild
const rebuilt = await db.projections.rebuild("circles")
const same = isDeepStrictEqual(await readCircles(db.journal.db), model)
// #endregion rebuild
console.log(
  `\nRebuilt "circles" from ${rebuilt.events} events: ${same ? "the same rows" : "DIFFERENT ROWS"}.`
)

let count = 0
for await (const _ of ledger.readAll()) count++
const shown = relative(root, filename)
console.log(`${count} events recorded in ${shown.startsWith("..") ? filename : shown}.`)
await ledger.close()
await db.close()
if (!same) process.exitCode = 1
