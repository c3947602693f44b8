/**
 * Summarises a V8 CPU profile (`pnpm bench --profile` writes one per
 * workload and side to bench/results/profiles/): where the time goes, by
 * function and by package or source file, self time and total time.
 *
 *   pnpm --filter @mentor-ledger/bench run profile-summary results/profiles/W3-sqlite-ours.cpuprofile [top]
 */
import { readFileSync } from "node:fs"

interface Node {
  readonly id: number
  readonly callFrame: {
    readonly functionName: string
    readonly url: string
    readonly lineNumber: number
  }
  readonly children?: ReadonlyArray<number>
}

interface Profile {
  readonly nodes: ReadonlyArray<Node>
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

/** A source file as a short name: the package and the path inside it. */
const where = (url: string): string => {
  if (url === "") return "(native)"
  const path = url.replace(/^file:\/\//, "")
  const pnpm = path.match(/node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/)
  if (pnpm) return `${pnpm[1]}/${pnpm[2]}`
  const workspace = path.match(/\/(packages|bench)\/(.*)$/)
  if (workspace) return `${workspace[1]}/${workspace[2]}`
  return path.startsWith("node:") ? path : path.split("/").slice(-2).join("/")
}

const packageOf = (url: string): string => {
  const w = where(url)
  if (w.startsWith("packages/")) return w.split("/").slice(0, 4).join("/")
  if (w.startsWith("bench/")) return "bench"
  if (w.startsWith("@")) return w.split("/").slice(0, 2).join("/")
  return w.split("/")[0]!
}

export const summarise = (profile: Profile, top = 25): string => {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const self = new Map<number, number>()
  let total = 0
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0
    self.set(id, (self.get(id) ?? 0) + dt)
    total += dt
  })
  const selfByFunction = new Map<string, number>()
  const totalByFunction = new Map<string, number>()
  const selfByPackage = new Map<string, number>()
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v)
  for (const [id, time] of self) {
    const node = byId.get(id)!
    const name = `${node.callFrame.functionName || "(anonymous)"} ${where(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`
    add(selfByFunction, name, time)
    add(selfByPackage, packageOf(node.callFrame.url), time)
    // total time: count each function once per sample, however deep it recurses
    const seen = new Set<string>()
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame
      const key = `${frame.functionName || "(anonymous)"} ${where(frame.url)}:${frame.lineNumber + 1}`
      if (!seen.has(key)) {
        seen.add(key)
        add(totalByFunction, key, time)
      }
    }
  }
  const pct = (t: number) => `${((100 * t) / total).toFixed(1).padStart(5)}%`
  const list = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, t]) => `${pct(t)}  ${k}`)
      .join("\n")
  return [
    `sampled ${(total / 1e6).toFixed(2)} s`,
    "",
    "self time by package or file:",
    list(selfByPackage, 15),
    "",
    "self time by function:",
    list(selfByFunction, top),
    "",
    "total time by function (callees included):",
    list(totalByFunction, top)
  ].join("\n")
}

if (process.argv[2] !== undefined) {
  const profile = JSON.parse(readFileSync(process.argv[2], "utf8")) as Profile
  process.stdout.write(`${summarise(profile, Number(process.argv[3] ?? 25))}\n`)
}
