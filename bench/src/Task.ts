/**
 * One task: makes one template database, or measures one run of one
 * workload on one side. `pnpm bench` runs each in a child process of its
 * own (`Child.ts`), so that its peak RSS is that run's alone and no JIT or
 * cache state carries over; `--in-process` runs them in the bench's own
 * process (quick checks only).
 */
import { writeFileSync } from "node:fs"
import { Session as Inspector } from "node:inspector/promises"
import { performance } from "node:perf_hooks"
import { histories, hotMark, meetingCommands, meetingsPhase, shuffled, warmUpFrom } from "./Fixtures.js"
import { info, type Job, type MemorySample, type Outcome, type Prepare } from "./Plan.js"
import type { Session, Subject } from "./Subject.js"

/** Extra settings the parent passes along with a task. */
export interface Context {
  /** ours' SQLite journal mode, synchronous and checkpoint settings, for the raw side. */
  readonly sqlite?: {
    readonly journalMode: string
    readonly synchronous: number
    readonly walAutocheckpoint: number
  }
  /** Write a CPU profile of the timed part here. */
  readonly profile?: string
}

/** The seed of the order in which W3/W4's log is written and W4 loads streams. */
const logSeed = 8
const loadSeed = 4

const subjectFor = async (task: Job | Prepare, context: Context): Promise<Subject> => {
  const side = task.kind === "prepare" ? (task.schema === "peer" ? "peer" : "ours") : task.side
  if (task.store === "postgres")
    switch (side) {
      case "ours":
        return (await import("./postgres/Ours.js")).subject
      case "raw":
        return {
          ...(await import("./postgres/Ours.js")).subject,
          label: "pg",
          open: (await import("./postgres/Raw.js")).open
        }
      case "peer":
        // a package of its own, with its own Emmett (see bench/peer-postgres)
        return (await import("@mentor-ledger/bench-peer-postgres")).subject
    }
  switch (side) {
    case "ours":
      return (await import("./sqlite/Ours.js")).subject
    case "raw": {
      const { open } = await import("./sqlite/Raw.js")
      const settings = context.sqlite
      if (settings === undefined) throw new Error("the raw side needs ours' journal settings")
      return {
        ...(await import("./sqlite/Ours.js")).subject,
        label: "better-sqlite3",
        open: (file) => open(file, settings)
      }
    }
    case "peer":
      return (await import("./sqlite/Emmett.js")).subject
  }
}

const peakRssMiB = () => process.resourceUsage().maxRSS / 1024
const MiB = 1024 * 1024

/**
 * Samples the process's memory at most every `everyMs`, whenever the
 * workload says how far it is (W6: after every query of the rebuild). At
 * each quarter of `expected` events it also collects the garbage first
 * (about 50 ms each, four times a run), so that the sample shows the live
 * heap: what the workload keeps, apart from the garbage V8 has not
 * collected yet.
 */
const sampler = (everyMs: number, expected: number) => {
  const started = performance.now()
  let last = started
  let done = 0
  let quarter = 1
  const gc = (globalThis as { gc?: () => void }).gc
  const samples: Array<MemorySample> = []
  const take = (now: number, live: boolean) => {
    if (live) gc?.()
    const m = process.memoryUsage()
    last = now
    samples.push({
      seconds: (now - started) / 1000,
      events: done,
      rssMiB: m.rss / MiB,
      heapUsedMiB: m.heapUsed / MiB,
      ...(live && gc !== undefined ? { live: true } : {})
    })
  }
  return {
    observe: (events: number) => {
      done = events
      const now = performance.now()
      if (quarter <= 4 && events >= (quarter * expected) / 4) {
        quarter++
        take(now, true)
      } else if (now - last >= everyMs) take(now, false)
    },
    stop: (): ReadonlyArray<MemorySample> => {
      take(performance.now(), false)
      return samples
    }
  }
}

/**
 * W7: `writers` writers at once, each on its own connection, on distinct
 * new streams; every writer appends its share of the histories.
 */
const distinctWriters = async (session: Session, job: Job) => {
  const { w7Writers: writers, w7Streams: streams, logEvents } = job.sizes
  const input = histories(writers * streams, logEvents)
  return session.concurrent!(writers, async (ws) => {
    const started = performance.now()
    const done = await Promise.all(
      ws.map((w, i) => w.appendStreams(input.slice(i * streams, (i + 1) * streams), i * streams))
    )
    return { seconds: (performance.now() - started) / 1000, events: done.reduce((a, b) => a + b, 0) }
  })
}

