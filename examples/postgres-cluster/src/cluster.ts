/**
 * The cluster, run from one process: two worker processes, a writer, and a
 * failover.
 *
 * 1. starts worker A, then worker B (each `src/worker.ts`, a process of its
 *    own): A takes both projections, then gives one up to B when B joins;
 * 2. the writer launches a programme and requests mentorships; the
 *    workers, woken by NOTIFY, bring the read models up to date;
 * 3. the worker that owns the mentorships is killed (SIGKILL: no clean-up);
 * 4. the writer goes on; the other worker takes the mentorships over at its
 *    next pass (the server freed the dead worker's locks) and catches up
 *    from the checkpoint;
 * 5. the read models show every mentorship, each exactly once.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { PgReadModels } from "@mentor-ledger/postgres"
import type { Projection } from "@mentor-ledger/sql"
import { coordinatorOf, launch, newCast, openWriter, requests } from "./writer.js"

const root = fileURLToPath(new URL("../../..", import.meta.url))
const workerScript = fileURLToPath(new URL("./worker.ts", import.meta.url))

/** What a worker process printed. */
interface Line {
  readonly worker: string
  readonly owns?: ReadonlyArray<string>
  readonly ready?: boolean
}

interface WorkerProcess {
  readonly name: string
  readonly child: ChildProcess
  /** What it owns, as it last said. */
  owns: ReadonlyArray<string>
  /** Resolves once a line it printed satisfies `test`. */
  readonly said: (test: (line: Line) => boolean, what: string) => Promise<void>
  readonly exited: Promise<number | null>
}

const timeout = 30_000

const startWorker = (
  url: string,
  schema: string,
  name: string,
  log: (line: string) => void
): WorkerProcess => {
  const child = spawn(
    process.execPath,
    ["--conditions=source", "--import", "tsx", workerScript, schema, name],
    {
      cwd: root,
      env: { ...process.env, MENTOR_LEDGER_PG_URL: url },
      stdio: ["ignore", "pipe", "pipe"]
    }
  )
  const lines: Array<Line> = []
  const waiters = new Set<{ test: (line: Line) => boolean; resolve: () => void }>()
  let errors = ""
  let partial = ""
  child.stderr!.on("data", (d) => {
    errors += String(d)
  })
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  const worker: WorkerProcess = {
    name,
    child,
    owns: [],
    exited,
    said: (test, what) => {
      if (lines.some(test)) return Promise.resolve()
      return new Promise<void>((resolve, reject) => {
        const waiter = { test, resolve }
        waiters.add(waiter)
        const timer = setTimeout(
          () => reject(new Error(`${name} did not say ${what} in time ${errors}`)),
          timeout
        )
        void exited.then((code) => {
          clearTimeout(timer)
          if (waiters.has(waiter)) reject(new Error(`${name} exited (${code}) before ${what}: ${errors}`))
        })
      }).finally(() => undefined)
    }
  }
  child.stdout!.on("data", (d) => {
    partial += String(d)
    const parts = partial.split("\n")
    partial = parts.pop()!
    for (const text of parts) {
      let line: Line
      try {
        line = JSON.parse(text) as Line
      } catch {
        // not one of its lines (a log line of the runtime, say): pass it on
        log(`${name}: ${text}`)
        continue
      }
      lines.push(line)
      if (line.owns !== undefined) {
        worker.owns = line.owns
        log(`${name} owns ${line.owns.length === 0 ? "nothing" : line.owns.join(", ")}`)
      }
      for (const w of [...waiters]) {
        if (w.test(line)) {
          waiters.delete(w)
          w.resolve()
        }
      }
    }
  })
  return worker
}

/** What a run showed. */
export interface Result {
  /** Owners after both workers started, and after the failover: `name@version` → worker. */
  readonly sharedOut: Readonly<Record<string, string>>
  readonly afterFailover: Readonly<Record<string, string>>
  /** The worker that was killed, and the one that took over. */
  readonly killed: string
  readonly survivor: string
  /** Mentorships requested, and those the read models show matched (by the coordinator's query). */
  readonly requested: number
  readonly shown: number
  /** Whether the read models equal a full rebuild from the log. */
  readonly sameAsRebuild: boolean
}

