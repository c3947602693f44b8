/**
 * The `// #region name` … `// #endregion` blocks of the files the testing
 * guide quotes, dedented, by name.
 */
import { readFileSync } from "node:fs"

/** The files whose regions docs/testing.md quotes. */
export const sources = ["../docs-examples.test.ts", "../StoreConformance.test.ts"].map(
  (f) => new URL(f, import.meta.url)
)

export const regions = (): Map<string, string> => {
  const out = new Map<string, string>()
  for (const file of sources) {
    const source = readFileSync(file, "utf8")
    for (const [, indent, name, body] of source.matchAll(
      /^( *)\/\/ #region (\S+)\n([\s\S]*?)^ *\/\/ #endregion/gm
    ))
      out.set(name!, body!.replace(new RegExp(`^${indent}`, "gm"), "").trimEnd())
  }
  return out
}
