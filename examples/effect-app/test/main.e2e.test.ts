import { execFile } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import Database from "better-sqlite3"
import { expect, it } from "vitest"

const main = fileURLToPath(new URL("../src/main.ts", import.meta.url))

it("plays the term into an SQLite file, printing every step, refusal and view", async () => {
  const dir = mkdtempSync(join(tmpdir(), "effect-app-"))
  try {
    const filename = join(dir, "term.sqlite")
    const { stdout } = await promisify(execFile)(process.execPath, [
      "--conditions=source",
      "--import",
      "tsx",
      main,
      filename
    ])
    const lines = stdout.split("\n")
    // The import: the good file in, the bad one refused whole, with each problem
    expect(lines).toContain("  imported 6 people from staff.csv")
    expect(lines).toContain("    line 3: first_name: is empty")
    expect(lines).toContain(
      '    line 4: roles: unknown role "principal": use mentor, mentee, supervisor, coordinator, support-team, analyst'
    )
    expect(lines).toContain("    line 4: line_manager: T9999 is neither in this file nor in the directory")
    expect(lines).toContain("  the directory holds 6 people")
    // Typed refusals, caught by tag
    expect(lines).toContain("              MatchMentor            ✗ refused: mentor-untrained (requested)")
    expect(stdout).toMatch(/HoldMeeting +✗ invalid: durationMinutes: /)
    // The calendar clock: dates follow the sleeps, the same on every run
    expect(lines).toContain("  2026-08-13  SignAgreement          → AgreementSigned")
    expect(lines).toContain("  2026-10-08  HoldMeeting            → MeetingHeld")
    expect(lines).toContain("  2026-10-15  CompleteMentorship     → MentorshipCompleted, MentorsReleased")
    // The views: the supervisor reads only the summary the mentee shared, the coordinator none
    const view = (who: string) => lines.find((l) => l.startsWith(`  ${who}`))!.slice(31)
    expect(view("mentee")).toBe(
      "Meeting 1: assessment criteria. | Meeting 2: a lab incident. | Meeting 3: a guardian's e-mail. | Meeting 4: the course feedback."
    )
    expect(view("supervisor")).toBe("(not shared) | Meeting 2: a lab incident. | (not shared) | (not shared)")
    expect(view("coordinator")).toBe("(not shared) | (not for this role) | (not shared) | (not shared)")
    // Erasure
    expect(lines).toContain("  the mentor now reads 13 of 13 content fields as erased")
    expect(stdout).toContain(
      "participants: mentee (erased), mentor Anneli Koskinen, supervisor Marko Räsänen"
    )

    const db = new Database(filename, { readonly: true })
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n
    expect(count("select count(*) as n from ml_events")).toBe(20)
    expect(count("select count(*) as n from ml_rm_meetings_v1")).toBe(4)
    // every date the ledger stamped came from the calendar
    const span = db.prepare("select min(occurred_at) as first, max(occurred_at) as last from ml_events").get()
    expect(span).toEqual({ first: "2026-08-10T08:00:00.000Z", last: "2026-10-15T08:00:00.000Z" })
    db.close()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}, 60_000)
