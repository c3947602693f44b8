/**
 * The reference model of a mentoring process: phase, counts and sets, and
 * a table of who may do what in which phase. It is written from the rules
 * of PRODUCT.md and docs/domain.md, not from `Mentorship.decide`, so that
 * the two can be checked against each other.
 */
import { type Events, type Ids, type Mentorship, type Roles, type Rules, Template } from "@mentor-ledger/core"

type PersonId = Ids.PersonId
type Phase = Template.Phase
type Rule = Rules.Rule
type Command = Mentorship.Command

/** The people and ids of one mentorship scenario. */
export interface Cast {
  readonly programmeId: Ids.ProgrammeId
  readonly mentorshipId: Ids.MentorshipId
  readonly coordinator: PersonId
  readonly supervisor: PersonId
  /** The mentor pool: enrolled and trained. */
  readonly mentors: ReadonlyArray<PersonId>
  readonly mentees: ReadonlyArray<PersonId>
  /** Takes part in nothing. */
  readonly outsider: PersonId
}

export type Verdict =
  | {
      readonly _tag: "Accepted"
      /** The event types recorded, mentorship events first, then the pool's. */
      readonly events: ReadonlyArray<Events.EventType>
      readonly phase: Phase
    }
  | { readonly _tag: "Refused"; readonly rule: Rule }

export interface MeetingModel {
  status: "scheduled" | "held" | "cancelled"
  summary: "none" | "drafted" | "finalised"
  amendedBy: Array<PersonId>
}

export interface PoolMentor {
  readonly capacity: number
  readonly trained: boolean
  /** Open mentorships the mentor is assigned to. */
  load: number
}

/** A mentorship as the model sees it. Mutable: {@link apply} updates it in place. */
export interface Model {
  readonly template: Template.ProcessTemplate
  readonly cast: Cast
  /** The programme's mentor pool; several models may share one. */
  readonly pool: Map<PersonId, PoolMentor>
  phase: Phase | "none"
  mentees: ReadonlyArray<PersonId>
  mentors: ReadonlyArray<PersonId>
  supervisor: PersonId | null
  swot: Set<PersonId>
  held: number
  meetings: Map<string, MeetingModel>
  observations: Set<string>
  tasks: Map<string, { readonly assignees: ReadonlyArray<PersonId>; readonly done: Set<PersonId> }>
  /** Per item key (`kind:id`), the mentees who consented to share it. */
  consents: Map<string, Set<PersonId>>
  evaluated: boolean
  reported: boolean
  followUp: "none" | "scheduled" | "held"
  erased: Set<PersonId>
  /** How many commands were tried on this model (used to make fresh ids). */
  attempts: number
}

export const makePool = (mentors: ReadonlyArray<PersonId>, capacity: number): Map<PersonId, PoolMentor> =>
  new Map(mentors.map((m) => [m, { capacity, trained: true, load: 0 }]))

export const make = (
  template: Template.ProcessTemplate,
  cast: Cast,
  pool: Map<PersonId, PoolMentor> = makePool(cast.mentors, 5)
): Model => ({
  template,
  cast,
  pool,
  phase: "none",
  mentees: [],
  mentors: [],
  supervisor: null,
  swot: new Set(),
  held: 0,
  meetings: new Map(),
  observations: new Set(),
  tasks: new Map(),
  consents: new Map(),
  evaluated: false,
  reported: false,
  followUp: "none",
  erased: new Set(),
  attempts: 0
})

// ---------------------------------------------------------------------------
// Who may do what, and when
// ---------------------------------------------------------------------------

const beforeAgreement: ReadonlyArray<Phase> = ["matched", "opening"]
const working: ReadonlyArray<Phase> = ["agreement", "meetings"]
const open: ReadonlyArray<Phase> = [
  "matched",
  "opening",
  "agreement",
  "meetings",
  "evaluation",
  "closing",
  "follow-up"
]

interface Permission {
  readonly roles: ReadonlyArray<Roles.Role>
  readonly step?: Template.Step
  readonly phases?: ReadonlyArray<Phase>
}

