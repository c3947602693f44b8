/**
 * The `mentor-ledger` executable.
 *
 * @since 0.1.0
 */
import { run } from "./main.js"

// An output closed early (`mentor-ledger export … | head`) is not an error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0)
})

run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    process.stderr.write(`mentor-ledger: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exitCode = 1
  }
)
