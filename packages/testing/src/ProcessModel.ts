/**
 * A small reference model of the mentoring process, and a model-based test
 * (fast-check `fc.commands`, after `examples/004-stateMachine`) that checks
 * a real system against it.
 *
 * The model is written from the rules of PRODUCT.md, independently of
 * `Mentorship.decide`: a phase, a few counts and sets (meetings held,
 * self-assessments in, consents given…), and a table of which roles may
 * do what, in which phase, under which template step. For every command
 * it says whether the rules accept it (and which events and phase follow)
 * or refuse it (and with which rule).
 *
 * @example
 * import * as fc from "fast-check"
 * import { Histories, ProcessModel } from "@mentor-ledger/testing"
 * await fc.assert(
 *   fc.asyncProperty(Histories.template, ProcessModel.commands(), async (template, commands) => {
 *     const system = await ProcessModel.ledgerSystem(template)
 *     try {
 *       await ProcessModel.run(template, system, commands)
 *     } finally {
 *       await system.close()
 *     }
 *   })
 * )
 *
 * @since 0.1.0
 */
import {
  type Commands,
  EventStore,
  Ids,
  Ledger,
  Mentorship,
  type Rules,
  type Template
} from "@mentor-ledger/core"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as fc from "fast-check"
import { type Cast, defaultCast, describeTemplate } from "./Histories.js"
import { candidates as candidatesOf, deliberate, type Kind, kinds } from "./internal/candidates.js"
import { setupCommands, toInput } from "./internal/play.js"
import { describe, Naming, numbered } from "./internal/print.js"
import * as Process from "./internal/process.js"
import { env } from "./internal/properties.js"
import { progresses } from "./internal/walk.js"

/**
 * The model of one mentorship. Mutable: {@link apply} updates it in
 * place, as `fc.commands` expects.
 * @since 0.1.0
 * @category model
 */
export type Model = Process.Model

/**
 * The model's verdict: accepted, with the event types recorded (the
 * mentorship's, then the mentor pool's) and the phase after; or refused,
 * with the rule.
 * @since 0.1.0
 * @category model
 */
export type Verdict = Process.Verdict

/**
 * The process facts both the model and a real system can tell: phase,
 * counts, and which items the supervisor may see.
 * @since 0.1.0
 * @category model
 */
export type Observed = Process.Observed

const castOf = (cast?: Cast): Cast => cast ?? defaultCast

/**
 * A mentorship that does not exist yet, under a template, in a programme
 * whose pool holds the cast's mentors with `capacity` places each
 * (default 5). Models of several mentorships of one programme share its
 * pool: pass `sharePoolWith`.
 * @since 0.1.0
 * @category model
 */
export const make = (
  template: Template.ProcessTemplate,
  cast?: Cast,
  options: { readonly capacity?: number; readonly sharePoolWith?: Model } = {}
): Model => {
  const c = castOf(cast)
  return Process.make(
    template,
    c,
    options.sharePoolWith?.pool ?? Process.makePool(c.mentors, options.capacity ?? 5)
  )
}

/** What the rules say about a command in the model's state. Pure. @since 0.1.0 @category model */
export const verdict: (model: Model, command: Mentorship.Command) => Verdict = Process.verdict

/** Decides a command on the model and applies it when accepted. @since 0.1.0 @category model */
export const apply: (model: Model, command: Mentorship.Command) => Verdict = Process.apply

/** The model's process facts. @since 0.1.0 @category model */
export const observe: (model: Model) => Observed = Process.observe

/**
 * The commands worth trying in the model's state, each with its kind
 * (`hold-meeting`, `report-citing-unconsented`…). Some kinds break a rule
 * on purpose.
 * @since 0.1.0
 * @category model
 */
export const candidates = (
  model: Model
): ReadonlyArray<{ readonly kind: string; readonly command: Mentorship.Command }> => candidatesOf(model)

const nothing: Observed = {
  phase: "none",
  menteeCount: 0,
  mentorCount: 0,
  selfAssessments: 0,
  meetingsHeld: 0,
  meetingsScheduled: 0,
  summariesFinalised: 0,
  observations: 0,
  tasks: 0,
  tasksCompleted: 0,
  sharedItems: [],
  evaluationHeld: false,
  reportDelivered: false,
  followUp: "none",
  erased: 0
}

/**
 * The process facts of a core mentorship state, to compare with
 * {@link observe}.
 * @since 0.1.0
 * @category model
 */
