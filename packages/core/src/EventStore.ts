/**
 * The event store: typed events in, typed events out.
 *
 * This is the port the rest of mentor-ledger talks to. It is built once,
 * here, on top of any {@link EventJournal} adapter: it encodes and decodes
 * events with their schemas, seals (encrypts) confidential content before
 * it reaches the journal, upcasts old schema versions, interprets the
 * expected version, and makes retried appends idempotent. Adapters only
 * move rows, and never see content in clear.
 *
 * Events read back carry their content sealed: process facts (types, ids,
 * dates, counts, phases) are readable without any key, so aggregates
 * replay and statistics count; content is revealed only through `Privacy`
 * (or `Ledger.history`), for a viewer allowed to see it.
 *
 * @since 0.1.0
 */
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type { Event, EventType } from "./Events.js"
import { catalogue } from "./Events.js"
import { defaultOrganisation, IdGenerator, type OrganisationId } from "./Ids.js"
import {
  EventJournal,
  makeMemory as makeMemoryJournal,
  type EncodedEvent,
  type LogPosition,
  start,
  type StoredEvent,
  StoreError,
  type StreamAppend
} from "./EventJournal.js"
import { copyForContent, hasContent, slots } from "./internal/contentFields.js"
import { type Codec, compile, Fail } from "./internal/fastCodec.js"
import {
  changesParticipants,
  foldParticipants,
  noParticipants,
  ownersOf,
  type Participants
} from "./internal/owners.js"
import { ownersText, seal } from "./internal/sealed.js"
import type { KeyStorage } from "./KeyStorage.js"
import { KeyStore, layerMemory as keyStoreMemory, type PendingKeys, SubjectErased } from "./KeyStore.js"

export { StoreError } from "./EventJournal.js"
export type { LogPosition } from "./EventJournal.js"

// ---------------------------------------------------------------------------
// Streams and versions
// ---------------------------------------------------------------------------

/** The two kinds of stream. @since 0.1.0 @category streams */
export type StreamType = "Mentorship" | "Programme"

/**
 * A stream: one aggregate's events, within one organisation (tenant).
 * @since 0.1.0
 * @category streams
 */
export interface StreamRef {
  readonly organisation: OrganisationId
  readonly type: StreamType
  readonly id: string
}

/** The stream of a mentorship. @since 0.1.0 @category streams */
export const mentorshipStream = (
  id: string,
  organisation: OrganisationId = defaultOrganisation
): StreamRef => ({
  organisation,
  type: "Mentorship",
  id
})

/** The stream of a programme. @since 0.1.0 @category streams */
export const programmeStream = (
  id: string,
  organisation: OrganisationId = defaultOrganisation
): StreamRef => ({
  organisation,
  type: "Programme",
  id
})

/** The stored name of a stream, e.g. `mentorship-0190…`. @since 0.1.0 @category streams */
export const streamName = (ref: StreamRef): string => `${ref.type.toLowerCase()}-${ref.id}`

/**
 * What the caller expects of a stream's version when appending:
 * - `Any`: append whatever the version;
 * - `NoStream`: the stream must not exist yet;
 * - `StreamExists`: the stream must have at least one event;
 * - `Exact`: the stream's version must be exactly `version` (0: no stream).
 * @since 0.1.0
 * @category versions
 */
export type ExpectedVersion = Data.TaggedEnum<{
  Any: {}
  NoStream: {}
  StreamExists: {}
  Exact: { readonly version: number }
}>
/** @since 0.1.0 @category versions */
export const ExpectedVersion = Data.taggedEnum<ExpectedVersion>()
/** @since 0.1.0 @category versions */
export const any: ExpectedVersion = ExpectedVersion.Any()
/** @since 0.1.0 @category versions */
export const noStream: ExpectedVersion = ExpectedVersion.NoStream()
/** @since 0.1.0 @category versions */
export const streamExists: ExpectedVersion = ExpectedVersion.StreamExists()
/** @since 0.1.0 @category versions */
export const exact = (version: number): ExpectedVersion => ExpectedVersion.Exact({ version })

