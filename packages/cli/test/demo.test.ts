import { statSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import * as Plan from "../src/demo/plan.js"
import { cli, demoFile, key, tempDir } from "./support.js"

const dir = tempDir()

describe("demo", () => {
  it("plans every phase, a few withdrawals and an erasure", () => {
    const plan = Plan.make(2026)
    const targets = new Set(plan.mentorships.map((m) => m.target))
    for (const phase of [
      "requested",
      "matched",
      "opening",
      "agreement",
      "meetings",
      "evaluation",
      "closing",
      "follow-up",
      "completed",
      "withdrawn"
    ])
      expect(targets, phase).toContain(phase)
    expect(plan.mentorships.length).toBe(48)
    expect(new Set(plan.mentorships.map((m) => m.template.id)).size).toBe(5)
    const withdrawn = plan.mentorships.filter((m) => m.target === "withdrawn").length
    expect(withdrawn).toBeGreaterThanOrEqual(3)
    expect(withdrawn).toBeLessThanOrEqual(8)
    expect(plan.erased).toBeDefined()
    // Played in recording order.
    const times = plan.steps.map((s) => s.recordedAt.getTime())
    expect([...times].sort((a, b) => a - b)).toEqual(times)
  })

  it("writes the same programme for the same seed, through the ledger's rules", async () => {
    const a = await demoFile(dir, 10, "a.db")
    const b = await demoFile(dir, 10, "b.db")
    const exportOf = async (db: string) =>
      (await cli(["export", "--db", db, "--format", "ndjson", "--key", key])).stdout
    const ea = await exportOf(a)
    expect(ea.split("\n").length).toBeGreaterThan(100)
    expect(await exportOf(b)).toBe(ea)
    expect(ea).toContain('"type":"PersonalDataErased"')
    expect(ea).toContain('"type":"MentorshipWithdrawn"')
  })

  it("prints an overview, refuses to overwrite without --force, and writes to a default file", async () => {
    const db = join(dir, "overview.db")
    const ran = await cli(["demo", "--db", db, "--mentorships", "8", "--seed", "7"])
    expect(ran.code, ran.stderr).toBe(0)
    expect(ran.stdout).toMatch(
      /^Demo written to .*overview\.db \(seed 7, [\d.]+ s\): 2 programmes, 5 templates, 8 mentorships, [\d,]+ events; one person's data erased\./
    )
    expect(ran.stdout).toMatch(/\ntotal +(\d+ +)+8\n/)
    expect(ran.stdout).toContain("mentor-ledger stats --db")
    const again = await cli(["demo", "--db", db, "--mentorships", "8"])
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(/exists already; pass --force/)
    const size = statSync(db).size
    const forced = await cli([
      "demo",
      "--db",
      db,
      "--mentorships",
      "8",
      "--seed",
      "7",
      "--force",
      "--skip-read-models"
    ])
    expect(forced.code).toBe(0)
    expect(statSync(db).size).toBeLessThanOrEqual(size)
    const env = await cli(["demo", "--mentorships", "5"], { MENTOR_LEDGER_DB: join(dir, "from-env.db") })
    expect(env.code, env.stderr).toBe(0)
    expect(statSync(join(dir, "from-env.db")).isFile()).toBe(true)
  })
})
