import { type ChildProcess, spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import * as fc from "fast-check"
import { afterEach, describe, expect, it } from "vitest"
import { PgReadModels } from "../src/index.js"
import { listening } from "./fixtures.js"
import { checkpoints, dump, eventCount, openLedger, play, scenarios, settle } from "./readModels.js"
import { dropSchema, onServer, query, schemaName, serverUrl } from "./server.js"

// Catch-up workers in processes of their own on one database: killed
// inside a batch, two at once, failover. Assertions are on what is stored
// and on the order of what the workers print, with generous time limits.

const root = fileURLToPath(new URL("../../..", import.meta.url))
const script = fileURLToPath(new URL("./fixtures/worker.ts", import.meta.url))

interface Worker {
  readonly child: ChildProcess
  /** Every line printed so far. */
  readonly lines: Array<string>
  /** Resolves once a printed line satisfies `test`. */
  readonly printed: (test: (line: string) => boolean, what: string) => Promise<string>
  readonly exited: Promise<void>
}

const children: Array<ChildProcess> = []
const schemas: Array<string> = []
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL")
  for (const schema of schemas.splice(0)) await dropSchema(schema)
})

const spawnWorker = (schema: string, instance: string, args: ReadonlyArray<string>): Worker => {
  const child = spawn(
    process.execPath,
    ["--conditions=source", "--import", "tsx", script, serverUrl(), schema, instance, ...args],
    { cwd: root, stdio: ["ignore", "pipe", "pipe"] }
  )
  children.push(child)
  const lines: Array<string> = []
  const waiters: Array<{ test: (line: string) => boolean; resolve: (line: string) => void }> = []
  let err = ""
  let partial = ""
  child.stderr!.on("data", (d) => {
    err += String(d)
  })
  child.stdout!.on("data", (d) => {
    partial += String(d)
    const parts = partial.split("\n")
    partial = parts.pop()!
    for (const line of parts) {
      lines.push(line)
      for (const w of [...waiters]) {
        if (w.test(line)) {
          waiters.splice(waiters.indexOf(w), 1)
          w.resolve(line)
        }
      }
    }
  })
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()))
  const printed = (test: (line: string) => boolean, what: string) => {
    const seen = lines.find(test)
    if (seen !== undefined) return Promise.resolve(seen)
    return new Promise<string>((resolve, reject) => {
      waiters.push({ test, resolve })
      const timer = setTimeout(
        () => reject(new Error(`${instance} did not print ${what} in time: ${err}`)),
        30_000
      )
      child.on("exit", (code) => {
        if (waiters.some((w) => w.test === test))
          reject(new Error(`${instance} exited (${code}) before ${what}: ${err}`))
      })
      void exited.then(() => clearTimeout(timer))
    })
  }
  return { child, lines, printed, exited }
}

const kill = async (worker: Worker) => {
  worker.child.kill("SIGKILL")
  await worker.exited
}

/** A schema with a random history in its log and read models set up at the start of the log. */
const history = async (seed: number, maxSteps = 40) => {
  const schema = schemaName()
  schemas.push(schema)
  const [all] = fc.sample(
    scenarios({ maxSteps }).filter((a) => a.reduce((n, s) => n + s.steps.length, 0) >= 30),
    { numRuns: 1, seed }
  )
  const app = await openLedger(schema, { projections: "manual", catchUpOnOpen: false })
  await play(app.ledger, all!)
  return { schema, app, total: await eventCount(schema) }
}

/** The read models a full rebuild gives, in a copy of the schema's events. */
const rebuilt = async (schema: string) => {
  const copy = schemaName()
  schemas.push(copy)
  await query(`create schema "${copy}"`)
  const store = await PgReadModels.open({ url: serverUrl(), schema: copy, projections: "manual" })
  await query(`insert into "${copy}".ml_events overriding system value select * from "${schema}".ml_events`)
  await query(`insert into "${copy}".ml_keys select * from "${schema}".ml_keys on conflict do nothing`)
  await store.rebuild()
  await settle(copy, () => store.projections.catchUp())
  await store.close()
  return dump(copy)
}