/** A readable form of an expected version, for errors and logs. @since 0.1.0 @category versions */
export const describeExpected = (expected: ExpectedVersion): string =>
  ExpectedVersion.$match(expected, {
    Any: () => "any",
    NoStream: () => "no stream",
    StreamExists: () => "stream exists",
    Exact: ({ version }) => `exactly ${version}`
  })

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/**
 * An append found the stream at another version than expected, or an
 * event id already stored for another event. Nothing was appended.
 * @since 0.1.0
 * @category errors
 */
export class ConcurrencyConflict extends Schema.TaggedError<ConcurrencyConflict>()("ConcurrencyConflict", {
  organisation: Schema.String,
  stream: Schema.String,
  reason: Schema.Literal("version", "event-id"),
  expected: Schema.String,
  actual: Schema.Number,
  message: Schema.String
}) {}

/**
 * A stored event could not be read: unknown type, a schema version newer
 * than this library knows, invalid JSON, or a field that does not fit its
 * schema (`path` names it).
 * @since 0.1.0
 * @category errors
 */
export class EventDecodeError extends Schema.TaggedError<EventDecodeError>()("EventDecodeError", {
  stream: Schema.String,
  version: Schema.Number,
  eventId: Schema.String,
  eventType: Schema.String,
  schemaVersion: Schema.Number,
  path: Schema.String,
  message: Schema.String
}) {}

/**
 * An event given to append does not fit its schema (`path` names the
 * field). Nothing was appended.
 * @since 0.1.0
 * @category errors
 */
export class InvalidEvent extends Schema.TaggedError<InvalidEvent>()("InvalidEvent", {
  eventType: Schema.String,
  path: Schema.String,
  message: Schema.String
}) {}

// ---------------------------------------------------------------------------
// Envelopes
// ---------------------------------------------------------------------------

/** Correlation and causation ids carried with an event. @since 0.1.0 @category envelopes */
export interface Metadata {
  readonly correlationId?: string
  readonly causationId?: string
}

/**
 * A stored event: the domain event with where and when it was recorded.
 * `event.occurredAt` is when it happened in the world; `recordedAt` is
 * when the store learnt of it.
 * @since 0.1.0
 * @category envelopes
 */
export interface RecordedEvent<E extends Event = Event> {
  readonly eventId: string
  readonly organisation: OrganisationId
  readonly stream: string
  readonly streamType: string
  readonly version: number
  readonly position: LogPosition
  readonly recordedAt: Date
  /** The schema version the event was stored with (it is upcast on read). */
  readonly storedSchemaVersion: number
  readonly metadata: Metadata
  readonly event: E
}

/** An event to append, with an optional id (for idempotent retries). @since 0.1.0 @category envelopes */
export interface NewEvent {
  readonly event: Event
  readonly eventId?: string
  readonly metadata?: Metadata
}

/** One stream's part of an atomic append. @since 0.1.0 @category envelopes */
export interface AppendRequest {
  readonly stream: StreamRef
  readonly events: ReadonlyArray<Event | NewEvent>
  readonly expected: ExpectedVersion
  readonly metadata?: Metadata
}

/**
 * The outcome of an append to one stream. `idempotent` is true when the
 * same events (by id) had been appended before and nothing new was written.
 * @since 0.1.0
 * @category envelopes
 */
export interface AppendResult {
  readonly stream: StreamRef
  readonly firstVersion: number
  readonly nextExpectedVersion: number
  readonly idempotent: boolean
}

// ---------------------------------------------------------------------------
// Codec
// ---------------------------------------------------------------------------

/** The metadata of most events: none. Shared, so frozen. */
const noMetadata: Metadata = Object.freeze({})

const formatIssue = (error: ParseResult.ParseError): { path: string; message: string } => {
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error)
  const first = issues[0]
  return first === undefined
    ? { path: "", message: error.message }
    : {
        path: first.path.map(String).join("."),
        message: issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")
      }
}