/** The commands every mentorship command table row covers (all but request and erasure). */
export const permissions: Readonly<
  Record<Exclude<Command["_tag"], "RequestMentoring" | "ErasePersonalData">, Permission>
> = {
  MatchMentor: { roles: ["coordinator"], phases: ["requested"] },
  HoldOpeningDiscussion: { roles: ["mentor"], step: "opening-discussion", phases: ["matched"] },
  SubmitSelfAssessment: { roles: ["mentee"], step: "self-assessment", phases: beforeAgreement },
  SignAgreement: { roles: ["mentor", "mentee"], phases: beforeAgreement },
  RecordObservation: { roles: ["mentor"], step: "observation", phases: working },
  ScheduleMeeting: { roles: ["mentor", "mentee"], phases: working },
  HoldMeeting: { roles: ["mentor", "mentee"], phases: working },
  CancelMeeting: { roles: ["mentor", "mentee"], phases: working },
  DraftSummary: { roles: ["mentor"], phases: open },
  AmendSummary: { roles: ["mentee"], phases: open },
  FinaliseSummary: { roles: ["mentor", "mentee"], phases: open },
  AssignTask: { roles: ["mentor"], phases: working },
  CompleteTask: { roles: ["mentee"], phases: open },
  GiveConsent: { roles: ["mentee"], phases: open },
  RevokeConsent: { roles: ["mentee"], phases: open },
  HoldEvaluation: { roles: ["mentor"], step: "evaluation", phases: ["meetings"] },
  // The closing discussion checks its phase itself: it follows the evaluation when there is one.
  HoldClosingDiscussion: { roles: ["mentor"], step: "closing-discussion" },
  DeliverReport: { roles: ["mentor"], step: "report", phases: ["closing"] },
  ScheduleFollowUp: { roles: ["mentor", "coordinator"], step: "follow-up", phases: ["closing"] },
  HoldFollowUp: { roles: ["mentor"], step: "follow-up", phases: ["follow-up"] },
  CompleteMentorship: { roles: ["mentor", "coordinator"] },
  WithdrawMentorship: { roles: ["mentor", "mentee", "coordinator"] }
}

const has = (m: Model, step: Template.Step) => Template.hasStep(m.template, step)
const terminal = (phase: Phase | "none") => phase === "completed" || phase === "withdrawn"
const isIn = (p: PersonId, ps: ReadonlyArray<PersonId>) => ps.includes(p)
const lacks = (required: ReadonlyArray<PersonId>, given: ReadonlyArray<PersonId>) =>
  required.some((p) => !given.includes(p))
const outside = (given: ReadonlyArray<PersonId>, allowed: ReadonlyArray<PersonId>) =>
  given.some((p) => !allowed.includes(p))
const distinct = (ps: ReadonlyArray<PersonId>) => new Set(ps).size === ps.length
const withSupervisor = (m: Model): ReadonlyArray<PersonId> =>
  m.template.supervisorTakesPart && m.supervisor !== null ? [m.supervisor] : []
const everyone = (m: Model): ReadonlyArray<PersonId> => [
  ...m.mentors,
  ...m.mentees,
  ...(m.supervisor === null ? [] : [m.supervisor])
]

/** The mentees an item belongs to, or null when there is no such item. */
export const owners = (m: Model, kind: string, id: string): ReadonlyArray<PersonId> | null => {
  switch (kind) {
    case "self-assessment":
      return m.swot.has(id as PersonId) ? [id as PersonId] : null
    case "summary": {
      const meeting = m.meetings.get(id)
      return meeting !== undefined && meeting.summary !== "none" ? m.mentees : null
    }
    case "amendment": {
      const meeting = m.meetings.get(id)
      return meeting !== undefined && meeting.amendedBy.length > 0 ? meeting.amendedBy : null
    }
    case "observation":
      return m.observations.has(id) ? m.mentees : null
    case "task":
      return m.tasks.get(id)?.assignees ?? null
    case "evaluation":
      return m.evaluated && id === m.cast.mentorshipId ? m.mentees : null
    default:
      return null
  }
}