const caughtUp = async (schema: string) => {
  const deadline = Date.now() + 30_000
  for (;;) {
    const all = Object.values(await checkpoints(schema))
    if (all.length > 0 && all.every((c) => c.behind === 0 && c.state === "live")) return
    if (Date.now() > deadline) throw new Error(`not caught up: ${JSON.stringify(all)}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

/** Who holds each projection's ownership lock, read from the server. */
const owners = async (schema: string) => {
  const store = await PgReadModels.open({
    url: serverUrl(),
    schema,
    projections: "manual",
    catchUpOnOpen: false
  })
  try {
    return await store.projections.owners()
  } finally {
    await store.close()
  }
}

onServer("catch-up workers in processes of their own", () => {
  describe("killed inside a batch", () => {
    it("a new worker resumes from the checkpoint, losing and doubling nothing", async () => {
      const { schema, app, total } = await history(21)
      expect(total).toBeGreaterThan(12)
      const hung = spawnWorker(schema, "hung", ["4", "hang", "8"])
      await hung.printed((l) => l === "inside", "inside")
      // its batch holds the writers' lock and its rows are written, not committed
      await kill(hung)
      const stopped = await checkpoints(schema)
      for (const c of Object.values(stopped)) expect(c.behind).toBeGreaterThan(0)
      const resumed = spawnWorker(schema, "resumed", ["4", "work"])
      await caughtUp(schema)
      await kill(resumed)
      await app.close()
      expect(await dump(schema)).toEqual(await rebuilt(schema))
    }, 90_000)
  })

  describe("woken by NOTIFY", () => {
    it("a worker that would poll once an hour applies new appends", async () => {
      const { schema, app } = await history(25, 20)
      const worker = spawnWorker(schema, "sleepy", ["5", "work", String(3_600_000)])
      await worker.printed((l) => l === "owns mentorships@1,programmes@1", "owning both")
      await caughtUp(schema)
      const before = await eventCount(schema)
      // its first pass caught up, and it listens: only a notification can wake it now
      await listening(`${schema}.ml_events`)
      await play(app.ledger, fc.sample(scenarios({ maxSteps: 10 }), { numRuns: 1, seed: 26 })[0]!)
      expect(await eventCount(schema)).toBeGreaterThan(before)
      await caughtUp(schema)
      await kill(worker)
      await app.close()
      expect(await dump(schema)).toEqual(await rebuilt(schema))
    }, 90_000)
  })

  describe("two workers on one database", () => {
    it("own each projection once, share them out, and the survivor takes over when the other is killed", async () => {
      const { schema, app } = await history(22)
      const a = spawnWorker(schema, "worker-a", ["3", "work"])
      await a.printed((l) => l === "owns mentorships@1,programmes@1", "owning both")
      const b = spawnWorker(schema, "worker-b", ["3", "work"])
      // a gives one projection up between batches; b takes it
      await b.printed((l) => l.startsWith("owns ") && l !== "owns -", "owning one")
      await a.printed((l) => l === "owns mentorships@1", "owning one")
      await caughtUp(schema)
      const shared = await owners(schema)
      expect(shared.map((o) => [o.projection, o.instance])).toEqual([
        ["mentorships@1", "worker-a"],
        ["programmes@1", "worker-b"]
      ])
      expect(await dump(schema)).toEqual(await rebuilt(schema))

      // more events, then a is killed: b takes mentorships over and catches up
      const [more] = fc.sample(scenarios({ maxSteps: 20 }), { numRuns: 1, seed: 23 })
      await play(app.ledger, more!)
      // until now, each batch's events were applied by one worker: no batch end twice per projection
      const printed = [...a.lines, ...b.lines]
      for (const projection of ["mentorships", "programmes"]) {
        const ends = printed.filter((l) => l.startsWith(`batch ${projection} `)).map((l) => l.split(" ")[2])
        expect(ends.length).toBeGreaterThan(0)
        expect(new Set(ends).size).toBe(ends.length)
      }
      await kill(a)
      await b.printed((l) => l === "owns mentorships@1,programmes@1", "taking over")
      await play(app.ledger, fc.sample(scenarios({ maxSteps: 10 }), { numRuns: 1, seed: 24 })[0]!)
      await caughtUp(schema)
      expect((await owners(schema)).map((o) => [o.projection, o.instance])).toEqual([
        ["mentorships@1", "worker-b"],
        ["programmes@1", "worker-b"]
      ])
      await kill(b)
      await app.close()
      expect(await dump(schema)).toEqual(await rebuilt(schema))
    }, 120_000)
  })
})