const decoders = new Map<string, (u: unknown) => Either.Either<Event, ParseResult.ParseError>>()
const encoders = new Map<string, (e: Event) => Either.Either<unknown, ParseResult.ParseError>>()
const upcasters = new Map<string, (u: unknown) => Either.Either<unknown, ParseResult.ParseError>>()
// Compiled from the same schemas, checking the same constraints; Effect
// Schema runs only when they refuse (to say why) or cannot compile a schema.
const fastDecoders = new Map<string, Codec>()
const fastEncoders = new Map<string, Codec>()
for (const def of catalogue.values()) {
  decoders.set(def.type, Schema.decodeUnknownEither(def.schema))
  encoders.set(def.type, Schema.encodeEither(def.schema))
  const decode = compile(def.schema.ast, "decode")
  if (decode !== undefined) fastDecoders.set(def.type, decode)
  const encode = compile(def.schema.ast, "encode")
  if (encode !== undefined) fastEncoders.set(def.type, encode)
  for (const u of def.upcasters) upcasters.set(`${def.type}@${u.from}`, Schema.decodeUnknownEither(u.schema))
}

/**
 * Decodes a stored row into a typed event, upcasting older schema versions.
 * @since 0.1.0
 * @category codec
 */
export const decodeRow = (row: StoredEvent): Either.Either<RecordedEvent, EventDecodeError> => {
  const fail = (path: string, message: string) =>
    Either.left(
      new EventDecodeError({
        stream: row.stream,
        version: row.version,
        eventId: row.eventId,
        eventType: row.eventType,
        schemaVersion: row.schemaVersion,
        path,
        message
      })
    )
  const def = catalogue.get(row.eventType as EventType)
  if (def === undefined) return fail("_tag", `unknown event type "${row.eventType}"`)
  if (row.schemaVersion > def.version || row.schemaVersion < 1 || !Number.isInteger(row.schemaVersion))
    return fail(
      "",
      `schema version ${row.schemaVersion} of ${row.eventType} is not known to this library (current: ${def.version}); upgrade mentor-ledger`
    )
  let payload: unknown
  // a payload parsed here, or made by an upcaster, is this function's own to change
  let owned = typeof row.payload === "string"
  try {
    payload = owned ? JSON.parse(row.payload as string) : row.payload
  } catch (e) {
    return fail("", `payload is not valid JSON: ${(e as Error).message}`)
  }
  for (let v = row.schemaVersion; v < def.version; v++) {
    const up = upcasters.get(`${row.eventType}@${v}`)!(payload)
    if (Either.isLeft(up)) {
      const { path, message } = formatIssue(up.left)
      return fail(path, `cannot upcast from version ${v}: ${message}`)
    }
    payload = up.right
    owned = true
  }
  if (typeof payload !== "object" || payload === null || Array.isArray(payload))
    return fail("", "payload is not an object")
  let input: Record<string, unknown>
  if (owned) {
    input = payload as Record<string, unknown>
    input._tag = def.type
  } else input = { ...(payload as object), _tag: def.type }
  const fast = fastDecoders.get(def.type)
  const quick = fast === undefined ? Fail : fast(input)
  let event: Event
  if (quick !== Fail) event = quick as Event
  else {
    const decoded = decoders.get(def.type)!(input)
    if (Either.isLeft(decoded)) {
      const { path, message } = formatIssue(decoded.left)
      return fail(path, message)
    }
    event = decoded.right
  }
  let metadata: Metadata = noMetadata
  try {
    if (row.metadata && row.metadata !== "{}") metadata = JSON.parse(row.metadata) as Metadata
  } catch {
    return fail("metadata", "metadata is not valid JSON")
  }
  return Either.right({
    eventId: row.eventId,
    organisation: row.organisation,
    stream: row.stream,
    streamType: row.streamType,
    version: row.version,
    position: row.position,
    recordedAt: row.recordedAt,
    storedSchemaVersion: row.schemaVersion,
    metadata,
    event
  })
}

const encodePayload = (
  event: Event
): Either.Either<
  { readonly type: EventType; readonly version: number; readonly payload: object },
  InvalidEvent
