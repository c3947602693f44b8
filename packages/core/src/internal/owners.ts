/**
 * Who owns the content of an event: the persons whose data keys seal it.
 *
 * - a self-assessment: the mentee it belongs to;
 * - an amendment or a task reflection: the mentee who wrote it;
 * - everything else in a mentorship: its mentors and mentees who have not
 *   been erased (and for the opening discussion, everyone named as taking
 *   part, the supervisor too);
 * - always, the author (the event's actor).
 *
 * The mentorship's participants come from its stream; the event store
 * keeps them per stream (see {@link Participants}).
 */
import type { Event } from "../Events.js"
import { canonicalOwners } from "./sealed.js"

/** What the owner rules need to know of a mentorship: lower-case person ids. */
export interface Participants {
  readonly mentors: ReadonlyArray<string>
  readonly mentees: ReadonlyArray<string>
  readonly supervisor: string | null
  readonly erased: ReadonlySet<string>
}

export const noParticipants: Participants = { mentors: [], mentees: [], supervisor: null, erased: new Set() }

const lower = (ids: ReadonlyArray<string>) => ids.map((id) => id.toLowerCase())

/** Whether an event changes who takes part in a mentorship. */
export const changesParticipants = (type: string): boolean =>
  type === "MentoringRequested" || type === "MentorMatched" || type === "PersonalDataErased"

/** Folds one event of a mentorship's stream into its participants. */
export const foldParticipants = (p: Participants, event: Event): Participants => {
  switch (event._tag) {
    case "MentoringRequested":
      return {
        ...p,
        mentees: lower(event.menteeIds),
        supervisor: event.supervisorId === null ? null : event.supervisorId.toLowerCase()
      }
    case "MentorMatched":
      return { ...p, mentors: lower(event.mentorIds) }
    case "PersonalDataErased":
      return { ...p, erased: new Set([...p.erased, event.personId.toLowerCase()]) }
    default:
      return p
  }
}

/** The canonical owners of an event's content. */
export const ownersOf = (event: Event, p: Participants): ReadonlyArray<string> => {
  const actor = event.actor.personId
  const present = (ids: ReadonlyArray<string>) => lower(ids).filter((id) => !p.erased.has(id))
  switch (event._tag) {
    case "SelfAssessmentSubmitted":
      return canonicalOwners([event.menteeId, actor])
    case "SummaryAmended":
    case "TaskCompleted":
      return canonicalOwners([actor])
    case "OpeningDiscussionHeld":
      return canonicalOwners([
        ...present([...p.mentors, ...p.mentees]),
        ...present(event.participantIds),
        actor
      ])
    default:
      return canonicalOwners([...present([...p.mentors, ...p.mentees]), actor])
  }
}