const byProjection = (owners: ReadonlyArray<Projection.Owner>) =>
  Object.fromEntries(owners.map((o) => [o.projection, o.instance]))

/** Runs the whole story on `schema` (which should be new or empty). */
export const runCluster = async (
  url: string,
  schema: string,
  log: (line: string) => void = console.log
): Promise<Result> => {
  const writer = await openWriter(url, schema)
  const workers: Array<WorkerProcess> = []
  try {
    const cast = newCast()
    const viewer = coordinatorOf(cast)
    /** Mentorships the read models show matched (the last event of each). */
    const shown = async () =>
      (await writer.store.queries.mentorshipsFor(viewer)).filter((m) => m.phase === "matched").length
    /** Waits until the read models show `n` mentorships matched (the workers keep them). */
    const showing = async (n: number) => {
      const deadline = Date.now() + timeout
      while ((await shown()) !== n) {
        if (Date.now() > deadline) throw new Error(`the read models did not reach ${n} mentorships in time`)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    }

    // 1. two workers; A first, so that it takes both projections, then shares them with B
    const a = startWorker(url, schema, "worker-a", log)
    workers.push(a)
    await a.said((l) => l.owns?.length === 2, "that it owns both projections")
    const b = startWorker(url, schema, "worker-b", log)
    workers.push(b)
    await b.said((l) => (l.owns?.length ?? 0) === 1, "that it owns one projection")
    await a.said((l) => l.owns?.length === 1, "that it gave one projection up")
    const sharedOut = byProjection(await writer.store.projections.owners())
    log(`owners: ${JSON.stringify(sharedOut)}`)

    // 2. the writer appends; the workers are woken by NOTIFY
    await writer.execute(launch(cast))
    await writer.execute(requests(cast, 4, 0))
    await showing(4)
    log(`the read models show ${await shown()} mentorships, matched`)

    // 3. the owner of the mentorships is killed, with no chance to clean up
    const victim = sharedOut["mentorships@1"] === b.name ? b : a
    const survivor = victim === a ? b : a
    victim.child.kill("SIGKILL")
    await victim.exited
    log(`killed ${victim.name} (SIGKILL)`)

    // 4. the writer goes on; the survivor takes the mentorships over and catches up
    await writer.execute(requests(cast, 4, 4))
    await survivor.said((l) => l.owns?.length === 2, "that it took the projections over")
    await showing(8)
    const afterFailover = byProjection(await writer.store.projections.owners())
    log(`owners: ${JSON.stringify(afterFailover)}`)
    log(`the read models show ${await shown()} mentorships, matched`)

    // 5. the workers' tables are what a full rebuild gives
    survivor.child.kill("SIGTERM")
    await survivor.exited
    const before = await writer.store.queries.mentorshipsFor(viewer)
    await writer.store.rebuild()
    // A rebuild reads the log below the oldest transaction running on the
    // server: when another client writes meanwhile it may stop short, and
    // catches up the rest once that transaction ends.
    const same = async () =>
      JSON.stringify(await writer.store.queries.mentorshipsFor(viewer)) === JSON.stringify(before)
    const deadline = Date.now() + timeout
    while (!(await same()) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      await writer.store.projections.catchUp()
    }
    const after = await writer.store.queries.mentorshipsFor(viewer)
    const sameAsRebuild = JSON.stringify(before) === JSON.stringify(after)
    log(`same as a full rebuild: ${sameAsRebuild}`)
    return {
      sharedOut,
      afterFailover,
      killed: victim.name,
      survivor: survivor.name,
      requested: 8,
      shown: after.filter((m) => m.phase === "matched").length,
      sameAsRebuild
    }
  } finally {
    for (const w of workers)
      if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill("SIGKILL")
    await Promise.all(workers.map((w) => w.exited))
    await writer.close()
  }
}

/** Drops a schema the story wrote (on a connection of the store's pool). */
export const dropSchema = async (url: string, schema: string) => {
  const store = await PgReadModels.open({
    url,
    schema,
    projections: "manual",
    catchUpOnOpen: false,
    readModels: []
  })
  try {
    await store.journal.pool.query(`drop schema if exists "${schema}" cascade`)
  } finally {
    await store.close()
  }
}
