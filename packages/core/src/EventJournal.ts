/**
 * The row-level storage port that a store adapter implements.
 *
 * An adapter only stores and reads encoded rows, in one transaction per
 * {@link EventJournal.append} call. Schema encoding and decoding,
 * upcasting, idempotency and the meaning of expected versions live once in
 * the core ({@link EventStore}), so adapters stay thin and behave alike.
 * Every adapter passes the conformance suite of `@mentor-ledger/testing`.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { OrganisationId } from "./Ids.js"
import type { StoredKey } from "./KeyStorage.js"

/**
 * A position in the global log. Stores order events by
 * `(transaction, sequence)`: SQLite and the in-memory store write one
 * transaction at a time and set `transaction` equal to `sequence`;
 * PostgreSQL records the writing transaction id so that a reader never
 * skips an event committed late by a concurrent writer.
 * @since 0.1.0
 * @category positions
 */
export interface LogPosition {
  readonly transaction: bigint
  readonly sequence: bigint
}

/** The position before the first event. @since 0.1.0 @category positions */
export const start: LogPosition = { transaction: 0n, sequence: 0n }

/** Orders two log positions. @since 0.1.0 @category positions */
export const compare = (a: LogPosition, b: LogPosition): -1 | 0 | 1 =>
  a.transaction < b.transaction
    ? -1
    : a.transaction > b.transaction
      ? 1
      : a.sequence < b.sequence
        ? -1
        : a.sequence > b.sequence
          ? 1
          : 0

/**
 * An event encoded for storage.
 * @since 0.1.0
 * @category rows
 */
export interface EncodedEvent {
  readonly eventId: string
  readonly eventType: string
  readonly schemaVersion: number
  /** The encoded event without its `_tag`, as JSON text. */
  readonly payload: string
  /** Caller-supplied correlation and causation ids, as JSON text. */
  readonly metadata: string
  readonly occurredAt: Date
  readonly recordedAt: Date
}

/**
 * A stored row: an encoded event with its place in its stream and in the
 * global log. Versions start at 1.
 * @since 0.1.0
 * @category rows
 */
export interface StoredEvent extends EncodedEvent {
  readonly organisation: OrganisationId
  readonly stream: string
  readonly streamType: string
  readonly version: number
  readonly position: LogPosition
}

/**
 * Events to append to one stream. `expected` is the stream's current
 * version as the caller saw it (0: the stream does not exist), or `"any"`.
 * @since 0.1.0
 * @category rows
 */
export interface StreamAppend {
  readonly organisation: OrganisationId
  readonly stream: string
  readonly streamType: string
  readonly expected: number | "any"
  readonly events: ReadonlyArray<EncodedEvent>
}

/** Where the events of one {@link StreamAppend} landed. @since 0.1.0 @category rows */
export interface StreamAppended {
  readonly organisation: OrganisationId
  readonly stream: string
  readonly firstVersion: number
  readonly lastVersion: number
}

/** @since 0.1.0 @category rows */
export interface ReadStreamOptions {
  /** Return events with `version >= fromVersion` (default 1). */
  readonly fromVersion?: number
  /** Return events with `version <= toVersion`. */
  readonly toVersion?: number
  /** Return events recorded at or before this time (what the system knew then). */
  readonly recordedUntil?: Date
}

/** @since 0.1.0 @category rows */
export interface ReadAllOptions {
  /** Return events strictly after this position. */
  readonly after: LogPosition
  /** At most this many rows (a batch). */
  readonly limit: number
  /** Only this organisation's events (default: every organisation). */
  readonly organisation?: OrganisationId
}

/**
 * A stream's version was not what the append expected: someone else
 * appended first (or the stream does not exist, or already does).
 * @since 0.1.0
 * @category errors
 */
export class StreamVersionMismatch extends Data.TaggedError("StreamVersionMismatch")<{
  readonly organisation: OrganisationId
  readonly stream: string
  readonly expected: number | "any"
  readonly actual: number
}> {}

