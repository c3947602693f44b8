import * as Effect from "effect/Effect"
import type { CompiledQuery } from "kysely"
import type { EventStore } from "@mentor-ledger/core"
import { DriverError, type Executor, type Row } from "../Executor.js"
import type { Batch, Prepared } from "../Projection.js"

/**
 * A transaction's queries as a generator: it yields each compiled query and
 * is given its rows back (or, thrown into it, a {@link DriverError}). The
 * same steps run synchronously on a synchronous driver and through Effect
 * on any other (as the journal's appends do).
 */
export type Steps<A> = Generator<CompiledQuery, A, ReadonlyArray<Row>>

/** Runs the steps synchronously; throws what they throw. */
export const runSync = <A>(steps: Steps<A>, execute: (query: CompiledQuery) => ReadonlyArray<Row>): A => {
  let next = steps.next()
  while (!next.done) {
    let rows: ReadonlyArray<Row>
    try {
      rows = execute(next.value)
    } catch (cause) {
      next = steps.throw(new DriverError({ cause }))
      continue
    }
    next = steps.next(rows)
  }
  return next.value
}

/**
 * Runs the steps as an Effect on an executor. A value the steps throw
 * (other than a driver error) fails the effect with `onThrow(value)`.
 */
export const runEffect = <A, E>(
  steps: () => Steps<A>,
  executor: Executor,
  onThrow: (thrown: unknown) => E
): Effect.Effect<A, E | DriverError> =>
  Effect.suspend(() => {
    const generator = steps()
    const loop = (advance: () => IteratorResult<CompiledQuery, A>): Effect.Effect<A, E | DriverError> => {
      let next: IteratorResult<CompiledQuery, A>
      try {
        next = advance()
      } catch (thrown) {
        return thrown instanceof DriverError ? Effect.fail(thrown) : Effect.fail(onThrow(thrown))
      }
      if (next.done) return Effect.succeed(next.value)
      return Effect.matchEffect(executor.execute(next.value), {
        onFailure: (error) => loop(() => generator.throw(error)),
        onSuccess: (rows) => loop(() => generator.next(rows))
      })
    }
    return loop(() => generator.next())
  })

/** The steps as a whole, run on the executor: synchronously when it can, else through Effect. */
export const run = <A, E>(
  steps: () => Steps<A>,
  executor: Executor,
  onThrow: (thrown: unknown) => E
): Effect.Effect<A, E | DriverError> => {
  const { sync } = executor
  if (sync === undefined) return runEffect(steps, executor, onThrow)
  return Effect.suspend(() => {
    if (!sync.available()) return runEffect(steps, executor, onThrow)
    try {
      return Effect.succeed(runSync(steps(), sync.execute))
    } catch (thrown) {
      return Effect.fail(thrown instanceof DriverError ? thrown : onThrow(thrown))
    }
  })
}

/**
 * The steps in one write transaction on the executor: synchronously (one
 * `begin` … `commit` with no async gap) when it can, else through Effect.
 * Throwing, failing or being interrupted rolls the transaction back.
 */
export const transaction = <A, E>(
  steps: () => Steps<A>,
  executor: Executor,
  onThrow: (thrown: unknown) => E
): Effect.Effect<A, E | DriverError> => {
  const viaEffect = executor.transaction((tx) => runEffect(steps, tx, onThrow))
  const { sync } = executor
  if (sync === undefined) return viaEffect
  return Effect.suspend(() => {
    if (!sync.available()) return viaEffect
    try {
      return Effect.succeed(sync.transaction(() => runSync(steps(), sync.execute)))
    } catch (thrown) {
      return Effect.fail(thrown instanceof DriverError ? thrown : onThrow(thrown))
    }
  })
}

/**
 * How a prepared projection takes one batch in several parts: `part` folds
 * a part's events (in log order, after the batch's earlier parts) into the
 * batch's pending changes, `finish` writes them. Both run inside the
 * batch's transaction, and every part of a batch is given the same `batch`
 * object (a new object is a new batch: what an unfinished one left
 * pending, because its transaction failed, is dropped).
 */
export interface InParts {
  readonly part: (events: ReadonlyArray<EventStore.RecordedEvent>, batch: Batch) => Steps<void>
  readonly finish: (batch: Batch) => Steps<void>
}

const inPartsOf = new WeakMap<Prepared, InParts>()

/** Says that a prepared projection can take a batch in parts (the library's read models). */
export const withParts = (prepared: Prepared, parts: InParts): Prepared => {
  inPartsOf.set(prepared, parts)
  return prepared
}

/** How the projection takes a batch in parts, if it can (else: one `apply` per part). */
export const partsOf = (prepared: Prepared): InParts | undefined => inPartsOf.get(prepared)
