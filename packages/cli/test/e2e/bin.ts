import { spawn } from "node:child_process"
import { binPath } from "./build.js"

export interface Ran {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs the built `mentor-ledger` binary in a child process. */
export const mentorLedger = (
  argv: ReadonlyArray<string>,
  env: Record<string, string | undefined> = {},
  options: { readonly onStderr?: (chunk: string, child: ReturnType<typeof spawn>) => void } = {}
): Promise<Ran> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [binPath, ...argv], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d) => {
      stdout += d.toString()
    })
    child.stderr.on("data", (d) => {
      stderr += d.toString()
      options.onStderr?.(d.toString(), child)
    })
    child.on("error", reject)
    child.on("close", (code, signal) =>
      resolve({ code: code ?? (signal === null ? -1 : 128), stdout, stderr })
    )
  })