> => {
  const tag = (event as { _tag?: unknown })?._tag
  const def = typeof tag === "string" ? catalogue.get(tag as EventType) : undefined
  if (def === undefined)
    return Either.left(
      new InvalidEvent({
        eventType: String(tag),
        path: "_tag",
        message: `unknown event type "${String(tag)}"`
      })
    )
  const fast = fastEncoders.get(def.type)
  const quick = fast === undefined ? Fail : fast(event)
  let output: Record<string, unknown>
  if (quick !== Fail) output = quick as Record<string, unknown>
  else {
    const encoded = encoders.get(def.type)!(event)
    if (Either.isLeft(encoded)) {
      const { path, message } = formatIssue(encoded.left)
      return Either.left(new InvalidEvent({ eventType: def.type, path, message }))
    }
    // content is sealed in place later: copy what Effect may share with the event
    output = copyForContent(def.type, { ...(encoded.right as Record<string, unknown>) })
  }
  // the output is a fresh object either way (the compiled encoder builds
  // every struct and array anew): drop the tag in place
  delete output._tag
  return Either.right({ type: def.type, version: def.version, payload: output })
}

const toRow = (
  encoded: { readonly type: EventType; readonly version: number; readonly payload: object },
  event: Event,
  eventId: string,
  recordedAt: Date,
  metadata: Metadata
): EncodedEvent => ({
  eventId,
  eventType: encoded.type,
  schemaVersion: encoded.version,
  payload: JSON.stringify(encoded.payload),
  metadata: metadata === noMetadata ? "{}" : JSON.stringify(metadata),
  occurredAt: event.occurredAt,
  recordedAt
})

/**
 * Encodes a typed event for storage (current schema version), checking it
 * against its schema. Content stays in clear here: the {@link EventStore}
 * seals it before the row reaches a journal, so never hand this function's
 * output to a journal yourself (test kits use it to make rows).
 * @since 0.1.0
 * @category codec
 */
export const encodeEvent = (
  event: Event,
  eventId: string,
  recordedAt: Date,
  metadata: Metadata = {}
): Either.Either<EncodedEvent, InvalidEvent> =>
  Either.map(encodePayload(event), (encoded) => toRow(encoded, event, eventId, recordedAt, metadata))

// ---------------------------------------------------------------------------
// The service
// ---------------------------------------------------------------------------

/** @since 0.1.0 @category service */
export interface ReadStreamOptions {
  /** Only events from this version on (default 1): a reader that knows the stream up to `n` passes `n + 1`. */
  readonly fromVersion?: number
  /** Only events up to this version. */
  readonly toVersion?: number
  /** Only events that had happened by then (by `occurredAt`). */
  readonly occurredUntil?: Date
  /** Only events the store had recorded by then (by `recordedAt`). */
  readonly recordedUntil?: Date
}

/** @since 0.1.0 @category service */
export interface ReadAllOptions {
  /** Start strictly after this position (default: the beginning). */
  readonly after?: LogPosition
  /** How many rows to read per batch (default 1,000). */
  readonly batchSize?: number
  /** Only this organisation's events. */
  readonly organisation?: OrganisationId
}

/** Everything an append can fail with. @since 0.1.0 @category service */
export type AppendError = ConcurrencyConflict | InvalidEvent | SubjectErased | StoreError

/** @since 0.1.0 @category service */
export interface EventStoreService {
  /**
   * Appends events to one stream, atomically, checking the expected
   * version. Content is sealed under its owners' keys first; content owned
   * by an erased person is refused with `SubjectErased`.
   */
  readonly append: (
    stream: StreamRef,
    events: ReadonlyArray<Event | NewEvent>,
    options?: { readonly expected?: ExpectedVersion; readonly metadata?: Metadata }
  ) => Effect.Effect<AppendResult, AppendError>
  /** Appends to several streams in one transaction: all land, or none. */
  readonly appendMany: (
    requests: ReadonlyArray<AppendRequest>
  ) => Effect.Effect<ReadonlyArray<AppendResult>, AppendError>
  /** Reads one stream's events in order, decoded and upcast, content sealed. */
  readonly readStream: (
    stream: StreamRef,
    options?: ReadStreamOptions
  ) => Effect.Effect<ReadonlyArray<RecordedEvent>, EventDecodeError | StoreError>
  /** Reads the global log in order, in bounded batches. */
  readonly readAll: (options?: ReadAllOptions) => Stream.Stream<RecordedEvent, EventDecodeError | StoreError>
  /** A stream's current version (0: it does not exist). */
  readonly version: (stream: StreamRef) => Effect.Effect<number, StoreError>
}