/**
 * An event id is already stored. The core turns a retried append into
 * an idempotent success, and anything else into a conflict.
 * @since 0.1.0
 * @category errors
 */
export class DuplicateEventId extends Data.TaggedError("DuplicateEventId")<{
  readonly eventIds: ReadonlyArray<string>
}> {}

/**
 * A data key given to {@link EventJournalService.appendWithKeys} was not
 * stored: the subject's erasure is recorded (`erased`), or a concurrent
 * writer stored another key for it first. Nothing was appended.
 * @since 0.1.0
 * @category errors
 */
export class KeyNotStored extends Data.TaggedError("KeyNotStored")<{
  readonly organisation: OrganisationId
  readonly subject: string
  readonly erased: boolean
}> {}

/**
 * The storage failed. `reason` says how, so that callers can react:
 * - `Unavailable`: the database cannot be reached or opened (missing file, refused connection);
 * - `ReadOnly`: the database does not accept writes;
 * - `Locked`: another process holds a lock for too long;
 * - `SchemaTooNew`: the database was written by a newer version of mentor-ledger;
 * - `Corrupt`: a stored row is not a valid row;
 * - `Unknown`: anything else (see `cause`).
 * @since 0.1.0
 * @category errors
 */
export class StoreError extends Data.TaggedError("StoreError")<{
  readonly reason: "Unavailable" | "ReadOnly" | "Locked" | "SchemaTooNew" | "Corrupt" | "Unknown"
  readonly message: string
  readonly cause?: unknown
}> {}

/**
 * The row-level port.
 * @since 0.1.0
 * @category ports
 */
export interface EventJournalService {
  /**
   * Appends every batch in one transaction: all of them land, or none.
   * For each batch the adapter checks, inside the transaction, that the
   * stream's current version equals `expected` (unless `"any"`), and
   * numbers the new events from the current version plus one. It fails
   * with {@link StreamVersionMismatch} when the check fails or a
   * concurrent writer took the version (unique key on stream and version),
   * and with {@link DuplicateEventId} when an event id is stored already.
   */
  readonly append: (
    batches: ReadonlyArray<StreamAppend>
  ) => Effect.Effect<ReadonlyArray<StreamAppended>, StreamVersionMismatch | DuplicateEventId | StoreError>
  /**
   * Optional, for an adapter that keeps the key store's table in the same
   * database (see `KeyStorage.storedWith`): {@link EventJournalService.append},
   * storing new data keys in the same transaction, before the events, so
   * that an append meeting new persons commits once. Each key is stored
   * only if its subject has no key and no recorded erasure; otherwise the
   * append fails with {@link KeyNotStored} and nothing is written.
   */
  readonly appendWithKeys?: (
    batches: ReadonlyArray<StreamAppend>,
    keys: ReadonlyArray<StoredKey>
  ) => Effect.Effect<
    ReadonlyArray<StreamAppended>,
    StreamVersionMismatch | DuplicateEventId | KeyNotStored | StoreError
  >
  /** A stream's events in version order (empty if the stream does not exist). */
  readonly readStream: (
    organisation: OrganisationId,
    stream: string,
    options?: ReadStreamOptions
  ) => Effect.Effect<ReadonlyArray<StoredEvent>, StoreError>
  /** A batch of events in global order, strictly after `options.after`. */
  readonly readAll: (options: ReadAllOptions) => Effect.Effect<ReadonlyArray<StoredEvent>, StoreError>
  /** A stream's current version, 0 if it does not exist. */
  readonly streamVersion: (organisation: OrganisationId, stream: string) => Effect.Effect<number, StoreError>
  /** Finds stored events by id (for idempotent retries). */
  readonly findEvents: (
    eventIds: ReadonlyArray<string>
  ) => Effect.Effect<ReadonlyArray<StoredEvent>, StoreError>
}

/**
 * The row-level storage port as an Effect service.
 * @since 0.1.0
 * @category ports
 */
