/**
 * Given / when / then for deciders, after Emmett's `DeciderSpecification`:
 *
 *   given(Mentorship.decider, history).when(command).then(events)
 *   given(Mentorship.decider, history).when(command).thenRefuses("phase-order")
 *
 * `thenRefuses` checks the whole RuleViolation a caller relies on: the
 * rule, the phase the aggregate was in (`none` before it exists, `active`
 * for a programme), the command's tag and the acting person.
 */
import * as Either from "effect/Either"
import { expect } from "vitest"
import { Decider, Rules, type Roles } from "@mentor-ledger/core"

interface AnyCommand {
  readonly _tag: string
  readonly actor: Roles.Actor
}
interface AnyState {
  readonly _tag: string
}

/** Every rule a `thenRefuses` saw in this test file, for coverage checks. */
export const refusedRules = new Set<Rules.Rule>()

/** The phase a RuleViolation reports for a state. */
export const phaseOf = (state: AnyState): string =>
  state._tag === "Empty" ? "none" : "phase" in state ? String(state.phase) : "active"

export const given = <C extends AnyCommand, S extends AnyState, E extends { readonly _tag: string }>(
  decider: Decider.Decider<C, S, E, Rules.RuleViolation>,
  history: ReadonlyArray<E> = []
) => {
  const state = Decider.fold(decider, history)
  return {
    state,
    when: (command: C) => {
      const decided = decider.decide(command, state)
      const accepted = (): ReadonlyArray<E> => {
        if (Either.isLeft(decided)) {
          const e = decided.left
          return expect.fail(`${command._tag} was refused (${e.rule} in ${e.phase}): ${e.message}`)
        }
        return decided.right
      }
      return {
        /** The command records exactly these events; returns the state after them. */
        // biome-ignore lint/suspicious/noThenProperty: given / when / then is the specification's vocabulary; this object is never awaited
        then: (expected: ReadonlyArray<E>): S => {
          const events = accepted()
          expect(events).toEqual(expected)
          return Decider.fold(decider, events, state)
        },
        /** The command is accepted and records events of these types, in order. */
        thenRecords: (...tags: ReadonlyArray<E["_tag"]>): { events: ReadonlyArray<E>; state: S } => {
          const events = accepted()
          expect(events.map((e) => e._tag)).toEqual(tags)
          return { events, state: Decider.fold(decider, events, state) }
        },
        /** The command breaks `rule`; the error names the phase, command and actor. */
        thenRefuses: (rule: Rules.Rule): Rules.RuleViolation => {
          if (Either.isRight(decided))
            return expect.fail(
              `${command._tag} should break ${rule}, but recorded ${decided.right.map((e) => e._tag).join(", ") || "nothing"}`
            )
          const error = decided.left
          refusedRules.add(error.rule)
          expect(error).toBeInstanceOf(Rules.RuleViolation)
          expect(error._tag).toBe("RuleViolation")
          expect({
            rule: error.rule,
            phase: error.phase,
            command: error.command,
            actor: error.actor
          }).toEqual({
            rule,
            phase: phaseOf(state),
            command: command._tag,
            actor: command.actor
          })
          expect(error.message.length).toBeGreaterThan(0)
          return error
        }
      }
    }
  }
}
