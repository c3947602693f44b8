/**
 * `pnpm bench`: every workload against ours, the raw driver and the peer
 * library, in one process tree, on this machine, in this run.
 *
 *   pnpm bench                 # full sizes, 3 runs each (takes a while)
 *   pnpm bench --quick         # small sizes: checks that everything runs
 *   pnpm bench --only W3,W4    # some workloads
 *   pnpm bench --profile       # also writes a CPU profile of each first run
 *   pnpm bench --store postgres  # one database only (needs MENTOR_LEDGER_PG_URL)
 *   pnpm bench --no-peer       # without Emmett
 *   pnpm bench --dist          # ours from the built packages (run `pnpm build` first), as users install it
 *   pnpm bench --out file.json # the JSON elsewhere (default bench/results/latest.json)
 *   pnpm bench --quick --in-process  # every task in this process: the smoke test's quick check
 *
 * Each run is a child process on a fresh copy of a template database, so
 * that its peak RSS is its own; the sides alternate within each round of
 * runs, so that a drift of the machine touches them alike.
 */
import { fork } from "node:child_process"
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { loadavg, tmpdir } from "node:os"
import { dirname, join, relative } from "node:path"
import { performance } from "node:perf_hooks"
import { fileURLToPath, pathToFileURL } from "node:url"
import { parseArgs } from "node:util"
import type { Context } from "./Task.js"
import { benchRoot, installedVersion, machine, peerPostgresRoot, revision, versions } from "./Machine.js"
import {
  full,
  info,
  type Job,
  type Outcome,
  type Prepare,
  quick,
  type Side,
  type Sizes,
  type Store,
  type Workload,
  workloads
} from "./Plan.js"
import {
  meets,
  type Report,
  type Result,
  type Samples,
  type Skipped,
  memoryLine,
  type Run,
  samples,
  skippedLines,
  table
} from "./Report.js"

const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    store: { type: "string" },
    runs: { type: "string" },
    profile: { type: "boolean", default: false },
    dist: { type: "boolean", default: false },
    "no-peer": { type: "boolean", default: false },
    "in-process": { type: "boolean", default: false },
    out: { type: "string" }
  },
  strict: true
})

const base = flags.quick ? quick : full
const sizes: Sizes = flags.runs === undefined ? base : { ...base, runs: Number(flags.runs) }
const only = flags.only?.split(",").map((w) => w.trim().toUpperCase())
// "W7" also selects its hot-stream variant W7h
const selected = workloads.filter(
  (w) =>
    only === undefined || only.some((o) => w.workload === o.replace(/^W7H$/, "W7h") || w.workload === `${o}h`)
)
const out = flags.out ?? join(benchRoot, "results", "latest.json")
const profiles = join(benchRoot, "results", "profiles")
const log = (line: string) => process.stderr.write(`${line}\n`)

// ---------------------------------------------------------------------------
// Child processes
// ---------------------------------------------------------------------------

const childEntry = join(dirname(fileURLToPath(import.meta.url)), "Child.ts")
const tsx = pathToFileURL(createRequire(join(benchRoot, "package.json")).resolve("tsx")).href

/**
 * Runs one task in a fresh `node --conditions=source --import tsx` and
 * returns its outcome; with `--in-process`, in this process (a quick check
 * that every code path runs: its peak RSS is the whole bench's).
 */
const runChild = (task: Job | Prepare, context: Context): Promise<Outcome> =>
  flags["in-process"]
    ? import("./Task.js").then(({ runTask }) => runTask(task, context))
    : inChild(task, context)

const inChild = (task: Job | Prepare, context: Context): Promise<Outcome> =>
  new Promise((resolve) => {
    const child = fork(childEntry, [], {
      // --dist: the packages' dist/ (as installed from npm: real function names in profiles, no
      // TypeScript compiled at load time); else their sources, compiled by tsx as they load
      execArgv: [...(flags.dist ? [] : ["--conditions=source"]), "--import", tsx, "--expose-gc"],
      stdio: ["ignore", "inherit", "inherit", "ipc"]
    })
    let outcome: Outcome | undefined
    const timer = setTimeout(() => child.kill("SIGKILL"), 30 * 60 * 1000)
    child.on("message", (message) => {
      outcome = message as Outcome
    })
    child.on("exit", (code, signal) => {
      clearTimeout(timer)
      resolve(
        outcome ?? {
          _tag: "Failed",
          message: `the child process ended (${signal ?? `exit code ${code}`}) without an outcome`
        }
      )
    })
    child.send({ task, context })
  })

// ---------------------------------------------------------------------------
// What can run here
// ---------------------------------------------------------------------------

const skipped: Array<Skipped> = []
const workDir = mkdtempSync(join(tmpdir(), "mentor-ledger-bench-"))
const templates = new Map<string, string>()

