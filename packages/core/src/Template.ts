/**
 * Process templates: which steps of the mentoring process a programme uses.
 *
 * A template is data, validated by {@link ProcessTemplate}. The four
 * templates named in PRODUCT.md ship with the library; a programme may
 * define its own.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

/**
 * The phases of a mentorship, in process order. A mentorship's phase only
 * moves forward; `withdrawn` is a no-fault exit from any earlier phase.
 *
 * | phase | reached when |
 * |---|---|
 * | requested | a mentee (or a leadership team) asked for mentoring |
 * | matched | a mentor (or a mentor team) was matched |
 * | opening | the opening discussion with the supervisor was held |
 * | agreement | the mentoring agreement was signed by every party |
 * | meetings | the first mentoring meeting was held |
 * | evaluation | the co-evaluation of the process was held |
 * | closing | the closing discussion was held (the report follows in this phase) |
 * | follow-up | a follow-up visit was scheduled |
 * | completed | the process was completed |
 * | withdrawn | the process ended early, without fault |
 *
 * @since 0.1.0
 * @category phases
 */
export const Phase = Schema.Literal(
  "requested",
  "matched",
  "opening",
  "agreement",
  "meetings",
  "evaluation",
  "closing",
  "follow-up",
  "completed",
  "withdrawn"
)
/** @since 0.1.0 @category phases */
export type Phase = typeof Phase.Type

/** The phases in order (withdrawn last). @since 0.1.0 @category phases */
export const phases: ReadonlyArray<Phase> = Phase.literals

/**
 * The position of a phase in process order; `withdrawn` ranks with
 * `completed` as a terminal phase.
 * @since 0.1.0
 * @category phases
 */
export const phaseRank = (phase: Phase): number => (phase === "withdrawn" ? 8 : phases.indexOf(phase))

/** Whether nothing but erasure may follow. @since 0.1.0 @category phases */
export const isTerminal = (phase: Phase): boolean => phase === "completed" || phase === "withdrawn"

/**
 * The optional steps a template may switch on or off. Request, match,
 * agreement, meetings and completion are part of every process.
 * @since 0.1.0
 * @category templates
 */
export const Step = Schema.Literal(
  "opening-discussion",
  "self-assessment",
  "observation",
  "evaluation",
  "closing-discussion",
  "report",
  "follow-up"
)
/** @since 0.1.0 @category templates */
export type Step = typeof Step.Type

const Count = Schema.Int.pipe(Schema.between(0, 1000))
const PositiveCount = Schema.Int.pipe(Schema.between(1, 1000))

/**
 * A range of whole numbers, `min <= max`.
 * @since 0.1.0
 * @category templates
 */
export const Range = Schema.Struct({ min: Count, max: Count }).pipe(
  Schema.filter((r) => r.min <= r.max || `min (${r.min}) must not exceed max (${r.max})`)
)
/** @since 0.1.0 @category templates */
export type Range = typeof Range.Type

/**
 * A process template. `id` is a short slug such as `headmasters-as-mentors`.
 *
 * - `steps`: the optional steps this programme uses.
 * - `meetings`: how many mentoring meetings are expected (`min` must be held
 *   before evaluation, closing or completion; `max` can never be exceeded).
 * - `cadenceDays`: the expected days between meetings (used to compute the
 *   next meeting due; never enforced, since life happens).
 * - `followUpDelayDays`: days between the report and the follow-up visit.
 * - `supervisorTakesPart`: the mentee's supervisor attends the opening and
 *   closing discussions and receives the report.
 * - `mentees` / `mentors`: group size (several mentees: peer groups and
 *   mentoring circles; several mentors: mentor teams).
 * - `closingMinutes`: the least duration of the closing discussion.
 *
 * @since 0.1.0
 * @category templates
 */
export const ProcessTemplate = Schema.Struct({
  id: Schema.String.pipe(Schema.pattern(/^[a-z0-9][a-z0-9-]{0,63}$/)),
  name: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(200)),
  steps: Schema.Array(Step),
  meetings: Range,
  cadenceDays: Range,
  followUpDelayDays: Schema.NullOr(PositiveCount),
  supervisorTakesPart: Schema.Boolean,
  mentees: Range,
  mentors: Range,
  closingMinutes: Count
})
  .pipe(
    Schema.filter((t) => {
      const issues: Array<Schema.FilterIssue> = []
      const has = (s: Step) => t.steps.includes(s)
      if (new Set(t.steps).size !== t.steps.length)
        issues.push({ path: ["steps"], message: "a step is listed twice" })
      if (t.meetings.max < 1)
        issues.push({ path: ["meetings", "max"], message: "at least one meeting must be allowed" })
      if (t.mentees.min < 1)
        issues.push({ path: ["mentees", "min"], message: "a mentorship needs at least one mentee" })
      if (t.mentors.min < 1)
        issues.push({ path: ["mentors", "min"], message: "a mentorship needs at least one mentor" })
      if (has("follow-up") !== (t.followUpDelayDays !== null))
        issues.push({
          path: ["followUpDelayDays"],
          message: "followUpDelayDays is required with the follow-up step, and only with it"
        })
      if (has("report") && !has("closing-discussion"))
        issues.push({ path: ["steps"], message: "the report step needs the closing-discussion step" })
      if (has("report") && !t.supervisorTakesPart)
        issues.push({
          path: ["supervisorTakesPart"],
          message: "the report goes to the supervisor: the report step needs supervisorTakesPart"
        })
      if (has("follow-up") && !has("report"))
        issues.push({ path: ["steps"], message: "the follow-up step needs the report step" })
      if (t.supervisorTakesPart && !has("opening-discussion") && !has("closing-discussion"))
        issues.push({
          path: ["supervisorTakesPart"],
          message: "a supervisor takes part only in opening or closing discussions; enable one of them"
        })
      return issues
    })
  )
  .annotations({ identifier: "ProcessTemplate" })