/** Whether the supervisor may see an item (and a report cite it): every mentee it belongs to consented. */
export const shared = (m: Model, kind: string, id: string): boolean => {
  const needed = owners(m, kind, id)
  const given = m.consents.get(`${kind}:${id}`)
  return needed !== null && given !== undefined && needed.every((p) => given.has(p))
}

const refused = (rule: Rule): Verdict => ({ _tag: "Refused", rule })
const accepted = (m: Model, events: ReadonlyArray<Events.EventType>, phase?: Phase): Verdict => ({
  _tag: "Accepted",
  events,
  phase: phase ?? (m.phase as Phase)
})

/** The pool's part of a match: each mentor enrolled, trained and with a free place. */
const poolRefuses = (m: Model, mentorIds: ReadonlyArray<PersonId>): Rule | null => {
  for (const id of mentorIds) {
    const mentor = m.pool.get(id)
    if (mentor === undefined) return "mentor-not-enrolled"
    if (!mentor.trained) return "mentor-untrained"
    if (mentor.load >= mentor.capacity) return "mentor-over-capacity"
  }
  return null
}

/** What the ending of a mentorship records: the pool frees its mentors when it had any. */
const ending = (m: Model, event: Events.EventType): ReadonlyArray<Events.EventType> =>
  m.mentors.length > 0 ? [event, "MentorsReleased"] : [event]

/**
 * What the process rules say about a command: accepted (with the event
 * types it records and the phase after it) or refused (with the rule).
 */
