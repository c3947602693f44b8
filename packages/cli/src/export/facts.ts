/**
 * The process facts of an event, as an analyst may have them: what
 * happened, when, in which mentorship (pseudonymised), in which phase, by
 * whom (role and pseudonym), how (modality, duration) and how many (counts),
 * and never what was said.
 *
 * The fields are chosen one by one for each event type (a `switch` the
 * type checker makes exhaustive, so a new event type cannot be exported
 * before someone decides what of it may go out). No field annotated as
 * `Content` is ever read: content (summaries, SWOT analyses, goals, notes…)
 * only becomes a count (`goals`, `topics`). Free texts that are not
 * content (a programme's name is kept; a training course's name is not)
 * are decided here too. Every person, mentorship, meeting, task and event
 * id is replaced by its keyed pseudonym; programme and template ids are
 * organisational and kept.
 *
 * The phase after each event needs the mentorship's history: a
 * {@link Tracker} keeps, per mentorship, its programme, template, phase,
 * meeting count and participants (a few hundred bytes each, so memory is
 * bounded by the number of mentorships, not of events).
 *
 * @since 0.1.0
 */
import type { EventStore, Roles, Template } from "@mentor-ledger/core"
import type { Pseudonymise } from "../pseudonyms.js"

/**
 * One exported event: process facts only.
 * @since 0.1.0
 * @category models
 */
export interface Fact {
  /** The event's pseudonym. */
  readonly event: string
  readonly type: string
  readonly organisation: string
  readonly stream: "mentorship" | "programme"
  readonly mentorship: string | null
  readonly programme: string | null
  readonly programmeName: string | null
  readonly template: string | null
  /** The mentorship's phase after this event. */
  readonly phase: Template.Phase | null
  readonly occurredAt: string
  readonly recordedAt: string
  readonly actorRole: Roles.Role
  readonly actor: string
  /** The person the event is about (enrolled mentor, erased person, report recipient…). */
  readonly person: string | null
  readonly personRole: string | null
  readonly meeting: string | null
  readonly task: string | null
  readonly modality: string | null
  readonly durationMinutes: number | null
  readonly planning: boolean | null
  /** Meetings held so far, this one included (MeetingHeld). */
  readonly meetingNumber: number | null
  readonly plannedMeetings: number | null
  readonly cadenceDays: number | null
  readonly mentees: number | null
  readonly mentors: number | null
  readonly participants: number | null
  readonly goals: number | null
  readonly topics: number | null
  readonly citedItems: number | null
  readonly assignees: number | null
  readonly capacity: number | null
  readonly templates: number | null
  /** A category (withdrawal or cancellation reason), never free text. */
  readonly reason: string | null
  /** The kind of item consented to (`summary`, `task`…). */
  readonly item: string | null
  readonly scheduledFor: string | null
  readonly dueOn: string | null
}

/** The fields of a {@link Fact}, in export order (the CSV columns). @since 0.1.0 @category models */
export const columns: ReadonlyArray<keyof Fact> = [
  "event",
  "type",
  "organisation",
  "stream",
  "mentorship",
  "programme",
  "programmeName",
  "template",
  "phase",
  "occurredAt",
  "recordedAt",
  "actorRole",
  "actor",
  "person",
  "personRole",
  "meeting",
  "task",
  "modality",
  "durationMinutes",
  "planning",
  "meetingNumber",
  "plannedMeetings",
  "cadenceDays",
  "mentees",
  "mentors",
  "participants",
  "goals",
  "topics",
  "citedItems",
  "assignees",
  "capacity",
  "templates",
  "reason",
  "item",
  "scheduledFor",
  "dueOn"
]

/** What is known of one mentorship while reading its events. @since 0.1.0 @category models */
export interface MentorshipTrack {
  readonly id: string
  readonly organisation: string
  programme: string
  template: string
  phase: Template.Phase
  meetingsHeld: number
  mentees: ReadonlyArray<string>
  mentors: ReadonlyArray<string>
  supervisor: string | null
  requestedAt: Date
}

/**
 * What the export remembers across events: per mentorship its
 * {@link MentorshipTrack}, per programme its name.
 * @since 0.1.0
 * @category models
 */