/**
 * The event store as an Effect service.
 *
 * @example
 * import { Effect } from "effect"
 * import { EventStore } from "@mentor-ledger/core"
 * const history = Effect.flatMap(EventStore.EventStore, (store) =>
 *   store.readStream(EventStore.mentorshipStream(mentorshipId)))
 * @since 0.1.0
 * @category service
 */
export class EventStore extends Context.Tag("@mentor-ledger/core/EventStore")<
  EventStore,
  EventStoreService
>() {}

const isNewEvent = (e: Event | NewEvent): e is NewEvent => "event" in e && !("_tag" in e)

/** How many mentorships' participants the store remembers (least recently learnt go first). */
const participantsCacheSize = 10_000

/**
 * Builds the event store on the {@link EventJournal} and {@link KeyStore}
 * in context.
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<EventStoreService, never, EventJournal | IdGenerator | KeyStore> =
  Effect.gen(function* () {
    const journal = yield* EventJournal
    const ids = yield* IdGenerator
    const keys = yield* KeyStore

    // Sealing needs a mentorship's participants, which live in its stream.
    // The store remembers them per stream with the version they are as of,
    // and catches up by reading only the rows it has not seen.
    const participants = new Map<string, { readonly version: number; readonly participants: Participants }>()
    const participantsKey = (organisation: string, mentorshipId: string) =>
      `${organisation}\u0000${mentorshipId}`
    const learn = (key: string, version: number, p: Participants) => {
      const known = participants.get(key)
      if (known !== undefined && known.version >= version) return
      participants.delete(key)
      if (participants.size >= participantsCacheSize) participants.delete(participants.keys().next().value!)
      participants.set(key, { version, participants: p })
    }
    const catchUp = (organisation: OrganisationId, mentorshipId: string) =>
      Effect.gen(function* () {
        const key = participantsKey(organisation, mentorshipId)
        const known = participants.get(key) ?? { version: 0, participants: noParticipants }
        const rows = yield* journal.readStream(
          organisation,
          streamName(mentorshipStream(mentorshipId, organisation)),
          {
            fromVersion: known.version + 1
          }
        )
        let p = known.participants
        let version = known.version
        for (const row of rows) {
          if (changesParticipants(row.eventType)) {
            const decoded = decodeRow(row)
            if (Either.isLeft(decoded))
              return yield* Effect.fail(
                new StoreError({
                  reason: "Corrupt",
                  message: `cannot read the participants of mentorship ${mentorshipId}: ${decoded.left.message}`,
                  cause: decoded.left
                })
              )
            p = foldParticipants(p, decoded.right.event)
          }
          version = row.version
        }
        learn(key, version, p)
        return p
      })

    const conflict = (ref: StreamRef, expected: ExpectedVersion, actual: number) =>
      new ConcurrencyConflict({
        organisation: ref.organisation,
        stream: streamName(ref),
        reason: "version",
        expected: describeExpected(expected),
        actual,
        message: `stream ${streamName(ref)} expected ${describeExpected(expected)} but is at version ${actual}`
      })

    // When the key table lives in the journal's database, a new person's
    // key is stored in the append's own transaction: one commit, not two.
    const keysInAppend =
      journal.appendWithKeys !== undefined &&
      keys.sealingKeyPending !== undefined &&
      keys.confirm !== undefined &&
      keys.storedWith !== undefined &&
      keys.storedWith === journal

    const appendMany = (
      requests: ReadonlyArray<AppendRequest>,
      attempt = 0
    ): Effect.Effect<ReadonlyArray<AppendResult>, AppendError> =>
      Effect.gen(function* () {
        const now = new Date(yield* Clock.currentTimeMillis)
        const newKeys: PendingKeys = new Map()
        const batches: Array<StreamAppend> = []
        // Participants as of this call: the stored stream, then this call's own events.
        const base = new Map<string, Participants>()
        const pending = new Map<string, Array<Event>>()
        // A mentorship's participants as stored, then this call's events for it so far.
        const settle = (key: string, p: Participants): Participants => {
          for (const e of pending.get(key) ?? []) p = foldParticipants(p, e)
          pending.delete(key)
          base.set(key, p)
          return p
        }
        /**
         * Without I/O when this call or the store already knows them (the
         * usual case); an Effect that reads the stream otherwise.
         * `assumed`: the version the append expects the mentorship's own
         * stream at. The append lands only if the stream is at that version,
         * so participants known as of it need no read.
         */
        const participantsOf = (
          organisation: OrganisationId,
          mentorshipId: string,
          assumed: number | undefined
        ): Participants | Effect.Effect<Participants, AppendError> => {
          const key = participantsKey(organisation, mentorshipId)
          const p = base.get(key)
          if (p !== undefined) return p
          if (assumed === 0) return settle(key, noParticipants)
          const known = participants.get(key)
          if (assumed !== undefined && known?.version === assumed) return settle(key, known.participants)
          return Effect.map(catchUp(organisation, mentorshipId), (read) => settle(key, read))
        }
        // Content keys derived in this call, by organisation and owners: the
        // events of one append share their mentorship's owners.
        const contentKeys = new Map<string, Uint8Array>()
        const contentKeyOf = (organisation: OrganisationId, owners: ReadonlyArray<string>, refs: string) => {
          const memo = `${organisation}\u0000${refs}`
          const known = contentKeys.get(memo)
          if (known !== undefined) return Effect.succeed(known)
          return Effect.map(
            keysInAppend
              ? keys.sealingKeyPending!(organisation, owners, newKeys)
              : keys.sealingKey(organisation, owners),
            (key) => {
              contentKeys.set(memo, key)
              return key
            }
          )
        }
        for (const request of requests) {
          const events: Array<EncodedEvent> = []
          const organisation = request.stream.organisation
          const stream = streamName(request.stream)
          for (const item of request.events) {
            const e = isNewEvent(item) ? item : { event: item }
            const eventId = e.eventId ?? (yield* ids.next)
            const metadata =
              request.metadata === undefined && e.metadata === undefined
                ? noMetadata
                : { ...request.metadata, ...e.metadata }
            const result = encodePayload(e.event)
            if (Either.isLeft(result)) return yield* Effect.fail(result.left)
            const encoded = result.right
            const payload = encoded.payload
            if (hasContent(encoded.type)) {
              const mentorshipId = (e.event as { readonly mentorshipId?: unknown }).mentorshipId
              if (typeof mentorshipId !== "string")
                return yield* Effect.fail(
                  new InvalidEvent({
                    eventType: encoded.type,
                    path: "mentorshipId",
                    message: "content needs the mentorship it belongs to"
                  })
                )
              const own = request.stream.type === "Mentorship" && request.stream.id === mentorshipId
              const assumed = !own
                ? undefined
                : request.expected._tag === "NoStream"
                  ? 0
                  : request.expected._tag === "Exact"
                    ? request.expected.version
                    : undefined
              const known = participantsOf(organisation, mentorshipId, assumed)
              const owners = ownersOf(e.event, Effect.isEffect(known) ? yield* known : known)
              const refs = ownersText(owners)
              const contentKey = yield* contentKeyOf(organisation, owners, refs)
              for (const slot of slots(encoded.type, payload))
                slot.set(
                  seal(slot.value, contentKey, refs, { organisation, stream, eventId, path: slot.path })
                )
            }
            if (
              changesParticipants(encoded.type) &&
              request.stream.type === "Mentorship" &&
              request.stream.id === (e.event as { readonly mentorshipId?: unknown }).mentorshipId
            ) {
              const key = participantsKey(organisation, request.stream.id)
              const known = base.get(key)
              if (known !== undefined) base.set(key, foldParticipants(known, e.event))
              else pending.set(key, [...(pending.get(key) ?? []), e.event])
            }
            events.push(toRow(encoded, e.event, eventId, now, metadata))
          }
          const wanted = request.expected
          const expected: number | "any" =
            wanted._tag === "Any"
              ? "any"
              : wanted._tag === "NoStream"
                ? 0
                : wanted._tag === "Exact"
                  ? wanted.version
                  : yield* Effect.flatMap(
                      journal.streamVersion(request.stream.organisation, streamName(request.stream)),
                      (v) =>
                        v === 0
                          ? Effect.fail(conflict(request.stream, request.expected, 0))
                          : // Streams never shrink: once it exists, any version will do.
                            Effect.succeed<number | "any">("any")
                    )
          batches.push({
            organisation: request.stream.organisation,
            stream: streamName(request.stream),
            streamType: request.stream.type,
            expected,
            events
          })
        }
        const appended =
          newKeys.size === 0
            ? journal.append(batches)
            : Effect.tap(
                journal.appendWithKeys!(
                  batches,
                  Array.from(newKeys.values(), (k) => k.stored)
                ),
                () => keys.confirm!(newKeys)
              )
        return yield* appended.pipe(
          Effect.map((appended) =>
            appended.map((a, i) => {
              rememberAppended(requests[i]!, a.firstVersion, a.lastVersion)
              return {
                stream: requests[i]!.stream,
                firstVersion: a.firstVersion,
                nextExpectedVersion: a.lastVersion,
                idempotent: false
              }
            })
          ),
          Effect.catchTags({
            StreamVersionMismatch: (m) => {
              const request = requests.find(
                (r) => streamName(r.stream) === m.stream && r.stream.organisation === m.organisation
              )!
              return Effect.fail(conflict(request.stream, request.expected, m.actual))
            },
            DuplicateEventId: (d) => idempotentRetry(requests, batches, d.eventIds),
            KeyNotStored: (refused) =>
              refused.erased
                ? Effect.fail(
                    new SubjectErased({
                      organisation: refused.organisation,
                      subject: refused.subject,
                      message: `${refused.subject} was erased in ${refused.organisation}; no new key is issued for it`
                    })
                  )
                : // another writer stored the person's key first: seal again with theirs
                  attempt < 3
                  ? appendMany(requests, attempt + 1)
                  : Effect.fail(
                      new StoreError({
                        reason: "Unknown",
                        message: `the key of ${refused.subject} kept being stored by another writer during the append`
                      })
                    )
          })
        )
      })

    // What this store appended to a mentorship stream it knew up to the
    // version before: its participants are known up to the new version.
    const rememberAppended = (request: AppendRequest, firstVersion: number, lastVersion: number) => {
      if (request.stream.type !== "Mentorship") return
      const key = participantsKey(request.stream.organisation, request.stream.id)
      const known =
        participants.get(key) ??
        (firstVersion === 1 ? { version: 0, participants: noParticipants } : undefined)
      if (known === undefined || known.version !== firstVersion - 1) return
      let p = known.participants
      for (const item of request.events) {
        const event = isNewEvent(item) ? item.event : item
        if (
          changesParticipants(event._tag) &&
          "mentorshipId" in event &&
          event.mentorshipId === request.stream.id
        )
          p = foldParticipants(p, event)
      }
      learn(key, lastVersion, p)
    }

    // A retried append whose events are all stored already, in the same
    // streams and order, succeeds without writing; any other reuse of an
    // event id is a conflict.
    const idempotentRetry = (
      requests: ReadonlyArray<AppendRequest>,
      batches: ReadonlyArray<StreamAppend>,
      duplicateIds: ReadonlyArray<string>
    ) =>
      Effect.gen(function* () {
        const wanted = batches.flatMap((b) => b.events.map((e) => e.eventId))
        const found = yield* journal.findEvents(wanted)
        const byId = new Map(found.map((r) => [r.eventId, r]))
        const results: Array<AppendResult> = []
        for (const [i, batch] of batches.entries()) {
          const rows = batch.events.map((e) => byId.get(e.eventId))
          const same =
            rows.length > 0 &&
            rows.every(
              (r, j) =>
                r !== undefined &&
                r.stream === batch.stream &&
                r.organisation === batch.organisation &&
                r.eventType === batch.events[j]!.eventType &&
                r.version === rows[0]!.version + j
            )
          if (!same) {
            const actual = yield* journal.streamVersion(batch.organisation, batch.stream)
            return yield* Effect.fail(
              new ConcurrencyConflict({
                organisation: batch.organisation,
                stream: batch.stream,
                reason: "event-id",
                expected: describeExpected(requests[i]!.expected),
                actual,
                message: `event id(s) ${duplicateIds.join(", ")} are already stored for other events`
              })
            )
          }
          results.push({
            stream: requests[i]!.stream,
            firstVersion: rows[0]!.version,
            nextExpectedVersion: rows[rows.length - 1]!.version,
            idempotent: true
          })
        }
        return results
      })

    const decodeAll = (rows: ReadonlyArray<StoredEvent>) =>
      Effect.suspend(() => {
        const out: Array<RecordedEvent> = new Array(rows.length)
        for (let i = 0; i < rows.length; i++) {
          const d = decodeRow(rows[i]!)
          if (Either.isLeft(d)) return Effect.fail(d.left)
          out[i] = d.right
        }
        return Effect.succeed(out)
      })

    const service: EventStoreService = {
      append: (stream, events, options = {}) =>
        Effect.map(
          appendMany([
            {
              stream,
              events,
              expected: options.expected ?? any,
              ...(options.metadata === undefined ? {} : { metadata: options.metadata })
            }
          ]),
          (results) => results[0]!
        ),
      appendMany: (requests) => appendMany(requests),
      readStream: (stream, options = {}) =>
        journal
          .readStream(stream.organisation, streamName(stream), {
            ...(options.fromVersion === undefined ? {} : { fromVersion: options.fromVersion }),
            ...(options.toVersion === undefined ? {} : { toVersion: options.toVersion }),
            ...(options.recordedUntil === undefined ? {} : { recordedUntil: options.recordedUntil })
          })
          .pipe(
            Effect.flatMap(decodeAll),
            Effect.tap((events) => {
              // A whole stream read tells the participants as of its last version.
              const last = events[events.length - 1]
              if (
                stream.type !== "Mentorship" ||
                last === undefined ||
                (options.fromVersion !== undefined && options.fromVersion > 1) ||
                options.toVersion !== undefined ||
                options.recordedUntil !== undefined
              )
                return
              let p = noParticipants
              for (const e of events)
                if (
                  changesParticipants(e.event._tag) &&
                  "mentorshipId" in e.event &&
                  e.event.mentorshipId === stream.id
                )
                  p = foldParticipants(p, e.event)
              learn(participantsKey(stream.organisation, stream.id), last.version, p)
            }),
            Effect.map((events) =>
              options.occurredUntil === undefined
                ? events
                : events.filter((e) => e.event.occurredAt.getTime() <= options.occurredUntil!.getTime())
            )
          ),
      readAll: (options = {}) => {
        const limit = options.batchSize ?? 1000
        return Stream.paginateChunkEffect(options.after ?? start, (after) =>
          journal
            .readAll({
              after,
              limit,
              ...(options.organisation === undefined ? {} : { organisation: options.organisation })
            })
            .pipe(
              Effect.flatMap(decodeAll),
              Effect.map((events) => {
                const last = events[events.length - 1]
                return [
                  Chunk.unsafeFromArray(events),
                  events.length < limit || last === undefined ? Option.none() : Option.some(last.position)
                ] as const
              })
            )
        )
      },
      version: (stream) => journal.streamVersion(stream.organisation, streamName(stream))
    }
    return service
  })

/**
 * The event store on the journal and the key store in context.
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<EventStore, never, EventJournal | IdGenerator | KeyStore> = Layer.effect(
  EventStore,
  make
)

/**
 * The event store on a fresh in-memory journal and in-memory keys, for
 * tests and demos.
 * @since 0.1.0
 * @category layers
 */
export const layerMemory: Layer.Layer<EventStore | EventJournal | KeyStore | KeyStorage, never, IdGenerator> =
  layer.pipe(
    Layer.provideMerge(Layer.sync(EventJournal, () => makeMemoryJournal())),
    Layer.provideMerge(keyStoreMemory)
  )
