/**
 * Given / when / then for deciders, after Emmett's `DeciderSpecification`:
 *
 * ```ts
 * const given = DeciderSpecification.of(Mentorship.decider)
 * given(history).when(command).then([event])
 * given(history).when(command).thenRefuses("phase-order")
 * ```
 *
 * `thenRefuses` checks the whole `RuleViolation` a caller relies on: the
 * rule, the phase the aggregate was in (`none` before it exists, `active`
 * for a programme), the command's tag and the acting person. Assertions use
 * vitest's `expect`, so a failure shows a diff.
 *
 * @since 0.1.0
 */
import { Decider, type Roles, Rules } from "@mentor-ledger/core"
import * as Either from "effect/Either"
import { expect } from "vitest"

/** What a command needs for `thenRefuses`: a tag and an actor. @since 0.1.0 @category models */
export interface AnyCommand {
  readonly _tag: string
  readonly actor: Roles.Actor
}

/** @since 0.1.0 @category models */
export interface AnyState {
  readonly _tag: string
}

/**
 * Every rule a `thenRefuses` saw in this test file, so that a file can
 * check in `afterAll` that each rule has a refused case.
 * @since 0.1.0
 * @category coverage
 */
export const refusedRules: Set<Rules.Rule> = new Set()

/**
 * The phase a `RuleViolation` reports for a state: `none` before the
 * aggregate exists, its `phase` when it has one, else `active`.
 * @since 0.1.0
 * @category helpers
 */
export const phaseOf = (state: AnyState): string =>
  state._tag === "Empty" ? "none" : "phase" in state ? String(state.phase) : "active"

/** What `when` returns. @since 0.1.0 @category models */
export interface Then<S, E extends { readonly _tag: string }> {
  /** The command records exactly these events; returns the state after them. */
  readonly then: (expected: ReadonlyArray<E>) => S
  /** The command is accepted and records events of these types, in order. */
  readonly thenRecords: (...tags: ReadonlyArray<E["_tag"]>) => { events: ReadonlyArray<E>; state: S }
  /** The command breaks `rule`; the error names the phase, the command and the actor. */
  readonly thenRefuses: (rule: Rules.Rule) => Rules.RuleViolation
}

/** What `given` returns. @since 0.1.0 @category models */
export interface Given<C, S, E extends { readonly _tag: string }> {
  /** The state the history folds to. */
  readonly state: S
  readonly when: (command: C) => Then<S, E>
}

/**
 * Folds `history` with the decider; `when(command)` decides the command on
 * that state.
 *
 * @example
 * import { Mentorship } from "@mentor-ledger/core"
 * import { DeciderSpecification } from "@mentor-ledger/testing"
 * DeciderSpecification.given(Mentorship.decider, history).when(holdMeeting).thenRefuses("phase-order")
 * @since 0.1.0
 * @category constructors
 */
export const given = <C extends AnyCommand, S extends AnyState, E extends { readonly _tag: string }>(
  decider: Decider.Decider<C, S, E, Rules.RuleViolation>,
  history: ReadonlyArray<E> = []
): Given<C, S, E> => {
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
        // biome-ignore lint/suspicious/noThenProperty: given / when / then is the specification's vocabulary; this object is never awaited
        then: (expected) => {
          const events = accepted()
          expect(events).toEqual(expected)
          return Decider.fold(decider, events, state)
        },
        thenRecords: (...tags) => {
          const events = accepted()
          expect(events.map((e) => e._tag)).toEqual(tags)
          return { events, state: Decider.fold(decider, events, state) }
        },
        thenRefuses: (rule) => {
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

/**
 * The specification of one decider, Emmett style: `of(decider)` returns
 * `given`, to call with a history.
 *
 * @example
 * import { Mentorship } from "@mentor-ledger/core"
 * import { DeciderSpecification } from "@mentor-ledger/testing"
 * const given = DeciderSpecification.of(Mentorship.decider)
 * given([]).when(request).thenRecords("MentoringRequested")
 * @since 0.1.0
 * @category constructors
 */
export const of =
  <C extends AnyCommand, S extends AnyState, E extends { readonly _tag: string }>(
    decider: Decider.Decider<C, S, E, Rules.RuleViolation>
  ) =>
  (history: ReadonlyArray<E> = []): Given<C, S, E> =>
    given(decider, history)
