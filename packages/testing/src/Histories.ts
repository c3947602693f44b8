/**
 * Valid command sequences and the event histories they produce, for any
 * process template.
 *
 * A scenario is a random walk through one mentorship: at every step the
 * {@link ProcessModel reference model} lists the commands worth trying
 * (request, match, sign, hold a meeting, draft a summary, consent, report…),
 * and the walk picks one the current phase allows, or, when asked for,
 * one the rules must refuse. Walks are driven by an array of choices, so
 * fast-check shrinks a failing one to a few steps, and every generated
 * value prints as a numbered list of commands or events:
 *
 * ```text
 * template early-career-induction (steps: self-assessment; meetings 4–20; mentees 1–1; mentors 1–2)
 * 1. RequestMentoring by coordinator (template early-career-induction, mentees: mentee 1, supervisor: supervisor)
 * 2. MatchMentor by coordinator (mentors: mentor 1)
 * 3. HoldMeeting by mentor 1 (meeting 1, in-person, 60 min) → refused: phase-order
 * ```
 *
 * @example
 * import * as fc from "fast-check"
 * import { Histories } from "@mentor-ledger/testing"
 * fc.assert(fc.property(Histories.history(), (history) => {
 *   // every MeetingHeld comes after an AgreementSigned
 * }))
 *
 * @since 0.1.0
 */
import { type Commands, type Events, Ids, type Mentorship, type Rules, Template } from "@mentor-ledger/core"
import * as Either from "effect/Either"
import * as fc from "fast-check"
import { processTemplate } from "./Arbitraries.js"
import { day } from "./internal/candidates.js"
import { setupCommands as setup, Player, toInput as input } from "./internal/play.js"
import { describe, Naming, numbered, printable } from "./internal/print.js"
import { observe } from "./internal/process.js"
import type * as Process from "./internal/process.js"
import { type Choice as WalkChoice, generate } from "./internal/walk.js"

// ---------------------------------------------------------------------------
// People and roles
// ---------------------------------------------------------------------------

/**
 * The people (and ids) of one mentorship scenario: a coordinator who runs
 * the programme, the mentees' supervisor, a pool of three trained
 * mentors, twelve possible mentees, and an outsider who takes part in
 * nothing. Counterexamples name them by their part ("mentor 2",
 * "mentee 1", "outsider"), never by uuid.
 * @since 0.1.0
 * @category people
 */
export interface Cast extends Process.Cast {}

const person = (n: number) => Ids.PersonId.make(Ids.sequentialId(n))

/**
 * A fixed cast with readable sequential ids (`…-00000000000a` is the
 * coordinator).
 * @since 0.1.0
 * @category people
 */
export const defaultCast: Cast = {
  programmeId: Ids.ProgrammeId.make(Ids.sequentialId(1)),
  mentorshipId: Ids.MentorshipId.make(Ids.sequentialId(2)),
  coordinator: person(10),
  supervisor: person(11),
  mentors: [person(20), person(21), person(22)],
  mentees: Array.from({ length: 12 }, (_, i) => person(30 + i)),
  outsider: person(99)
}

/**
 * A cast with random, distinct uuids: for systems that must not depend on
 * the shape of an id.
 * @since 0.1.0
 * @category people
 */
export const cast: fc.Arbitrary<Cast> = fc
  .uniqueArray(fc.uuid(), { minLength: 20, maxLength: 20 })
  .map((ids) => ({
    programmeId: Ids.ProgrammeId.make(ids[0]!),
    mentorshipId: Ids.MentorshipId.make(ids[1]!),
    coordinator: Ids.PersonId.make(ids[2]!),
    supervisor: Ids.PersonId.make(ids[3]!),
    mentors: ids.slice(4, 7).map((id) => Ids.PersonId.make(id)),
    mentees: ids.slice(7, 19).map((id) => Ids.PersonId.make(id)),
    outsider: Ids.PersonId.make(ids[19]!)
  }))

// ---------------------------------------------------------------------------
// Templates
// ---------------------------------------------------------------------------

const wrap = (value: number, least: number, span: number) =>
  least + ((((value - least) % span) + span) % span)

const userDefined = (t: Template.ProcessTemplate): Template.ProcessTemplate => {
  const meetingsMin = t.meetings.min % 5
  const menteesMin = wrap(t.mentees.min, 1, 3)
  const mentorsMin = wrap(t.mentors.min, 1, 2)
  return Template.ProcessTemplate.make({
    ...t,
    meetings: { min: meetingsMin, max: Math.max(1, meetingsMin + ((t.meetings.max - t.meetings.min) % 4)) },
    mentees: { min: menteesMin, max: menteesMin + ((t.mentees.max - t.mentees.min) % 4) },
    mentors: { min: mentorsMin, max: mentorsMin + ((t.mentors.max - t.mentors.min) % 2) },
    closingMinutes: t.closingMinutes % 121,
    followUpDelayDays: t.followUpDelayDays === null ? null : wrap(t.followUpDelayDays, 1, 365)
  })
}