export const verdict = (m: Model, c: Command): Verdict => {
  const actor = c.actor
  if (c._tag === "RequestMentoring") {
    if (m.phase !== "none") return refused("mentorship-exists")
    if (!["mentee", "supervisor", "coordinator"].includes(actor.role)) return refused("role-not-permitted")
    if (actor.role === "mentee" && !isIn(actor.personId, c.menteeIds)) return refused("not-a-participant")
    if (actor.role === "supervisor" && c.supervisorId !== actor.personId) return refused("not-a-participant")
    const { min, max } = c.template.mentees
    if (!distinct(c.menteeIds) || c.menteeIds.length < min || c.menteeIds.length > max)
      return refused("group-size")
    if (c.template.supervisorTakesPart && c.supervisorId === null) return refused("participants-missing")
    if (c.supervisorId !== null && isIn(c.supervisorId, c.menteeIds)) return refused("supervisor-is-mentee")
    return accepted(m, ["MentoringRequested"], "requested")
  }
  if (m.phase === "none") return refused("mentorship-not-found")
  if (c._tag === "ErasePersonalData") {
    if (actor.personId !== c.personId && actor.role !== "coordinator") return refused("role-not-permitted")
    if (!isIn(c.personId, everyone(m))) return refused("person-not-involved")
    if (m.erased.has(c.personId)) return refused("already-erased")
    return accepted(m, ["PersonalDataErased"])
  }
  if (terminal(m.phase)) return refused("mentorship-closed")
  const permission = permissions[c._tag]
  if (!(permission.roles as ReadonlyArray<string>).includes(actor.role)) return refused("role-not-permitted")
  const holds =
    actor.role === "mentor"
      ? isIn(actor.personId, m.mentors)
      : actor.role === "mentee"
        ? isIn(actor.personId, m.mentees)
        : actor.role === "supervisor"
          ? m.supervisor === actor.personId
          : // The decider takes a coordinator's word; the ledger checks it against the programme.
            actor.role === "coordinator"
  if (!holds) return refused("not-a-participant")
  if (m.erased.has(actor.personId)) return refused("already-erased")
  if (permission.step !== undefined && !has(m, permission.step)) return refused("step-not-in-template")
  const phase = m.phase
  if (permission.phases !== undefined && !permission.phases.includes(phase)) return refused("phase-order")
  const enoughMeetings = m.held >= m.template.meetings.min
  switch (c._tag) {
    case "MatchMentor": {
      const { min, max } = m.template.mentors
      if (!distinct(c.mentorIds) || c.mentorIds.length < min || c.mentorIds.length > max)
        return refused("group-size")
      if (c.mentorIds.some((id) => isIn(id, m.mentees))) return refused("self-mentoring")
      if (m.supervisor !== null && isIn(m.supervisor, c.mentorIds)) return refused("mentor-is-supervisor")
      const pool = poolRefuses(m, c.mentorIds)
      return pool === null ? accepted(m, ["MentorMatched", "MentorsAssigned"], "matched") : refused(pool)
    }
    case "HoldOpeningDiscussion":
      if (lacks([...m.mentees, ...withSupervisor(m)], c.participantIds))
        return refused("participants-missing")
      if (!c.participantIds.some((p) => isIn(p, m.mentors))) return refused("participants-missing")
      if (outside(c.participantIds, everyone(m))) return refused("person-not-involved")
      return accepted(m, ["OpeningDiscussionHeld"], "opening")
    case "SubmitSelfAssessment":
      return m.swot.has(actor.personId) ? refused("duplicate-id") : accepted(m, ["SelfAssessmentSubmitted"])
    case "SignAgreement": {
      if (has(m, "opening-discussion") && phase !== "opening") return refused("phase-order")
      if (has(m, "self-assessment") && m.mentees.some((p) => !m.swot.has(p)))
        return refused("self-assessment-required")
      if (!c.confidentiality) return refused("confidentiality-commitment")
      const { min, max } = m.template.meetings
      if (c.plannedMeetings < min || c.plannedMeetings > max) return refused("meeting-limit")
      if (lacks([...m.mentors, ...m.mentees], c.signatories)) return refused("signatures-missing")
      if (outside(c.signatories, [...m.mentors, ...m.mentees])) return refused("person-not-involved")
      return accepted(m, ["AgreementSigned"], "agreement")
    }
    case "RecordObservation":
      return m.observations.has(c.observationId)
        ? refused("duplicate-id")
        : accepted(m, ["ObservationRecorded"])
    case "ScheduleMeeting": {
      if (m.meetings.has(c.meetingId)) return refused("duplicate-id")
      const scheduled = [...m.meetings.values()].filter((x) => x.status === "scheduled").length
      if (m.held + scheduled >= m.template.meetings.max) return refused("meeting-limit")
      return accepted(m, ["MeetingScheduled"])
    }
    case "HoldMeeting": {
      const meeting = m.meetings.get(c.meetingId)
      if (meeting !== undefined && meeting.status !== "scheduled") return refused("meeting-not-open")
      if (m.held >= m.template.meetings.max) return refused("meeting-limit")
      return accepted(m, ["MeetingHeld"], "meetings")
    }
    case "CancelMeeting": {
      const meeting = m.meetings.get(c.meetingId)
      if (meeting === undefined) return refused("unknown-meeting")
      if (meeting.status !== "scheduled") return refused("meeting-not-open")
      return accepted(m, ["MeetingCancelled"])
    }
    case "DraftSummary": {
      const meeting = m.meetings.get(c.meetingId)
      if (meeting === undefined) return refused("unknown-meeting")
      if (meeting.status !== "held") return refused("meeting-not-held")
      if (meeting.summary !== "none") return refused("summary-exists")
      return accepted(m, ["SummaryDrafted"])
    }
    case "AmendSummary":
    case "FinaliseSummary": {
      const meeting = m.meetings.get(c.meetingId)
      if (meeting === undefined) return refused("unknown-meeting")
      if (meeting.summary === "none") return refused("summary-missing")
      if (meeting.summary === "finalised") return refused("summary-finalised")
      return accepted(m, [c._tag === "AmendSummary" ? "SummaryAmended" : "SummaryFinalised"])
    }
    case "AssignTask":
      if (m.tasks.has(c.taskId)) return refused("duplicate-id")
      if (c.assigneeIds.length === 0) return refused("participants-missing")
      if (outside(c.assigneeIds, m.mentees)) return refused("person-not-involved")
      return accepted(m, ["TaskAssigned"])
    case "CompleteTask": {
      const task = m.tasks.get(c.taskId)
      if (task === undefined) return refused("unknown-task")
      if (!isIn(actor.personId, task.assignees)) return refused("not-a-participant")
      if (task.done.has(actor.personId)) return refused("task-completed")
      return accepted(m, ["TaskCompleted"])
    }
    case "GiveConsent":
    case "RevokeConsent": {
      const needed = owners(m, c.item.kind, c.item.id)
      if (needed === null || !isIn(actor.personId, needed)) return refused("unknown-item")
      const given = m.consents.get(`${c.item.kind}:${c.item.id}`)?.has(actor.personId) ?? false
      if (c._tag === "GiveConsent")
        return given ? refused("consent-unchanged") : accepted(m, ["ConsentGiven"])
      return given ? accepted(m, ["ConsentRevoked"]) : refused("consent-unchanged")
    }
    case "HoldEvaluation":
      if (!enoughMeetings) return refused("minimum-meetings")
      if (lacks(m.mentees, c.participantIds) || !c.participantIds.some((p) => isIn(p, m.mentors)))
        return refused("participants-missing")
      if (outside(c.participantIds, [...m.mentors, ...m.mentees])) return refused("person-not-involved")
      return accepted(m, ["EvaluationHeld"], "evaluation")
    case "HoldClosingDiscussion":
      if (phase !== (has(m, "evaluation") ? "evaluation" : "meetings")) return refused("phase-order")
      if (!enoughMeetings) return refused("minimum-meetings")
      if (lacks([...m.mentees, ...withSupervisor(m)], c.participantIds))
        return refused("participants-missing")
      if (!c.participantIds.some((p) => isIn(p, m.mentors))) return refused("participants-missing")
      if (outside(c.participantIds, everyone(m))) return refused("person-not-involved")
      if (c.durationMinutes < m.template.closingMinutes) return refused("closing-too-short")
      return accepted(m, ["ClosingDiscussionHeld"], "closing")
    case "DeliverReport":
      if (m.reported) return refused("phase-order")
      if (c.recipientId !== m.supervisor) return refused("report-recipient")
      if (c.citedItems.some((i) => owners(m, i.kind, i.id) === null)) return refused("unknown-item")
      if (c.citedItems.some((i) => !shared(m, i.kind, i.id))) return refused("report-cites-unconsented")
      return accepted(m, ["ReportDelivered"])
    case "ScheduleFollowUp":
      if (!m.reported) return refused("report-required")
      if (c.dueOn !== undefined && c.dueOn.getTime() < c.occurredAt.getTime()) return refused("date-order")
      return accepted(m, ["FollowUpScheduled"], "follow-up")
    case "HoldFollowUp":
      return m.followUp === "held" ? refused("phase-order") : accepted(m, ["FollowUpHeld"])
    case "CompleteMentorship": {
      if (has(m, "follow-up"))
        return m.followUp === "held"
          ? accepted(m, ending(m, "MentorshipCompleted"), "completed")
          : refused("follow-up-required")
      if (has(m, "report"))
        return m.reported
          ? accepted(m, ending(m, "MentorshipCompleted"), "completed")
          : refused("report-required")
      const last = has(m, "closing-discussion") ? "closing" : has(m, "evaluation") ? "evaluation" : "meetings"
      if (phase !== last) return refused("phase-order")
      if (!enoughMeetings) return refused("minimum-meetings")
      return accepted(m, ending(m, "MentorshipCompleted"), "completed")
    }
    case "WithdrawMentorship":
      return accepted(m, ending(m, "MentorshipWithdrawn"), "withdrawn")
  }
}

