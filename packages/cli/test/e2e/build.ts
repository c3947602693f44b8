/**
 * Global setup of the `cli` project: builds the `mentor-ledger` binary with
 * tsup's bin configuration (the one `npm run build` uses for
 * dist/bin/mentor-ledger.js), so that the e2e tests run what a user runs.
 * It goes to test-artifacts/e2e-bin (gitignored) rather than dist/bin, so
 * that a build running at the same time (npm run build cleans dist/bin)
 * cannot pull it from under the tests. The workspace packages are bundled
 * from their sources, so nothing else needs building first. About a second.
 */
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { build } from "tsup"
import configs from "../../tsup.config.js"

export const root = fileURLToPath(new URL("../..", import.meta.url))
const outDir = join(root, "test-artifacts", "e2e-bin")
export const binPath = join(outDir, "mentor-ledger.js")

export default async function setup() {
  const bin = (configs as unknown as ReadonlyArray<Record<string, unknown>>).find(
    (c) => typeof c.entry === "object" && c.entry !== null && "mentor-ledger" in (c.entry as object)
  )
  if (bin === undefined) throw new Error("tsup.config.ts has no bin entry")
  await build({
    ...bin,
    entry: { "mentor-ledger": join(root, "src", "bin.ts") },
    outDir,
    tsconfig: join(root, "tsconfig.json"),
    silent: true,
    config: false
  } as Parameters<typeof build>[0])
}
