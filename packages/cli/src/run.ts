/**
 * Running a command's Effect program on its store.
 *
 * @since 0.1.0
 */
import type { EventJournal } from "@mentor-ledger/core"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Layer from "effect/Layer"
import { CliFailure } from "./errors.js"
import * as Store from "./store.js"

/**
 * Runs an Effect program on the store; typed failures become errors a
 * caller reports in one line (store errors explained in terms of the
 * target).
 * @since 0.1.0
 * @category running
 */
export const runOnStore = async <A, E>(
  target: Store.Target,
  options: {
    readonly readonly: boolean
    readonly mustExist?: boolean
    readonly ids?: Layer.Layer<any>
    /** Interrupts the program (between batches) when aborted. */
    readonly signal?: AbortSignal
  },
  program: Effect.Effect<A, E, Store.StoreServices>
): Promise<A> => {
  const layer = Store.layer(target, options)
  const exit = await Effect.runPromiseExit(
    Effect.provide(program, layer),
    options.signal === undefined ? {} : { signal: options.signal }
  )
  if (Exit.isSuccess(exit)) return exit.value
  const failure = Cause.failureOption(exit.cause)
  if (failure._tag === "Some") {
    const error = failure.value as { _tag?: string }
    if (error?._tag === "StoreError") throw Store.explainStoreError(target, error as EventJournal.StoreError)
    throw error
  }
  if (Cause.isInterruptedOnly(exit.cause)) throw new CliFailure("interrupted")
  throw Cause.squash(exit.cause)
}