/**
 * Decides a command on the model and, when it is accepted, applies it.
 * Returns the verdict.
 */
export const apply = (m: Model, c: Command): Verdict => {
  const v = verdict(m, c)
  m.attempts++
  if (v._tag === "Refused") return v
  const actor = c.actor.personId
  switch (c._tag) {
    case "RequestMentoring":
      m.mentees = c.menteeIds
      m.supervisor = c.supervisorId
      break
    case "MatchMentor":
      m.mentors = c.mentorIds
      for (const id of c.mentorIds) m.pool.get(id)!.load++
      break
    case "SubmitSelfAssessment":
      m.swot.add(actor)
      break
    case "RecordObservation":
      m.observations.add(c.observationId)
      break
    case "ScheduleMeeting":
      m.meetings.set(c.meetingId, { status: "scheduled", summary: "none", amendedBy: [] })
      break
    case "HoldMeeting":
      m.meetings.set(c.meetingId, { status: "held", summary: "none", amendedBy: [] })
      m.held++
      break
    case "CancelMeeting":
      m.meetings.get(c.meetingId)!.status = "cancelled"
      break
    case "DraftSummary":
      m.meetings.get(c.meetingId)!.summary = "drafted"
      break
    case "AmendSummary": {
      const meeting = m.meetings.get(c.meetingId)!
      if (!meeting.amendedBy.includes(actor)) meeting.amendedBy.push(actor)
      break
    }
    case "FinaliseSummary":
      m.meetings.get(c.meetingId)!.summary = "finalised"
      break
    case "AssignTask":
      m.tasks.set(c.taskId, { assignees: c.assigneeIds, done: new Set() })
      break
    case "CompleteTask":
      m.tasks.get(c.taskId)!.done.add(actor)
      break
    case "GiveConsent":
    case "RevokeConsent": {
      const key = `${c.item.kind}:${c.item.id}`
      const given = m.consents.get(key) ?? new Set()
      if (c._tag === "GiveConsent") given.add(actor)
      else given.delete(actor)
      m.consents.set(key, given)
      break
    }
    case "HoldEvaluation":
      m.evaluated = true
      break
    case "DeliverReport":
      m.reported = true
      break
    case "ScheduleFollowUp":
      m.followUp = "scheduled"
      break
    case "HoldFollowUp":
      m.followUp = "held"
      break
    case "CompleteMentorship":
    case "WithdrawMentorship":
      for (const id of m.mentors) m.pool.get(id)!.load--
      break
    case "ErasePersonalData":
      m.erased.add(c.personId)
      break
  }
  m.phase = v.phase
  return v
}

