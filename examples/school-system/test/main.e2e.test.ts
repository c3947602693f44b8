/**
 * `pnpm start`: the entry point starts, answers, and shuts down on SIGTERM.
 */
import { spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { expect, it } from "vitest"

const main = fileURLToPath(new URL("../src/main.ts", import.meta.url))

it("starts on the port it is given, serves, and closes on SIGTERM", async () => {
  const dir = mkdtempSync(join(tmpdir(), "school-system-main-"))
  const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", main], {
    env: { ...process.env, PORT: "0", SCHOOL_DB: join(dir, "school.sqlite") },
    stdio: ["ignore", "pipe", "pipe"]
  })
  try {
    let out = ""
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString()
        const found = /listening on (http:\/\/\S+)/.exec(out)
        if (found && out.includes("--data-binary")) resolve(found[1]!)
      })
      child.stderr.on("data", (chunk: Buffer) => {
        out += chunk.toString()
      })
      child.once("exit", (code) => reject(new Error(`exited with ${code}: ${out}`)))
    })
    expect(out).toContain("curl -s -X POST")
    const health = await fetch(`${url}/health`)
    expect(await health.json()).toEqual({ ok: true })
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve))
    child.kill("SIGTERM")
    expect(await exited).toBe(0)
  } finally {
    child.kill("SIGKILL")
    rmSync(dir, { recursive: true, force: true })
  }
}, 60_000)
