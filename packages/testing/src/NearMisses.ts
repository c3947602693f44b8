/**
 * Near misses: invalid commands that each break exactly one named rule.
 *
 * From a valid state (reached by a valid random walk), a near miss takes a
 * command the current phase allows and changes one thing: the role the
 * actor claims, an outsider in its place, a mentee left out of the
 * participants, a signature missing, an item cited without consent, one
 * meeting too many planned… Or it is a command that would be allowed in a
 * nearby state, which this state makes wrong: a meeting before the
 * agreement, a report before the closing discussion, anything after the
 * mentorship ended. Each comes with the rule it breaks, and the property
 * to check is that the system refuses it with exactly that rule.
 *
 * @example
 * import * as fc from "fast-check"
 * import { Decider, Either, Mentorship } from "@mentor-ledger/core"
 * import { NearMisses } from "@mentor-ledger/testing"
 * fc.assert(fc.property(NearMisses.cases(), (c) => {
 *   const decided = Mentorship.decide(c.command, Decider.fold(Mentorship.decider, c.given))
 *   return Either.isLeft(decided) && decided.left.rule === c.rule
 * }))
 *
 * @since 0.1.0
 */
import type { Events, Mentorship, Rules, Template } from "@mentor-ledger/core"
import * as fc from "fast-check"
import { type Cast, choicesOf, defaultCast, describeTemplate, template as anyTemplate } from "./Histories.js"
import { breakable, type NearMiss as Miss, nearMisses } from "./internal/nearMisses.js"
import { setupCommands, Player } from "./internal/play.js"
import { describe, Naming, numbered, printable } from "./internal/print.js"
import type { Model } from "./internal/process.js"
import { generate } from "./internal/walk.js"

/**
 * A command that breaks `rule` and nothing before it.
 * - `original`: the allowed command it was changed from, or `null` when
 *   the state is what makes it wrong (a meeting before the agreement).
 * - `change`: what makes it wrong, in words.
 * @since 0.1.0
 * @category models
 */
export interface NearMiss extends Miss {}

/**
 * The rules near misses break: every rule of the mentorship. (The
 * programme's rules, the mentor pool's and the ledger's own are not among
 * them.)
 * @since 0.1.0
 * @category models
 */
export const rules: ReadonlyArray<Rules.Rule> = breakable

/**
 * Every near miss of a reference-model state ({@link ProcessModel.make}),
 * at most one per rule, command and way of breaking it.
 * @since 0.1.0
 * @category constructors
 */
export const of = (model: Model): ReadonlyArray<NearMiss> => nearMisses(model)

/**
 * A near miss in context: the valid commands that led to the state, the
 * events they recorded (`given`), and the near miss itself. Prints as
 * given / when / then with numbered events.
 * @since 0.1.0
 * @category models
 */
export interface Case extends NearMiss {
  readonly template: Template.ProcessTemplate
  readonly cast: Cast
  /** The valid commands that reach the state, in order. */
  readonly steps: ReadonlyArray<Mentorship.Command>
  /** The mentorship events they recorded. */
  readonly given: ReadonlyArray<Events.MentorshipEvent>
}

/** @since 0.1.0 @category constructors */
export interface CaseOptions {
  /** Default: {@link Histories.template}. */
  readonly templates?: fc.Arbitrary<Template.ProcessTemplate>
  /** Default: always {@link Histories.defaultCast}. */
  readonly cast?: fc.Arbitrary<Cast>
  /**
   * Only near misses of these rules. A rule that few states can break
   * (`report-cites-unconsented` needs a report step, a closing discussion
   * and an item without consent) makes generation slower.
   */
  readonly rules?: ReadonlyArray<Rules.Rule>
  /** At most this many valid commands before the near miss (default 40). */
  readonly maxSteps?: number
}

const printCase = (c: Case): string => {
  const naming = new Naming(c.cast)
  const given = c.given.length === 0 ? "  (nothing)" : numbered(c.given.map((e) => describe(e, naming)))
  return [
    `template ${describeTemplate(c.template)}`,
    "given",
    given.replace(/^/gm, "  "),
    `when ${describe(c.command, naming)}`,
    `  (${c.change}${c.original === null ? "" : `; changed from ${describe(c.original, naming)}`})`,
    `then refused: ${c.rule}`
  ].join("\n")
}

const build = (
  template: Template.ProcessTemplate,
  cast: Cast,
  choices: Parameters<typeof generate>[1],
  pick: {
    readonly byState: boolean
    readonly first: number
    readonly second: number
    readonly instance: number
  },
  rules: ReadonlyArray<Rules.Rule> | undefined
): Case | null => {
  // Every state along a valid walk offers its near misses.
  const found: Array<{ readonly step: number; readonly miss: Miss }> = []
  const { steps } = generate(template, choices, { cast, refusals: false, stopAtEnd: true }, (model, step) => {
    for (const miss of nearMisses(model))
      if (rules === undefined || rules.includes(miss.rule)) found.push({ step, miss })
  })
  if (found.length === 0) return null
  // Half the time pick a state along the walk first (late phases get their
  // share), else a rule first (rules with many instances do not crowd out
  // the rest); then a rule of that state, or an instance of that rule.
  let choice: Array<{ readonly step: number; readonly miss: Miss }> = found
  if (pick.byState) {
    const states = [...new Set(found.map((f) => f.step))]
    const state = states[pick.first % states.length]!
    choice = found.filter((f) => f.step === state)
  }
  const byRule = [...new Set(choice.map((f) => f.miss.rule))]
  const rule = byRule[(pick.byState ? pick.second : pick.first) % byRule.length]!
  const ofRule = choice.filter((f) => f.miss.rule === rule)
  const { step, miss } = ofRule[pick.instance % ofRule.length]!
  const before = steps.slice(0, step).map((s) => s.command)
  const player = new Player()
  player.setUp(setupCommands(template, cast))
  for (const command of before) player.play(command)
  return printable<Case>(
    { ...miss, template, cast, steps: before, given: player.mentorshipEvents },
    printCase
  )
}

/**
 * Near misses in context, from random valid states of random templates.
 * Shrinks to a short history.
 * @since 0.1.0
 * @category constructors
 */
export const cases = (options: CaseOptions = {}): fc.Arbitrary<Case> => {
  const unknown = (options.rules ?? []).filter((r) => !breakable.includes(r))
  // Asked for a rule no near miss breaks, generation would search forever.
  if (unknown.length > 0) throw new Error(`no near miss breaks ${unknown.join(", ")}; see NearMisses.rules`)
  return fc
    .record({
      template: options.templates ?? anyTemplate,
      cast: options.cast ?? fc.constant(defaultCast),
      choices: choicesOf({ minSteps: 0, maxSteps: options.maxSteps ?? 40, size: "max" }),
      pick: fc.record({
        byState: fc.boolean(),
        first: fc.nat({ max: 1000 }),
        second: fc.nat({ max: 1000 }),
        instance: fc.nat({ max: 1000 })
      })
    })
    .map(({ template, cast, choices, pick }) => build(template, cast, choices, pick, options.rules))
    .filter((c): c is Case => c !== null)
}