/** What the model and the real system can both tell: the process facts. */
export interface Observed {
  readonly phase: Phase | "none"
  readonly menteeCount: number
  readonly mentorCount: number
  readonly selfAssessments: number
  readonly meetingsHeld: number
  readonly meetingsScheduled: number
  readonly summariesFinalised: number
  readonly observations: number
  readonly tasks: number
  readonly tasksCompleted: number
  /** Items the supervisor may see. */
  readonly sharedItems: ReadonlyArray<string>
  readonly evaluationHeld: boolean
  readonly reportDelivered: boolean
  readonly followUp: "none" | "scheduled" | "held"
  readonly erased: number
}

const countWhere = <A>(xs: Iterable<A>, f: (a: A) => boolean) => {
  let n = 0
  for (const x of xs) if (f(x)) n++
  return n
}

export const observe = (m: Model): Observed => ({
  phase: m.phase,
  menteeCount: m.mentees.length,
  mentorCount: m.mentors.length,
  selfAssessments: m.swot.size,
  meetingsHeld: m.held,
  meetingsScheduled: countWhere(m.meetings.values(), (x) => x.status === "scheduled"),
  summariesFinalised: countWhere(m.meetings.values(), (x) => x.summary === "finalised"),
  observations: m.observations.size,
  tasks: m.tasks.size,
  tasksCompleted: countWhere(m.tasks.values(), (t) => t.assignees.every((a) => t.done.has(a))),
  sharedItems: [...m.consents.keys()]
    .filter((key) => {
      const [kind, ...id] = key.split(":")
      return shared(m, kind!, id.join(":"))
    })
    .sort(),
  evaluationHeld: m.evaluated,
  reportDelivered: m.reported,
  followUp: m.followUp,
  erased: m.erased.size
})
