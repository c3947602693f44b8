import { Decider, Mentorship, Rules } from "@mentor-ledger/core"
import { NearMisses } from "@mentor-ledger/testing"
import * as Either from "effect/Either"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { assertProperty } from "../src/internal/properties.js"

const decide = (command: Mentorship.Command, given: NearMisses.Case["given"]) =>
  Mentorship.decide(command, Decider.fold(Mentorship.decider, given))

describe("NearMisses", () => {
  it("the decider refuses every near miss with exactly the rule it breaks, and accepts what it was made from", () =>
    assertProperty(
      fc.property(NearMisses.cases(), (c) => {
        const decided = decide(c.command, c.given)
        if (Either.isRight(decided))
          throw new Error(`accepted, recording ${decided.right.map((e) => e._tag).join(", ")}`)
        expect(decided.left.rule).toBe(c.rule)
        if (c.original !== null) expect(Either.isRight(decide(c.original, c.given))).toBe(true)
      }),
      100
    ))

  it("break every rule of the mentorship (the others are the programme's, the pool's or the ledger's)", () => {
    const elsewhere: ReadonlyArray<Rules.Rule> = [
      "programme-exists",
      "programme-not-found",
      "template-unknown",
      "template-exists",
      "mentor-not-enrolled",
      "mentor-already-enrolled",
      "mentor-untrained",
      "mentor-over-capacity"
    ]
    expect([...NearMisses.rules].sort()).toEqual(
      Rules.Rule.literals.filter((r) => !elsewhere.includes(r)).sort()
    )
    expect(() => NearMisses.cases({ rules: ["mentor-untrained"] })).toThrow(
      /no near miss breaks mentor-untrained/
    )
  })

  describe("rule by rule: every near miss of the rule is refused with it", () => {
    for (const rule of NearMisses.rules)
      it(rule, () =>
        assertProperty(
          fc.property(NearMisses.cases({ rules: [rule] }), (c) => {
            const decided = decide(c.command, c.given)
            if (Either.isRight(decided))
              throw new Error(`accepted, recording ${decided.right.map((e) => e._tag).join(", ")}`)
            expect(decided.left.rule).toBe(rule)
          }),
          5
        )
      )
  })

  it("can be narrowed to some rules", () => {
    const rules = new Set(
      fc
        .sample(NearMisses.cases({ rules: ["signatures-missing", "phase-order"] }), { numRuns: 50, seed: 1 })
        .map((c) => c.rule)
    )
    expect([...rules].sort()).toEqual(["phase-order", "signatures-missing"])
  })

  it("prints as given / when / then", () => {
    const [c] = fc.sample(NearMisses.cases({ rules: ["signatures-missing"] }), { numRuns: 1, seed: 2 })
    const printed = fc.stringify(c)
    expect(printed).toMatch(/^template .*\ngiven\n +1\. MentoringRequested by coordinator/)
    expect(printed).toMatch(
      /\nwhen SignAgreement by (mentor|mentee) \d \(signed by .*\)\n {2}\(a party did not sign; changed from SignAgreement/
    )
    expect(printed).toMatch(/\nthen refused: signatures-missing$/)
  })
})