/**
 * Random valid user-defined templates, small enough to walk through:
 * {@link Arbitraries.processTemplate} (which follows every template rule)
 * with at most 8 meetings, 6 mentees and 3 mentors.
 * @since 0.1.0
 * @category templates
 */
export const userTemplate: fc.Arbitrary<Template.ProcessTemplate> = processTemplate.map(userDefined)

/**
 * A template to walk through: one of the four built-in templates, or a
 * random valid user-defined one ({@link userTemplate}), half and half.
 * (Templates stay plain data, without a printer: the ledger refuses
 * commands with properties it does not know. Scenarios and histories
 * print their template on their first line.)
 * @since 0.1.0
 * @category templates
 */
export const template: fc.Arbitrary<Template.ProcessTemplate> = fc.oneof(
  fc.constantFrom(...Template.builtIn),
  userTemplate
)

/**
 * Templates that use every given step: for invariants about one part of
 * the process (`templateWith("report")` for what reports may cite).
 * @since 0.1.0
 * @category templates
 */
export const templateWith = (
  ...steps: ReadonlyArray<Template.Step>
): fc.Arbitrary<Template.ProcessTemplate> =>
  template.filter((t) => steps.every((step) => Template.hasStep(t, step)))

/** `early-career-induction (steps: self-assessment; meetings 4–20; …)`. @since 0.1.0 @category printing */
export const describeTemplate = (t: Template.ProcessTemplate): string =>
  `${t.id} (steps: ${t.steps.join(", ") || "none"}; meetings ${t.meetings.min}–${t.meetings.max}; mentees ${t.mentees.min}–${t.mentees.max}; mentors ${t.mentors.min}–${t.mentors.max}${t.supervisorTakesPart ? "; the supervisor takes part" : ""}${t.closingMinutes > 0 && Template.hasStep(t, "closing-discussion") ? `; closing ≥ ${t.closingMinutes} min` : ""})`

// ---------------------------------------------------------------------------
// Walks
// ---------------------------------------------------------------------------

/**
 * One step's choice: `allowed` picks among the commands the model accepts
 * (withdrawal aside, so that walks get far), `progress` among those that
 * move the process on, `any` among every candidate, refused ones too.
 * `index` picks within that list (modulo its length). Withdrawal and
 * erasure, always allowed, are left to `any` steps so that walks get far.
 * @since 0.1.0
 * @category walks
 */
export type Choice = WalkChoice

/**
 * Choices for a walk: half `allowed`, three tenths `progress`, one fifth
 * `any`; from `minSteps` (default 1) to `maxSteps` (default 120) steps.
 * `size` is fast-check's size of the array: its default (fast-check's
 * `baseSize`, "small" unless configured) gives walks of about ten steps,
 * quick to run through a store; `"max"` spreads lengths over the whole
 * range, so that walks reach the late phases. Shrinks to fewer steps and
 * to the first command of each list.
 * @since 0.1.0
 * @category walks
 */
export const choicesOf = (
  options: {
    readonly minSteps?: number
    readonly maxSteps?: number
    readonly size?: fc.SizeForArbitrary
  } = {}
): fc.Arbitrary<ReadonlyArray<Choice>> =>
  fc.array(
    fc.record({
      mode: fc
        .integer({ min: 0, max: 9 })
        .map((n) => (n < 5 ? "allowed" : n < 8 ? "progress" : "any") as Choice["mode"]),
      index: fc.nat({ max: 1000 })
    }),
    {
      minLength: options.minSteps ?? 1,
      maxLength: options.maxSteps ?? 120,
      ...(options.size === undefined ? {} : { size: options.size })
    }
  )

/** {@link choicesOf} with the defaults: short walks. @since 0.1.0 @category walks */
export const choices: fc.Arbitrary<ReadonlyArray<Choice>> = choicesOf()

/**
 * A step of a walk: the command, the reference model's verdict
 * (`expected`), what the core's deciders decided (`result`: mentorship
 * events or the refusal; `pool`: the programme's events for a match or an
 * ending), and the mentorship's state before and after.
 * @since 0.1.0
 * @category walks
 */
export interface Step {
  readonly kind: string
  readonly command: Mentorship.Command
  readonly expected: Verdict
  readonly result: Either.Either<ReadonlyArray<Events.MentorshipEvent>, Rules.RuleViolation>
  readonly pool: ReadonlyArray<Events.ProgrammeEvent>
  readonly before: Mentorship.State
  readonly after: Mentorship.State
}