export const fromState = (state: Mentorship.State): Observed => {
  if (state._tag === "Empty") return nothing
  const tasks = [...state.tasks.values()]
  const meetings = [...state.meetings.values()]
  return {
    phase: state.phase,
    menteeCount: state.menteeIds.length,
    mentorCount: state.mentorIds.length,
    selfAssessments: state.selfAssessed.size,
    meetingsHeld: state.meetingsHeld,
    meetingsScheduled: meetings.filter((m) => m.status === "scheduled").length,
    summariesFinalised: meetings.filter((m) => m.summary === "finalised").length,
    observations: state.observations.size,
    tasks: tasks.length,
    tasksCompleted: tasks.filter((t) => t.assigneeIds.every((a) => t.completedBy.includes(a))).length,
    sharedItems: [...state.consents.keys()]
      .filter((key) => {
        const [kind, ...id] = key.split(":")
        return Mentorship.isShared(state, { kind: kind as never, id: id.join(":") })
      })
      .sort(),
    evaluationHeld: state.evaluationHeld,
    reportDelivered: state.reportDelivered,
    followUp: state.followUp,
    erased: state.erased.size
  }
}

// ---------------------------------------------------------------------------
// The system under test
// ---------------------------------------------------------------------------

/**
 * What a system did with a command: recorded these event types (the
 * mentorship's, then the pool's), or refused it with a rule.
 * @since 0.1.0
 * @category system
 */
export type Outcome =
  | { readonly _tag: "Accepted"; readonly events: ReadonlyArray<string> }
  | { readonly _tag: "Refused"; readonly rule: Rules.Rule }

/**
 * A system under test: anything that executes mentor-ledger commands for
 * one mentorship and can tell its process facts: the core's ledger on any
 * store, your HTTP API, your read models.
 * @since 0.1.0
 * @category system
 */
export interface System {
  /** Executes a command. Refusals resolve as `Refused`; any other error rejects. */
  readonly execute: (command: Commands.CommandInput) => Promise<Outcome>
  /** The mentorship's process facts now. */
  readonly observe: () => Promise<Observed>
}

/**
 * The core's ledger as a {@link System}, with the programme of a
 * scenario set up (the template, the cast's mentors enrolled with
 * `capacity` places and trained). The store is a fresh in-memory one
 * unless `layer` provides a ledger on another store.
 * @since 0.1.0
 * @category system
 */
export const ledgerSystem = async (
  template: Template.ProcessTemplate,
  options: {
    readonly cast?: Cast
    readonly capacity?: number
    readonly layer?: Layer.Layer<Ledger.Ledger, unknown>
  } = {}
): Promise<System & { readonly close: () => Promise<void> }> => {
  const cast = castOf(options.cast)
  const layer =
    options.layer ??
    Ledger.layer().pipe(Layer.provide(EventStore.layerMemory), Layer.provide(Ids.layerSequential(1_000_000)))
  const runtime = ManagedRuntime.make(layer)
  const execute = (command: Commands.CommandInput) =>
    runtime.runPromise(Effect.either(Effect.flatMap(Ledger.Ledger, (ledger) => ledger.execute(command))))
  for (const command of setupCommands(template, cast, options.capacity)) {
    const result = await execute(command as Commands.CommandInput)
    if (Either.isLeft(result)) throw new Error(`the programme set-up failed: ${String(result.left)}`)
  }
  return {
    execute: async (command) => {
      const result = await execute(command)
      if (Either.isRight(result)) return { _tag: "Accepted", events: result.right.events.map((e) => e._tag) }
      if (result.left._tag === "RuleViolation") return { _tag: "Refused", rule: result.left.rule }
      throw result.left
    },
    observe: () =>
      runtime.runPromise(
        Effect.map(
          Effect.flatMap(Ledger.Ledger, (ledger) => ledger.mentorship(cast.mentorshipId)),
          (loaded) => fromState(loaded.state)
        )
      ),
    close: () => runtime.dispose()
  }
}

// ---------------------------------------------------------------------------
// Model-based test
// ---------------------------------------------------------------------------

/**
 * The real side of a model run: the system, and a numbered log of what it
 * did, printed when it disagrees with the model.
 * @since 0.1.0
 * @category model-based
 */
export interface Real {
  readonly template: Template.ProcessTemplate
  readonly system: System
  readonly log: Array<string>
  readonly naming: Naming
}

const show = (o: Outcome | Verdict) =>
  o._tag === "Accepted" ? `accepted (${o.events.join(", ") || "nothing"})` : `refused (${o.rule})`

