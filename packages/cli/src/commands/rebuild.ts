/**
 * `mentor-ledger rebuild` and `mentor-ledger replay`: the read models from
 * the events, with the projection runtime of `@mentor-ledger/sql`.
 *
 * - `rebuild` drops the read-model tables, creates them again and replays
 *   the whole log (`Runtime.rebuild`);
 * - `replay` applies the log from each read model's checkpoint
 *   (`Runtime.catchUp`): it brings them up to date, and resumes an
 *   interrupted rebuild where it stopped.
 *
 * Each batch of events is one transaction together with the checkpoint, so
 * an interruption (Ctrl-C, a crash) loses nothing and doubles nothing.
 * Only read-model and checkpoint tables are written, never an event.
 *
 * @since 0.1.0
 */
import type { EventStore } from "@mentor-ledger/core"
import { Journal, Projection, ReadModels } from "@mentor-ledger/sql"
import * as Effect from "effect/Effect"
import * as Scheduler from "effect/Scheduler"
import { parse, parseInteger, storeHelp, storeOptions } from "../args.js"
import { CliFailure, UsageError } from "../errors.js"
import { eprintln, type Io, println } from "../io.js"
import { runOnStore } from "../run.js"
import * as Progress from "../progress.js"
import { resolveTarget } from "../store.js"
import { thousands } from "../table.js"

/** @since 0.1.0 @category help */
export const help = (mode: "rebuild" | "replay") =>
  mode === "rebuild"
    ? `Usage: mentor-ledger rebuild [--projection <name>]... [--batch-size <n>]

Rebuilds the read models from the events: drops their tables, creates them
again and replays the whole log, one transaction per batch with the
read model's checkpoint. Shows a progress bar (events/s, time left) on a
terminal and plain log lines otherwise.

If it is interrupted (Ctrl-C, a crash), nothing is lost or doubled: run
mentor-ledger replay to go on from where it stopped (or rebuild --resume).
Writes only read-model and checkpoint tables, never an event.

Options:
  --projection <name>    only this read model (${ReadModels.projections.map((p) => p.name).join(", ")}); repeatable
  --batch-size <n>       events per batch and transaction (default 2000)
  --resume               go on from the checkpoints instead of starting over (= replay)
${storeHelp}`
    : `Usage: mentor-ledger replay [--projection <name>]... [--batch-size <n>]

Brings the read models up to date from their checkpoints: applies the events
recorded since, one transaction per batch. Resumes an interrupted rebuild.
Shows a progress bar on a terminal and plain log lines otherwise. Writes only
read-model and checkpoint tables, never an event.

Options:
  --projection <name>    only this read model (${ReadModels.projections.map((p) => p.name).join(", ")}); repeatable
  --batch-size <n>       events per batch and transaction (default 2000)
${storeHelp}`

const options = {
  ...storeOptions,
  projection: { type: "string", multiple: true },
  "batch-size": { type: "string" },
  resume: { type: "boolean" }
} as const

/** The projections, each reporting the last log position it was given. */
const observed = (report: (sequence: bigint) => void): ReadonlyArray<Projection.Projection> =>
  ReadModels.projections.map((p) => ({
    ...p,
    prepare: (context: Projection.Context) => {
      const prepared = p.prepare(context)
      return {
        create: prepared.create,
        // Whatever else the runtime passes along is passed on unchanged.
        apply: function* (...args: Parameters<Projection.Prepared["apply"]>) {
          const events: ReadonlyArray<EventStore.RecordedEvent> = args[0]
          const last = events[events.length - 1]
          if (last !== undefined) report(last.position.sequence)
          return yield* prepared.apply(...args)
        }
      }
    }
  }))

