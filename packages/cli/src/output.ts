/**
 * Where a command writes: standard output or a file, with back-pressure
 * (a write waits while the stream's buffer is full, so memory stays
 * bounded however much is written). A file is written beside its final
 * name and renamed into place when complete, so a failed or interrupted
 * export never leaves a truncated file under the name asked for.
 *
 * @since 0.1.0
 */
import { createWriteStream, renameSync, rmSync } from "node:fs"
import { once } from "node:events"
import type { Writable } from "node:stream"

/** @since 0.1.0 @category models */
export interface Output {
  readonly write: (text: string) => Promise<void>
  /** Ends the output; a file is moved to its final name. */
  readonly close: () => Promise<void>
  /** Ends the output after a failure; a file is removed. */
  readonly abort: () => Promise<void>
}

const writer = (stream: Writable) => async (text: string) => {
  if (text.length === 0) return
  if (!stream.write(text)) await once(stream, "drain")
}

/** An output on a stream the caller owns (standard output). @since 0.1.0 @category constructors */
export const toStream = (stream: Writable): Output => ({
  write: writer(stream),
  close: async () => {},
  abort: async () => {}
})

/** An output on a file, renamed into place on `close`. @since 0.1.0 @category constructors */
export const toFile = async (path: string): Promise<Output> => {
  const partial = `${path}.partial`
  const stream = createWriteStream(partial, { encoding: "utf8" })
  await once(stream, "open")
  const end = async () => {
    if (stream.writableEnded) return
    stream.end()
    await once(stream, "finish")
  }
  return {
    write: writer(stream),
    close: async () => {
      await end()
      renameSync(partial, path)
    },
    abort: async () => {
      await end().catch(() => undefined)
      rmSync(partial, { force: true })
    }
  }
}