export class Tracker {
  readonly mentorships = new Map<string, MentorshipTrack>()
  readonly programmes = new Map<string, string>()

  static key(organisation: string, id: string): string {
    return `${organisation}\u0000${id.toLowerCase()}`
  }

  mentorship(organisation: string, id: string): MentorshipTrack | undefined {
    return this.mentorships.get(Tracker.key(organisation, id))
  }

  programmeName(organisation: string, id: string): string | null {
    return this.programmes.get(Tracker.key(organisation, id)) ?? null
  }

  /** Folds one event in; returns the mentorship's track after it (if the event is a mentorship's). */
  observe(recorded: EventStore.RecordedEvent): MentorshipTrack | undefined {
    const e = recorded.event
    const org = recorded.organisation
    if (e._tag === "ProgrammeLaunched") this.programmes.set(Tracker.key(org, e.programmeId), e.name)
    if (recorded.streamType !== "Mentorship" || !("mentorshipId" in e)) return undefined
    const key = Tracker.key(org, e.mentorshipId)
    if (e._tag === "MentoringRequested") {
      const track: MentorshipTrack = {
        id: e.mentorshipId,
        organisation: org,
        programme: e.programmeId,
        template: e.template.id,
        phase: "requested",
        meetingsHeld: 0,
        mentees: e.menteeIds,
        mentors: [],
        supervisor: e.supervisorId,
        requestedAt: e.occurredAt
      }
      this.mentorships.set(key, track)
      return track
    }
    const t = this.mentorships.get(key)
    if (t === undefined) return undefined
    switch (e._tag) {
      case "MentorMatched":
        t.phase = "matched"
        t.mentors = e.mentorIds
        break
      case "OpeningDiscussionHeld":
        t.phase = "opening"
        break
      case "AgreementSigned":
        t.phase = "agreement"
        break
      case "MeetingHeld":
        t.meetingsHeld += 1
        if (t.phase === "agreement") t.phase = "meetings"
        break
      case "EvaluationHeld":
        t.phase = "evaluation"
        break
      case "ClosingDiscussionHeld":
        t.phase = "closing"
        break
      case "FollowUpScheduled":
        t.phase = "follow-up"
        break
      case "MentorshipCompleted":
        t.phase = "completed"
        break
      case "MentorshipWithdrawn":
        t.phase = "withdrawn"
        break
      default:
        break
    }
    return t
  }

  /** The role a person holds in a mentorship, if any. */
  roleIn(track: MentorshipTrack | undefined, personId: string): string | null {
    if (track === undefined) return null
    const id = personId.toLowerCase()
    if (track.mentees.some((m) => m.toLowerCase() === id)) return "mentee"
    if (track.mentors.some((m) => m.toLowerCase() === id)) return "mentor"
    if (track.supervisor?.toLowerCase() === id) return "supervisor"
    return null
  }
}

const empty = {
  mentorship: null,
  programme: null,
  programmeName: null,
  template: null,
  phase: null,
  person: null,
  personRole: null,
  meeting: null,
  task: null,
  modality: null,
  durationMinutes: null,
  planning: null,
  meetingNumber: null,
  plannedMeetings: null,
  cadenceDays: null,
  mentees: null,
  mentors: null,
  participants: null,
  goals: null,
  topics: null,
  citedItems: null,
  assignees: null,
  capacity: null,
  templates: null,
  reason: null,
  item: null,
  scheduledFor: null,
  dueOn: null
} as const

type Specific = Partial<
  Omit<
    Fact,
    "event" | "type" | "organisation" | "stream" | "occurredAt" | "recordedAt" | "actorRole" | "actor"
  >
>

/**
 * Folds the event into the tracker and returns its process facts.
 * @since 0.1.0
 * @category facts
 */