/**
 * W7h: `writers` writers at once on one hot stream, each appending its
 * events one call at a time with the exact version it expects; a conflict
 * tells the stream's actual version, and the writer tries again from it.
 * Afterwards the stream must hold every acknowledged event exactly once,
 * at contiguous versions.
 */
const hotWriters = async (session: Session, job: Job) => {
  const { w7Writers: writers, w7HotEvents: perWriter } = job.sizes
  const acknowledged = new Set<string>()
  let conflicts = 0
  const run = await session.concurrent!(writers, async (ws) => {
    const started = performance.now()
    await Promise.all(
      ws.map(async (w, writer) => {
        let expected = 0
        for (let k = 0; k < perWriter; ) {
          const result = await w.appendHot(writer, k, expected)
          if (result._tag === "Appended") {
            acknowledged.add(hotMark(writer, k))
            expected++
            k++
          } else {
            conflicts++
            expected = result.actual
          }
        }
      })
    )
    return { seconds: (performance.now() - started) / 1000 }
  })
  // untimed: none lost, none doubled, no gap
  const stored = await session.readHotStream!()
  const seen = new Set<string>()
  stored.forEach((e, i) => {
    if (e.version !== i + 1) throw new Error(`the hot stream has version ${e.version} at place ${i + 1}`)
    if (seen.has(e.mark)) throw new Error(`the hot stream holds ${e.mark} twice`)
    seen.add(e.mark)
  })
  for (const mark of acknowledged)
    if (!seen.has(mark)) throw new Error(`an acknowledged append (${mark}) is not in the hot stream`)
  if (seen.size !== acknowledged.size)
    throw new Error(`the hot stream holds ${seen.size} events, ${acknowledged.size} were acknowledged`)
  return { seconds: run.seconds, events: acknowledged.size, conflicts, stored: stored.length }
}

/**
 * The warm-up's share of a write workload's input (W1, W2, W5): a tenth,
 * on streams and people of its own, run untimed just before the timed part
 * in the same process and session, by every side. A run is a fresh
 * process: without it, the timed part of a short workload (W2's 10,000
 * calls take one to two seconds) includes compiling each side's code path,
 * which is no part of what an application that runs for hours pays per
 * call (and costs a library more than a few prepared statements).
 */
export const warmUpShare = (n: number): number => Math.max(1, Math.floor(n / 10))

