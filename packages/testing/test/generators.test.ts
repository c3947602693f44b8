import { execFile } from "node:child_process"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { describe, expect, it } from "vitest"

// `@mentor-ledger/testing/generators` is the kit without vitest: the bench
// and scripts import it in plain Node, where importing vitest throws.

const packageDir = fileURLToPath(new URL("..", import.meta.url))

/** The files a module imports, relative ones followed, as `[file, specifier]`. */
const importGraph = (entry: URL): Array<readonly [string, string]> => {
  const seen = new Set<string>()
  const found: Array<readonly [string, string]> = []
  const visit = (file: URL) => {
    if (seen.has(file.href)) return
    seen.add(file.href)
    const source = readFileSync(file, "utf8")
    for (const [, typeOnly, specifier] of source.matchAll(
      /^(?:import|export)\s+(type\s+)?[^;]*?from\s+"([^"]+)"/gm
    )) {
      if (typeOnly !== undefined) continue
      found.push([fileURLToPath(file).slice(packageDir.length), specifier!])
      if (specifier!.startsWith(".")) visit(new URL(specifier!.replace(/\.js$/, ".ts"), file))
    }
  }
  visit(entry)
  return found
}

describe("the generators entry", () => {
  it("imports nothing but the core, effect and fast-check, all the way down", () => {
    const graph = importGraph(new URL("../src/generators.ts", import.meta.url))
    expect(graph.length).toBeGreaterThan(10)
    const external = graph.filter(([, specifier]) => !specifier.startsWith("."))
    expect(
      external.filter(([, specifier]) => !/^(@mentor-ledger\/core|effect\/\w+|fast-check)$/.test(specifier))
    ).toEqual([])
  })

  it("loads in a plain Node process, where the main entry (vitest) does not", async () => {
    const script = `
      const fc = await import("fast-check")
      const { Histories, Arbitraries, NearMisses, ProcessModel } = await import("@mentor-ledger/testing/generators")
      const [history] = fc.sample(Histories.history(), { numRuns: 1, seed: 7 })
      console.log(JSON.stringify({
        events: history.events.length,
        modules: [typeof Arbitraries.events, typeof NearMisses.cases, typeof ProcessModel.run]
      }))
      try {
        await import("@mentor-ledger/testing")
        console.log("main entry loaded")
      } catch (error) {
        console.log(String(error).includes("Vitest") ? "main entry refused: vitest" : String(error))
      }
    `
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith("VITEST") && name !== "NODE_OPTIONS")
    )
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--conditions=source", "--import", "tsx", "--input-type=module", "--eval", script],
      { cwd: packageDir, env }
    )
    const [summary, main] = stdout.trim().split("\n")
    const parsed = JSON.parse(summary!) as { events: number; modules: Array<string> }
    expect(parsed.events).toBeGreaterThan(0)
    expect(parsed.modules).toEqual(["object", "function", "function"])
    expect(main).toBe("main entry refused: vitest")
  }, 60_000)
})