/** Why PostgreSQL cannot run here, or undefined when it can. */
const postgresReason = (): string | undefined => {
  if (installedVersion("@mentor-ledger/postgres") === undefined)
    return "the PostgreSQL adapter (@mentor-ledger/postgres) is not installed"
  if (process.env.MENTOR_LEDGER_PG_URL === undefined)
    return 'MENTOR_LEDGER_PG_URL is not set (start a server: eval "$(bash scripts/postgres.sh start)")'
  return undefined
}

/**
 * Every PostgreSQL schema this run makes starts with this, and so does
 * every database the peer's runs make (Emmett takes a database each, see
 * bench/peer-postgres); all are dropped at the end.
 */
const schemaPrefix = `bench_${process.pid}_`
const dropSchemas = async () => {
  const { default: pg } = await import("pg")
  const client = new pg.Client({ connectionString: process.env.MENTOR_LEDGER_PG_URL })
  await client.connect()
  try {
    const { rows } = await client.query<{ name: string }>(
      "select nspname as name from pg_namespace where starts_with(nspname, $1)",
      [schemaPrefix]
    )
    for (const { name } of rows) await client.query(`drop schema "${name}" cascade`)
    const databases = await client.query<{ name: string }>(
      "select datname as name from pg_database where starts_with(datname, $1)",
      [schemaPrefix]
    )
    for (const { name } of databases.rows) await client.query(`drop database "${name}" with (force)`)
  } finally {
    await client.end()
  }
}

/** The PostgreSQL server's version, for the report. */
const serverVersion = async (): Promise<string | undefined> => {
  const { default: pg } = await import("pg")
  const client = new pg.Client({ connectionString: process.env.MENTOR_LEDGER_PG_URL })
  await client.connect()
  try {
    const { rows } = await client.query<{ server_version: string }>("show server_version")
    return rows[0]?.server_version
  } finally {
    await client.end()
  }
}

/** The peer's package and the directory it is resolved from, per database. */
const peerPackage: Record<Store, { readonly name: string; readonly from: string }> = {
  sqlite: { name: "@event-driven-io/emmett-sqlite", from: benchRoot },
  // a workspace package of its own: its Emmett (0.42) is not the SQLite peer's (0.38)
  postgres: { name: "@event-driven-io/emmett-postgresql", from: peerPostgresRoot }
}

const peerLabel = (store: Store) => {
  const { name, from } = peerPackage[store]
  return `${name.replace("@event-driven-io/", "")} ${installedVersion(name, from) ?? ""}`.trim()
}

/** Why the peer cannot run on `store`, or undefined when it can. */
const peerReason = (store: Store): string | undefined => {
  if (flags["no-peer"]) return "left out (--no-peer)"
  const { name, from } = peerPackage[store]
  if (installedVersion(name, from) === undefined) return `${name} is not installed`
  // Emmett's dumbo sets pg's type parsers (bigint, jsonb) for the whole process: ours and raw would
  // read through them too
  if (store === "postgres" && flags["in-process"])
    return "runs only in child processes of its own (Emmett's dumbo sets pg's type parsers for the whole process), not with --in-process"
  return undefined
}

/** Makes (once) the template database that runs copy, or returns why it cannot. */
const template = async (store: Store, schema: "ml" | "peer", content: Prepare["content"]) => {
  const key = `${store}-${schema}-${content}`
  const known = templates.get(key)
  if (known !== undefined) return known
  const file = store === "postgres" ? `${schemaPrefix}${schema}_${content}` : join(workDir, `${key}.db`)
  // PostgreSQL's W6 log is copied from SQLite's (see postgres/Copy.ts)
  const from =
    store === "postgres" && content === "histories" ? await template("sqlite", schema, content) : undefined
  log(`preparing ${key} …`)
  const outcome = await runChild(
    { kind: "prepare", store, schema, content, sizes, file, ...(from === undefined ? {} : { from }) },
    {}
  )
  if (outcome._tag === "Failed") throw new Error(`cannot prepare ${key}: ${outcome.message}`)
  log(`prepared ${key} in ${outcome._tag === "Prepared" ? outcome.seconds.toFixed(1) : "?"} s`)
  templates.set(key, file)
  return file
}

const copy = (from: string, to: string) => {
  copyFileSync(from, to)
  // a template is closed (its log checkpointed); never copy a shared-memory index along
  if (existsSync(`${from}-wal`)) copyFileSync(`${from}-wal`, `${to}-wal`)
}
const remove = (file: string) => {
  for (const suffix of ["", "-wal", "-shm"]) rmSync(file + suffix, { force: true })
}

// ---------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------

const contentOf: Partial<Record<Workload, Prepare["content"]>> = {
  W1: "empty",
  W2: "empty",
  W3: "log",
  W4: "log",
  W5: "meetings",
  W6: "histories",
  W7: "empty",
  W7h: "empty"
}

