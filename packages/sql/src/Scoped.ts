/**
 * Scoped resources for code that does not use Effect: the adapters' Promise
 * `open` functions run their scoped constructor through {@link open}.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"

/**
 * A resource opened with {@link open}: its value, and `close`, which
 * releases what the constructor acquired.
 * @since 0.1.0
 * @category models
 */
export interface Opened<A> {
  readonly value: A
  readonly close: () => Promise<void>
}

/**
 * Runs a scoped constructor in a scope of its own, kept open until `close`.
 * When the constructor fails, what it acquired is released and the Promise
 * rejects with the typed error (or the defect).
 *
 * @example
 * import { Scoped } from "@mentor-ledger/sql"
 * const { value: journal, close } = await Scoped.open(SqliteJournal.make({ filename: "mentoring.db" }))
 * @since 0.1.0
 * @category constructors
 */
export const open = async <A, E>(make: Effect.Effect<A, E, Scope.Scope>): Promise<Opened<A>> => {
  const scope = Effect.runSync(Scope.make())
  const exit = await Effect.runPromiseExit(Scope.extend(make, scope))
  if (Exit.isFailure(exit)) {
    await Effect.runPromise(Scope.close(scope, exit))
    throw Cause.squash(exit.cause)
  }
  return { value: exit.value, close: () => Effect.runPromise(Scope.close(scope, Exit.void)) }
}
