/**
 * An analyst's session on a copy of a mentor-ledger database:
 *
 *   pnpm --filter @mentor-ledger/example-analyst-replay start                       # a demo programme (48 mentorships)
 *   pnpm --filter @mentor-ledger/example-analyst-replay start -- --db mentoring.db   # or your own file
 *
 * Options: --db <file> (default: the CLI's demo, written first), --mentorships <n> and
 * --seed <n> (for the demo), --out <dir> (default .tmp/analyst-replay), --key <text>
 * (the study's pseudonym key; default $MENTOR_LEDGER_KEY, else a fresh random one).
 *
 * 1. replays the database, read-only, into the analyst's own read model on a working copy;
 * 2. prints two statistics the library does not ship: days from request to first meeting
 *    (median, 90th percentile) per programme and template, and how regularly pairs meet;
 * 3. exports the log for process mining, pseudonymised: XES (IEEE 1849) and OCEL 2.0 JSON;
 * 4. checks the source file is byte for byte what it was.
 */
import { createHash } from "node:crypto"
import { createReadStream, existsSync, mkdirSync } from "node:fs"
import { join, relative, resolve } from "node:path"
import { Writable } from "node:stream"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { Cli, Pseudonyms } from "@mentor-ledger/cli"
import { meetingCadence, timeToFirstMeeting } from "./statistics.js"
import { replay } from "./replay.js"

const root = fileURLToPath(new URL("../../..", import.meta.url))
const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== "--"),
  options: {
    db: { type: "string" },
    mentorships: { type: "string", default: "48" },
    seed: { type: "string", default: "2026" },
    out: { type: "string" },
    key: { type: "string" }
  }
})
// Paths are the caller's: `pnpm --filter … start` runs in this package's folder, and says where it was called from.
const here = process.env.INIT_CWD ?? process.cwd()
const out = resolve(here, values.out ?? join(root, ".tmp/analyst-replay"))
mkdirSync(out, { recursive: true })
const shown = (path: string) => {
  const r = relative(root, path)
  return r.startsWith("..") ? path : r
}

/** Runs a `mentor-ledger` command in this process; what it prints is kept, and it must succeed. */
const mentorLedger = async (argv: ReadonlyArray<string>) => {
  const keep = () => {
    const chunks: Array<string> = []
    const stream = new Writable({
      write(chunk, _encoding, done) {
        chunks.push(String(chunk))
        done()
      }
    })
    return { stream, text: () => chunks.join("") }
  }
  const stdout = keep()
  const stderr = keep()
  const code = await Cli.run(argv, { stdout: stdout.stream, stderr: stderr.stream, env: {} })
  if (code !== 0) throw new Error(`mentor-ledger ${argv[0]} failed (${code}): ${stderr.text().trim()}`)
  return { stdout: stdout.text(), stderr: stderr.text() }
}

// The input: your database, or the CLI's demo programme.
let source = values.db === undefined ? undefined : resolve(here, values.db)
if (source !== undefined && !existsSync(source)) {
  console.error(`analyst-replay: there is no database at ${source}`)
  process.exit(1)
}
if (source === undefined) {
  source = join(out, "demo.sqlite")
  const demo = await mentorLedger([
    "demo",
    "--db",
    source,
    "--mentorships",
    values.mentorships,
    "--seed",
    values.seed,
    "--force"
  ])
  console.log(demo.stdout.split("\n")[0])
}
// Streamed: a production copy may be large.
const digest = async () => {
  const hash = createHash("sha256")
  for await (const chunk of createReadStream(source)) hash.update(chunk as Buffer)
  return hash.digest("hex")
}
const before = await digest()

// 1. The replay, into a fresh read model on a working copy.
const workCopy = join(out, "work.sqlite")
const replayed = await replay(source, workCopy)
console.log(
  `\nReplayed ${replayed.events.toLocaleString("en")} events of ${shown(source)} into the read model "waits" on ${shown(workCopy)} (${replayed.batches} ${replayed.batches === 1 ? "batch" : "batches"}).`
)
const db = replayed.store.journal.db
const fixed = (n: number | null) => (n === null ? "-" : n.toFixed(1))

// 2. The statistics.
console.log("\nDays from request to first meeting (median and 90th percentile of those that met):")
console.table(
  (await timeToFirstMeeting(db)).map((w) => ({
    programme: w.programme,
    template: w.templateId,
    requested: w.requested,
    met: w.met,
    "still waiting": w.waiting,
    "withdrawn first": w.withdrawnBeforeMeeting,
    median: fixed(w.medianDays),
    p90: fixed(w.p90Days)
  }))
)
console.log("Days between meetings, against the template's expected cadence:")
console.table(
  (await meetingCadence(db)).map((c) => ({
    template: c.templateId,
    expected: `${c.cadenceDays.min}–${c.cadenceDays.max}`,
    mentorships: c.mentorships,
    gaps: c.gaps,
    median: fixed(c.medianGapDays),
    p90: fixed(c.p90GapDays),
    sooner: c.sooner,
    within: c.within,
    later: c.later,
    "within %": c.gaps === 0 ? "-" : `${Math.round((100 * c.within) / c.gaps)}%`
  }))
)
await replayed.store.close()

// 3. The exports for process mining, through the CLI's exporters.
const key = values.key ?? process.env.MENTOR_LEDGER_KEY ?? Pseudonyms.randomKey()
if (values.key === undefined && process.env.MENTOR_LEDGER_KEY === undefined)
  console.log("No --key: a random study key was used (keep your own key to match pseudonyms across exports).")
for (const [format, file] of [
  ["xes", "mentoring.xes"],
  ["ocel2", "mentoring.ocel.json"]
] as const) {
  const exported = await mentorLedger([
    "export",
    "--db",
    source,
    "--format",
    format,
    "--key",
    key,
    "--out",
    join(out, file)
  ])
  console.log(exported.stderr.trim().replace(out, shown(out)))
}

// 4. Read-only, really.
const unchanged = (await digest()) === before
console.log(`\n${shown(source)} is ${unchanged ? "unchanged" : "CHANGED"} (sha-256).`)
if (!unchanged) process.exitCode = 1