export const factOf = (recorded: EventStore.RecordedEvent, tracker: Tracker, p: Pseudonymise): Fact => {
  const track = tracker.observe(recorded)
  const e = recorded.event
  const org = recorded.organisation
  const person = (id: string, role: string | null): Specific => ({ person: p(id), personRole: role })
  let specific: Specific
  switch (e._tag) {
    // -- programme stream
    case "ProgrammeLaunched":
      specific = { programme: e.programmeId, templates: e.templates.length }
      break
    case "CoordinatorAppointed":
      specific = { programme: e.programmeId, ...person(e.coordinatorId, "coordinator") }
      break
    case "TemplateDefined":
      specific = { programme: e.programmeId, template: e.template.id }
      break
    case "MentorEnrolled":
      specific = { programme: e.programmeId, ...person(e.mentorId, "mentor"), capacity: e.capacity }
      break
    case "MentorTrainingCompleted":
      // The course's name is free text about a person's training: left out.
      specific = { programme: e.programmeId, ...person(e.mentorId, "mentor") }
      break
    case "MentorsAssigned":
    case "MentorsReleased":
      specific = { programme: e.programmeId, mentorship: p(e.mentorshipId), mentors: e.mentorIds.length }
      break
    // -- mentorship stream
    case "MentoringRequested":
      specific = { mentees: e.menteeIds.length }
      break
    case "MentorMatched":
      specific = { mentors: e.mentorIds.length }
      break
    case "OpeningDiscussionHeld":
      specific = { participants: e.participantIds.length }
      break
    case "SelfAssessmentSubmitted":
      specific = person(e.menteeId, "mentee")
      break
    case "AgreementSigned":
      specific = {
        goals: e.goals.length,
        topics: e.topics.length,
        plannedMeetings: e.plannedMeetings,
        cadenceDays: e.cadenceDays,
        participants: e.signatories.length
      }
      break
    case "ObservationRecorded":
      specific = {}
      break
    case "MeetingScheduled":
      specific = { meeting: p(e.meetingId), modality: e.modality, scheduledFor: e.scheduledFor.toISOString() }
      break
    case "MeetingHeld":
      specific = {
        meeting: p(e.meetingId),
        modality: e.modality,
        durationMinutes: e.durationMinutes,
        planning: e.planning,
        meetingNumber: track?.meetingsHeld ?? null
      }
      break
    case "MeetingCancelled":
      specific = { meeting: p(e.meetingId), reason: e.reason }
      break
    case "SummaryDrafted":
    case "SummaryAmended":
    case "SummaryFinalised":
      specific = { meeting: p(e.meetingId) }
      break
    case "TaskAssigned":
      specific = {
        task: p(e.taskId),
        assignees: e.assigneeIds.length,
        dueOn: e.dueOn === null ? null : e.dueOn.toISOString()
      }
      break
    case "TaskCompleted":
      specific = { task: p(e.taskId) }
      break
    case "ConsentGiven":
    case "ConsentRevoked":
      specific = { item: e.item.kind }
      break
    case "EvaluationHeld":
      specific = { participants: e.participantIds.length }
      break
    case "ClosingDiscussionHeld":
      specific = { participants: e.participantIds.length, durationMinutes: e.durationMinutes }
      break
    case "ReportDelivered":
      specific = { ...person(e.recipientId, "supervisor"), citedItems: e.citedItems.length }
      break
    case "FollowUpScheduled":
      specific = { dueOn: e.dueOn.toISOString() }
      break
    case "FollowUpHeld":
    case "MentorshipCompleted":
      specific = {}
      break
    case "MentorshipWithdrawn":
      specific = { reason: e.reason }
      break
    case "PersonalDataErased":
      specific = person(e.personId, tracker.roleIn(track, e.personId))
      break
  }
  const programme = specific.programme ?? track?.programme ?? null
  return {
    event: p(recorded.eventId),
    type: e._tag,
    organisation: org,
    stream: recorded.streamType === "Mentorship" ? "mentorship" : "programme",
    ...empty,
    ...(track === undefined ? {} : { mentorship: p(track.id), template: track.template, phase: track.phase }),
    ...specific,
    programme,
    programmeName: programme === null ? null : tracker.programmeName(org, programme),
    occurredAt: e.occurredAt.toISOString(),
    recordedAt: recorded.recordedAt.toISOString(),
    actorRole: e.actor.role,
    actor: p(e.actor.personId)
  }
}

/**
 * The objects an event concerns, for OCEL 2.0: the mentorship, its
 * programme, the actor (as a mentor, mentee or supervisor object), the
 * meeting, and the people it names, each with a qualifier.
 * @since 0.1.0
 * @category facts
 */
