import { Template } from "@mentor-ledger/core"
import { Histories, ProcessModel } from "@mentor-ledger/testing"
import * as Either from "effect/Either"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { assertProperty } from "../src/internal/properties.js"

const outcome = (step: Histories.Step): string =>
  Either.isRight(step.result)
    ? `accepted (${[...step.result.right, ...step.pool].map((e) => e._tag).join(", ")})`
    : `refused (${step.result.left.rule})`
const expected = (v: Histories.Verdict): string =>
  v._tag === "Accepted" ? `accepted (${v.events.join(", ")})` : `refused (${v.rule})`

describe("ProcessModel", () => {
  it("the deciders decide every step of a walk as the reference model does", () =>
    assertProperty(
      fc.property(Histories.history({ refusals: true }), (history) => {
        for (const [k, step] of history.steps.entries()) {
          if (outcome(step) !== expected(step.expected))
            throw new Error(
              `step ${k + 1}: the deciders ${outcome(step)}, the model ${expected(step.expected)}\n${Histories.describeWalk(history.steps.slice(0, k + 1), history.cast)}`
            )
          expect(ProcessModel.fromState(step.after).phase).toBe(
            step.expected._tag === "Accepted"
              ? step.expected.phase
              : ProcessModel.fromState(step.before).phase
          )
        }
      }),
      100
    ))

  it("the ledger on the in-memory store agrees with the model, command by command (fc.commands)", () =>
    assertProperty(
      fc.asyncProperty(Histories.template, ProcessModel.commands(), async (template, commands) => {
        const system = await ProcessModel.ledgerSystem(template)
        try {
          await ProcessModel.run(template, system, commands)
        } finally {
          await system.close()
        }
      }),
      25
    ))

  it("model runs reach the late phases (the commands are not stuck)", async () => {
    const reached = new Set<string>()
    const system: ProcessModel.System = {
      execute: async () => ({ _tag: "Refused", rule: "phase-order" }),
      observe: async () => ProcessModel.fromState({ _tag: "Empty" })
    }
    // Run the commands on the model alone, recording the phases they reach.
    for (const [template, commands] of fc.sample(fc.tuple(Histories.template, ProcessModel.commands()), {
      numRuns: 100,
      seed: 11
    })) {
      const model = ProcessModel.make(template)
      for (const command of commands) {
        if (!command.check(model)) continue
        const real: ProcessModel.Real = { template, system, log: [], naming: new Histories.Naming() }
        await command.run(model, real).catch(() => undefined)
        reached.add(model.phase)
      }
    }
    for (const phase of Template.phases) expect(reached, phase).toContain(phase)
  })
})
