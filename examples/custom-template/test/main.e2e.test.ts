import { execFile } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { createLedger, Ids, type MentorLedger, Template } from "@mentor-ledger/core"
import { ReadModels } from "@mentor-ledger/sql"
import { SqliteReadModels } from "@mentor-ledger/sqlite"
import Database from "better-sqlite3"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { circles, circlesWithoutMeeting, readCircles } from "../src/circles.js"
import { asOf, cast, playCircles, type StoryLine } from "../src/story.js"
import { checkTemplate, invalidDrafts, leadersCircle, leadersCircleInput } from "../src/template.js"

const root = fileURLToPath(new URL("../../..", import.meta.url))
const main = fileURLToPath(new URL("../src/main.ts", import.meta.url))
const dir = mkdtempSync(join(tmpdir(), "mentor-ledger-custom-template-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe("the circle template, as data", () => {
  it("is valid, and keeps what the programme wrote", () => {
    const checked = checkTemplate(leadersCircleInput)
    expect(checked.ok).toBe(true)
    expect(leadersCircle.mentees).toEqual({ min: 4, max: 10 })
    expect(leadersCircle.cadenceDays).toEqual({ min: 28, max: 35 })
  })

  it("refuses each draft, naming every field at fault", () => {
    const issues = invalidDrafts.map((draft) => {
      const checked = checkTemplate(draft)
      return checked.ok ? [] : checked.issues.map((i) => i.path)
    })
    expect(issues).toEqual([
      ["id", "mentees"],
      ["followUpDelayDays", "steps"]
    ])
    expect(() => Template.parseSync(invalidDrafts[0])).toThrow(
      'invalid template "Leaders Circle": id: Expected a string matching the pattern'
    )
  })
})