/**
 * The reference model's verdict on a command: accepted, with the event
 * types it records (the mentorship's, then the pool's) and the phase after
 * it; or refused, with the rule.
 * @since 0.1.0
 * @category walks
 */
export type Verdict = Process.Verdict

/** @since 0.1.0 @category walks */
export interface WalkOptions {
  /** Default: {@link defaultCast}. */
  readonly cast?: Cast
  /** Whether `any` steps may pick commands the rules refuse (default true). */
  readonly refusals?: boolean
  /** Each pool mentor's capacity (default 5). */
  readonly capacity?: number
}

/**
 * Plays a walk through the core's deciders: `choices[k]` picks the command
 * of step k among the reference model's candidates. Pure and fast.
 *
 * @example
 * import { Histories } from "@mentor-ledger/testing"
 * fc.property(Histories.template, Histories.choices, (template, choices) => {
 *   for (const step of Histories.walk(template, choices)) { … }
 * })
 * @since 0.1.0
 * @category walks
 */
export const walk = (
  template: Template.ProcessTemplate,
  choices: ReadonlyArray<Choice>,
  options: WalkOptions = {}
): ReadonlyArray<Step> => {
  const theCast = options.cast ?? defaultCast
  const { steps } = generate(template, choices, { ...options, cast: theCast })
  const player = new Player()
  player.setUp(setup(template, theCast, options.capacity))
  return steps.map((s) => ({ ...s, ...player.play(s.command) }))
}

const outcome = (result: Step["result"], pool: Step["pool"]) =>
  Either.isRight(result)
    ? [...result.right, ...pool].map((e) => e._tag).join(", ") || "nothing"
    : `refused (${result.left.rule})`

/**
 * A walk as a numbered list: each command, and what the deciders made of it.
 * @since 0.1.0
 * @category printing
 */
export const describeWalk = (steps: ReadonlyArray<Step>, theCast: Cast = defaultCast): string => {
  const naming = new Naming(theCast)
  return numbered(steps.map((s) => `${describe(s.command, naming)} → ${outcome(s.result, s.pool)}`))
}

// ---------------------------------------------------------------------------
// Scenarios: command sequences
// ---------------------------------------------------------------------------

/**
 * A command sequence for one mentorship: the programme set-up, then the
 * mentorship's commands, each with the reference model's verdict. Feed the
 * commands to your system (through {@link toInput} for a ledger) and check
 * what it records.
 * @since 0.1.0
 * @category scenarios
 */
export interface Scenario {
  readonly template: Template.ProcessTemplate
  readonly cast: Cast
  /** Launch the programme with the template; enrol and train the cast's mentors. */
  readonly setup: ReadonlyArray<Commands.Timed<Commands.ProgrammeCommand>>
  readonly steps: ReadonlyArray<{
    readonly kind: string
    readonly command: Mentorship.Command
    readonly expected: Verdict
  }>
  /** The process facts at the end, as the reference model has them (compare with `ProcessModel.fromState`). */
  readonly facts: Process.Observed
}

/** @since 0.1.0 @category scenarios */
export interface ScenarioOptions {
  /** The templates to walk through (default: {@link template}). */
  readonly templates?: fc.Arbitrary<Template.ProcessTemplate>
  /** The people (default: always {@link defaultCast}; pass {@link cast} for random uuids). */
  readonly cast?: fc.Arbitrary<Cast>
  /** At most this many commands (default 120). */
  readonly maxSteps?: number
  /**
   * fast-check's size for the number of commands (default `"max"`: any
   * length up to `maxSteps`, so that scenarios reach the late phases; use
   * `"small"` for about ten commands).
   */
  readonly size?: fc.SizeForArbitrary
  /**
   * Also try commands the rules must refuse (a meeting before the
   * agreement, a report citing what the mentee did not consent to share):
   * about one step in five. Default false: every command is valid.
   */
  readonly refusals?: boolean
  /** Each pool mentor's capacity (default 5). */
  readonly capacity?: number
}

const verdictText = (v: Verdict) => (v._tag === "Accepted" ? "" : ` → refused: ${v.rule}`)

const printScenario = (s: Scenario): string => {
  const naming = new Naming(s.cast)
  return `template ${describeTemplate(s.template)}\n${numbered(
    s.steps.map((step) => `${describe(step.command, naming)}${verdictText(step.expected)}`)
  )}`
}

