import { execFile } from "node:child_process"
import { randomBytes } from "node:crypto"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import Database from "better-sqlite3"
import pg from "pg"
import { describe, expect, it } from "vitest"
import { main as concepts } from "../src/concepts.js"

const run = (file: string, args: ReadonlyArray<string>) =>
  promisify(execFile)(
    process.execPath,
    [
      "--conditions=source",
      "--import",
      "tsx",
      fileURLToPath(new URL(`../src/${file}`, import.meta.url)),
      ...args
    ],
    { cwd: fileURLToPath(new URL("..", import.meta.url)) }
  )

describe("docs/getting-started.md", () => {
  it("records a mentorship into an SQLite file, shows each role its view, and erases the mentee", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mentor-ledger-getting-started-"))
    try {
      const filename = join(dir, "mentoring.sqlite")
      const { stdout } = await run("app.ts", [filename])
      // docs/getting-started.md shows this output as it is
      const guide = readFileSync(new URL("../../../docs/getting-started.md", import.meta.url), "utf8")
      const shown = /It prints:\n\n```text\n([\s\S]*?)\n```/.exec(guide)?.[1]
      expect(shown, "the output block of docs/getting-started.md").toBe(stdout.trim())
      expect(stdout.trim().split("\n")).toEqual([
        "refused: phase-order in phase matched",
        "Headmasters as Mentors: phase meetings, 1 meeting(s) held",
        "the mentor reads: We mapped the week's routines.",
        "the supervisor reads: (not shared)",
        "after consent, the supervisor reads: We mapped the week's routines.",
        "erased in 1 mentorship(s)",
        "the mentor now reads: (erased)",
        "the process facts stay: 1 meeting(s) held"
      ])
      // What the app wrote is in the file: the log and the read models, and no plaintext content.
      const database = new Database(filename, { readonly: true })
      const count = (table: string) =>
        (database.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n
      expect(count("ml_events")).toBe(13)
      expect(count("ml_rm_mentorships_v1")).toBe(1)
      expect(count("ml_rm_meetings_v1")).toBe(1)
      database.close()
      for (const suffix of ["", "-wal"]) {
        let bytes: Buffer
        try {
          bytes = readFileSync(`${filename}${suffix}`)
        } catch {
          continue
        }
        expect(
          bytes.includes("We mapped the week's routines."),
          `plaintext in ${suffix || "main file"}`
        ).toBe(false)
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)

  it('runs the code of docs/concepts.md and of domain.md\'s "Using it"', async () => {
    expect(await concepts()).toEqual([
      "MentoringRequested",
      "requested",
      "stream version 1, then ConcurrencyConflict",
      "effect: programme version 1",
      "mentorship-not-found in phase none",
      "programme version 1",
      "templates: headmasters-as-mentors, new-leader-support"
    ])
  })

  const url = process.env.MENTOR_LEDGER_PG_URL?.trim() || undefined
  it.skipIf(url === undefined)(
    url === undefined
      ? "the PostgreSQL step [skipped: MENTOR_LEDGER_PG_URL is not set]"
      : "the PostgreSQL step records a programme and reads its mentor pool, in a schema of its own",
    async () => {
      const schema = `ml_getting_started_${randomBytes(6).toString("hex")}`
      try {
        const { stdout } = await run("postgres.ts", [schema])
        expect(stdout.trim()).toBe(`mentor pool in schema ${schema}: 2 of 2 places free`)
      } finally {
        const client = new pg.Client({ connectionString: url })
        await client.connect()
        await client.query(`drop schema if exists "${schema}" cascade`)
        await client.end()
      }
    },
    60_000
  )
})
