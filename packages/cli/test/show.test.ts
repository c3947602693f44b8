import { beforeAll, describe, expect, it } from "vitest"
import * as Plan from "../src/demo/plan.js"
import { cli, demoFile, demoTexts, key, tempDir } from "./support.js"

const dir = tempDir()
let db = ""
// The demo is deterministic: its plan says which mentorship is where.
const plan = Plan.make(2026, 16)
const inMeetings = plan.mentorships.find(
  (m) => m.template.id === "headmasters-as-mentors" && m.target === "meetings"
)!
const id = inMeetings.context.mentorshipId

beforeAll(async () => {
  db = await demoFile(dir, 16)
})

interface Shown {
  state: { phase: string; meetingsHeld: number; mentees: Array<string>; mentors: Array<string> }
  viewer: { role: string; personId?: string }
  events: Array<{
    type: string
    occurredAt: string
    recordedAt: string
    content: Record<string, unknown>
    actor: { personId: string }
  }>
}

const show = async (...args: Array<string>): Promise<Shown> => {
  const ran = await cli(["show", id, "--db", db, "--json", ...args])
  expect(ran.code, ran.stderr).toBe(0)
  return JSON.parse(ran.stdout)
}

describe("show", () => {
  it("shows the mentorship now, as the mentor: with the content the pair shares", async () => {
    const shown = await show("--as", "mentor")
    expect(shown.state.phase).toBe("meetings")
    expect(shown.viewer).toEqual({ role: "mentor", personId: shown.state.mentors[0] })
    const drafted = shown.events.find((e) => e.type === "SummaryDrafted")!
    expect(typeof drafted.content.text).toBe("string")
    expect(demoTexts).toContain(drafted.content.text)
  })

  it("shows analysts process facts only, with pseudonyms under their key", async () => {
    const shown = await show("--key", key)
    expect(shown.viewer).toEqual({ role: "analyst" })
    const text = JSON.stringify(shown)
    for (const t of demoTexts) expect(text).not.toContain(t)
    expect(shown.events.find((e) => e.type === "SummaryDrafted")!.content.text).toEqual({
      withheld: "process-facts-only"
    })
    expect(shown.state.mentees[0]).toMatch(/^~[0-9a-f]{16}$/)
    expect(text).not.toContain(inMeetings.context.menteeIds[0]!)
    // Without a key: no person ids at all.
    const hidden = await show()
    expect(hidden.state.mentees[0]).toBe("(hidden)")
  })

  it("withholds from the supervisor what the mentee did not consent to share", async () => {
    const shown = await show("--as", "supervisor")
    const texts = shown.events.filter((e) => e.type === "SummaryDrafted").map((e) => e.content.text)
    expect(texts.length).toBeGreaterThan(0)
    for (const t of texts)
      expect(typeof t === "string" || (t as { withheld: string }).withheld === "not-shared").toBe(true)
    const coordinator = await show("--as", "coordinator")
    expect(coordinator.events.find((e) => e.type === "SummaryDrafted")!.content.text).toEqual({
      withheld: "process-facts-only"
    })
  })

  it("travels in time: --as-of by occurred time, --as-known-at by recorded time", async () => {
    const now = await show("--as", "mentor")
    const held = now.events.filter((e) => e.type === "MeetingHeld")
    const first = held[0]!
    // Just after the first meeting happened.
    const asOf = await show("--as", "mentor", "--as-of", first.occurredAt)
    expect(asOf.state.meetingsHeld).toBe(1)
    expect(asOf.state.phase).toBe("meetings")
    expect(asOf.events.every((e) => e.occurredAt <= first.occurredAt)).toBe(true)
    // Before the system knew of it (if it was logged late), the system thought no meeting was held.
    const late = held.find(
      (e) => new Date(e.recordedAt).getTime() - new Date(e.occurredAt).getTime() > 86_400_000
    )
    if (late !== undefined) {
      const knownBefore = await show(
        "--as-known-at",
        new Date(new Date(late.recordedAt).getTime() - 1).toISOString()
      )
      const knownAfter = await show("--as-known-at", late.recordedAt)
      expect(knownAfter.state.meetingsHeld).toBe(knownBefore.state.meetingsHeld + 1)
    }
    const request = now.events[0]!
    const before = await cli(["show", id, "--db", db, "--as-of", "2000-01-01"])
    expect(before.code).toBe(1)
    expect(before.stderr).toMatch(/had not been requested yet at that time/)
    expect(request.type).toBe("MentoringRequested")
  })

  it("shows an erased person's content as erased, to everyone, while the process facts stay", async () => {
    const withdrawn = plan.mentorships.find((m) => m.context.menteeIds.includes(plan.erased!))!
    const ran = await cli(["show", withdrawn.context.mentorshipId, "--db", db, "--json", "--as", "mentor"])
    expect(ran.code, ran.stderr).toBe(0)
    const shown = JSON.parse(ran.stdout) as Shown & { state: { erased: Array<string>; phase: string } }
    expect(shown.state.phase).toBe("withdrawn")
    expect(shown.state.erased).toEqual([plan.erased])
    expect(shown.events.at(-1)!.type).toBe("PersonalDataErased")
    const content = shown.events.flatMap((e) => Object.values(e.content))
    expect(content.length).toBeGreaterThan(0)
    for (const c of content) expect(c).toEqual({ erased: true })
  })

  it("prints a readable text form", async () => {
    const ran = await cli(["show", id, "--db", db, "--as", "mentee"])
    expect(ran.code).toBe(0)
    expect(ran.stdout).toMatch(/^Mentorship [0-9a-f-]{36}\n/)
    expect(ran.stdout).toContain("phase       meetings")
    expect(ran.stdout).toMatch(/MeetingHeld by mentor/)
  })

  it("fails in one line for an unknown mentorship, a bad role or a viewer for a role that sees no content", async () => {
    const unknown = await cli(["show", "00000000-0000-4000-8000-00000000dead", "--db", db])
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toMatch(
      /^mentor-ledger show: no mentorship 00000000-0000-4000-8000-00000000dead in .*demo\.db/
    )
    const role = await cli(["show", id, "--db", db, "--as", "boss"])
    expect(role.code).toBe(2)
    expect(role.stderr).toMatch(/--as: "boss" is not one of mentor, mentee/)
    const viewer = await cli(["show", id, "--db", db, "--as", "analyst", "--viewer", id])
    expect(viewer.code).toBe(2)
    expect(viewer.stderr).toMatch(/--viewer is for mentor, mentee or supervisor/)
  })
})
