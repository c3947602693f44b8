import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Writable } from "node:stream"
import { afterAll } from "vitest"
import { run } from "../src/main.js"

/** A writable that keeps what was written. */
export class Capture extends Writable {
  text = ""
  isTTY = false
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void) {
    this.text += chunk.toString()
    callback()
  }
}

export interface Ran {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs the command in this process (the e2e tests run the built binary). */
export const cli = async (
  argv: ReadonlyArray<string>,
  env: Record<string, string | undefined> = {}
): Promise<Ran> => {
  const stdout = new Capture()
  const stderr = new Capture()
  const code = await run(argv, { stdout, stderr, env })
  return { code, stdout: stdout.text, stderr: stderr.text }
}

/** A fresh temporary directory, removed after the file's tests. */
export const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), "mentor-ledger-cli-"))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

export const key = "a-study-key-for-the-tests-0123456789"

/** Writes a demo programme to a fresh file; returns its path. */
export const demoFile = async (dir: string, mentorships = 16, name = "demo.db"): Promise<string> => {
  const file = join(dir, name)
  const ran = await cli(["demo", "--db", file, "--mentorships", String(mentorships)])
  if (ran.code !== 0) throw new Error(`demo failed: ${ran.stderr}`)
  return file
}

/** Every confidential text the demo writes (none may ever reach an analyst). */
export { default as demoTexts } from "./demoTexts.js"