const measure = async (job: Job, context: Context): Promise<Outcome> => {
  const { sizes } = job
  const subject = await subjectFor(job, context)
  if (job.prepare !== undefined)
    await prepare(
      {
        kind: "prepare",
        store: job.store,
        schema: job.side === "peer" ? "peer" : "ml",
        content: job.prepare,
        sizes,
        file: job.file
      },
      context
    )
  const session = await subject.open(job.file)
  // what the process holds before the workload: Node, tsx, the modules, the open database
  const baselineRssMiB = peakRssMiB()
  let work: (session: Session) => Promise<number> = () => Promise.resolve(0)
  // untimed, before the timed part: the same calls on a tenth of the input (see warmUpShare)
  let warmUp: ((session: Session) => Promise<number>) | undefined
  // W6's memory, sampled as the rebuild goes
  const memory = sampler(250, info(job.workload).operations(sizes))
  switch (job.workload) {
    case "W1": {
      const input = histories(sizes.w1Streams, sizes.w1Events)
      const warm = histories(warmUpShare(sizes.w1Streams), sizes.w1Events, warmUpFrom)
      warmUp = (s) => s.appendStreams(warm, warmUpFrom)
      work = (s) => s.appendStreams(input)
      break
    }
    case "W2": {
      const input = histories(sizes.w2Streams, sizes.w2Events)
      const warm = histories(warmUpShare(sizes.w2Streams), sizes.w2Events, warmUpFrom)
      warmUp = (s) => s.appendOneByOne(warm, warmUpFrom)
      work = (s) => s.appendOneByOne(input)
      break
    }
    case "W3":
      work = (s) => s.readAll()
      break
    case "W4": {
      const order = shuffled(sizes.logStreams, loadSeed).slice(0, sizes.w4Streams)
      work = (s) => s.loadStreams(order)
      break
    }
    case "W5": {
      const commands = meetingCommands(sizes.w5Mentorships, sizes.w5Meetings)
      const warm = meetingCommands(warmUpShare(sizes.w5Mentorships), sizes.w5Meetings, warmUpFrom)
      warmUp = (s) => s.executeCommands!(warm)
      work = (s) => {
        if (s.executeCommands === undefined) throw new Error(`${subject.label} has no command handler`)
        return s.executeCommands(commands)
      }
      break
    }
    case "W6":
      work = (s) => {
        if (s.rebuild === undefined) throw new Error(`${subject.label} has no read models`)
        return s.rebuild(memory.observe)
      }
      break
    case "W7":
    case "W7h":
      if (session.concurrent === undefined) throw new Error(`${subject.label} has no concurrent writers`)
      break
    default:
      throw new Error(`${job.workload} is not implemented`)
  }
  const expected = info(job.workload).operations(sizes)
  if (warmUp !== undefined) await warmUp(session)
  ;(globalThis as { gc?: () => void }).gc?.()
  const profiler = context.profile === undefined ? undefined : new Inspector()
  if (profiler !== undefined) {
    profiler.connect()
    await profiler.post("Profiler.enable")
    await profiler.post("Profiler.setSamplingInterval", { interval: 200 })
    await profiler.post("Profiler.start")
  }
  const started = performance.now()
  let operations: number
  let seconds: number
  let counts: Record<string, number> | undefined
  if (job.workload === "W7") {
    // timed inside, once every writer is connected
    const r = await distinctWriters(session, job)
    operations = r.events
    seconds = r.seconds
  } else if (job.workload === "W7h") {
    const r = await hotWriters(session, job)
    operations = r.events
    seconds = r.seconds
    counts = { conflicts: r.conflicts, verified: r.stored }
  } else {
    operations = await work(session)
    seconds = (performance.now() - started) / 1000
  }
  const samples = job.workload === "W6" ? memory.stop() : undefined
  if (profiler !== undefined) {
    const { profile } = await profiler.post("Profiler.stop")
    writeFileSync(context.profile!, JSON.stringify(profile))
    profiler.disconnect()
  }
  const retries = session.retries?.() ?? 0
  await session.close()
  if (operations !== expected)
    return { _tag: "Failed", message: `${job.workload} did ${operations} operations, expected ${expected}` }
  return {
    _tag: "Measured",
    operations,
    seconds,
    peakRssMiB: peakRssMiB(),
    baselineRssMiB,
    retries,
    ...(counts === undefined ? {} : { counts }),
    ...(samples === undefined ? {} : { memory: samples })
  }
}

const prepare = async (task: Prepare, context: Context): Promise<Outcome> => {
  const started = performance.now()
  const subject = await subjectFor(task, context)
  const { sizes } = task
  switch (task.content) {
    case "empty":
      await subject.prepareEmpty(task.file)
      break
    case "log":
      await subject.prepareEmpty(task.file)
      await subject.prepareLog(
        task.file,
        histories(sizes.logStreams, sizes.logEvents),
        shuffled(sizes.logStreams, logSeed)
      )
      break
    case "meetings":
      if (subject.prepareMeetings === undefined) throw new Error(`${subject.label} has no command handler`)
      await subject.prepareEmpty(task.file)
      await subject.prepareMeetings(task.file, [
        ...Array.from({ length: sizes.w5Mentorships }, (_, n) => meetingsPhase(n)),
        // the warm-up's mentorships
        ...Array.from({ length: warmUpShare(sizes.w5Mentorships) }, (_, n) => meetingsPhase(warmUpFrom + n))
      ])
      break
    case "histories": {
      if (subject.prepareHistories === undefined) throw new Error(`${subject.label} has no read models`)
      const { rebuildLog } = await import("./Mentorships.js")
      await subject.prepareEmpty(task.file)
      if (task.store === "postgres" && task.from !== undefined) {
        // the rows ours wrote to the SQLite template, copied (see postgres/Copy.ts)
        const { copyFromSqlite } = await import("./postgres/Copy.js")
        const copied = await copyFromSqlite(task.from, task.file)
        if (copied !== sizes.w6Events) throw new Error(`copied ${copied} events, expected ${sizes.w6Events}`)
        await subject.prepareHistories(task.file, [])
      } else await subject.prepareHistories(task.file, rebuildLog(sizes.w6Events))
      break
    }
  }
  return { _tag: "Prepared", seconds: (performance.now() - started) / 1000 }
}

/** Runs a task; a failure is an outcome too. */
export const runTask = (task: Job | Prepare, context: Context): Promise<Outcome> =>
  (task.kind === "prepare" ? prepare(task, context) : measure(task, context)).catch(
    (error: unknown): Outcome => ({
      _tag: "Failed",
      message: error instanceof Error ? (error.stack ?? error.message) : String(error)
    })
  )
