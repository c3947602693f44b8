import { execFile } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import Database from "better-sqlite3"
import { expect, it } from "vitest"

const root = fileURLToPath(new URL("../../..", import.meta.url))
const main = fileURLToPath(new URL("../src/main.ts", import.meta.url))

it("plays the story into an SQLite file and shows read-model rows as the mentor and the supervisor see them", async () => {
  const dir = mkdtempSync(join(tmpdir(), "mentor-ledger-demo-"))
  try {
    const filename = join(dir, "demo.sqlite")
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--conditions=source", "--import", "tsx", main, filename],
      { cwd: root }
    )
    expect(stdout).toContain("38 events recorded")
    expect(stdout).toContain("Read model ml_rm_mentorships_v1 (as the mentor)")
    expect(stdout).toContain("'Summary of meeting 1'")
    // the supervisor sees the one summary both mentees consented to share, and no other
    const supervisorPart = stdout.slice(stdout.indexOf("as the supervisor (only"))
    expect(supervisorPart).toContain("'Summary of meeting 2'")
    expect(supervisorPart).not.toContain("'Summary of meeting 1'")
    expect(supervisorPart).toContain("(not shared: absent)")
    // what it wrote is in the file: the log and the read models
    const database = new Database(filename, { readonly: true })
    const count = (table: string) =>
      (database.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n
    expect(count("ml_events")).toBe(38)
    expect(count("ml_rm_mentorships_v1")).toBe(1)
    expect(count("ml_rm_meetings_v1")).toBe(6)
    database.close()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}, 60_000)
