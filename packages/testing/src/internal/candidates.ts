/**
 * The commands worth trying in a state of the reference model: one or a
 * few per kind, with fresh ids, plus a few kinds that break a rule on
 * purpose. Derived from the model only, never from the decider.
 */
import { type Content, Ids, type Mentorship } from "@mentor-ledger/core"
import { type Model, owners, shared } from "./process.js"

type PersonId = Ids.PersonId
type Command = Mentorship.Command

/** A kind of command the walk and the model-based test try. */
export const kinds = [
  "request",
  "request-group",
  "match",
  "opening",
  "self-assessment",
  "agreement",
  "observation",
  "schedule-meeting",
  "hold-meeting",
  "hold-scheduled-meeting",
  "cancel-meeting",
  "draft-summary",
  "amend-summary",
  "finalise-summary",
  "assign-task",
  "complete-task",
  "give-consent",
  "revoke-consent",
  "evaluation",
  "closing",
  "report",
  "schedule-follow-up",
  "hold-follow-up",
  "complete",
  "withdraw",
  "erase",
  // Commands that break a rule on purpose (the model refuses them).
  "summary-by-mentee-as-mentor",
  "meeting-by-outsider",
  "meeting-by-supervisor",
  "report-citing-unconsented",
  "agreement-missing-signature"
] as const
export type Kind = (typeof kinds)[number]

/** The kinds made to break a rule. */
export const deliberate: ReadonlyArray<Kind> = [
  "summary-by-mentee-as-mentor",
  "meeting-by-outsider",
  "meeting-by-supervisor",
  "report-citing-unconsented",
  "agreement-missing-signature"
]

export interface Candidate {
  readonly kind: Kind
  readonly command: Command
}

/** The first day of every scenario: Monday 5 January 2026, 09:00 UTC. */
export const base = new Date(Date.UTC(2026, 0, 5, 9))
/** Day `n` of a scenario. */
export const day = (n: number): Date => new Date(base.getTime() + n * 86_400_000)

/**
 * A fresh id for attempt `i` (`k` tells the ids of one attempt apart). A
 * uuid by construction, so it is cast to a branded id, not validated:
 * walks make thousands.
 */
export const freshId = (i: number, k: number): string => Ids.sequentialId(1000 + i * 10 + k)

/** The items a mentee may consent to share, as the model knows them. */
export const items = (m: Model): ReadonlyArray<Content.ContentRef> => {
  const out: Array<Content.ContentRef> = []
  for (const [id, meeting] of m.meetings) {
    if (meeting.summary !== "none") out.push({ kind: "summary", id })
    if (meeting.amendedBy.length > 0) out.push({ kind: "amendment", id })
  }
  for (const id of m.swot) out.push({ kind: "self-assessment", id })
  for (const id of m.observations) out.push({ kind: "observation", id })
  for (const id of m.tasks.keys()) out.push({ kind: "task", id })
  if (m.evaluated) out.push({ kind: "evaluation", id: m.cast.mentorshipId })
  return out
}

