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
import type { Report } from "../src/Report.js"

const bench = fileURLToPath(new URL("..", import.meta.url))
const dir = mkdtempSync(join(tmpdir(), "mentor-ledger-bench-smoke-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const positive = (n: unknown) => typeof n === "number" && Number.isFinite(n) && n > 0

describe("pnpm bench --quick", () => {
  it("measures every available workload and writes bench/results/latest.json's shape", async () => {
    const out = join(dir, "quick.json")
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
        "--out",
        out
      ],
      { cwd: bench, maxBuffer: 16 * 1024 * 1024 }
    )
    const report = JSON.parse(readFileSync(out, "utf8")) as Report

    expect(report.mode).toBe("quick")
    expect(report.machine.cores).toBeGreaterThan(0)
    expect(typeof report.machine.cpu).toBe("string")
    expect(report.machine.node).toBe(process.version)
    expect(report.sqlite).toEqual({ journalMode: "wal", synchronous: expect.any(Number) })

    // PostgreSQL runs too where a server is given (as in CI)
    const stores = process.env.MENTOR_LEDGER_PG_URL === undefined ? ["sqlite"] : ["sqlite", "postgres"]
    const measured = report.results.map((r) => `${r.workload} ${r.store}`)
    expect(measured).toEqual(stores.flatMap((s) => ["W1", "W2", "W3", "W4", "W5"].map((w) => `${w} ${s}`)))
    for (const r of report.results) {
      expect(Object.keys(r)).toEqual(
        expect.arrayContaining(["workload", "store", "ours", "raw", "ratio", "peakRssMiB"])
      )
      expect(positive(r.ours), `${r.workload} ours`).toBe(true)
      expect(positive(r.peakRssMiB), `${r.workload} peak RSS`).toBe(true)
      if (r.workload === "W5") {
        expect(r.raw).toBeNull()
        expect(r.ratio).toBeNull()
      } else {
        expect(positive(r.raw), `${r.workload} raw`).toBe(true)
        expect(r.ratio).toBeCloseTo(r.ours / r.raw!, 10)
      }
      expect(r.samples.ours?.perSecond).toHaveLength(1)
    }

    // what did not run says why, W6 and PostgreSQL included, instead of a number
    for (const s of report.skipped) expect(s.reason.length).toBeGreaterThan(0)
    const explained = (what: (s: Report["skipped"][number]) => boolean) =>
      report.results.some((r) => r.workload === "W6") || report.skipped.some(what)
    expect(explained((s) => s.workload === "W6")).toBe(true)
    expect(
      report.results.some((r) => r.store === "postgres") || report.skipped.some((s) => s.store === "postgres")
    ).toBe(true)

    expect(stdout).toContain("| W1 append per stream")
    expect(stdout).toContain("Not measured:")
  })
})
