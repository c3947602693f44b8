/**
 * The built `mentor-ledger` binary (dist/bin.js, built by the project's
 * global setup with tsup) against an SQLite file: every subcommand, the
 * bad-input cases, and that read-only commands leave the file untouched.
 */
import { createHash } from "node:crypto"
import { existsSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import * as Plan from "../../src/demo/plan.js"
import { demoTexts, key, tempDir } from "../support.js"
import { mentorLedger } from "./bin.js"

const dir = tempDir()
const db = join(dir, "mentoring.db")
const plan = Plan.make(2026)
const inMeetings = plan.mentorships.find((m) => m.target === "meetings")!
const someone = inMeetings.context.mentorshipId
// A week after its request, and the day its third step was recorded.
const aWeekIn = new Date(inMeetings.steps[0]!.occurredAt.getTime() + 7 * 86_400_000).toISOString()
const knownAt = inMeetings.steps[2]!.recordedAt.toISOString()

/**
 * The database file's bytes and mtime, and its write-ahead log's size. (A
 * read-only connection to a WAL database may create an empty -wal file and
 * the -shm index beside it: SQLite's shared-memory bookkeeping, no data.)
 */
const fingerprint = (file: string) => ({
  sha: createHash("sha256").update(readFileSync(file)).digest("hex"),
  mtime: statSync(file).mtimeMs,
  walBytes: existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0
})

beforeAll(async () => {
  const ran = await mentorLedger(["demo"], { MENTOR_LEDGER_DB: db })
  expect(ran.code, ran.stderr).toBe(0)
  expect(ran.stdout).toMatch(
    /^Demo written to .*mentoring\.db \(seed 2026, [\d.]+ s\): 2 programmes, 5 templates, 48 mentorships/
  )
}, 60_000)

describe("mentor-ledger (built) on SQLite", () => {
  it("prints its version and help", async () => {
    const [version, help, exportHelp, unknown] = await Promise.all([
      mentorLedger(["--version"]),
      mentorLedger(["--help"]),
      mentorLedger(["export", "--help"]),
      mentorLedger(["nonsense"])
    ])
    expect(version.stdout.trim()).toBe("0.1.0")
    expect(help.stdout).toContain("Commands:")
    expect(exportHelp.stdout).toContain("--format <f>")
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/^mentor-ledger: unknown command "nonsense"/)
  })

  it("read-only commands write nothing: the file's bytes and mtime are unchanged", async () => {
    const before = fingerprint(db)
    const env = { MENTOR_LEDGER_DB: db, MENTOR_LEDGER_KEY: key }
    const runs = await Promise.all([
      mentorLedger(["show", someone, "--as", "mentor"], env),
      mentorLedger(["show", someone, "--as-of", aWeekIn, "--as-known-at", knownAt, "--json"], env),
      mentorLedger(["export", "--format", "ndjson"], env),
      mentorLedger(["export", "--format", "csv"], env),
      mentorLedger(["export", "--format", "xes", "--out", join(dir, "log.xes")], env),
      mentorLedger(["export", "--format", "ocel2", "--out", join(dir, "log.json")], env),
      mentorLedger(["stats", "--html", join(dir, "report.html")], env)
    ])
    for (const r of runs) expect(r.code, r.stderr).toBe(0)
    expect(fingerprint(db)).toEqual(before)
    const [mentor, asOf, ndjson, csv] = runs
    expect(mentor!.stdout).toContain("phase       meetings")
    expect(JSON.parse(asOf!.stdout).asOf.occurredUntil).toBe(aWeekIn)
    expect(JSON.parse(asOf!.stdout).state.phase).toMatch(/^(requested|matched|opening)$/)
    expect(ndjson!.stdout.trimEnd().split("\n").length + 1).toBe(csv!.stdout.trimEnd().split("\r\n").length)
    for (const t of demoTexts) {
      expect(ndjson!.stdout).not.toContain(t)
      expect(readFileSync(join(dir, "log.xes"), "utf8")).not.toContain(t)
      expect(readFileSync(join(dir, "log.json"), "utf8")).not.toContain(t)
    }
    expect(runs[4]!.stderr).toMatch(/traces as xes to/)
  })

  it("rebuilds and replays the read models, with plain progress lines when not on a terminal", async () => {
    const rebuild = await mentorLedger(["rebuild", "--db", db, "--batch-size", "20"], {
      MENTOR_LEDGER_PROGRESS_MS: "0"
    })
    expect(rebuild.code, rebuild.stderr).toBe(0)
    expect(rebuild.stdout).toMatch(/^rebuilt mentorships, programmes from [\d,]+ events/)
    expect(rebuild.stderr).toMatch(/^rebuild: [\d,]+\/[\d,]+ events \(\d+%\), [\d,]+ events\/s, ETA /m)
    expect(rebuild.stderr).toMatch(/rebuild: [\d,]+ events in [\d.]+ s .*\d+ batches, up to date/)
    expect(rebuild.stderr).not.toContain("\r")
    const replay = await mentorLedger(["replay", "--db", db])
    expect(replay.code, replay.stderr).toBe(0)
    expect(replay.stdout).toMatch(/^replayed 0 new events into mentorships, programmes/)
    const one = await mentorLedger(["rebuild", "--db", db, "--projection", "programmes"])
    expect(one.stdout).toMatch(/^rebuilt programmes from/)
  })

  it("fails with one line and a non-zero exit on bad input", async () => {
    const cases: Array<[Array<string>, number, RegExp]> = [
      [["stats", "--db", join(dir, "missing.db")], 1, /^mentor-ledger stats: no database at .*missing\.db/],
      [["show", someone, "--db", join(dir, "missing.db")], 1, /no database at/],
      [["export", "--format", "xes", "--key", key, "--db", "mysql://x/y"], 2, /unsupported URL scheme/],
      [["export", "--format", "xes", "--db", db], 2, /needs the analyst's pseudonymisation key/],
      [["export", "--format", "yaml", "--key", key, "--db", db], 2, /--format: "yaml" is not one of/],
      [
        ["show", "00000000-0000-4000-8000-000000000000", "--db", db],
        1,
        /no mentorship 00000000-0000-4000-8000-000000000000/
      ],
      [
        ["stats", "--db", "postgres://127.0.0.1:1/nodb"],
        1,
        /^mentor-ledger stats: cannot open postgres:\/\/127\.0\.0\.1:1\/nodb/
      ],
      [["nonsense"], 2, /^mentor-ledger: unknown command "nonsense"/]
    ]
    const runs = await Promise.all(cases.map(([argv]) => mentorLedger(argv)))
    runs.forEach((r, i) => {
      const [argv, code, message] = cases[i]!
      expect(r.code, argv.join(" ")).toBe(code)
      expect(r.stderr, argv.join(" ")).toMatch(message)
      expect(r.stderr.trimEnd().split("\n"), argv.join(" ")).toHaveLength(1)
    })
    // Nothing was created by the failed opens.
    expect(existsSync(join(dir, "missing.db"))).toBe(false)
  })

  it("an interrupted rebuild resumes from its checkpoints with replay", async () => {
    let sent = false
    const interrupted = await mentorLedger(
      ["rebuild", "--db", db, "--batch-size", "1"],
      { MENTOR_LEDGER_PROGRESS_MS: "0" },
      {
        onStderr: (chunk, child) => {
          if (!sent && /rebuild: [1-9]/.test(chunk)) {
            sent = true
            child.kill("SIGINT")
          }
        }
      }
    )
    expect(sent).toBe(true)
    expect(interrupted.code, interrupted.stderr).toBe(1)
    expect(interrupted.stderr).toMatch(
      /interrupted after about [\d,]+ events; .*run mentor-ledger replay to go on/
    )
    const resumed = await mentorLedger(["replay", "--db", db])
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(resumed.stdout).toMatch(/^replayed [\d,]+ new events/)
    expect(resumed.stdout).not.toMatch(/^replayed 0 new/)
  }, 60_000)
})
