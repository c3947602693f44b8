/**
 * One child process: makes one template database, or measures one run of
 * one workload on one side. A fresh process per run, so that its peak RSS
 * is that run's alone and no JIT or cache state carries over.
 *
 * The task comes as the first IPC message; the outcome goes back as one.
 */
import { writeFileSync } from "node:fs"
import { Session as Inspector } from "node:inspector/promises"
import { performance } from "node:perf_hooks"
import { histories, meetingCommands, meetingsPhase, shuffled } from "./Fixtures.js"
import { info, type Job, type Outcome, type Prepare } from "./Plan.js"
import type { Session, Subject } from "./Subject.js"

/** Extra settings the parent passes along with a task. */
export interface Context {
  /** ours' SQLite journal mode and synchronous setting, for the raw side. */
  readonly sqlite?: { readonly journalMode: string; readonly synchronous: number }
  /** Write a CPU profile of the timed part here. */
  readonly profile?: string
}

/** The seed of the order in which W3/W4's log is written and W4 loads streams. */
const logSeed = 8
const loadSeed = 4

const subjectFor = async (task: Job | Prepare, context: Context): Promise<Subject> => {
  const side = task.kind === "prepare" ? (task.schema === "peer" ? "peer" : "ours") : task.side
  if (task.store === "postgres") {
    const ours = (await import("./postgres/Ours.js")).subject
    if (side === "ours") return ours
    if (side === "raw") return { ...ours, label: "pg", open: (await import("./postgres/Raw.js")).open }
    throw new Error("no PostgreSQL peer yet")
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

const measure = async (job: Job, context: Context): Promise<Outcome> => {
  const { sizes } = job
  const subject = await subjectFor(job, context)
  if (job.prepare !== undefined)
    await prepare(
      { kind: "prepare", store: job.store, schema: "ml", content: job.prepare, sizes, file: job.file },
      context
    )
  const session = await subject.open(job.file)
  // what the process holds before the workload: Node, tsx, the modules, the open database
  const baselineRssMiB = peakRssMiB()
  let work: (session: Session) => Promise<number>
  switch (job.workload) {
    case "W1": {
      const input = histories(sizes.w1Streams, sizes.w1Events)
      work = (s) => s.appendStreams(input)
      break
    }
    case "W2": {
      const input = histories(sizes.w2Streams, sizes.w2Events)
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
      work = (s) => {
        if (s.executeCommands === undefined) throw new Error(`${subject.label} has no command handler`)
        return s.executeCommands(commands)
      }
      break
    }
    default:
      throw new Error(`${job.workload} is not implemented`)
  }
  const expected = info(job.workload).operations(sizes)
  ;(globalThis as { gc?: () => void }).gc?.()
  const profiler = context.profile === undefined ? undefined : new Inspector()
  if (profiler !== undefined) {
    profiler.connect()
    await profiler.post("Profiler.enable")
    await profiler.post("Profiler.setSamplingInterval", { interval: 200 })
    await profiler.post("Profiler.start")
  }
  const started = performance.now()
  const operations = await work(session)
  const seconds = (performance.now() - started) / 1000
  if (profiler !== undefined) {
    const { profile } = await profiler.post("Profiler.stop")
    writeFileSync(context.profile!, JSON.stringify(profile))
    profiler.disconnect()
  }
  const retries = session.retries?.() ?? 0
  await session.close()
  if (operations !== expected)
    return { _tag: "Failed", message: `${job.workload} did ${operations} operations, expected ${expected}` }
  return { _tag: "Measured", operations, seconds, peakRssMiB: peakRssMiB(), baselineRssMiB, retries }
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
    case "meetings": {
      const { prepareMeetings } = await import(
        task.store === "postgres" ? "./postgres/Ours.js" : "./sqlite/Ours.js"
      )
      await subject.prepareEmpty(task.file)
      await prepareMeetings(
        task.file,
        Array.from({ length: sizes.w5Mentorships }, (_, n) => meetingsPhase(n))
      )
      break
    }
  }
  return { _tag: "Prepared", seconds: (performance.now() - started) / 1000 }
}

process.once("message", (message: { readonly task: Job | Prepare; readonly context: Context }) => {
  const { task, context } = message
  const outcome = (task.kind === "prepare" ? prepare(task, context) : measure(task, context)).catch(
    (error: unknown): Outcome => ({
      _tag: "Failed",
      message: error instanceof Error ? (error.stack ?? error.message) : String(error)
    })
  )
  void outcome.then((result) => process.send!(result, () => process.exit(0)))
})
