import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/** A fresh directory, removed when the scope closes. */
export const tempDir: Effect.Effect<string, never, import("effect/Scope").Scope> = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(join(tmpdir(), "mentor-ledger-sqlite-"))),
  (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
)

/** A layer built on a fresh database file in a directory removed afterwards. */
export const onTempFile = <A, E>(make: (filename: string) => Layer.Layer<A, E>): Layer.Layer<A, E> =>
  Layer.unwrapScoped(Effect.map(tempDir, (dir) => make(join(dir, "ledger.db"))))

/** A fresh directory for plain (non-Effect) tests; call the result to remove it. */
export const makeTempDir = (): {
  readonly dir: string
  readonly file: (name: string) => string
  readonly remove: () => void
} => {
  const dir = mkdtempSync(join(tmpdir(), "mentor-ledger-sqlite-"))
  return { dir, file: (name) => join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) }
}