export interface Link {
  readonly type: "mentorship" | "programme" | "mentor" | "mentee" | "supervisor" | "coordinator" | "meeting"
  /** The pseudonym (or programme id). */
  readonly id: string
  readonly qualifier: string
}

/** The objects an event relates to (see {@link Link}); call after {@link factOf}. @since 0.1.0 @category facts */
export const linksOf = (
  recorded: EventStore.RecordedEvent,
  tracker: Tracker,
  p: Pseudonymise
): ReadonlyArray<Link> => {
  const e = recorded.event
  const track = "mentorshipId" in e ? tracker.mentorship(recorded.organisation, e.mentorshipId) : undefined
  const links: Array<Link> = []
  const seen = new Set<string>()
  const add = (link: Link) => {
    const key = `${link.type}:${link.id}:${link.qualifier}`
    if (seen.has(key)) return
    seen.add(key)
    links.push(link)
  }
  if ("mentorshipId" in e) add({ type: "mentorship", id: p(e.mentorshipId), qualifier: "mentorship" })
  const programme = "programmeId" in e ? e.programmeId : track?.programme
  if (programme !== undefined) add({ type: "programme", id: programme, qualifier: "programme" })
  const role = e.actor.role
  if (role === "mentor" || role === "mentee" || role === "supervisor" || role === "coordinator")
    add({ type: role, id: p(e.actor.personId), qualifier: "actor" })
  const people = (ids: ReadonlyArray<string>, type: "mentor" | "mentee", qualifier: string) => {
    for (const id of ids) add({ type, id: p(id), qualifier })
  }
  const asParticipant = (id: string) => {
    const r = tracker.roleIn(track, id)
    if (r === "mentor" || r === "mentee" || r === "supervisor")
      add({ type: r, id: p(id), qualifier: "participant" })
  }
  switch (e._tag) {
    case "CoordinatorAppointed":
      add({ type: "coordinator", id: p(e.coordinatorId), qualifier: "appointed" })
      break
    case "MentorEnrolled":
      people([e.mentorId], "mentor", "enrolled")
      break
    case "MentorTrainingCompleted":
      people([e.mentorId], "mentor", "trained")
      break
    case "MentorsAssigned":
      add({ type: "mentorship", id: p(e.mentorshipId), qualifier: "mentorship" })
      people(e.mentorIds, "mentor", "assigned")
      break
    case "MentorsReleased":
      people(e.mentorIds, "mentor", "released")
      break
    case "MentoringRequested":
      people(e.menteeIds, "mentee", "mentee")
      if (e.supervisorId !== null) add({ type: "supervisor", id: p(e.supervisorId), qualifier: "supervisor" })
      break
    case "MentorMatched":
      people(e.mentorIds, "mentor", "mentor")
      break
    case "OpeningDiscussionHeld":
    case "EvaluationHeld":
    case "ClosingDiscussionHeld":
      for (const id of e.participantIds) asParticipant(id)
      break
    case "AgreementSigned":
      for (const id of e.signatories) {
        const r = tracker.roleIn(track, id)
        if (r === "mentor" || r === "mentee") add({ type: r, id: p(id), qualifier: "signatory" })
      }
      break
    case "SelfAssessmentSubmitted":
      people([e.menteeId], "mentee", "self-assessed")
      break
    case "MeetingScheduled":
    case "MeetingHeld":
    case "MeetingCancelled":
    case "SummaryDrafted":
    case "SummaryAmended":
    case "SummaryFinalised":
      add({ type: "meeting", id: p(e.meetingId), qualifier: "meeting" })
      break
    case "TaskAssigned":
      people(e.assigneeIds, "mentee", "assignee")
      break
    case "ReportDelivered":
      add({ type: "supervisor", id: p(e.recipientId), qualifier: "recipient" })
      break
    case "PersonalDataErased": {
      const r = tracker.roleIn(track, e.personId)
      if (r === "mentor" || r === "mentee" || r === "supervisor")
        add({ type: r, id: p(e.personId), qualifier: "erased" })
      break
    }
    default:
      break
  }
  return links
}
