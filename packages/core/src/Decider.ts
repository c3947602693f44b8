/**
 * The decider pattern: an aggregate as two pure functions.
 *
 * `decide(command, state)` returns the events that record the decision,
 * or a typed error; `evolve(state, event)` folds an event into the state.
 * No I/O, no clock: time comes in on the command (`occurredAt`), ids on
 * the command too.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"

/** @since 0.1.0 @category models */
export interface Decider<Command, State, Event, Error> {
  readonly initialState: State
  readonly decide: (command: Command, state: State) => Either.Either<ReadonlyArray<Event>, Error>
  readonly evolve: (state: State, event: Event) => State
}

/** Folds events into a state, from the initial state. @since 0.1.0 @category combinators */
export const fold = <C, S, E, Err>(decider: Decider<C, S, E, Err>, events: Iterable<E>, from?: S): S => {
  let state = from ?? decider.initialState
  for (const e of events) state = decider.evolve(state, e)
  return state
}

/**
 * Decides a sequence of commands from a history, as a command handler
 * would, stopping at the first refusal.
 * @since 0.1.0
 * @category combinators
 */
export const run = <C, S, E, Err>(
  decider: Decider<C, S, E, Err>,
  given: Iterable<E>,
  commands: Iterable<C>
): Either.Either<{ readonly events: ReadonlyArray<E>; readonly state: S }, Err> => {
  let state = fold(decider, given)
  const events: Array<E> = []
  for (const c of commands) {
    const decided = decider.decide(c, state)
    if (Either.isLeft(decided)) return Either.left(decided.left)
    for (const e of decided.right) {
      events.push(e)
      state = decider.evolve(state, e)
    }
  }
  return Either.right({ events, state })
}
