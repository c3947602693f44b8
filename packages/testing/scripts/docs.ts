/**
 * Copies the `// #region name` … `// #endregion` blocks of the example
 * test files into docs/testing.md, under each `<!-- region: name -->`
 * marker, so that the guide shows code that runs in CI.
 *
 *   pnpm --filter @mentor-ledger/testing docs
 *
 * test/docs-examples.test.ts checks that the guide is up to date.
 */
import { readFileSync, writeFileSync } from "node:fs"
import { regions } from "../test/support/regions.js"

const guide = new URL("../../../docs/testing.md", import.meta.url)
const found = regions()
let text = readFileSync(guide, "utf8")
const missing: Array<string> = []
text = text.replace(/<!-- region: (\S+) -->\n```ts\n(?:[\s\S]*?\n)??```/g, (block, name: string) => {
  const code = found.get(name)
  if (code === undefined) {
    missing.push(name)
    return block
  }
  return `<!-- region: ${name} -->\n\`\`\`ts\n${code}\n\`\`\``
})
writeFileSync(guide, text)
const unused = [...found.keys()].filter((name) => !text.includes(`<!-- region: ${name} -->`))
if (missing.length > 0) console.error(`no such region: ${missing.join(", ")}`)
if (unused.length > 0) console.log(`not quoted in the guide: ${unused.join(", ")}`)
console.log(`docs/testing.md: ${found.size} regions`)