/** @since 0.1.0 @category commands */
export const rebuild = async (
  argv: ReadonlyArray<string>,
  io: Io,
  command: "rebuild" | "replay"
): Promise<number> => {
  const { values } = parse(
    command,
    argv,
    command === "rebuild"
      ? options
      : { ...storeOptions, projection: options.projection, "batch-size": options["batch-size"] }
  )
  if (values.help) {
    println(io, help(command))
    return 0
  }
  const mode =
    command === "rebuild" && (values as { resume?: boolean }).resume !== true ? "rebuild" : "replay"
  const batchSize = parseInteger("--batch-size", values["batch-size"] ?? "2000", 1, 100_000)
  const known = ReadModels.projections.map((p) => p.name)
  const only = values.projection
  for (const name of only ?? [])
    if (!known.includes(name))
      throw new UsageError(
        `--projection: unknown read model "${name}"; the read models are ${known.join(", ")}`
      )
  const target = resolveTarget(values, io.env)
  // A database without mentor-ledger's events is refused before anything is
  // written (a writable open would create the journal's tables in it).
  await runOnStore(target, { readonly: true }, Effect.void).catch((error: unknown) => {
    if (
      error instanceof CliFailure &&
      /holds no mentor-ledger events|no database at|not a mentor-ledger database/.test(error.message)
    )
      throw error
    // Anything else (an older schema to migrate…) is for the writable open to handle.
  })
  const controller = new AbortController()
  const onSignal = () => controller.abort()
  process.once("SIGINT", onSignal)
  process.once("SIGTERM", onSignal)
  let progress: Progress.Progress | undefined
  let seen = 0n
  let first = 0n
  const program = Effect.gen(function* () {
    const journal = yield* Journal.SqlJournal
    const { db, tables } = journal
    const bounds = yield* Effect.promise(() =>
      db
        .selectFrom(tables.events)
        .select((eb) => [
          eb.fn.countAll().as("n"),
          eb.fn.min("position").as("lo"),
          eb.fn.max("position").as("hi")
        ])
        .executeTakeFirstOrThrow()
    )
    const total = Number(bounds.n)
    first = BigInt((bounds.lo as number | string | null) ?? 0)
    const runtime = yield* Projection.make(
      journal,
      observed((sequence) => {
        if (sequence > seen) seen = sequence
        progress?.update(Math.min(total, Number(seen - first + 1n)))
      }),
      { batchSize }
    )
    let done = 0
    // Creates the checkpoint registry if this database never had read models
    // (Runtime.rebuild reads it before it sets anything up).
    yield* runtime.setup
    if (mode === "replay") {
      const status = yield* runtime.status
      const mine = status.filter((s) => s.current && (only === undefined || only.includes(s.name)))
      const lowest = mine.reduce<bigint | undefined>(
        (lo, s) => (lo === undefined || s.checkpoint.sequence < lo ? s.checkpoint.sequence : lo),
        undefined
      )
      if (lowest !== undefined && lowest > 0n) {
        seen = lowest
        done = Number(
          (yield* Effect.promise(() =>
            db
              .selectFrom(tables.events)
              .select((eb) => eb.fn.countAll().as("n"))
              .where("position", "<=", lowest.toString() as any)
              .executeTakeFirstOrThrow()
          )).n
        )
      }
    }
    progress = Progress.make(io, mode, total, done)
    progress.update(done)
    const result =
      mode === "rebuild"
        ? yield* runtime.rebuild(only ?? undefined)
        : yield* runtime.catchUp(only === undefined ? {} : { only })
    return { result, total, before: done }
  }).pipe(
    // Yield to the event loop (not only to microtasks) when the fiber yields,
    // so that Ctrl-C is heard between batches even on a synchronous driver.
    Effect.withScheduler(Scheduler.timer(0))
  )
  try {
    const { result, total, before } = await runOnStore(
      target,
      { readonly: false, mustExist: true, signal: controller.signal },
      program
    )
    void before
    progress?.finish(
      mode === "rebuild" ? total : result.events,
      `${result.batches} batch${result.batches === 1 ? "" : "es"}, ${result.caughtUp ? "up to date" : "not at the end of the log"}`
    )
    println(
      io,
      mode === "rebuild"
        ? `rebuilt ${(only ?? known).join(", ")} from ${thousands(total)} events`
        : `replayed ${thousands(result.events)} new events into ${(only ?? known).join(", ")}`
    )
    return 0
  } catch (error) {
    if (controller.signal.aborted) {
      const at = seen === 0n ? 0 : Number(seen - first + 1n)
      eprintln(io)
      throw new CliFailure(
        `interrupted after about ${thousands(at)} events; the read models keep their checkpoints: run mentor-ledger replay to go on`
      )
    }
    throw error
  } finally {
    process.removeListener("SIGINT", onSignal)
    process.removeListener("SIGTERM", onSignal)
  }
}
