/**
 * The results: the JSON written to `bench/results/latest.json` and the
 * table printed on the terminal.
 */
import type { Machine } from "./Machine.js"
import type { MemorySample, Side, Sizes, Store, Target, Workload } from "./Plan.js"

/** One run of one side, as the parent keeps it. */
export interface Run {
  readonly perSecond: number
  readonly peakRssMiB: number
  readonly baselineRssMiB: number
  readonly retries: number
  readonly counts?: Readonly<Record<string, number>>
  readonly memory?: ReadonlyArray<MemorySample>
}

/** One side's runs of one workload. */
export interface Samples {
  /** Who did the work, with its version. */
  readonly label: string
  /** Operations per second of each run, in run order. */
  readonly perSecond: ReadonlyArray<number>
  readonly median: number
  readonly min: number
  readonly max: number
  /** The highest peak RSS of its runs (each run is its own process). */
  readonly peakRssMiB: number
  /**
   * The highest RSS its runs had reached before the workload began: Node,
   * tsx compiling the TypeScript sources, the modules, the open database.
   * The workload's own memory is the difference.
   */
  readonly baselineRssMiB: number
  /** Calls repeated after a transient failure, over all runs (only the peer needs any). */
  readonly retries: number
  /** What the runs counted beside their operations (W7h: conflicts, events verified), each run's. */
  readonly counts?: ReadonlyArray<Readonly<Record<string, number>>>
  /** The memory sampled during the median run (W6). */
  readonly memory?: ReadonlyArray<MemorySample>
}

/**
 * One row of the results, in issue 8's shape (`workload`, `store`, `ours`,
 * `raw`, `ratio`, `peakRssMiB`) with the spread and the peer beside it.
 */
export interface Result {
  readonly workload: Workload
  readonly store: Store
  readonly title: string
  readonly unit: "events/s" | "commands/s"
  /** ours, median of the runs. */
  readonly ours: number
  /** the raw driver, median of the runs; null where there is no raw equivalent (W5). */
  readonly raw: number | null
  /** ours / raw, of the medians. */
  readonly ratio: number | null
  /** ours' peak RSS, the highest of its runs. */
  readonly peakRssMiB: number
  readonly target: Target | null
  /** Whether ours meets the target in this run; null without a target. */
  readonly met: boolean | null
  readonly runs: number
  readonly operations: number
  readonly samples: Partial<Record<Side, Samples>>
  /** The peer library (Emmett), median; null when it did not run. */
  readonly peer: number | null
  /** ours / peer, of the medians. */
  readonly peerRatio: number | null
}

/** A workload, store or side that did not run, and why. */
export interface Skipped {
  readonly workload?: Workload
  readonly store?: Store
  readonly side?: Side
  readonly reason: string
}

export interface Report {
  readonly machine: Machine
  readonly versions: Record<string, string | undefined>
  readonly revision: { readonly commit: string; readonly dirty: boolean }
  readonly mode: "full" | "quick"
  /** Whether ours ran from the packages' sources (through tsx) or their built dist/. */
  readonly packages: "source" | "dist"
  readonly sizes: Sizes
  readonly startedAt: string
  readonly seconds: number
  /** The 1, 5 and 15 minute load averages when the run started and ended. */
  readonly loadAverage: { readonly start: ReadonlyArray<number>; readonly end: ReadonlyArray<number> }
  readonly command: string
  /** ours' SQLite settings, which the raw side copies. */
  readonly sqlite?: {
    readonly journalMode: string
    readonly synchronous: number
    readonly walAutocheckpoint: number
  }
  readonly results: ReadonlyArray<Result>
  readonly skipped: ReadonlyArray<Skipped>
}