/** @since 0.1.0 @category templates */
export type ProcessTemplate = typeof ProcessTemplate.Type

/** Whether a template uses a step. @since 0.1.0 @category templates */
export const hasStep = (template: ProcessTemplate, step: Step): boolean => template.steps.includes(step)

/**
 * Validates a user-defined template. The error names every field that is
 * wrong. For an error that is plain data (a list of fields and messages),
 * use {@link parse} or {@link parseSync}.
 * @since 0.1.0
 * @category templates
 */
export const validate = (input: unknown): Either.Either<ProcessTemplate, ParseResult.ParseError> =>
  Schema.decodeUnknownEither(ProcessTemplate)(input, { errors: "all" })

/**
 * One reason a template was refused: `path` names the field (`mentees`,
 * `meetings.max`, `steps.1`; empty for the template as a whole) and
 * `message` says what is wrong with it.
 * @since 0.1.0
 * @category errors
 */
export const TemplateIssue = Schema.Struct({ path: Schema.String, message: Schema.String })
/** @since 0.1.0 @category errors */
export type TemplateIssue = typeof TemplateIssue.Type

/**
 * A template was refused: `issues` lists every field at fault, not only
 * the first. `templateId` is the `id` the input gave, when it gave one as
 * a string (it may itself be one of the issues). Nothing was recorded.
 *
 * @example
 * import { Template } from "@mentor-ledger/core"
 * try {
 *   Template.parseSync(input)
 * } catch (error) {
 *   if (error instanceof Template.InvalidTemplate)
 *     for (const issue of error.issues) console.log(`${issue.path}: ${issue.message}`)
 * }
 * @since 0.1.0
 * @category errors
 */
export class InvalidTemplate extends Schema.TaggedError<InvalidTemplate>()("InvalidTemplate", {
  templateId: Schema.NullOr(Schema.String),
  issues: Schema.NonEmptyArray(TemplateIssue),
  message: Schema.String
}) {}

// The ledger decodes a template in a command with these options: unknown fields are refused too.
const decodeStrict = Schema.decodeUnknownEither(ProcessTemplate)
const strictOptions = { errors: "all", onExcessProperty: "error" } as const
const fieldNames = Object.keys(ProcessTemplate.from.fields).join(", ")

const expected = /^Expected (.+), actual (.+)$/s

/**
 * The issues of a refused template as plain data. A literal union (a step)
 * reports one issue per literal; they become one issue naming them all.
 * The template as a whole (not an object) gets a short message rather
 * than the schema's full description.
 */
const issuesOf = (error: ParseResult.ParseError): Array<TemplateIssue> => {
  const byPath = new Map<string, Array<string>>()
  for (const issue of ParseResult.ArrayFormatter.formatErrorSync(error)) {
    const path = issue.path.map(String).join(".")
    const found = path === "" && issue._tag === "Type" ? expected.exec(issue.message) : null
    const message =
      found === null ? issue.message : `a template is an object with ${fieldNames}; actual ${found[2]}`
    const messages = byPath.get(path) ?? []
    if (!messages.includes(message)) messages.push(message)
    byPath.set(path, messages)
  }
  return [...byPath].flatMap(([path, messages]) => {
    const alternatives = messages.map((m) => expected.exec(m))
    const actual = alternatives[0]?.[2]
    if (messages.length > 1 && alternatives.every((a) => a !== null && a[2] === actual))
      return [{ path, message: `Expected ${alternatives.map((a) => a![1]).join(" or ")}, actual ${actual}` }]
    return messages.map((message) => ({ path, message }))
  })
}

/**
 * Turns the `ParseError` of {@link validate} into an {@link InvalidTemplate}
 * (for code that already holds one).
 * @since 0.1.0
 * @category errors
 */
export const toInvalidTemplate = (input: unknown, error: ParseResult.ParseError): InvalidTemplate => {
  const issues = issuesOf(error)
  const id =
    typeof input === "object" && input !== null && "id" in input && typeof input.id === "string"
      ? input.id
      : null
  const [first = { path: "", message: ParseResult.TreeFormatter.formatErrorSync(error) }, ...rest] = issues
  const all: readonly [TemplateIssue, ...Array<TemplateIssue>] = [first, ...rest]
  return new InvalidTemplate({
    templateId: id,
    issues: all,
    message: `invalid template${id === null ? "" : ` ${JSON.stringify(id)}`}: ${all
      .map((i) => `${i.path || "(template)"}: ${i.message}`)
      .join("; ")}`
  })
}