describe("two circles on an SQLite file, with the programme's read model inline", () => {
  const filename = join(dir, "circles.sqlite")
  let db: SqliteReadModels.OpenStore
  let ledger: MentorLedger
  let lines: ReadonlyArray<StoryLine>
  beforeAll(async () => {
    db = await SqliteReadModels.open({
      filename,
      projections: "inline",
      readModels: [...ReadModels.projections, circles]
    })
    ledger = createLedger({ store: db.layer })
    lines = await playCircles(ledger)
  })
  afterAll(async () => {
    await ledger.close()
    await db.close()
  })

  it("refuses what the template's rules forbid, with the typed error naming the rule or the field", () => {
    expect(
      lines.filter((l) => l.kind === "refused").map((l) => [l.command, l.error?.tag, l.error?.at])
    ).toEqual([
      ["DefineTemplate", "InvalidCommand", "template.id"],
      ["DefineTemplate", "InvalidCommand", "template.followUpDelayDays"],
      ["DefineTemplate", "RuleViolation", "template-exists"],
      ["RequestMentoring", "RuleViolation", "group-size"], // three directors
      ["RequestMentoring", "RuleViolation", "group-size"], // eleven directors
      ["RequestMentoring", "RuleViolation", "template-unknown"],
      ["MatchMentor", "RuleViolation", "group-size"], // three mentors
      ["MatchMentor", "RuleViolation", "mentor-untrained"],
      ["SignAgreement", "RuleViolation", "self-assessment-required"],
      ["SignAgreement", "RuleViolation", "meeting-limit"], // twelve planned, the template allows 6–10
      ["HoldEvaluation", "RuleViolation", "minimum-meetings"] // five held, the template needs six
    ])
    expect(lines.find((l) => l.detail.startsWith("a circle of three"))?.detail).toContain(
      "takes 4–10 distinct mentees; got 3"
    )
    expect(lines.find((l) => l.detail.startsWith("a circle of eleven"))?.detail).toContain("got 11")
  })

  it("recorded nothing for a refused command", async () => {
    expect((await ledger.mentorship(cast.refusedCircle)).state._tag).toBe("Empty")
    const programme = await ledger.programme(cast.programme)
    expect(programme.state._tag === "Active" && [...programme.state.templates.keys()]).toEqual([
      leadersCircle.id
    ])
  })

  it("keeps one row per circle, per circle and month, and per director", async () => {
    const model = await readCircles(db.journal.db)
    expect(
      model.circles.map((c) => [
        c.mentorship_id,
        c.mentees,
        c.mentors,
        c.meetings_held,
        c.first_meeting_at?.slice(0, 10),
        c.last_meeting_at?.slice(0, 10),
        c.status
      ])
    ).toEqual([
      [cast.northCircle, 6, 2, 5, "2026-02-10", "2026-06-10", "running"],
      [cast.coastCircle, 4, 1, 2, "2026-02-17", "2026-03-17", "running"]
    ])
    expect(
      model.months.map((m) => [
        m.mentorship_id === cast.northCircle ? "north" : "coast",
        m.month,
        m.meetings,
        m.minutes
      ])
    ).toEqual([
      ["north", "2026-02", 1, 180],
      ["north", "2026-03", 1, 120],
      ["north", "2026-04", 1, 120],
      ["north", "2026-05", 1, 120],
      ["north", "2026-06", 1, 120],
      ["coast", "2026-02", 1, 90],
      ["coast", "2026-03", 1, 90]
    ])
    const tasks = Object.fromEntries(model.tasks.map((t) => [t.mentee_id, [t.assigned, t.completed]]))
    expect(cast.directors.slice(0, 10).map((id) => tasks[id])).toEqual([
      [5, 5],
      [5, 5],
      [5, 5],
      [5, 5],
      [5, 3],
      [5, 3], // north: the last two do every other task
      [2, 2],
      [2, 0],
      [2, 0],
      [2, 0] // coast
    ])
    const quiet = await circlesWithoutMeeting(db.journal.db, asOf)
    expect(quiet.map((c) => c.mentorship_id)).toEqual([cast.coastCircle])
    // A month earlier, both circles had met within the month.
    expect(await circlesWithoutMeeting(db.journal.db, new Date(Date.UTC(2026, 2, 31)))).toEqual([])
  })

  it("takes a meeting logged late by when it was held", async () => {
    // Held on 3 February, before the circle's first meeting, and logged in June.
    await ledger.execute({
      _tag: "HoldMeeting",
      actor: { personId: cast.mentors[0]!, role: "mentor" },
      occurredAt: new Date(Date.UTC(2026, 1, 3, 9)),
      mentorshipId: cast.northCircle,
      meetingId: Ids.sequentialId(1099),
      modality: "phone",
      durationMinutes: 30
    })
    const model = await readCircles(db.journal.db)
    const north = model.circles.find((c) => c.mentorship_id === cast.northCircle)!
    expect([
      north.meetings_held,
      north.first_meeting_at?.slice(0, 10),
      north.last_meeting_at?.slice(0, 10)
    ]).toEqual([6, "2026-02-03", "2026-06-10"])
    expect(
      model.months.find((m) => m.mentorship_id === cast.northCircle && m.month === "2026-02")
    ).toMatchObject({
      meetings: 2,
      minutes: 210
    })
  })

  it("leaves mentorships under other templates out", async () => {
    const coordinator = { personId: cast.coordinator, role: "coordinator" } as const
    await ledger.execute({
      _tag: "DefineTemplate",
      actor: coordinator,
      programmeId: cast.programme,
      template: Template.earlyCareerInduction
    })
    await ledger.execute({
      _tag: "RequestMentoring",
      actor: coordinator,
      mentorshipId: Ids.sequentialId(500),
      programmeId: cast.programme,
      templateId: Template.earlyCareerInduction.id,
      menteeIds: [cast.directors[11]!],
      supervisorId: null
    })
    const model = await readCircles(db.journal.db)
    expect(model.circles.map((c) => c.mentorship_id)).toEqual([cast.northCircle, cast.coastCircle])
    expect(model.tasks.some((t) => t.mentee_id === cast.directors[11])).toBe(false)
  })

  it("comes out the same when rebuilt from the log, or caught up on a fresh copy", async () => {
    const before = await readCircles(db.journal.db)
    const rebuilt = await db.projections.rebuild("circles")
    expect(rebuilt.caughtUp).toBe(true)
    expect(await readCircles(db.journal.db)).toEqual(before)
    // Another connection, catch-up only: the same rows from the same log.
    const other = await SqliteReadModels.open({ filename, projections: "manual", readModels: [circles] })
    try {
      await other.projections.rebuild("circles")
      expect(await readCircles(other.journal.db)).toEqual(before)
    } finally {
      await other.close()
    }
  })
})

it("the program plays the circles into a file and prints the read model", async () => {
  const filename = join(dir, "program.sqlite")
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--conditions=source", "--import", "tsx", main, filename],
    { cwd: root }
  )
  expect(stdout).toContain("Template ecec-leaders-circle")
  expect(stdout).toContain("[RuleViolation: group-size] a circle of three")
  expect(stdout).toContain("[InvalidCommand: template.id]")
  expect(stdout).toContain("Read model ml_rm_circle_months_v1")
  expect(stdout).toMatch(/coast circle: last met 2026-03-17/)
  expect(stdout).toMatch(/Rebuilt "circles" from \d+ events: the same rows\./)
  const database = new Database(filename, { readonly: true })
  try {
    const count = (table: string) =>
      (database.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n
    expect(count("ml_rm_circles_v1")).toBe(2)
    expect(count("ml_rm_circle_months_v1")).toBe(7)
    expect(count("ml_rm_circle_tasks_v1")).toBe(10)
    // The library's own read models are kept beside the programme's.
    expect(count("ml_rm_mentorships_v1")).toBe(2)
    expect(count("ml_events")).toBe(Number(/(\d+) events recorded/.exec(stdout)?.[1]))
  } finally {
    database.close()
  }
}, 60_000)
