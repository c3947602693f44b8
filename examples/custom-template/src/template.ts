/**
 * The programme's own process template, written as data.
 *
 * A mentoring circle for early-childhood centre directors (seeds 002 and
 * 004: a regional network runs peer-group mentoring beside one-to-one
 * mentoring): one or two trained mentors and 4 to 10 directors, a SWOT
 * self-assessment from each director before the agreement, a meeting about
 * once a month (6 to 10 of them over a school year), and a co-evaluation at
 * the end. No supervisor takes part and nothing is reported: what is said in
 * the circle stays in the circle.
 */
import { Template } from "@mentor-ledger/core"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"

/** The template as it might arrive from a configuration file or an admin form: plain JSON. */
// #region template
export const leadersCircleInput = {
  id: "ecec-leaders-circle",
  name: "Early-childhood leaders' mentoring circle",
  steps: ["self-assessment", "evaluation"],
  meetings: { min: 6, max: 10 },
  cadenceDays: { min: 28, max: 35 },
  followUpDelayDays: null,
  supervisorTakesPart: false,
  mentees: { min: 4, max: 10 },
  mentors: { min: 1, max: 2 },
  closingMinutes: 0
}
// #endregion template

/** A field-by-field reason a template was refused. */
export interface TemplateProblem {
  readonly path: string
  readonly message: string
}

/**
 * Validates a template given as data: the template, or every problem found
 * (each naming the field that is wrong).
 */
export const checkTemplate = (
  input: unknown
):
  | { readonly ok: true; readonly template: Template.ProcessTemplate }
  | { readonly ok: false; readonly problems: ReadonlyArray<TemplateProblem> } => {
  const result = Template.validate(input)
  if (Either.isRight(result)) return { ok: true, template: result.right }
  return {
    ok: false,
    problems: ParseResult.ArrayFormatter.formatErrorSync(result.left).map((issue) => ({
      path: issue.path.join("."),
      message: issue.message
    }))
  }
}

const checked = checkTemplate(leadersCircleInput)
if (!checked.ok) throw new Error(`the circle template is invalid: ${JSON.stringify(checked.problems)}`)

/** The circle template, validated. */
export const leadersCircle: Template.ProcessTemplate = checked.template

/**
 * Two drafts an administrator might type, each refused with the fields at
 * fault: the first breaks field rules (an id with capitals and a space; more
 * mentees at least than at most), the second breaks the template's own rules
 * (a follow-up visit with no delay and no report to follow up).
 */
export const invalidDrafts: ReadonlyArray<unknown> = [
  { ...leadersCircleInput, id: "Leaders Circle", mentees: { min: 10, max: 4 } },
  { ...leadersCircleInput, id: "leaders-circle-with-visit", steps: ["self-assessment", "follow-up"] }
]
