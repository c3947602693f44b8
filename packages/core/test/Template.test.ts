import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { createLedger, Ids, Template } from "@mentor-ledger/core"
import { Arbitraries } from "@mentor-ledger/testing"

const base: Record<string, unknown> = { ...Template.earlyCareerInduction }

/** What `parseSync` threw, or undefined when it returned. */
const refusal = (input: unknown): Template.InvalidTemplate | undefined => {
  try {
    Template.parseSync(input)
    return undefined
  } catch (error) {
    if (error instanceof Template.InvalidTemplate) return error
    throw error
  }
}

describe("Template.parseSync and Template.parse", () => {
  it("return every built-in template as it is", async () => {
    for (const template of Template.builtIn) {
      expect(Template.parseSync(JSON.parse(JSON.stringify(template)))).toEqual(template)
      expect(await Effect.runPromise(Template.parse(template))).toEqual(template)
    }
  })

  it("refuse a template with every field at fault, as a typed Error with { path, message } issues", () => {
    const error = refusal({ ...base, id: "Leaders Circle", mentees: { min: 10, max: 4 }, closingMinutes: -1 })
    expect(error).toBeInstanceOf(Error)
    expect(error).toMatchObject({ _tag: "InvalidTemplate", templateId: "Leaders Circle" })
    expect(error!.issues).toEqual([
      {
        path: "id",
        message: 'Expected a string matching the pattern ^[a-z0-9][a-z0-9-]{0,63}$, actual "Leaders Circle"'
      },
      { path: "mentees", message: "min (10) must not exceed max (4)" },
      { path: "closingMinutes", message: "Expected a number between 0 and 1000, actual -1" }
    ])
    expect(error!.message).toBe(
      `invalid template "Leaders Circle": ${error!.issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`
    )
  })

  it("name the fields of the template's own rules (steps that need other steps)", () => {
    const error = refusal({ ...base, steps: ["self-assessment", "follow-up"] })
    expect(error!.issues).toEqual([
      {
        path: "followUpDelayDays",
        message: "followUpDelayDays is required with the follow-up step, and only with it"
      },
      { path: "steps", message: "the follow-up step needs the report step" }
    ])
  })

  it("give an unknown step one issue naming every step, with its index in the path", () => {
    const error = refusal({ ...base, steps: ["self-assessment", "swot"] })
    expect(error!.issues).toHaveLength(1)
    expect(error!.issues[0]!.path).toBe("steps.1")
    for (const step of Template.Step.literals) expect(error!.issues[0]!.message).toContain(`"${step}"`)
    expect(error!.issues[0]!.message).toMatch(/actual "swot"$/)
  })

  it("refuse missing and unknown fields, as the ledger does for a template in a command", () => {
    const { closingMinutes: _, ...missing } = base
    expect(refusal({ ...missing, closingMinute: 0 })!.issues).toEqual([
      { path: "closingMinute", message: expect.stringMatching(/^is unexpected/) },
      { path: "closingMinutes", message: "is missing" }
    ])
  })

  it("say briefly that a template is an object, whatever was given instead", () => {
    for (const input of [5, null, "headmasters-as-mentors", []]) {
      const error = refusal(input)
      expect(error).toMatchObject({ templateId: null, issues: [{ path: "" }] })
      expect(error!.issues[0]!.message).toMatch(/^a template is an object with id, name, steps, .*; actual /)
      expect(error!.message.length).toBeLessThan(250) // not the schema's whole description
    }
  })

  it("fail the Effect with the same InvalidTemplate", async () => {
    const input = { ...base, meetings: { min: 3, max: 0 } }
    const failed = await Effect.runPromise(Effect.flip(Template.parse(input)))
    expect(failed).toBeInstanceOf(Template.InvalidTemplate)
    expect(failed).toEqual(refusal(input))
    const caught = await Effect.runPromise(
      Template.parse(input).pipe(
        Effect.map((t) => t.id),
        Effect.catchTag("InvalidTemplate", (e) => Effect.succeed(e.issues.map((i) => i.path)))
      )
    )
    expect(caught).toEqual(["meetings"])
  })

  it("keep Template.validate as it was, and turn its ParseError into the typed error", () => {
    const input = { ...base, mentors: { min: 0, max: 1 } }
    const validated = Template.validate(input)
    expect(Either.isLeft(validated)).toBe(true)
    const parseError = Either.getLeft(validated).pipe((o) => (o._tag === "Some" ? o.value : undefined))
    expect(parseError).toBeInstanceOf(ParseResult.ParseError)
    expect(Template.toInvalidTemplate(input, parseError!)).toEqual(refusal(input))
    // validate still ignores unknown fields (parse is the stricter, additive form).
    expect(Either.isRight(Template.validate({ ...base, note: "x" }))).toBe(true)
  })

  it("is a serialisable error (Schema.TaggedError)", () => {
    const error = refusal({ ...base, id: "" })!
    const encoded = JSON.parse(JSON.stringify(Schema.encodeSync(Template.InvalidTemplate)(error)))
    expect(Schema.decodeUnknownSync(Template.InvalidTemplate)(encoded)).toEqual(error)
  })

  it("refuses a template exactly when the ledger's DefineTemplate refuses it as an InvalidCommand (property)", async () => {
    const coordinator = { personId: Ids.newId(), role: "coordinator" as const }
    const programmeId = Ids.newId()
    const ledger = createLedger()
    await ledger.execute({
      _tag: "LaunchProgramme",
      actor: coordinator,
      programmeId,
      name: "p",
      templates: []
    })
    const keys = [...Object.keys(Template.ProcessTemplate.from.fields), "extra"]
    // A valid template with one field replaced by any JSON value (or removed, or added).
    const drafts = fc
      .tuple(
        Arbitraries.processTemplate,
        fc.constantFrom(...keys),
        fc.option(fc.jsonValue(), { nil: undefined })
      )
      .map(([template, key, value]) => {
        const draft: Record<string, unknown> = { ...template }
        if (value === undefined) delete draft[key]
        else draft[key] = value
        return draft
      })
    try {
      await fc.assert(
        fc.asyncProperty(drafts, async (draft) => {
          const refused = refusal(draft)
          const outcome = await ledger
            .execute({ _tag: "DefineTemplate", actor: coordinator, programmeId, template: draft as never })
            .then(
              () => "recorded",
              (e: { _tag: string; path?: string }) => (e._tag === "InvalidCommand" ? e.path : e._tag)
            )
          if (refused === undefined) {
            // Valid: recorded, or refused by a rule (the id is in the programme already).
            expect(["recorded", "RuleViolation"]).toContain(outcome)
          } else {
            expect(refused.issues.length).toBeGreaterThan(0)
            expect(outcome).toMatch(/^template\b/)
            const paths = refused.issues.map((i) => (i.path === "" ? "template" : `template.${i.path}`))
            expect(paths).toContain(outcome)
          }
        }),
        { numRuns: 150 }
      )
    } finally {
      await ledger.close()
    }
  })
})
