/**
 * Sealed content and how it is revealed.
 *
 * The event store seals every {@link Content} field before it reaches a
 * journal: AES-256-GCM under a key derived from the data keys of the
 * content's owners, bound to its place (organisation, stream, event id,
 * field path). Events read back carry content sealed; process facts stay
 * readable. This module opens content again:
 *
 * - {@link reveal} for a viewer: each content field becomes its plaintext,
 *   {@link ContentWithheld} when the viewer may not see it (see
 *   {@link Visibility}), or {@link ContentErased} when an owner's key is
 *   gone;
 * - {@link unseal} for trusted code that must see everything that still
 *   exists (a projection worker that re-seals, a migration).
 *
 * A ciphertext that was altered, or moved to another place, fails with
 * {@link SealedContentError}: it is never returned.
 *
 * @example
 * import { Effect } from "effect"
 * import { Privacy } from "@mentor-ledger/core"
 * const seen = yield* Privacy.reveal(recorded, { personId, role: "supervisor", organisation: "default" }, state)
 * if (seen.event._tag === "SummaryDrafted") {
 *   const text = seen.event.text
 *   if (Privacy.isDisclosed(text)) console.log(text)
 *   else console.log(text._tag) // "ContentWithheld" (no consent) or "ContentErased"
 * }
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { ContentKind } from "./Content.js"
import type { StoreError } from "./EventJournal.js"
import type { Event } from "./Events.js"
import type { RecordedEvent } from "./EventStore.js"
import type { OrganisationId } from "./Ids.js"
import { copyForContent, fieldsByType, hasContent, slots } from "./internal/contentFields.js"
import * as Sealed from "./internal/sealed.js"
import { KeyStore } from "./KeyStore.js"
import type { State } from "./Mentorship.js"
import { access, type Viewer, WithheldReason } from "./Visibility.js"

// ---------------------------------------------------------------------------
// Markers
// ---------------------------------------------------------------------------

/**
 * In place of content whose owner was erased: the key that sealed it is
 * gone, and nobody can read it again.
 * @since 0.1.0
 * @category markers
 */
export const ContentErased = Schema.TaggedStruct("ContentErased", { kind: ContentKind })
/** @since 0.1.0 @category markers */
export type ContentErased = typeof ContentErased.Type

/**
 * In place of content the viewer may not see; `reason` says why (e.g.
 * `not-shared`: the mentee has not consented).
 * @since 0.1.0
 * @category markers
 */
export const ContentWithheld = Schema.TaggedStruct("ContentWithheld", {
  kind: ContentKind,
  reason: WithheldReason
})
/** @since 0.1.0 @category markers */
export type ContentWithheld = typeof ContentWithheld.Type

/**
 * A content field after revealing: its plaintext, or a marker.
 * @since 0.1.0
 * @category markers
 */
export type Disclosure = string | ContentErased | ContentWithheld

/** Whether a revealed field holds its plaintext. @since 0.1.0 @category markers */
export const isDisclosed = (d: Disclosure): d is string => typeof d === "string"
/** @since 0.1.0 @category markers */
export const isErased = (d: Disclosure): d is ContentErased =>
  typeof d !== "string" && d._tag === "ContentErased"
/** @since 0.1.0 @category markers */
export const isWithheld = (d: Disclosure): d is ContentWithheld =>
  typeof d !== "string" && d._tag === "ContentWithheld"

// ---------------------------------------------------------------------------
// Revealed events
// ---------------------------------------------------------------------------

/**
 * The content fields of each event type (a test checks this map against
 * the schemas' annotations).
 * @since 0.1.0
 * @category models
 */
export interface ContentFields {
  readonly OpeningDiscussionHeld: "expectations"
  readonly SelfAssessmentSubmitted: "strengths" | "weaknesses" | "opportunities" | "threats"
  readonly AgreementSigned: "goals" | "topics"
  readonly ObservationRecorded: "note"
  readonly SummaryDrafted: "text"
  readonly SummaryAmended: "text"
  readonly TaskAssigned: "description"
  readonly TaskCompleted: "reflection"
  readonly EvaluationHeld: "processSummary"
  readonly ReportDelivered: "text"
  readonly FollowUpHeld: "notes"
}

type Disclose<T> = T extends string
  ? Disclosure
  : T extends ReadonlyArray<string>
    ? ReadonlyArray<Disclosure>
    : T