export class EventJournal extends Context.Tag("@mentor-ledger/core/EventJournal")<
  EventJournal,
  EventJournalService
>() {}

/**
 * Makes an in-memory journal: for tests, demos and prototypes. It keeps
 * every row in process memory and is lost when the process ends.
 * @since 0.1.0
 * @category in-memory
 */
export const makeMemory = (): EventJournalService => {
  const log: Array<StoredEvent> = []
  const streams = new Map<string, Array<StoredEvent>>()
  const byId = new Map<string, StoredEvent>()
  const key = (organisation: string, stream: string) => `${organisation}\u0000${stream}`
  const versionOf = (organisation: string, stream: string) =>
    streams.get(key(organisation, stream))?.length ?? 0
  return {
    append: (batches) =>
      Effect.suspend(
        (): Effect.Effect<ReadonlyArray<StreamAppended>, StreamVersionMismatch | DuplicateEventId> => {
          const seen = new Set<string>()
          const duplicates: Array<string> = []
          for (const batch of batches) {
            for (const e of batch.events) {
              if (byId.has(e.eventId) || seen.has(e.eventId)) duplicates.push(e.eventId)
              seen.add(e.eventId)
            }
          }
          if (duplicates.length > 0) return Effect.fail(new DuplicateEventId({ eventIds: duplicates }))
          const planned = new Map<string, number>()
          for (const batch of batches) {
            const k = key(batch.organisation, batch.stream)
            const actual = planned.get(k) ?? versionOf(batch.organisation, batch.stream)
            if (batch.expected !== "any" && batch.expected !== actual) {
              return Effect.fail(
                new StreamVersionMismatch({
                  organisation: batch.organisation,
                  stream: batch.stream,
                  expected: batch.expected,
                  actual
                })
              )
            }
            planned.set(k, actual + batch.events.length)
          }
          const results: Array<StreamAppended> = []
          for (const batch of batches) {
            const k = key(batch.organisation, batch.stream)
            let rows = streams.get(k)
            if (rows === undefined) {
              rows = []
              streams.set(k, rows)
            }
            const firstVersion = rows.length + 1
            for (const e of batch.events) {
              const sequence = BigInt(log.length + 1)
              const row: StoredEvent = {
                ...e,
                organisation: batch.organisation,
                stream: batch.stream,
                streamType: batch.streamType,
                version: rows.length + 1,
                position: { transaction: sequence, sequence }
              }
              rows.push(row)
              log.push(row)
              byId.set(e.eventId, row)
            }
            results.push({
              organisation: batch.organisation,
              stream: batch.stream,
              firstVersion,
              lastVersion: rows.length
            })
          }
          return Effect.succeed(results)
        }
      ),
    readStream: (organisation, stream, options = {}) =>
      Effect.sync(() =>
        (streams.get(key(organisation, stream)) ?? []).filter(
          (r) =>
            r.version >= (options.fromVersion ?? 1) &&
            (options.toVersion === undefined || r.version <= options.toVersion) &&
            (options.recordedUntil === undefined || r.recordedAt.getTime() <= options.recordedUntil.getTime())
        )
      ),
    readAll: ({ after, limit, organisation }) =>
      Effect.sync(() => {
        // Positions are dense (sequence n is log[n - 1]), so start there.
        const out: Array<StoredEvent> = []
        for (let i = Number(after.sequence); i < log.length && out.length < limit; i++) {
          const row = log[i]!
          if (organisation === undefined || row.organisation === organisation) out.push(row)
        }
        return out
      }),
    streamVersion: (organisation, stream) => Effect.sync(() => versionOf(organisation, stream)),
    findEvents: (eventIds) =>
      Effect.sync(() => eventIds.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : [])))
  }
}

/**
 * An in-memory {@link EventJournal}, fresh for every use of the layer.
 * @since 0.1.0
 * @category in-memory
 */
export const layerMemory: Layer.Layer<EventJournal> = Layer.sync(EventJournal, makeMemory)
