/**
 * Who may see the content of an event: the access model of PRODUCT.md
 * (Confidentiality) as pure functions.
 *
 * - Content is confidential to the mentoring pair: the mentors and the
 *   mentees of that mentorship. A mentor of another mentorship sees
 *   nothing of it.
 * - The supervisor (the ordering authority) sees the report addressed to
 *   them and the items every mentee they belong to consented to share
 *   ({@link Mentorship.isShared}); revoking consent withdraws them.
 * - Coordinators, the mentor support team and analysts see process facts
 *   only, never content.
 * - Nobody sees another organisation's content.
 *
 * Process facts (event types, ids, dates, phases, counts) are not
 * content: every role sees them. Decisions are taken on the mentorship's
 * current state, so consent revoked or a person erased since the event
 * counts.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import type { ContentRef } from "./Content.js"
import type { Event } from "./Events.js"
import { hasContent } from "./internal/contentFields.js"
import { isShared, type State } from "./Mentorship.js"
import { Role } from "./Roles.js"

/**
 * Who is looking: a person, in the role they look in, from their
 * organisation.
 * @since 0.1.0
 * @category models
 */
export const Viewer = Schema.Struct({
  personId: Schema.String,
  role: Role,
  organisation: Schema.String
}).annotations({ identifier: "Viewer" })
/** @since 0.1.0 @category models */
export type Viewer = typeof Viewer.Type

/**
 * Why content is withheld from a viewer.
 * @since 0.1.0
 * @category models
 */
export const WithheldReason = Schema.Literal(
  /** The viewer belongs to another organisation. */
  "other-organisation",
  /** The event is not of the mentorship whose state was given (or it does not exist). */
  "unknown-mentorship",
  /** Coordinators, the support team and analysts see process facts only. */
  "process-facts-only",
  /** The viewer does not hold the role they claim in this mentorship. */
  "not-a-participant",
  /** The viewer's own personal data was erased from this mentorship. */
  "viewer-erased",
  /** The supervisor sees only what every mentee it belongs to consented to share. */
  "not-shared"
)
/** @since 0.1.0 @category models */
export type WithheldReason = typeof WithheldReason.Type

/** The outcome of an access decision. @since 0.1.0 @category models */
export type Access =
  | { readonly _tag: "Visible" }
  | { readonly _tag: "Withheld"; readonly reason: WithheldReason }

const visible: Access = { _tag: "Visible" }
const withheld = (reason: WithheldReason): Access => ({ _tag: "Withheld", reason })

/**
 * The shareable item an event's content belongs to (what a mentee
 * consents to share), or `null` for content that cannot be shared:
 * expectations, the agreement, the report (it goes to its recipient) and
 * follow-up notes.
 * @since 0.1.0
 * @category access
 */
export const itemOf = (event: Event): ContentRef | null => {
  switch (event._tag) {
    case "SelfAssessmentSubmitted":
      return { kind: "self-assessment", id: event.menteeId }
    case "SummaryDrafted":
      return { kind: "summary", id: event.meetingId }
    case "SummaryAmended":
      return { kind: "amendment", id: event.meetingId }
    case "ObservationRecorded":
      return { kind: "observation", id: event.observationId }
    case "TaskAssigned":
    case "TaskCompleted":
      return { kind: "task", id: event.taskId }
    case "EvaluationHeld":
      return { kind: "evaluation", id: event.mentorshipId }
    default:
      return null
  }
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase()
const among = (ids: ReadonlyArray<string>, id: string) => ids.some((x) => same(x, id))

/**
 * Whether a viewer may see the content of a recorded event, given the
 * current state of its mentorship. Events without content are always
 * visible (they are process facts), except across organisations.
 *
 * @example
 * import { Visibility } from "@mentor-ledger/core"
 * const access = Visibility.access({ personId, role: "supervisor", organisation: "default" }, recorded, state)
 * if (access._tag === "Withheld") console.log(access.reason) // "not-shared"
 * @since 0.1.0
 * @category access
 */
export const access = (
  viewer: Viewer,
  recorded: { readonly organisation: string; readonly event: Event },
  state: State
): Access => {
  if (viewer.organisation !== recorded.organisation) return withheld("other-organisation")
  const event = recorded.event
  if (!hasContent(event._tag)) return visible
  if (state._tag === "Empty" || !("mentorshipId" in event) || !same(state.id, event.mentorshipId))
    return withheld("unknown-mentorship")
  switch (viewer.role) {
    case "coordinator":
    case "support-team":
    case "analyst":
      return withheld("process-facts-only")
    default:
      break
  }
  const holds =
    viewer.role === "mentor"
      ? among(state.mentorIds, viewer.personId)
      : viewer.role === "mentee"
        ? among(state.menteeIds, viewer.personId)
        : state.supervisorId !== null && same(state.supervisorId, viewer.personId)
  if (!holds) return withheld("not-a-participant")
  if (among([...state.erased], viewer.personId)) return withheld("viewer-erased")
  if (viewer.role !== "supervisor") return visible
  if (event._tag === "ReportDelivered" && same(event.recipientId, viewer.personId)) return visible
  const item = itemOf(event)
  return item !== null && isShared(state, item) ? visible : withheld("not-shared")
}

/** Whether the role ever sees content. @since 0.1.0 @category access */
export const seesContent = (role: Role): boolean =>
  role === "mentor" || role === "mentee" || role === "supervisor"
