import { Decider, Events, Mentorship, Programme, Template } from "@mentor-ledger/core"
import { Histories } from "@mentor-ledger/testing"
import * as Either from "effect/Either"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { assertProperty } from "../src/internal/properties.js"

const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-/

describe("Histories", () => {
  it("valid scenarios: the deciders accept every command, under any template", () =>
    assertProperty(
      fc.property(Histories.scenario(), (scenario) => {
        const history = Histories.play(scenario)
        for (const [k, step] of history.steps.entries()) {
          expect(step.expected._tag, `step ${k + 1}`).toBe("Accepted")
          if (Either.isLeft(step.result))
            throw new Error(`step ${k + 1} was refused (${step.result.left.rule})\n${fc.stringify(scenario)}`)
        }
      }),
      100
    ))

  it("with random uuids for the cast, scenarios stay valid", () =>
    assertProperty(
      fc.property(Histories.scenario({ cast: Histories.cast, maxSteps: 40 }), (scenario) => {
        expect(Histories.play(scenario).steps.every((s) => Either.isRight(s.result))).toBe(true)
      }),
      30
    ))

  it("a history is the programme's and the mentorship's events, in order, and folds to the final state", () =>
    assertProperty(
      fc.property(Histories.history({ refusals: true }), (history) => {
        expect(history.events).toEqual(
          history.events.filter((e) => Events.catalogue.has(e._tag)) // every event is in the catalogue
        )
        expect(history.events.filter((e) => Events.catalogue.get(e._tag)!.stream === "Mentorship")).toEqual(
          history.mentorship
        )
        expect(history.events.filter((e) => Events.catalogue.get(e._tag)!.stream === "Programme")).toEqual(
          history.programme
        )
        expect(Decider.fold(Mentorship.decider, history.mentorship)).toEqual(history.state)
        expect(Decider.fold(Programme.decider, history.programme)._tag).toBe("Active")
      }),
      50
    ))

  it("user-defined templates are valid and small enough to walk through", () =>
    assertProperty(
      fc.property(Histories.userTemplate, (template) => {
        expect(Either.isRight(Template.validate(template))).toBe(true)
        expect(template.meetings.max).toBeLessThanOrEqual(8)
        expect(template.mentees.max).toBeLessThanOrEqual(6)
        expect(template.mentors.max).toBeLessThanOrEqual(Histories.defaultCast.mentors.length)
      }),
      200
    ))

  it("walks reach every phase under every built-in template and under user-defined ones", () => {
    const templates = [...Template.builtIn.map((t) => fc.constant(t)), Histories.userTemplate]
    for (const [n, templateArb] of templates.entries()) {
      const reached = new Set<string>()
      for (const scenario of fc.sample(Histories.scenario({ templates: templateArb }), {
        numRuns: 60,
        seed: n + 1
      })) {
        const history = Histories.play(scenario)
        for (const step of history.steps) if (step.after._tag === "Active") reached.add(step.after.phase)
      }
      const template = n < Template.builtIn.length ? Template.builtIn[n]! : undefined
      const expected = Template.phases.filter((phase) =>
        template === undefined
          ? true
          : phase === "opening"
            ? Template.hasStep(template, "opening-discussion")
            : phase === "evaluation"
              ? Template.hasStep(template, "evaluation")
              : phase === "closing"
                ? Template.hasStep(template, "closing-discussion")
                : phase === "follow-up"
                  ? Template.hasStep(template, "follow-up")
                  : true
      )
      expect([...reached].sort(), template?.id ?? "user-defined").toEqual(expected.slice().sort())
    }
  })

  it("prints a scenario as a numbered list of commands, with people by their part and no uuids", () => {
    const [scenario] = fc.sample(
      Histories.scenario({
        templates: fc.constant(Template.earlyCareerInduction),
        refusals: true,
        maxSteps: 12
      }),
      { numRuns: 1, seed: 3 }
    )
    const printed = fc.stringify(scenario)
    const lines = printed.split("\n")
    expect(lines[0]).toBe(`template ${Histories.describeTemplate(Template.earlyCareerInduction)}`)
    expect(lines[1]).toMatch(
      /^ ?1\. RequestMentoring by coordinator \(template early-career-induction, mentees: mentee 1/
    )
    expect(lines.slice(1).every((line, k) => line.trimStart().startsWith(`${k + 1}. `))).toBe(true)
    expect(printed).not.toMatch(uuid)
    expect(printed).not.toContain("{")
  })

  it("prints a history as a numbered list of events", () => {
    const [history] = fc.sample(Histories.history({ maxSteps: 20 }), { numRuns: 1, seed: 4 })
    const printed = fc.stringify(history)
    expect(printed.split("\n")[1]).toMatch(/^ *1\. ProgrammeLaunched by coordinator \(templates /)
    expect(printed).toMatch(/\n *8\. MentoringRequested by coordinator/)
    expect(printed).not.toMatch(uuid)
  })

  it("shrinks a failing property to a short, readable counterexample", async () => {
    // A false claim: "no mentorship ever holds its evaluation".
    const details = await fc.check(
      fc.property(Histories.history(), (history) =>
        history.mentorship.every((e) => e._tag !== "EvaluationHeld")
      ),
      { seed: 42, numRuns: 200 }
    )
    expect(details.failed).toBe(true)
    const report = fc.defaultReportMessage(details) ?? ""
    const counterexample = report.slice(report.indexOf("Counterexample: "), report.indexOf("Shrunk "))
    expect(counterexample).toMatch(/EvaluationHeld by mentor 1/)
    expect(counterexample).not.toMatch(uuid)
    // The shortest way to an evaluation: request, match, (SWOT / opening,) agreement, the minimum meetings, the evaluation.
    const events = counterexample.split("\n").filter((line) => /^\s*\d+\. /.test(line))
    expect(events.length).toBeLessThan(25)
  })

  it("describeWalk shows each command and what the deciders made of it", () => {
    const steps = Histories.walk(Template.studentPlacement, [
      { mode: "allowed", index: 0 },
      { mode: "any", index: 28 },
      { mode: "progress", index: 0 }
    ])
    expect(Histories.describeWalk(steps)).toMatchInlineSnapshot(`
      "1. RequestMentoring by coordinator (template student-placement, mentees: mentee 1, supervisor: supervisor) → MentoringRequested
      2. HoldMeeting by supervisor (meeting 1, video, 30 min) → refused (role-not-permitted)
      3. MatchMentor by coordinator (mentors: mentor 1) → MentorMatched, MentorsAssigned"
    `)
  })
})