export const median = (xs: ReadonlyArray<number>): number => {
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

export const samples = (label: string, runs: ReadonlyArray<Run>): Samples => {
  const perSecond = runs.map((r) => r.perSecond)
  const mid = median(perSecond)
  const medianRun = runs.reduce((best, r) =>
    Math.abs(r.perSecond - mid) < Math.abs(best.perSecond - mid) ? r : best
  )
  const counts = runs.flatMap((r) => (r.counts === undefined ? [] : [r.counts]))
  return {
    ...(counts.length === 0 ? {} : { counts }),
    ...(medianRun.memory === undefined ? {} : { memory: medianRun.memory }),
    label,
    perSecond,
    median: mid,
    min: Math.min(...perSecond),
    max: Math.max(...perSecond),
    peakRssMiB: Math.max(...runs.map((r) => r.peakRssMiB)),
    baselineRssMiB: Math.max(...runs.map((r) => r.baselineRssMiB)),
    retries: runs.reduce((n, r) => n + r.retries, 0)
  }
}

export const meets = (target: Target | null, ours: number, ratio: number | null): boolean | null => {
  if (target === null) return null
  if ("ratio" in target) return ratio === null ? null : ratio >= target.ratio
  return ours >= target.atLeast
}

const count = (n: number) => Math.round(n).toLocaleString("en-US")
const spread = (s: Samples | undefined) =>
  s === undefined ? "–" : `${count(s.median)} (${count(s.min)}–${count(s.max)})`
const rss = (s: Samples | undefined) =>
  s === undefined ? "–" : `${s.peakRssMiB.toFixed(0)} (${s.baselineRssMiB.toFixed(0)})`
const targetText = (t: Target | null) =>
  t === null ? "–" : "ratio" in t ? `≥ ${t.ratio}` : `≥ ${count(t.atLeast)}/s`

/**
 * The memory of a run: the live heap (right after a full collection) at
 * each quarter of the events, then the highest RSS and heap sampled. A flat
 * live heap means memory does not grow with the events.
 */
export const memoryLine = (memory: ReadonlyArray<MemorySample>): string => {
  if (memory.length === 0) return "no samples"
  const live = memory.filter((m) => m.live === true)
  const peakHeap = Math.max(...memory.map((m) => m.heapUsedMiB))
  const peakRss = Math.max(...memory.map((m) => m.rssMiB))
  const at = (m: MemorySample) =>
    `${m.events === undefined ? `${m.seconds.toFixed(1)} s` : count(m.events)}: ${m.heapUsedMiB.toFixed(0)}`
  return `live heap at ${live.length === 0 ? "–" : live.map(at).join(", ")}; highest sampled RSS ${peakRss.toFixed(0)}, heap in use ${peakHeap.toFixed(0)} (${memory.length} samples)`
}

const countsText = (s: Samples | undefined) =>
  s?.counts === undefined
    ? ""
    : ` [${Object.keys(s.counts[0] ?? {})
        .map((k) => `${s.counts!.map((c) => count(c[k] ?? 0)).join("/")} ${k}`)
        .join(", ")}]`

/** The results as a Markdown table (it reads as well on a terminal). */
export const table = (report: Report): string => {
  const header = [
    "workload",
    "store",
    "unit",
    "ours median (min–max)",
    "raw median (min–max)",
    "ours/raw",
    "target",
    "met",
    "peer median (min–max)",
    "ours/peer",
    "ours RSS MiB: peak (start)",
    "raw RSS MiB: peak (start)"
  ]
  const rows = report.results.map((r) => [
    `${r.workload} ${r.title}`,
    r.store,
    r.unit,
    spread(r.samples.ours) + countsText(r.samples.ours),
    spread(r.samples.raw) + countsText(r.samples.raw),
    r.ratio === null ? "–" : r.ratio.toFixed(2),
    targetText(r.target),
    r.met === null ? "–" : r.met ? "yes" : "NO",
    spread(r.samples.peer) + (r.samples.peer?.retries ? ` [${r.samples.peer.retries} repeated]` : ""),
    r.peerRatio === null ? "–" : r.peerRatio.toFixed(1),
    rss(r.samples.ours),
    rss(r.samples.raw)
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: ReadonlyArray<string>) =>
    `| ${cells.map((c, i) => (i >= 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(" | ")} |`
  const rule = `|${widths.map((w, i) => (i >= 3 ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`
  return [line(header), rule, ...rows.map(line)].join("\n")
}

/** The skipped workloads and sides, one line each. */
export const skippedLines = (report: Report): string =>
  report.skipped
    .map(
      (s) =>
        `- ${[s.workload, s.store, s.side].filter((x) => x !== undefined).join(" ") || "all"}: ${s.reason}`
    )
    .join("\n")
