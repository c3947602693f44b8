/**
 * What a command talks to: its output streams and environment (the tests
 * give their own).
 *
 * @since 0.1.0
 */
import type { Writable } from "node:stream"

/** @since 0.1.0 @category models */
export interface Io {
  readonly stdout: Writable & { readonly isTTY?: boolean }
  readonly stderr: Writable & { readonly isTTY?: boolean; readonly columns?: number }
  readonly env: Readonly<Record<string, string | undefined>>
}

/** Writes a line to standard output. @since 0.1.0 @category output */
export const println = (io: Io, line = "") => {
  io.stdout.write(`${line}\n`)
}

/** Writes a line to standard error. @since 0.1.0 @category output */
export const eprintln = (io: Io, line = "") => {
  io.stderr.write(`${line}\n`)
}