/**
 * An event with each content field revealed: plaintext or a marker.
 * @since 0.1.0
 * @category models
 */
export type RevealedEvent<E extends Event = Event> = E extends { readonly _tag: infer T }
  ? T extends keyof ContentFields
    ? { readonly [K in keyof E]: K extends ContentFields[T] ? Disclose<E[K]> : E[K] }
    : E
  : never

/**
 * A recorded event with its content revealed.
 * @since 0.1.0
 * @category models
 */
export interface Revealed<E extends Event = Event> extends Omit<RecordedEvent<E>, "event"> {
  readonly event: RevealedEvent<E>
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/**
 * Sealed content could not be opened, and was not returned:
 * - `tampered`: the authentication tag does not verify: the ciphertext
 *   was changed, or moved from its place (another event, field, stream or
 *   organisation);
 * - `malformed`: the field is not a sealed string of a known format (the
 *   store seals all content, so plaintext in a row means it was written
 *   around the store, or damaged);
 * - `key-missing`: an owner's key is neither stored nor recorded as
 *   erased (a lost key row, or the wrong key store).
 * @since 0.1.0
 * @category errors
 */
export class SealedContentError extends Schema.TaggedError<SealedContentError>()("SealedContentError", {
  reason: Schema.Literal("tampered", "malformed", "key-missing"),
  organisation: Schema.String,
  stream: Schema.String,
  eventId: Schema.String,
  path: Schema.String,
  message: Schema.String
}) {}

/** Everything revealing can fail with. @since 0.1.0 @category errors */
export type RevealError = SealedContentError | StoreError

// ---------------------------------------------------------------------------
// Revealing
// ---------------------------------------------------------------------------

/** Whether a content string is sealed, as the event store leaves all content. @since 0.1.0 @category sealed */
export const isSealed = (value: string): boolean => Sealed.isSealed(value)

/**
 * The owners a sealed string names (the persons whose keys open it), or
 * `undefined` if it is not a well-formed sealed string. No key is needed.
 * @since 0.1.0
 * @category sealed
 */
export const ownersOfSealed = (value: string): ReadonlyArray<string> | undefined => {
  const parsed = Sealed.parse(value)
  return typeof parsed === "string" ? undefined : parsed.owners
}

/**
 * The content fields of an event type, as paths (`goals.*` for every
 * element of a list) with their kinds, read from the schemas.
 * @since 0.1.0
 * @category sealed
 */
export const contentFieldsOf = (
  type: Event["_tag"]
): ReadonlyArray<{ readonly path: string; readonly kind: ContentKind }> =>
  (fieldsByType.get(type) ?? []).map((f) => ({
    path: f.path.map((step) => (typeof step === "string" ? step : "*")).join("."),
    kind: f.kind
  }))

/**
 * The content values of an event, with their paths and kinds (sealed,
 * plaintext or markers, as the event holds them).
 * @since 0.1.0
 * @category sealed
 */
export const contentOf = (
  event: Event | RevealedEvent
): ReadonlyArray<{ readonly path: string; readonly kind: ContentKind; readonly value: Disclosure }> => {
  const out: Array<{ readonly path: string; readonly kind: ContentKind; readonly value: Disclosure }> = []
  for (const field of fieldsByType.get(event._tag) ?? []) {
    const [name, each] = field.path
    const value = (event as any)[name as string]
    if (each === undefined) out.push({ path: String(name), kind: field.kind, value })
    else if (Array.isArray(value))
      value.forEach((v, i) => {
        out.push({ path: `${String(name)}.${i}`, kind: field.kind, value: v })
      })
  }
  return out
}

/** Who the mentorship records as erased, in lower case. */
const erasedIn = (state: State | undefined): ReadonlySet<string> =>
  state === undefined || state._tag === "Empty"
    ? new Set()
    : new Set([...state.erased].map((id) => id.toLowerCase()))

/**
 * Where a sealed string was sealed: it opens only there. A read model that
 * copies sealed content into a column keeps these with it.
 * @since 0.1.0
 * @category sealed
 */
export interface Place {
  readonly organisation: string
  /** The stored stream name, e.g. `mentorship-0190…` (`EventStore.streamName`). */
  readonly stream: string
  readonly eventId: string
  /** The field's path in the event, e.g. `text` or `goals.0`. */
  readonly path: string
}

const openOne = (
  value: string,
  kind: ContentKind,
  place: Place,
  erasedHere: ReadonlySet<string>,
  label: string
): Effect.Effect<string | ContentErased, RevealError, KeyStore> =>
  Effect.gen(function* () {
    const fail = (reason: SealedContentError["reason"], message: string) =>
      new SealedContentError({
        reason,
        organisation: place.organisation,
        stream: place.stream,
        eventId: place.eventId,
        path: place.path,
        message: `${label}${place.eventId} in ${place.stream}, field ${place.path}: ${message}`
      })
    // Content the store did not seal (a row written around it, or damaged) is never shown.
    const parsed = Sealed.parse(value)
    if (typeof parsed === "string") return yield* Effect.fail(fail("malformed", parsed))
    const erased = ContentErased.make({ kind })
    // Erased in this mentorship: no key is even looked at (another process may still cache it).
    if (parsed.owners.some((o) => erasedHere.has(o))) return erased
    const keys = yield* KeyStore
    const key = yield* keys.openingKey(place.organisation as OrganisationId, parsed.owners)
    if (key._tag === "Erased") return erased
    if (key._tag === "Missing")
      return yield* Effect.fail(
        fail("key-missing", `no key for ${key.subjects.map((s) => s.subject).join(", ")}`)
      )
    const plaintext = Sealed.open(parsed, key.key, place)
    if (plaintext === undefined)
      return yield* Effect.fail(
        fail("tampered", "the ciphertext does not verify (altered, or moved from its place)")
      )
    return plaintext
  })

/**
 * Opens one sealed string found at its place, for trusted code that has
 * already decided the reader may see it (a read model's query function):
 * its plaintext, or {@link ContentErased}. `erased` are persons the
 * mentorship records as erased (their content is not even looked at).
 * @since 0.1.0
 * @category revealing
 */
export const openSealed = (
  value: string,
  kind: ContentKind,
  place: Place,
  erased: Iterable<string> = []
): Effect.Effect<string | ContentErased, RevealError, KeyStore> =>
  openOne(value, kind, place, new Set([...erased].map((id) => id.toLowerCase())), "")

const open = <E extends Event>(
  recorded: RecordedEvent<E>,
  withheld: WithheldReason | undefined,
  state: State | undefined
): Effect.Effect<Revealed<E>, RevealError, KeyStore> =>
  Effect.gen(function* () {
    const event = recorded.event
    if (!hasContent(event._tag)) return recorded as unknown as Revealed<E>
    const copy = copyForContent(event._tag, event)
    const fields = slots(event._tag, copy)
    if (withheld !== undefined) {
      for (const f of fields) f.set(ContentWithheld.make({ kind: f.kind, reason: withheld }))
      return { ...recorded, event: copy } as unknown as Revealed<E>
    }
    const erasedHere = erasedIn(state)
    for (const f of fields) {
      const place = {
        organisation: recorded.organisation,
        stream: recorded.stream,
        eventId: recorded.eventId,
        path: f.path
      }
      f.set(yield* openOne(f.value, f.kind, place, erasedHere, `${event._tag} `))
    }
    return { ...recorded, event: copy } as unknown as Revealed<E>
  })

/**
 * Reveals a recorded event to a viewer, given the current state of its
 * mentorship (consent and erasure are read from it): each content field
 * becomes its plaintext, {@link ContentWithheld} or {@link ContentErased}.
 * Content the viewer may not see is never decrypted.
 * @since 0.1.0
 * @category revealing
 */
export const reveal = <E extends Event>(
  recorded: RecordedEvent<E>,
  viewer: Viewer,
  state: State
): Effect.Effect<Revealed<E>, RevealError, KeyStore> => {
  const decision = access(viewer, recorded, state)
  return open(recorded, decision._tag === "Withheld" ? decision.reason : undefined, state)
}

/**
 * Opens every content field that can still be opened, with no viewer:
 * plaintext, or {@link ContentErased}. For trusted code only (a projection
 * worker, a migration); never hand its result to a person.
 * @since 0.1.0
 * @category revealing
 */
export const unseal = <E extends Event>(
  recorded: RecordedEvent<E>,
  state?: State
): Effect.Effect<Revealed<E>, RevealError, KeyStore> => open(recorded, undefined, state)
