import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
// The PostgreSQL package's test turn: its tests read the log as soon as they
// append, which this example's writers would hold back (see takeTurn).
import { takeTurn } from "../../../packages/postgres/test/server.js"

// Runs the example as a user would (src/main.ts: two worker processes, a
// writer, a SIGKILL) against MENTOR_LEDGER_PG_URL. Without it the test is
// skipped and says why; in CI it must run.

const url = process.env.MENTOR_LEDGER_PG_URL?.trim() || undefined
const inCi = process.env.CI === "true"
const missing =
  'MENTOR_LEDGER_PG_URL is not set; start the test server with: eval "$(bash scripts/postgres.sh start)"'
if (url === undefined) console.warn(`postgres-cluster example skipped: ${missing}`)

const root = fileURLToPath(new URL("../../..", import.meta.url))
const main = fileURLToPath(new URL("../src/main.ts", import.meta.url))

describe("the PostgreSQL server", () => {
  it.runIf(inCi)("is given in CI, so the example runs there", () => {
    expect(url, missing).toBeDefined()
  })
})

describe.skipIf(url === undefined)(
  url === undefined ? `postgres-cluster [skipped: ${missing}]` : "postgres-cluster",
  () => {
    it("shares the projections between two workers, and the survivor takes over when one is killed", async () => {
      const release = await takeTurn()
      const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>(
        (resolve) => {
          execFile(
            process.execPath,
            ["--conditions=source", "--import", "tsx", main],
            { cwd: root, env: { ...process.env, MENTOR_LEDGER_PG_URL: url }, timeout: 110_000 },
            (error, stdout, stderr) =>
              resolve({
                code: error === null ? 0 : typeof error.code === "number" ? error.code : 1,
                stdout,
                stderr
              })
          )
        }
      )
      await release()
      expect(code, `${stdout}\n${stderr}`).toBe(0)
      const lines = stdout.trim().split("\n")
      const result = JSON.parse(lines[lines.length - 1]!) as {
        readonly sharedOut: Record<string, string>
        readonly afterFailover: Record<string, string>
        readonly killed: string
        readonly survivor: string
        readonly requested: number
        readonly shown: number
        readonly sameAsRebuild: boolean
      }
      // shared out: one projection each
      expect(Object.keys(result.sharedOut).sort()).toEqual(["mentorships@1", "programmes@1"])
      expect(new Set(Object.values(result.sharedOut)).size).toBe(2)
      // the killed worker owned the mentorships; the survivor owns everything after
      expect(result.sharedOut["mentorships@1"]).toBe(result.killed)
      expect(result.afterFailover).toEqual({
        "mentorships@1": result.survivor,
        "programmes@1": result.survivor
      })
      expect(result.shown).toBe(result.requested)
      expect(result.sameAsRebuild).toBe(true)
      // in this order: shared out, killed, taken over
      const at = (text: string) => lines.findIndex((l) => l.includes(text))
      expect(at(`killed ${result.killed}`)).toBeGreaterThan(at("the read models show 4 mentorships"))
      expect(at(`${result.survivor} owns mentorships@1, programmes@1`)).toBeGreaterThan(
        at(`killed ${result.killed}`)
      )
      expect(at("the read models show 8 mentorships")).toBeGreaterThan(at(`killed ${result.killed}`))
    }, 300_000)
  }
)
