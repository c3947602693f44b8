/**
 * The bench's quick mode runs end to end and writes the JSON of issue 8.
 * A smoke test, so that the bench code cannot rot: it never asserts a
 * speed (the machine may be busy), only that every workload ran and that
 * the file has the promised shape.
 */
import { execFile } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { afterAll, describe, expect, it } from "vitest"
import { takeTurn } from "../../packages/postgres/test/server.js"
import type { Report } from "../src/Report.js"

const bench = fileURLToPath(new URL("..", import.meta.url))
const dir = mkdtempSync(join(tmpdir(), "mentor-ledger-bench-smoke-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const positive = (n: unknown) => typeof n === "number" && Number.isFinite(n) && n > 0

describe("pnpm bench --quick", () => {
  it("measures every available workload and writes bench/results/latest.json's shape", async () => {
    const out = join(dir, "quick.json")
    // its PostgreSQL runs hold transactions open: it takes the server's test turn (see takeTurn)
    const release = process.env.MENTOR_LEDGER_PG_URL === undefined ? undefined : await takeTurn()
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        "--conditions=source",
        "--import",
        "tsx",
        "src/main.ts",
        "--quick",
        "--runs",
        "1",
        "--no-peer",
        "--in-process",
        "--out",
        out
      ],
      { cwd: bench, maxBuffer: 16 * 1024 * 1024 }
    ).finally(() => release?.())
    const report = JSON.parse(readFileSync(out, "utf8")) as Report

    expect(report.mode).toBe("quick")
    expect(report.machine.cores).toBeGreaterThan(0)
    expect(typeof report.machine.cpu).toBe("string")
    expect(report.machine.node).toBe(process.version)
    expect(report.sqlite).toEqual({
      journalMode: "wal",
      synchronous: expect.any(Number),
      walAutocheckpoint: expect.any(Number)
    })

    // PostgreSQL runs too where a server is given (as in CI)
    const sqlite = ["W1", "W2", "W3", "W4", "W5", "W6"].map((w) => `${w} sqlite`)
    const postgres = ["W1", "W2", "W3", "W4", "W5", "W6", "W7", "W7h"].map((w) => `${w} postgres`)
    const measured = report.results.map((r) => `${r.workload} ${r.store}`)
    expect(measured, `not measured: ${JSON.stringify(report.skipped)}`).toEqual(
      process.env.MENTOR_LEDGER_PG_URL === undefined ? sqlite : [...sqlite, ...postgres]
    )
    for (const r of report.results) {
      expect(Object.keys(r)).toEqual(
        expect.arrayContaining(["workload", "store", "ours", "raw", "ratio", "peakRssMiB"])
      )
      expect(positive(r.ours), `${r.workload} ours`).toBe(true)
      expect(positive(r.peakRssMiB), `${r.workload} peak RSS`).toBe(true)
      if (r.workload === "W5" || r.workload === "W6") {
        expect(r.raw).toBeNull()
        expect(r.ratio).toBeNull()
      } else {
        expect(positive(r.raw), `${r.workload} raw`).toBe(true)
        expect(r.ratio).toBeCloseTo(r.ours / r.raw!, 10)
      }
      expect(r.samples.ours?.perSecond).toHaveLength(1)
    }

    // W6 sampled its memory as it went; W7h counted its conflicts and checked every append
    for (const r of report.results.filter((r) => r.workload === "W6")) {
      const memory = r.samples.ours?.memory ?? []
      expect(memory.length, `${r.store} W6 memory samples`).toBeGreaterThan(0)
      for (const m of memory) expect(positive(m.rssMiB) && positive(m.heapUsedMiB)).toBe(true)
    }
    for (const r of report.results.filter((r) => r.workload === "W7h")) {
      for (const side of ["ours", "raw"] as const) {
        const [counted] = r.samples[side]?.counts ?? []
        expect(counted?.verified, `${side} W7h verified`).toBe(r.operations)
        expect(counted?.conflicts, `${side} W7h conflicts`).toBeGreaterThanOrEqual(0)
      }
    }

    // what did not run says why (PostgreSQL without a server, the peer left out), instead of a number
    for (const s of report.skipped) expect(s.reason.length).toBeGreaterThan(0)
    expect(
      report.results.some((r) => r.store === "postgres") || report.skipped.some((s) => s.store === "postgres")
    ).toBe(true)

    expect(stdout).toContain("| W1 append per stream")
    expect(stdout).toContain("Not measured:")
  })
})