/**
 * Checks a template given as data (a configuration file, an admin form)
 * with the checks the ledger applies to a template in a command, unknown
 * fields included: the template, or an {@link InvalidTemplate} listing
 * every field at fault. The Effect form of {@link parseSync}.
 *
 * @example
 * import { Effect } from "effect"
 * import { Template } from "@mentor-ledger/core"
 * const program = Template.parse(input).pipe(
 *   Effect.catchTag("InvalidTemplate", (e) => Effect.logWarning(e.issues)))
 * @since 0.1.0
 * @category templates
 */
export const parse = (input: unknown): Effect.Effect<ProcessTemplate, InvalidTemplate> =>
  Either.mapLeft(decodeStrict(input, strictOptions), (error) => toInvalidTemplate(input, error))

/**
 * {@link parse} for code that does not use Effect: returns the template,
 * or throws an {@link InvalidTemplate} (an `Error` with `issues`, each a
 * `{ path, message }`). In an `async` function the throw rejects its
 * promise, like the ledger's other errors.
 *
 * @example
 * import { createLedger, Template } from "@mentor-ledger/core"
 * const template = Template.parseSync(JSON.parse(configFile)) // throws InvalidTemplate
 * await ledger.execute({ _tag: "DefineTemplate", actor, programmeId, template })
 * @since 0.1.0
 * @category templates
 */
export const parseSync = (input: unknown): ProcessTemplate => {
  const parsed = decodeStrict(input, strictOptions)
  if (Either.isRight(parsed)) return parsed.right
  throw toInvalidTemplate(input, parsed.left)
}

/**
 * Headmasters as Mentors (seed 001): every phase, 6–10 meetings every one
 * to two weeks, a supervisor in the opening and closing discussions, a
 * report to the ordering authority and a follow-up visit.
 * @since 0.1.0
 * @category built-in templates
 */
export const headmastersAsMentors: ProcessTemplate = ProcessTemplate.make({
  id: "headmasters-as-mentors",
  name: "Headmasters as Mentors",
  steps: [
    "opening-discussion",
    "self-assessment",
    "observation",
    "evaluation",
    "closing-discussion",
    "report",
    "follow-up"
  ],
  meetings: { min: 6, max: 10 },
  cadenceDays: { min: 7, max: 14 },
  followUpDelayDays: 180,
  supervisorTakesPart: true,
  mentees: { min: 1, max: 8 },
  mentors: { min: 1, max: 3 },
  closingMinutes: 60
})

/**
 * Early-career induction (seed 003): a SWOT self-assessment before the
 * first meeting, a signed agreement with mutual confidentiality, meetings
 * every one to two weeks; no supervisor and no report.
 * @since 0.1.0
 * @category built-in templates
 */
export const earlyCareerInduction: ProcessTemplate = ProcessTemplate.make({
  id: "early-career-induction",
  name: "Early-career induction",
  steps: ["self-assessment"],
  meetings: { min: 4, max: 20 },
  cadenceDays: { min: 7, max: 14 },
  followUpDelayDays: null,
  supervisorTakesPart: false,
  mentees: { min: 1, max: 1 },
  mentors: { min: 1, max: 2 },
  closingMinutes: 0
})

/**
 * Student-placement supervision during a work-based learning period
 * (seed 000): a trained mentor supervises an ECEC student teacher; the
 * placement ends with an evaluation.
 * @since 0.1.0
 * @category built-in templates
 */
export const studentPlacement: ProcessTemplate = ProcessTemplate.make({
  id: "student-placement",
  name: "Student-placement supervision",
  steps: ["observation", "evaluation"],
  meetings: { min: 3, max: 12 },
  cadenceDays: { min: 5, max: 14 },
  followUpDelayDays: null,
  supervisorTakesPart: false,
  mentees: { min: 1, max: 1 },
  mentors: { min: 1, max: 1 },
  closingMinutes: 0
})

/**
 * Peer-group mentoring / mentoring circles (seed 004): one or two mentors
 * with several mentees, meeting about monthly.
 * @since 0.1.0
 * @category built-in templates
 */
export const peerGroupCircle: ProcessTemplate = ProcessTemplate.make({
  id: "peer-group-circle",
  name: "Peer-group mentoring circle",
  steps: ["self-assessment", "evaluation"],
  meetings: { min: 4, max: 12 },
  cadenceDays: { min: 21, max: 42 },
  followUpDelayDays: null,
  supervisorTakesPart: false,
  mentees: { min: 3, max: 12 },
  mentors: { min: 1, max: 2 },
  closingMinutes: 0
})

/** The templates the library ships, by id. @since 0.1.0 @category built-in templates */
export const builtIn: ReadonlyArray<ProcessTemplate> = [
  headmastersAsMentors,
  earlyCareerInduction,
  studentPlacement,
  peerGroupCircle
]