const sidesOf = (workload: Workload): ReadonlyArray<Side> =>
  // W5 needs a command handler and W6 read models: only ours has them, there is no raw equivalent
  workload === "W5" || workload === "W6"
    ? ["ours"]
    : workload === "W7" || workload === "W7h"
      ? ["ours", "raw"]
      : ["ours", "raw", "peer"]

/**
 * Workloads that write: on PostgreSQL each run makes a fresh schema before
 * its timed part. W6 writes only its read-model tables, which its rebuild
 * drops and creates again: its runs share one log.
 */
const writes = (workload: Workload) => workload !== "W3" && workload !== "W4" && workload !== "W6"

const main = async () => {
  const startedAt = new Date()
  // the code measured is the code at the start (others may commit while a long run goes on)
  const revisionAtStart = revision()
  const loadAtStart = loadavg()
  const started = performance.now()
  const results: Array<Result> = []
  let sqliteSettings: Report["sqlite"]
  if (flags.profile) mkdirSync(profiles, { recursive: true })

  const pgSkip = postgresReason()
  for (const store of ["sqlite", "postgres"] as const) {
    if (flags.store !== undefined && flags.store !== store) continue
    if (store === "postgres" && pgSkip !== undefined) {
      skipped.push({ store, reason: pgSkip })
      continue
    }
    let peerSkip = peerReason(store)
    if (peerSkip !== undefined) skipped.push({ store, side: "peer", reason: peerSkip })
    for (const w of selected) {
      const content = contentOf[w.workload]
      if (content === undefined) continue
      // W7 is issue 8's PostgreSQL workload (SQLite has one writer at a time by design)
      if ((w.workload === "W7" || w.workload === "W7h") && store === "sqlite") continue
      // PostgreSQL: writing runs make their own fresh schema; reading runs share one log
      const ml = store === "postgres" && writes(w.workload) ? undefined : await template(store, "ml", content)
      if (store === "sqlite" && ml !== undefined && sqliteSettings === undefined) {
        const probe = join(workDir, "settings.db")
        copy(ml, probe)
        const { settings } = await import("./sqlite/Ours.js")
        sqliteSettings = await settings(probe)
        remove(probe)
        log(
          `ours opens SQLite with journal_mode=${sqliteSettings.journalMode}, synchronous=${sqliteSettings.synchronous}, wal_autocheckpoint=${sqliteSettings.walAutocheckpoint}`
        )
      }
      let peerTemplate: string | undefined
      // PostgreSQL: the peer's writing runs make their own fresh database, like ours' schemas
      if (
        peerSkip === undefined &&
        sidesOf(w.workload).includes("peer") &&
        !(store === "postgres" && writes(w.workload))
      ) {
        try {
          peerTemplate = await template(store, "peer", content === "meetings" ? "empty" : content)
        } catch (error) {
          peerSkip = `cannot run: ${String(error instanceof Error ? error.message : error).split("\n")[0]}`
          skipped.push({ store, side: "peer", reason: peerSkip })
        }
      }
      const runs: Partial<Record<Side, Array<Run>>> = {}
      const failures: Array<string> = []
      const sides = sidesOf(w.workload).filter((side) => side !== "peer" || peerSkip === undefined)
      for (let run = 1; run <= sizes.runs; run++) {
        for (const side of sides) {
          const from = side === "peer" ? peerTemplate : ml
          let job: Job
          if (store === "postgres") {
            if (writes(w.workload)) {
              const file = `${schemaPrefix}${w.workload.toLowerCase()}_${side}_${run}`
              job = { kind: "measure", workload: w.workload, store, side, run, sizes, file, prepare: content }
            } else {
              if (from === undefined) continue
              job = { kind: "measure", workload: w.workload, store, side, run, sizes, file: from }
            }
          } else {
            if (from === undefined) continue
            const file = join(workDir, `${w.workload}-${side}-${run}.db`)
            copy(from, file)
            job = { kind: "measure", workload: w.workload, store, side, run, sizes, file }
          }
          const file = job.file
          const context: Context = {
            ...(sqliteSettings === undefined ? {} : { sqlite: sqliteSettings }),
            ...(flags.profile && run === 1
              ? { profile: join(profiles, `${w.workload}-${store}-${side}.cpuprofile`) }
              : {})
          }
          const outcome = await runChild(job, context)
          if (store === "sqlite") remove(file)
          if (outcome._tag !== "Measured") {
            const message = outcome._tag === "Failed" ? outcome.message : "no measurement"
            failures.push(`${side} run ${run}: ${message}`)
            log(`${w.workload} ${store} ${side} run ${run} FAILED: ${message}`)
            continue
          }
          const perSecond = outcome.operations / outcome.seconds
          const sideRuns = runs[side] ?? []
          runs[side] = sideRuns
          sideRuns.push({
            perSecond,
            peakRssMiB: outcome.peakRssMiB,
            baselineRssMiB: outcome.baselineRssMiB,
            retries: outcome.retries,
            ...(outcome.counts === undefined ? {} : { counts: outcome.counts }),
            ...(outcome.memory === undefined ? {} : { memory: outcome.memory })
          })
          const counted = Object.entries(outcome.counts ?? {})
            .map(([k, v]) => `, ${v.toLocaleString("en-US")} ${k}`)
            .join("")
          log(
            `${w.workload} ${store} ${side.padEnd(4)} run ${run}: ${Math.round(perSecond).toLocaleString("en-US")} ${w.unit} (${outcome.seconds.toFixed(2)} s, peak RSS ${outcome.peakRssMiB.toFixed(0)} MiB${outcome.retries > 0 ? `, ${outcome.retries} calls repeated` : ""}${counted})`
          )
          if (outcome.memory !== undefined) log(`  memory: ${memoryLine(outcome.memory)}`)
        }
      }
      const labels: Record<Side, string> = {
        ours: `mentor-ledger ${installedVersion("@mentor-ledger/core") ?? ""}`.trim(),
        raw:
          store === "postgres"
            ? `pg ${installedVersion("pg") ?? ""}`.trim()
            : `better-sqlite3 ${installedVersion("better-sqlite3") ?? ""}`.trim(),
        peer: peerLabel(store)
      }
      const measured: Partial<Record<Side, Samples>> = {}
      for (const side of sides) {
        const r = runs[side]
        if (r !== undefined && r.length > 0) measured[side] = samples(labels[side], r)
      }
      if (measured.ours === undefined) {
        skipped.push({ workload: w.workload, store, reason: `failed: ${failures.join("; ")}` })
        continue
      }
      if (failures.length > 0)
        skipped.push({ workload: w.workload, store, reason: `some runs failed: ${failures.join("; ")}` })
      const ours = measured.ours.median
      const raw = measured.raw?.median ?? null
      const peer = measured.peer?.median ?? null
      const ratio = raw === null ? null : ours / raw
      const target = w.targets[store] ?? null
      results.push({
        workload: w.workload,
        store,
        title: w.title,
        unit: w.unit,
        ours,
        raw,
        ratio,
        peakRssMiB: measured.ours.peakRssMiB,
        target,
        met: meets(target, ours, ratio),
        runs: measured.ours.perSecond.length,
        operations: info(w.workload).operations(sizes),
        samples: measured,
        peer,
        peerRatio: peer === null ? null : ours / peer
      })
    }
  }

  const postgresql =
    pgSkip === undefined && flags.store !== "sqlite"
      ? await serverVersion().catch(() => undefined)
      : undefined
  const report: Report = {
    machine: machine(),
    versions: { ...versions(), ...(postgresql === undefined ? {} : { "PostgreSQL server": postgresql }) },
    revision: revisionAtStart,
    mode: flags.quick ? "quick" : "full",
    packages: flags.dist ? "dist" : "source",
    sizes,
    startedAt: startedAt.toISOString(),
    seconds: Math.round((performance.now() - started) / 100) / 10,
    // other work on the machine during the run shows as noise: the spread between min and max
    loadAverage: { start: loadAtStart, end: loadavg() },
    command: `pnpm bench ${process.argv.slice(2).join(" ")}`.trim(),
    ...(sqliteSettings === undefined ? {} : { sqlite: sqliteSettings }),
    results,
    skipped
  }
  mkdirSync(dirname(out), { recursive: true })
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`)
  const m = report.machine
  process.stdout.write(
    `\nmentor-ledger bench (${report.mode}, ${sizes.runs} runs each, median (min–max)) on ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}; load average ${report.loadAverage.start[0]!.toFixed(1)} at the start, ${report.loadAverage.end[0]!.toFixed(1)} at the end\n\n${table(report)}\n\n`
  )
  const sampled = results.filter((r) => r.samples.ours?.memory !== undefined)
  if (sampled.length > 0)
    process.stdout.write(
      `Memory while it ran (ours, median run, MiB; events: live heap):\n${sampled
        .map((r) => `- ${r.workload} ${r.store}: ${memoryLine(r.samples.ours!.memory!)}`)
        .join("\n")}\n\n`
    )
  if (skipped.length > 0) process.stdout.write(`Not measured:\n${skippedLines(report)}\n\n`)
  process.stdout.write(`Written to ${relative(process.cwd(), out) || out}\n`)
}

main()
  .catch((error: unknown) => {
    process.stderr.write(
      `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`
    )
    process.exitCode = 1
  })
  .finally(async () => {
    rmSync(workDir, { recursive: true, force: true })
    if (postgresReason() === undefined) await dropSchemas().catch(() => undefined)
  })
