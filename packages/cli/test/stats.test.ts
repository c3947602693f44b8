import { execFile } from "node:child_process"
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { promisify } from "node:util"
import { beforeAll, describe, expect, it } from "vitest"
import { quantile, summarise } from "../src/stats/compute.js"
import { cli, demoFile, demoTexts, tempDir } from "./support.js"

const dir = tempDir()
let db = ""

beforeAll(async () => {
  db = await demoFile(dir, 24)
})

describe("percentiles", () => {
  it("interpolate between the closest ranks", () => {
    expect(quantile([], 0.5)).toBeNull()
    expect(quantile([7], 0.9)).toBe(7)
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5)
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBeCloseTo(9.1)
    expect(summarise([3, 1, 2])).toEqual({ n: 3, median: 2, p90: 2.8, mean: 2 })
  })
})

describe("stats", () => {
  it("counts per programme and template, consistently", async () => {
    const ran = await cli(["stats", "--db", db, "--json", "--as-of", "2026-06-01"])
    expect(ran.code, ran.stderr).toBe(0)
    const stats = JSON.parse(ran.stdout)
    expect(stats.total.mentorships).toBe(24)
    expect(stats.groups.reduce((n: number, g: { mentorships: number }) => n + g.mentorships, 0)).toBe(24)
    for (const g of [...stats.groups, stats.total]) {
      expect(g.running + g.completed + g.withdrawn).toBe(g.mentorships)
      expect(Object.values(g.phases as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(g.mentorships)
      if (g.completionRate !== null) expect(g.completionRate + g.withdrawalRate).toBeCloseTo(1)
      for (const s of Object.values(g.phaseDays as Record<string, { median: number; p90: number }>))
        expect(s.p90).toBeGreaterThanOrEqual(s.median)
    }
    expect(stats.total.phaseDays.meetings.median).toBeGreaterThan(7)
    expect(stats.total.requestToAgreement.n).toBeGreaterThan(0)
    expect(stats.total.withdrawn).toBeGreaterThan(0)
    expect(Object.keys(stats.total.withdrawnFrom).length).toBeGreaterThan(0)
    const names = stats.groups.map((g: { programmeName: string }) => g.programmeName)
    expect(names).toContain("Headmasters as Mentors, south-west Finland 2025–2026")
  })

  it("travels in time, and counts follow-ups overdue as of the date", async () => {
    const past = JSON.parse((await cli(["stats", "--db", db, "--json", "--as-of", "2025-10-01"])).stdout)
    const now = JSON.parse((await cli(["stats", "--db", db, "--json", "--as-of", "2026-06-01"])).stdout)
    const later = JSON.parse((await cli(["stats", "--db", db, "--json", "--as-of", "2030-01-01"])).stdout)
    expect(past.total.mentorships).toBeLessThan(now.total.mentorships)
    // The demo schedules follow-ups, the first one overdue at its "today".
    expect(now.total.followUpsOverdue).toBeGreaterThan(0)
    expect(later.total.followUpsOverdue).toBeGreaterThanOrEqual(now.total.followUpsOverdue)
    expect(later.total.followUpsOverdue).toBeLessThanOrEqual(later.total.phases["follow-up"] ?? 0)
  })

  it("prints tables", async () => {
    const ran = await cli(["stats", "--db", db, "--as-of", "2026-06-01"])
    expect(ran.code).toBe(0)
    expect(ran.stdout).toMatch(/^Statistics as of 2026-06-01T23:59:59.999Z \(24 mentorships, [\d,]+ events\)/)
    expect(ran.stdout).toMatch(/\nheadmasters-as-mentors +\d+/)
    expect(ran.stdout).toContain("Days in each phase (median/p90):")
    expect(ran.stdout).toMatch(/\nall +24 /)
  })

  it("writes a self-contained HTML report with Chart.js inlined, and no person data", async () => {
    const html = join(dir, "report.html")
    const ran = await cli(["stats", "--db", db, "--as-of", "2026-06-01", "--html", html])
    expect(ran.code, ran.stderr).toBe(0)
    const page = readFileSync(html, "utf8")
    expect(page).not.toMatch(/<script[^>]+src=/)
    expect(page).not.toMatch(/https?:\/\/cdn/)
    expect(page).toContain("Chart.js v4")
    expect(page).toContain('"Mentorships by current phase"')
    for (const t of demoTexts) expect(page).not.toContain(t)
    expect(page.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g) ?? []).toEqual([])
  })

  const chromium = "/usr/bin/chromium"
  it.skipIf(!existsSync(chromium))(
    `renders in headless Chromium, with a screenshot in test-artifacts/${existsSync(chromium) ? "" : " [skipped: /usr/bin/chromium is not installed (Debian package chromium)]"}`,
    async () => {
      const html = join(dir, "report.html")
      if (!existsSync(html)) await cli(["stats", "--db", db, "--as-of", "2026-06-01", "--html", html])
      const artifacts = join(import.meta.dirname, "..", "test-artifacts")
      mkdirSync(artifacts, { recursive: true })
      const png = join(artifacts, "stats-report.png")
      const run = promisify(execFile)
      const flags = [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        `--user-data-dir=${join(dir, "chromium")}`
      ]
      // The page's script marks the body once every chart was created without an error.
      const dom = await run(chromium, [...flags, "--dump-dom", `file://${html}`], { timeout: 60_000 })
      expect(dom.stdout).toContain('data-rendered="true"')
      await run(chromium, [...flags, "--window-size=1280,1600", `--screenshot=${png}`, `file://${html}`], {
        timeout: 60_000
      })
      expect(statSync(png).size).toBeGreaterThan(30_000)
      expect(readFileSync(png).subarray(1, 4).toString()).toBe("PNG")
    },
    90_000
  )
})
