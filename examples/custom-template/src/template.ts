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

/**
 * Checks a template given as data with `Template.parseSync`: the template,
 * or the typed `InvalidTemplate` listing every field at fault as
 * `{ path, message }` (anything else thrown is not a refusal, and is
 * thrown on).
 */
// #region check
export const checkTemplate = (
  input: unknown
):
  | { readonly ok: true; readonly template: Template.ProcessTemplate }
  | { readonly ok: false; readonly issues: ReadonlyArray<Template.TemplateIssue> } => {
  try {
    return { ok: true, template: Template.parseSync(input) }
  } catch (error) {
    if (error instanceof Template.InvalidTemplate) return { ok: false, issues: error.issues }
    throw error
  }
}
// #endregion check

/** The circle template, validated (a template that is not valid throws `InvalidTemplate` here). */
export const leadersCircle: Template.ProcessTemplate = Template.parseSync(leadersCircleInput)

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