/**
 * Command sequences that drive a mentorship through a template, chosen
 * step by step among the commands the current phase allows. Prints as a
 * numbered list of commands.
 *
 * @example
 * import * as fc from "fast-check"
 * import { Histories } from "@mentor-ledger/testing"
 * await fc.assert(fc.asyncProperty(Histories.scenario(), async (scenario) => {
 *   for (const command of scenario.setup) await ledger.execute(command)
 *   for (const { command } of scenario.steps) await ledger.execute(Histories.toInput(command))
 * }))
 * @since 0.1.0
 * @category scenarios
 */
export const scenario = (options: ScenarioOptions = {}): fc.Arbitrary<Scenario> =>
  fc
    .record({
      template: options.templates ?? template,
      cast: options.cast ?? fc.constant(defaultCast),
      choices: choicesOf({
        size: options.size ?? "max",
        ...(options.maxSteps === undefined ? {} : { maxSteps: options.maxSteps })
      })
    })
    .map(({ template: t, cast: c, choices: ch }) => {
      const { steps, model } = generate(t, ch, {
        cast: c,
        refusals: options.refusals ?? false,
        ...(options.capacity === undefined ? {} : { capacity: options.capacity })
      })
      return printable<Scenario>(
        { template: t, cast: c, setup: setup(t, c, options.capacity), steps, facts: observe(model) },
        printScenario
      )
    })

// ---------------------------------------------------------------------------
// Histories: events
// ---------------------------------------------------------------------------

/**
 * What a scenario recorded when played through the core's deciders, as
 * the ledger would record it.
 * @since 0.1.0
 * @category histories
 */
export interface History {
  readonly template: Template.ProcessTemplate
  readonly cast: Cast
  /** Every event, programme and mentorship, in the order recorded. */
  readonly events: ReadonlyArray<Events.Event>
  readonly programme: ReadonlyArray<Events.ProgrammeEvent>
  readonly mentorship: ReadonlyArray<Events.MentorshipEvent>
  /** The commands, each with the model's verdict and the deciders' decision. */
  readonly steps: ReadonlyArray<Step>
  /** The mentorship's state at the end. */
  readonly state: Mentorship.State
}

const printHistory = (h: History): string => {
  const naming = new Naming(h.cast)
  const refused = h.steps.filter((s) => Either.isLeft(s.result)).length
  return `template ${describeTemplate(h.template)}\n${numbered(h.events.map((e) => describe(e, naming)))}${
    refused === 0 ? "" : `\n(${refused} refused command${refused === 1 ? "" : "s"} recorded nothing)`
  }`
}

/**
 * Plays a scenario through the core's deciders. Prints as a numbered list
 * of events.
 * @since 0.1.0
 * @category histories
 */
export const play = (s: Scenario): History => {
  const player = new Player()
  player.setUp(s.setup)
  const steps = s.steps.map((step) => ({ ...step, ...player.play(step.command) }))
  return printable<History>(
    {
      template: s.template,
      cast: s.cast,
      events: player.events,
      programme: player.programmeEvents,
      mentorship: player.mentorshipEvents,
      steps,
      state: player.mentorship
    },
    printHistory
  )
}

/**
 * Event histories (programme and mentorship events) of random scenarios,
 * as the core records them. With `refusals: true` the scenarios also try
 * commands the rules must refuse, so that a rule that lets one through
 * shows up in the history. Prints as a numbered list of events.
 * @since 0.1.0
 * @category histories
 */
export const history = (options: ScenarioOptions = {}): fc.Arbitrary<History> => scenario(options).map(play)

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/**
 * A decider command as the ledger takes it: the request names its template
 * by id instead of carrying it.
 * @since 0.1.0
 * @category helpers
 */
export const toInput: (command: Mentorship.Command) => Commands.CommandInput = input

/**
 * The programme set-up of a scenario: launch with the template, enrol the
 * cast's mentors with the given capacity (default 5) and record their
 * training.
 * @since 0.1.0
 * @category helpers
 */
export const setupCommands: (
  template: Template.ProcessTemplate,
  cast: Cast,
  capacity?: number
) => ReadonlyArray<Commands.Timed<Commands.ProgrammeCommand>> = setup

/** Day `n` of every scenario (day 0 is Monday 5 January 2026, 09:00 UTC). @since 0.1.0 @category helpers */
export const scenarioDay: (n: number) => Date = day

/**
 * Describes a command or an event in one line, naming people by their
 * part in the cast: `HoldMeeting by mentee 1 (meeting 2, phone, 45 min)`.
 * Meetings, tasks and observations are numbered in order of appearance
 * within one `naming`.
 * @since 0.1.0
 * @category printing
 */
export const describeOne = (
  value: Commands.Command | Mentorship.Command | Events.Event,
  naming: Naming = new Naming(defaultCast)
): string => describe(value as never, naming)

/**
 * Names people and things consistently across the lines of one printout.
 * @since 0.1.0
 * @category printing
 */
export { Naming }