/** The commands worth trying next, for attempt number `m.attempts`. */
export const candidates = (m: Model): ReadonlyArray<Candidate> => {
  const i = m.attempts
  const { cast, template } = m
  const occurredAt = day(i)
  const mentorshipId = cast.mentorshipId
  const coordinator = { personId: cast.coordinator, role: "coordinator" } as const
  const common = { mentorshipId, occurredAt }
  const out: Array<Candidate> = []
  const add = (kind: Kind, command: Command) => out.push({ kind, command })

  const request = (menteeIds: ReadonlyArray<PersonId>): Command => ({
    _tag: "RequestMentoring",
    actor: coordinator,
    ...common,
    programmeId: cast.programmeId,
    template,
    menteeIds,
    supervisorId: cast.supervisor
  })
  add("request", request(cast.mentees.slice(0, template.mentees.min)))
  add("request-group", request(cast.mentees.slice(0, Math.min(template.mentees.max, cast.mentees.length))))
  if (m.phase === "none") return out

  const mentor = { personId: m.mentors[0] ?? cast.mentors[0]!, role: "mentor" } as const
  const menteeIds = m.mentees.length > 0 ? m.mentees : cast.mentees.slice(0, 1)
  const mentee = { personId: menteeIds[i % menteeIds.length]!, role: "mentee" } as const
  const everyone = [...m.mentors, ...m.mentees, ...(m.supervisor === null ? [] : [m.supervisor])]
  const meetings = [...m.meetings.entries()]
  const held = meetings.filter(([, x]) => x.status === "held").map(([id]) => id as Ids.MeetingId)
  const scheduled = meetings.filter(([, x]) => x.status === "scheduled").map(([id]) => id as Ids.MeetingId)
  const all = items(m)
  const consented = all.filter((it) => shared(m, it.kind, it.id))
  const unconsented = all.filter((it) => !shared(m, it.kind, it.id))

  add("match", {
    _tag: "MatchMentor",
    actor: coordinator,
    ...common,
    mentorIds: cast.mentors.slice(0, template.mentors.min)
  })
  add("opening", {
    _tag: "HoldOpeningDiscussion",
    actor: mentor,
    ...common,
    participantIds: everyone,
    expectations: "Clear goals, honest feedback"
  })
  add("self-assessment", {
    _tag: "SubmitSelfAssessment",
    actor: mentee,
    ...common,
    strengths: "s",
    weaknesses: "w",
    opportunities: "o",
    threats: "t"
  })
  const agreement: Command = {
    _tag: "SignAgreement",
    actor: mentee,
    ...common,
    goals: ["A calm daily routine"],
    topics: ["Feedback"],
    plannedMeetings: Math.max(1, template.meetings.min),
    cadenceDays: 14,
    confidentiality: true,
    signatories: [...m.mentors, ...m.mentees]
  }
  add("agreement", agreement)
  add("observation", {
    _tag: "RecordObservation",
    actor: mentor,
    ...common,
    observationId: freshId(i, 1) as Ids.ObservationId,
    note: "n"
  })
  add("schedule-meeting", {
    _tag: "ScheduleMeeting",
    actor: mentor,
    ...common,
    meetingId: freshId(i, 2) as Ids.MeetingId,
    scheduledFor: day(i + 3),
    modality: "video"
  })
  add("hold-meeting", {
    _tag: "HoldMeeting",
    actor: mentor,
    ...common,
    meetingId: freshId(i, 3) as Ids.MeetingId,
    modality: "in-person",
    durationMinutes: 60,
    planning: false
  })
  for (const meetingId of scheduled) {
    add("hold-scheduled-meeting", {
      _tag: "HoldMeeting",
      actor: mentee,
      ...common,
      meetingId,
      modality: "phone",
      durationMinutes: 45,
      planning: false
    })
    add("cancel-meeting", {
      _tag: "CancelMeeting",
      actor: mentor,
      ...common,
      meetingId,
      reason: "rescheduled"
    })
  }
  for (const meetingId of held) {
    add("draft-summary", { _tag: "DraftSummary", actor: mentor, ...common, meetingId, text: "summary" })
    add("amend-summary", { _tag: "AmendSummary", actor: mentee, ...common, meetingId, text: "amendment" })
    add("finalise-summary", { _tag: "FinaliseSummary", actor: mentee, ...common, meetingId })
  }
  add("assign-task", {
    _tag: "AssignTask",
    actor: mentor,
    ...common,
    taskId: freshId(i, 4) as Ids.TaskId,
    assigneeIds: [mentee.personId],
    description: "task",
    dueOn: null
  })
  for (const [taskId, task] of m.tasks)
    add("complete-task", {
      _tag: "CompleteTask",
      actor: { personId: task.assignees[0]!, role: "mentee" },
      ...common,
      taskId: taskId as Ids.TaskId,
      reflection: "r"
    })
  for (const item of all) {
    // The consent is the item's owner's to give: the owner among the mentees, taking turns.
    const owner = owners(m, item.kind, item.id) ?? []
    const by = owner.length > 0 ? owner[i % owner.length]! : mentee.personId
    add("give-consent", { _tag: "GiveConsent", actor: { personId: by, role: "mentee" }, ...common, item })
  }
  for (const item of consented) {
    const owner = owners(m, item.kind, item.id) ?? []
    const by = owner.length > 0 ? owner[i % owner.length]! : mentee.personId
    add("revoke-consent", { _tag: "RevokeConsent", actor: { personId: by, role: "mentee" }, ...common, item })
  }
  add("evaluation", {
    _tag: "HoldEvaluation",
    actor: mentor,
    ...common,
    participantIds: [...m.mentors, ...m.mentees],
    processSummary: "p"
  })
  add("closing", {
    _tag: "HoldClosingDiscussion",
    actor: mentor,
    ...common,
    participantIds: everyone,
    durationMinutes: Math.max(90, template.closingMinutes)
  })
  add("report", {
    _tag: "DeliverReport",
    actor: mentor,
    ...common,
    recipientId: m.supervisor ?? cast.supervisor,
    citedItems: consented,
    text: "report"
  })
  add("schedule-follow-up", { _tag: "ScheduleFollowUp", actor: mentor, ...common, dueOn: day(i + 90) })
  add("hold-follow-up", { _tag: "HoldFollowUp", actor: mentor, ...common, notes: "notes" })
  add("complete", { _tag: "CompleteMentorship", actor: coordinator, ...common })
  add("withdraw", { _tag: "WithdrawMentorship", actor: mentee, ...common, reason: "leave" })
  add("erase", { _tag: "ErasePersonalData", actor: coordinator, ...common, personId: mentee.personId })

  add("summary-by-mentee-as-mentor", {
    _tag: "DraftSummary",
    actor: { personId: mentee.personId, role: "mentor" },
    ...common,
    meetingId: held[0] ?? (freshId(i, 5) as Ids.MeetingId),
    text: "x"
  })
  add("meeting-by-outsider", {
    _tag: "HoldMeeting",
    actor: { personId: cast.outsider, role: "mentor" },
    ...common,
    meetingId: freshId(i, 6) as Ids.MeetingId,
    modality: "video",
    durationMinutes: 30,
    planning: false
  })
  add("meeting-by-supervisor", {
    _tag: "HoldMeeting",
    actor: { personId: cast.supervisor, role: "supervisor" },
    ...common,
    meetingId: freshId(i, 7) as Ids.MeetingId,
    modality: "video",
    durationMinutes: 30,
    planning: false
  })
  if (unconsented.length > 0)
    add("report-citing-unconsented", {
      _tag: "DeliverReport",
      actor: mentor,
      ...common,
      recipientId: m.supervisor ?? cast.supervisor,
      citedItems: [...consented, unconsented[i % unconsented.length]!],
      text: "report"
    })
  if (m.mentees.length > 0)
    add("agreement-missing-signature", {
      ...agreement,
      signatories: [...m.mentors, ...m.mentees.slice(0, -1)]
    } as Command)
  return out
}