const sameOutcome = (expected: Verdict, got: Outcome) =>
  expected._tag === got._tag &&
  (expected._tag === "Accepted"
    ? expected.events.join() === (got as { events: ReadonlyArray<string> }).events.join()
    : expected.rule === (got as { rule: string }).rule)

const differences = (expected: Observed, got: Observed): ReadonlyArray<string> =>
  (Object.keys(expected) as Array<keyof Observed>)
    .filter((k) => JSON.stringify(expected[k]) !== JSON.stringify(got[k]))
    .map((k) => `${k}: the model has ${JSON.stringify(expected[k])}, the system ${JSON.stringify(got[k])}`)

/**
 * One model-based command: try a command of `kind` (the `pick`-th
 * candidate), or, for `progress`, any command that moves the process on.
 * With `allowed`, it runs only when the model accepts the command;
 * otherwise refused attempts run too. Each run compares the system's
 * outcome and process facts with the model's.
 * @since 0.1.0
 * @category model-based
 */
export class Attempt implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly kind: Kind | "progress",
    readonly pick: number,
    readonly allowed: boolean
  ) {}
  private options(m: Readonly<Model>) {
    const all = candidatesOf(m as Model)
    if (this.kind === "progress")
      return all.filter((c) => progresses(m as Model, c, Process.verdict(m as Model, c.command)))
    const ofKind = all.filter((c) => c.kind === this.kind)
    return this.allowed
      ? ofKind.filter((c) => Process.verdict(m as Model, c.command)._tag === "Accepted")
      : ofKind
  }
  check(m: Readonly<Model>): boolean {
    return this.options(m).length > 0
  }
  async run(m: Model, r: Real): Promise<void> {
    const options = this.options(m)
    const { command } = options[this.pick % options.length]!
    const expected = Process.apply(m, command)
    const line = describe(command, r.naming)
    const got = await r.system.execute(toInput(command))
    r.log.push(`${line} → ${show(got)}`)
    if (!sameOutcome(expected, got))
      throw new Error(
        `the system and the model disagree on step ${r.log.length}: the model says ${show(expected)}, the system ${show(got)}\ntemplate ${describeTemplate(r.template)}\n${numbered(r.log)}`
      )
    const diff = differences(Process.observe(m), await r.system.observe())
    if (diff.length > 0)
      throw new Error(
        `after step ${r.log.length} the process facts differ:\n  ${diff.join("\n  ")}\n${numbered(r.log)}`
      )
  }
  toString(): string {
    return `${this.kind}${this.allowed ? "" : "?"}#${this.pick}`
  }
}

/**
 * Random model-based command sequences (`fc.commands`): attempts of every
 * kind, allowed or not, with `progress` steps weighted so that runs reach
 * the late phases. `FC_REPLAY_PATH` (printed with a failure) replays the
 * shrinking with `FC_SEED` and `FC_PATH`.
 * @since 0.1.0
 * @category model-based
 */
export const commands = (
  options: { readonly maxCommands?: number } = {}
): fc.Arbitrary<Iterable<fc.AsyncCommand<Model, Real>>> => {
  const pick = fc.nat({ max: 20 })
  const replayPath = env("FC_REPLAY_PATH")
  return fc.commands<Model, Real, false>(
    [
      ...kinds.map((kind) => pick.map((n) => new Attempt(kind, n, true))),
      ...kinds.map((kind) => pick.map((n) => new Attempt(kind, n, false))),
      // The commands made to break a rule, three times as often.
      ...[1, 2].flatMap(() => deliberate.map((kind) => pick.map((n) => new Attempt(kind, n, false)))),
      ...Array.from({ length: kinds.length }, () => pick.map((n) => new Attempt("progress", n, true)))
    ],
    {
      maxCommands: options.maxCommands ?? 60,
      size: "max",
      ...(replayPath === undefined ? {} : { replayPath })
    }
  )
}

/**
 * Runs model-based commands against a system (whose programme is set up
 * for `template`), checking after every command that the system decided
 * as the model did and that their process facts agree.
 * @since 0.1.0
 * @category model-based
 */
export const run = (
  template: Template.ProcessTemplate,
  system: System,
  cmds: Iterable<fc.AsyncCommand<Model, Real>>,
  options: { readonly cast?: Cast; readonly capacity?: number } = {}
): Promise<void> =>
  fc.asyncModelRun(
    () => ({
      model: make(
        template,
        options.cast,
        options.capacity === undefined ? {} : { capacity: options.capacity }
      ),
      real: { template, system, log: [], naming: new Naming(castOf(options.cast)) }
    }),
    cmds
  )
