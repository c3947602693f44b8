import { Template } from "@mentor-ledger/core"
import * as fc from "fast-check"

const range = (least: number, most: number): fc.Arbitrary<{ readonly min: number; readonly max: number }> =>
  fc
    .tuple(fc.integer({ min: least, max: most }), fc.integer({ min: least, max: most }))
    .map(([a, b]) => ({ min: Math.min(a, b), max: Math.max(a, b) }))

/**
 * Process templates built to follow the template rules of
 * `Template.ProcessTemplate`. When the core adds a rule, add it here too:
 * the Arbitraries test fails until then (the public arbitrary filters, so
 * it stays valid meanwhile).
 */
export const templateCandidate: fc.Arbitrary<Template.ProcessTemplate> = fc
  .record({
    id: fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,63}$/),
    name: fc.string({ minLength: 1, maxLength: 200 }),
    steps: fc.shuffledSubarray([...Template.Step.literals]),
    meetings: range(0, 1000),
    cadenceDays: range(0, 1000),
    followUpDelayDays: fc.integer({ min: 1, max: 1000 }),
    supervisorTakesPart: fc.boolean(),
    mentees: range(1, 1000),
    mentors: range(1, 1000),
    closingMinutes: fc.integer({ min: 0, max: 1000 })
  })
  .map((t): Template.ProcessTemplate => {
    const steps = [...t.steps]
    const add = (step: Template.Step) => {
      if (!steps.includes(step)) steps.push(step)
    }
    if (steps.includes("follow-up")) add("report")
    if (steps.includes("report")) add("closing-discussion")
    const discussion = steps.includes("opening-discussion") || steps.includes("closing-discussion")
    return {
      ...t,
      steps,
      meetings: { min: t.meetings.min, max: Math.max(1, t.meetings.max) },
      followUpDelayDays: steps.includes("follow-up") ? t.followUpDelayDays : null,
      // The report goes to the supervisor; a supervisor needs a discussion to take part in.
      supervisorTakesPart: steps.includes("report") || (t.supervisorTakesPart && discussion)
    }
  })
