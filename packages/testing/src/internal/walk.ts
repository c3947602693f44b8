/**
 * Random walks through a mentorship, driven by an array of choices so that
 * fast-check shrinks a failing walk to a short one. Each step offers the
 * reference model's candidates and picks one by mode and index.
 */
import type { Mentorship } from "@mentor-ledger/core"
import { type Candidate, candidates, deliberate, type Kind } from "./candidates.js"
import {
  apply,
  type Cast,
  type Model,
  makePool,
  make as makeModel,
  type Verdict,
  verdict
} from "./process.js"

/**
 * One step's choice: `allowed` picks among the commands the model accepts
 * (withdrawal aside, so that walks get far), `progress` among those that
 * move the process on, `any` among every candidate, refused ones too.
 * `index` picks within that list (modulo its length). Withdrawal and
 * erasure are left to `any` steps.
 */
export interface Choice {
  readonly mode: "allowed" | "progress" | "any"
  readonly index: number
}

export interface Generated {
  readonly kind: Kind
  readonly command: Mentorship.Command
  /** What the reference model says about the command. */
  readonly expected: Verdict
}

export interface WalkOptions {
  readonly cast: Cast
  /** Whether `any` steps may pick commands the model refuses (default true). */
  readonly refusals?: boolean
  /** Each pool mentor's capacity (default 5). */
  readonly capacity?: number
  /** Stop once the mentorship is completed or withdrawn (default false: erasures may follow). */
  readonly stopAtEnd?: boolean
}

// Withdrawal and erasure are always allowed; left to `any` steps, so that walks get far.
const endings = ["WithdrawMentorship", "ErasePersonalData"]

/** Whether an accepted command moves the process on: a new phase, a meeting, a SWOT, a report, a visit. */
export const progresses = (m: Model, c: Candidate, v: Verdict): boolean =>
  v._tag === "Accepted" &&
  !endings.includes(c.command._tag) &&
  (v.phase !== m.phase ||
    ["HoldMeeting", "DeliverReport", "HoldFollowUp", "SubmitSelfAssessment"].includes(c.command._tag))

/**
 * Picks by kind first, then among the candidates of that kind, so that
 * kinds with many candidates (a consent per item) do not crowd out the rest.
 */
const pick = <A extends { readonly c: Candidate }>(options: ReadonlyArray<A>, index: number): A => {
  const byKind = new Map<string, Array<A>>()
  for (const o of options) {
    const list = byKind.get(o.c.kind)
    if (list === undefined) byKind.set(o.c.kind, [o])
    else list.push(o)
  }
  const groups = [...byKind.values()]
  const group = groups[index % groups.length]!
  return group[Math.floor(index / groups.length) % group.length]!
}

/**
 * Picks the commands of a walk with the model alone; returns them with the
 * model's verdicts. `visit` sees the model before every step and at the end.
 */
export const generate = (
  template: Mentorship.Active["template"],
  choices: ReadonlyArray<Choice>,
  options: WalkOptions,
  visit?: (model: Model, step: number) => void
): { readonly steps: ReadonlyArray<Generated>; readonly model: Model } => {
  const refusals = options.refusals ?? true
  const model = makeModel(template, options.cast, makePool(options.cast.mentors, options.capacity ?? 5))
  const steps: Array<Generated> = []
  for (const choice of choices) {
    if (options.stopAtEnd && (model.phase === "completed" || model.phase === "withdrawn")) break
    visit?.(model, steps.length)
    const judged = candidates(model).map((c) => ({ c, v: verdict(model, c.command) }))
    const accepted = judged.filter((j) => j.v._tag === "Accepted")
    // Half the `any` steps try a command made to break a rule, when there is one.
    const tempting = judged.filter((j) => deliberate.includes(j.c.kind) && j.v._tag === "Refused")
    let options_ =
      choice.mode === "allowed"
        ? accepted.filter((j) => !endings.includes(j.c.command._tag))
        : choice.mode === "progress"
          ? accepted.filter((j) => progresses(model, j.c, j.v))
          : !refusals
            ? accepted
            : choice.index % 2 === 0 && tempting.length > 0
              ? tempting
              : judged
    if (options_.length === 0) options_ = refusals ? judged : accepted
    if (options_.length === 0) break
    const index = choice.mode === "any" && refusals ? Math.floor(choice.index / 2) : choice.index
    const { c } = pick(options_, index)
    const expected = apply(model, c.command)
    steps.push({ kind: c.kind, command: c.command, expected })
  }
  visit?.(model, steps.length)
  return { steps, model }
}
