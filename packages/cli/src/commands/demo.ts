/**
 * `mentor-ledger demo`: writes a realistic demo programme.
 *
 * @since 0.1.0
 */
import { closeSync, existsSync, openSync, readSync, rmSync, statSync } from "node:fs"
import { EventStore, Ids, Ledger, Template } from "@mentor-ledger/core"
import { Journal, Projection, ReadModels } from "@mentor-ledger/sql"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { parse, parseInteger, storeHelp, storeOptions } from "../args.js"
import * as Plan from "../demo/plan.js"
import { play } from "../demo/run.js"
import { CliFailure } from "../errors.js"
import { eprintln, type Io, println } from "../io.js"
import { runOnStore } from "../run.js"
import { describeTarget, resolveTarget } from "../store.js"
import { render, thousands } from "../table.js"

/** @since 0.1.0 @category help */
export const help = `Usage: mentor-ledger demo [--db <file or URL>] [--seed <n>] [--mentorships <n>] [--force]

Writes a realistic demo programme: two programmes, five process templates
(the four built-in ones and a programme's own), a trained mentor pool and
dozens of mentorships in every phase, a few withdrawn, and one person's data
erased. Every step is a real command checked by the ledger's rules; the
same seed writes the same programme. Then builds the read models and prints
an overview (mentorships per template and phase).

Options:
  --seed <n>             the random seed (default 2026)
  --mentorships <n>      how many mentorships, 5–5000 (default 48)
  --force                replace an existing SQLite demo file
  --skip-read-models     write the events only
${storeHelp.replace("(default: $MENTOR_LEDGER_DB)", "(default: $MENTOR_LEDGER_DB, else mentor-ledger-demo.db)")}

Example:
  mentor-ledger demo --db mentoring.db`

const options = {
  ...storeOptions,
  seed: { type: "string" },
  mentorships: { type: "string" },
  force: { type: "boolean" },
  "skip-read-models": { type: "boolean" }
} as const

const isSqliteFile = (path: string): boolean => {
  const fd = openSync(path, "r")
  try {
    const header = Buffer.alloc(16)
    const n = readSync(fd, header, 0, 16, 0)
    return n === 0 || header.toString("latin1") === "SQLite format 3\u0000"
  } finally {
    closeSync(fd)
  }
}

/** @since 0.1.0 @category commands */
export const demo = async (argv: ReadonlyArray<string>, io: Io): Promise<number> => {
  const { values } = parse("demo", argv, options)
  if (values.help) {
    println(io, help)
    return 0
  }
  const target = resolveTarget(values, io.env, "mentor-ledger-demo.db")
  const seed = parseInteger("--seed", values.seed ?? "2026", 0, 4_294_967_295)
  const count = parseInteger("--mentorships", values.mentorships ?? "48", 5, 5000)
  if (target._tag === "Sqlite" && existsSync(target.filename)) {
    if (statSync(target.filename).isDirectory()) throw new CliFailure(`${target.filename} is a directory`)
    if (!values.force)
      throw new CliFailure(`${target.filename} exists already; pass --force to replace it with a new demo`)
    if (!isSqliteFile(target.filename))
      throw new CliFailure(`${target.filename} is not an SQLite file; not replacing it`)
    for (const suffix of ["", "-wal", "-shm"]) rmSync(`${target.filename}${suffix}`, { force: true })
  }
  const plan = Plan.make(seed, count)
  const tty = io.stderr.isTTY === true
  const started = Date.now()
  const program = Effect.gen(function* () {
    const store = yield* EventStore.EventStore
    const existing = yield* Stream.runHead(store.readAll({ batchSize: 1 }))
    if (Option.isSome(existing))
      return yield* Effect.fail(
        new CliFailure(`${describeTarget(target)} holds events already; the demo writes to an empty store`)
      )
    const ledger = yield* Ledger.make()
    const played = yield* play(plan, (done, total) => {
      if (tty) io.stderr.write(`\rplaying the demo: ${done}/${total} commands`)
    }).pipe(Effect.provideService(Ledger.Ledger, ledger))
    if (tty) io.stderr.write("\n")
    const phases = new Map<string, Map<string, number>>()
    let example: string | undefined
    for (const m of plan.mentorships) {
      const loaded = yield* ledger.mentorship(m.context.mentorshipId)
      const phase = loaded.state._tag === "Active" ? loaded.state.phase : "none"
      const row = phases.get(m.template.id) ?? new Map<string, number>()
      row.set(phase, (row.get(phase) ?? 0) + 1)
      phases.set(m.template.id, row)
      if (example === undefined && phase === "meetings" && m.template.id === "headmasters-as-mentors")
        example = m.context.mentorshipId
    }
    const journal = yield* Journal.SqlJournal
    const events = Number(
      (yield* Effect.promise(() =>
        journal.db
          .selectFrom(journal.tables.events)
          .select((eb) => eb.fn.countAll().as("n"))
          .executeTakeFirstOrThrow()
      )).n
    )
    if (!values["skip-read-models"]) {
      const runtime = yield* Projection.make(journal, ReadModels.projections)
      yield* runtime.setup
      yield* runtime.catchUp()
    }
    return { played, phases, example, events }
  })
  const result = await runOnStore(target, { readonly: false, ids: Ids.layerSequential(1) }, program).catch(
    (error: unknown) => {
      // A demo that failed half-way is no demo: remove the file it made.
      if (
        target._tag === "Sqlite" &&
        !(error instanceof CliFailure && /holds events already/.test(error.message))
      )
        for (const suffix of ["", "-wal", "-shm"]) rmSync(`${target.filename}${suffix}`, { force: true })
      throw error
    }
  )
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  println(
    io,
    `Demo written to ${describeTarget(target)} (seed ${seed}, ${seconds} s): ${plan.programmes.length} programmes, ` +
      `${new Set(plan.mentorships.map((m) => m.template.id)).size} templates, ${plan.mentorships.length} mentorships, ` +
      `${thousands(result.events)} events; ${result.played.erasedIn > 0 ? "one person's data erased" : "no erasure"}.`
  )
  println(io)
  const shown = Template.phases.filter((p) =>
    [...result.phases.values()].some((row) => (row.get(p) ?? 0) > 0)
  )
  const rows = [...result.phases].map(([template, row]) => [
    template,
    ...shown.map((p) => String(row.get(p) ?? "")),
    String([...row.values()].reduce((a, b) => a + b, 0))
  ])
  const totals = shown.map((p) => [...result.phases.values()].reduce((n, row) => n + (row.get(p) ?? 0), 0))
  rows.push(["total", ...totals.map(String), String(plan.mentorships.length)])
  println(io, render(["template", ...shown, "total"], rows))
  println(io)
  const db = target._tag === "Sqlite" ? target.filename : "<url>"
  println(io, "Next:")
  if (result.example !== undefined)
    println(io, `  mentor-ledger show ${result.example} --db ${db} --as mentor`)
  println(io, `  mentor-ledger stats --db ${db}`)
  println(
    io,
    `  mentor-ledger export --db ${db} --format xes --key "$(openssl rand -hex 32)" --out mentoring.xes`
  )
  if (values["skip-read-models"])
    eprintln(io, "read models not built (--skip-read-models): run mentor-ledger rebuild")
  return 0
}
