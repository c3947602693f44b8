/**
 * The mentorship aggregate: one mentoring process, from request to
 * follow-up, as a pure decider.
 *
 * It enforces the rules of PRODUCT.md: phase order per template, who may
 * do what, consent for what the supervisor may see, and that nothing but
 * erasure follows completion or withdrawal. A refused command yields a
 * {@link RuleViolation} naming the rule, the phase and the actor.
 *
 * @example
 * import { Either } from "effect"
 * import { Decider, Mentorship } from "@mentor-ledger/core"
 * const state = Decider.fold(Mentorship.decider, history)
 * const decided = Mentorship.decide(command, state)
 * if (Either.isLeft(decided)) console.log(decided.left.rule)
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import type * as C from "./Commands.js"
import { type ContentRef, refKey } from "./Content.js"
import type { Decider } from "./Decider.js"

import type { MentorshipEvent } from "./Events.js"
import type { MentorshipId, PersonId, ProgrammeId } from "./Ids.js"
import type { Actor, Role } from "./Roles.js"
import { RuleViolation, type Rule } from "./Rules.js"
import { hasStep, isTerminal, type Phase, type ProcessTemplate, type Step } from "./Template.js"

/** The status of one meeting. @since 0.1.0 @category state */
export interface MeetingState {
  readonly status: "scheduled" | "held" | "cancelled"
  readonly summary: "none" | "drafted" | "finalised"
  /** The mentees who amended the summary, in order. */
  readonly amendedBy: ReadonlyArray<PersonId>
  readonly scheduledFor: Date | null
  readonly heldAt: Date | null
}

/** @since 0.1.0 @category state */
export interface TaskState {
  readonly assigneeIds: ReadonlyArray<PersonId>
  /** The assignees who completed it. */
  readonly completedBy: ReadonlyArray<PersonId>
}

/**
 * A mentorship that exists.
 * @since 0.1.0
 * @category state
 */
export interface Active {
  readonly _tag: "Active"
  readonly id: MentorshipId
  readonly programmeId: ProgrammeId
  readonly template: ProcessTemplate
  readonly phase: Phase
  readonly menteeIds: ReadonlyArray<PersonId>
  readonly mentorIds: ReadonlyArray<PersonId>
  readonly supervisorId: PersonId | null
  readonly requestedAt: Date
  readonly selfAssessed: ReadonlySet<string>
  readonly meetings: ReadonlyMap<string, MeetingState>
  readonly meetingsHeld: number
  readonly lastMeetingAt: Date | null
  readonly observations: ReadonlySet<string>
  readonly tasks: ReadonlyMap<string, TaskState>
  /** Per item ({@link refKey}), the mentees who consented to share it. */
  readonly consents: ReadonlyMap<string, ReadonlySet<PersonId>>
  readonly evaluationHeld: boolean
  readonly reportDelivered: boolean
  readonly followUp: "none" | "scheduled" | "held"
  readonly followUpDue: Date | null
  readonly erased: ReadonlySet<string>
}

/** @since 0.1.0 @category state */
export type State = { readonly _tag: "Empty" } | Active

/** @since 0.1.0 @category state */
export const initialState: State = { _tag: "Empty" }

/**
 * The request command as the decider sees it: the ledger resolves the
 * template id against the programme.
 * @since 0.1.0
 * @category commands
 */
export type Request = C.Timed<Omit<C.RequestMentoring, "templateId"> & { readonly template: ProcessTemplate }>

/** The commands this decider takes. @since 0.1.0 @category commands */
export type Command = C.Timed<Exclude<C.MentorshipCommand, C.RequestMentoring>> | Request

// ---------------------------------------------------------------------------
// evolve
// ---------------------------------------------------------------------------

const updateMeeting = (s: Active, id: string, f: (m: MeetingState) => MeetingState): Active => {
  const m = s.meetings.get(id)
  if (m === undefined) return s
  const meetings = new Map(s.meetings)
  meetings.set(id, f(m))
  return { ...s, meetings }
}
const addTo = <A>(set: ReadonlySet<A>, a: A): ReadonlySet<A> => new Set(set).add(a)

/**
 * Folds one event into the state. Total: an event that does not fit the
 * state (which a decider never produces) leaves it unchanged.
 * @since 0.1.0
 * @category decider
 */
export const evolve = (state: State, event: MentorshipEvent): State => {
  if (event._tag === "MentoringRequested") {
    return {
      _tag: "Active",
      id: event.mentorshipId,
      programmeId: event.programmeId,
      template: event.template,
      phase: "requested",
      menteeIds: event.menteeIds,
      mentorIds: [],
      supervisorId: event.supervisorId,
      requestedAt: event.occurredAt,
      selfAssessed: new Set(),
      meetings: new Map(),
      meetingsHeld: 0,
      lastMeetingAt: null,
      observations: new Set(),
      tasks: new Map(),
      consents: new Map(),
      evaluationHeld: false,
      reportDelivered: false,
      followUp: "none",
      followUpDue: null,
      erased: new Set()
    }
  }
  if (state._tag === "Empty") return state
  const s = state
  switch (event._tag) {
    case "MentorMatched":
      return { ...s, phase: "matched", mentorIds: event.mentorIds }
    case "OpeningDiscussionHeld":
      return { ...s, phase: "opening" }
    case "SelfAssessmentSubmitted":
      return { ...s, selfAssessed: addTo(s.selfAssessed, event.menteeId) }
    case "AgreementSigned":
      return { ...s, phase: "agreement" }
    case "ObservationRecorded":
      return { ...s, observations: addTo(s.observations, event.observationId) }
    case "MeetingScheduled": {
      const meetings = new Map(s.meetings)
      meetings.set(event.meetingId, {
        status: "scheduled",
        summary: "none",
        amendedBy: [],
        scheduledFor: event.scheduledFor,
        heldAt: null
      })
      return { ...s, meetings }
    }
    case "MeetingHeld": {
      const meetings = new Map(s.meetings)
      const before = s.meetings.get(event.meetingId)
      meetings.set(event.meetingId, {
        status: "held",
        summary: "none",
        amendedBy: [],
        scheduledFor: before?.scheduledFor ?? null,
        heldAt: event.occurredAt
      })
      return {
        ...s,
        phase: s.phase === "agreement" ? "meetings" : s.phase,
        meetings,
        meetingsHeld: s.meetingsHeld + 1,
        lastMeetingAt:
          s.lastMeetingAt === null || s.lastMeetingAt.getTime() < event.occurredAt.getTime()
            ? event.occurredAt
            : s.lastMeetingAt
      }
    }
    case "MeetingCancelled":
      return updateMeeting(s, event.meetingId, (m) => ({ ...m, status: "cancelled" }))
    case "SummaryDrafted":
      return updateMeeting(s, event.meetingId, (m) => ({ ...m, summary: "drafted" }))
    case "SummaryAmended":
      return updateMeeting(s, event.meetingId, (m) => ({
        ...m,
        amendedBy: m.amendedBy.includes(event.actor.personId)
          ? m.amendedBy
          : [...m.amendedBy, event.actor.personId]
      }))
    case "SummaryFinalised":
      return updateMeeting(s, event.meetingId, (m) => ({ ...m, summary: "finalised" }))
    case "TaskAssigned": {
      const tasks = new Map(s.tasks)
      tasks.set(event.taskId, { assigneeIds: event.assigneeIds, completedBy: [] })
      return { ...s, tasks }
    }
    case "TaskCompleted": {
      const task = s.tasks.get(event.taskId)
      if (task === undefined) return s
      const tasks = new Map(s.tasks)
      tasks.set(event.taskId, { ...task, completedBy: [...task.completedBy, event.actor.personId] })
      return { ...s, tasks }
    }
    case "ConsentGiven":
    case "ConsentRevoked": {
      const key = refKey(event.item)
      const given = new Set(s.consents.get(key) ?? [])
      if (event._tag === "ConsentGiven") given.add(event.actor.personId)
      else given.delete(event.actor.personId)
      const consents = new Map(s.consents)
      if (given.size === 0) consents.delete(key)
      else consents.set(key, given)
      return { ...s, consents }
    }
    case "EvaluationHeld":
      return { ...s, phase: "evaluation", evaluationHeld: true }
    case "ClosingDiscussionHeld":
      return { ...s, phase: "closing" }
    case "ReportDelivered":
      return { ...s, reportDelivered: true }
    case "FollowUpScheduled":
      return { ...s, phase: "follow-up", followUp: "scheduled", followUpDue: event.dueOn }
    case "FollowUpHeld":
      return { ...s, followUp: "held" }
    case "MentorshipCompleted":
      return { ...s, phase: "completed" }
    case "MentorshipWithdrawn":
      return { ...s, phase: "withdrawn" }
    case "PersonalDataErased":
      return { ...s, erased: addTo(s.erased, event.personId) }
  }
}

// ---------------------------------------------------------------------------
// decide
// ---------------------------------------------------------------------------

type Decision = Either.Either<ReadonlyArray<MentorshipEvent>, RuleViolation>

const refuse = (command: Command, state: State, rule: Rule, message: string): Decision =>
  Either.left(
    new RuleViolation({
      rule,
      command: command._tag,
      phase: state._tag === "Empty" ? "none" : state.phase,
      actor: command.actor,
      message
    })
  )

const ok = (...events: ReadonlyArray<MentorshipEvent>): Decision => Either.right(events)

const involved = (s: Active): ReadonlyArray<string> => [
  ...s.mentorIds,
  ...s.menteeIds,
  ...(s.supervisorId === null ? [] : [s.supervisorId])
]

/** Whether the actor holds the role they claim in this mentorship. */
const holdsRole = (s: Active, actor: Actor): boolean => {
  switch (actor.role) {
    case "mentor":
      return s.mentorIds.includes(actor.personId)
    case "mentee":
      return s.menteeIds.includes(actor.personId)
    case "supervisor":
      return s.supervisorId === actor.personId
    case "coordinator":
      return true
    default:
      return false
  }
}

const list = (ids: Iterable<string>) => [...ids].join(", ")
const missingFrom = (required: Iterable<string>, given: ReadonlyArray<string>) =>
  [...required].filter((id) => !given.includes(id))
const hasDuplicates = (ids: ReadonlyArray<string>) => new Set(ids).size !== ids.length

/**
 * Checks, in order: the mentorship exists; it is not closed; the actor
 * claims a permitted role and holds it here; the actor was not erased;
 * the template has the step; the phase is one of `phases`.
 */
const guard = (
  command: Command,
  state: State,
  spec: { readonly roles: ReadonlyArray<Role>; readonly step?: Step; readonly phases?: ReadonlyArray<Phase> },
  then: (s: Active) => Decision
): Decision => {
  if (state._tag === "Empty")
    return refuse(command, state, "mentorship-not-found", `mentorship ${command.mentorshipId} does not exist`)
  if (isTerminal(state.phase))
    return refuse(
      command,
      state,
      "mentorship-closed",
      `the mentorship is ${state.phase}; only erasure may follow`
    )
  if (!spec.roles.includes(command.actor.role))
    return refuse(
      command,
      state,
      "role-not-permitted",
      `${command._tag} is for ${spec.roles.join(" or ")}, not ${command.actor.role}`
    )
  if (!holdsRole(state, command.actor))
    return refuse(
      command,
      state,
      "not-a-participant",
      `${command.actor.personId} is not a ${command.actor.role} of this mentorship`
    )
  if (state.erased.has(command.actor.personId))
    return refuse(command, state, "already-erased", `${command.actor.personId}'s personal data was erased`)
  if (spec.step !== undefined && !hasStep(state.template, spec.step))
    return refuse(
      command,
      state,
      "step-not-in-template",
      `template ${state.template.id} has no ${spec.step} step`
    )
  if (spec.phases !== undefined && !spec.phases.includes(state.phase))
    return refuse(
      command,
      state,
      "phase-order",
      `${command._tag} needs phase ${spec.phases.join(" or ")}; the mentorship is in ${state.phase}`
    )
  return then(state)
}

/**
 * The mentees whose consent an item needs before the supervisor may see it
 * or a report may cite it: the author of a self-assessment or amendment,
 * the assignees of a task, and every mentee for what concerns the whole
 * group (summaries, observations, the evaluation). `null` when the item
 * does not exist.
 * @since 0.1.0
 * @category queries
 */
export const owners = (s: Active, item: ContentRef): ReadonlyArray<PersonId> | null => {
  switch (item.kind) {
    case "self-assessment": {
      const mentee = s.menteeIds.find((m) => m === item.id)
      return mentee !== undefined && s.selfAssessed.has(mentee) ? [mentee] : null
    }
    case "summary": {
      const m = s.meetings.get(item.id)
      return m !== undefined && m.summary !== "none" ? s.menteeIds : null
    }
    case "amendment": {
      const m = s.meetings.get(item.id)
      return m !== undefined && m.amendedBy.length > 0 ? m.amendedBy : null
    }
    case "observation":
      return s.observations.has(item.id) ? s.menteeIds : null
    case "task":
      return s.tasks.get(item.id)?.assigneeIds ?? null
    case "evaluation":
      return s.evaluationHeld && item.id === s.id ? s.menteeIds : null
  }
}

/**
 * Whether an item may be shown to the supervisor (the ordering authority)
 * and cited in a report: it exists and every mentee it belongs to has
 * consented.
 * @since 0.1.0
 * @category queries
 */
export const isShared = (s: Active, item: ContentRef): boolean => {
  const needed = owners(s, item)
  const given = s.consents.get(refKey(item))
  return needed !== null && given !== undefined && needed.every((m) => given.has(m))
}

/** Minimum-meetings check shared by evaluation, closing and completion. */
const enoughMeetings = (command: Command, s: Active, then: () => Decision): Decision =>
  s.meetingsHeld < s.template.meetings.min
    ? refuse(
        command,
        s,
        "minimum-meetings",
        `template ${s.template.id} needs at least ${s.template.meetings.min} meetings; ${s.meetingsHeld} held`
      )
    : then()

const beforeAgreement: ReadonlyArray<Phase> = ["matched", "opening"]
const working: ReadonlyArray<Phase> = ["agreement", "meetings"]
const afterMatch: ReadonlyArray<Phase> = [
  "matched",
  "opening",
  "agreement",
  "meetings",
  "evaluation",
  "closing",
  "follow-up"
]

/**
 * Decides a command against the state.
 * @since 0.1.0
 * @category decider
 */
export const decide = (command: Command, state: State): Decision => {
  const at = command.occurredAt
  const actor = command.actor
  const common = { actor, occurredAt: at, mentorshipId: command.mentorshipId }
  switch (command._tag) {
    case "RequestMentoring": {
      if (state._tag !== "Empty")
        return refuse(
          command,
          state,
          "mentorship-exists",
          `mentorship ${command.mentorshipId} exists already`
        )
      if (!["mentee", "supervisor", "coordinator"].includes(actor.role))
        return refuse(command, state, "role-not-permitted", `a ${actor.role} cannot request mentoring`)
      if (actor.role === "mentee" && !command.menteeIds.includes(actor.personId))
        return refuse(
          command,
          state,
          "not-a-participant",
          "a mentee can only request mentoring for themselves"
        )
      if (actor.role === "supervisor" && command.supervisorId !== actor.personId)
        return refuse(
          command,
          state,
          "not-a-participant",
          "a supervisor can request mentoring only as the supervisor"
        )
      const { min, max } = command.template.mentees
      if (
        hasDuplicates(command.menteeIds) ||
        command.menteeIds.length < min ||
        command.menteeIds.length > max
      )
        return refuse(
          command,
          state,
          "group-size",
          `template ${command.template.id} takes ${min}–${max} distinct mentees; got ${command.menteeIds.length}`
        )
      if (command.template.supervisorTakesPart && command.supervisorId === null)
        return refuse(
          command,
          state,
          "participants-missing",
          `template ${command.template.id} needs a supervisor`
        )
      if (command.supervisorId !== null && command.menteeIds.includes(command.supervisorId))
        return refuse(command, state, "supervisor-is-mentee", "a mentee cannot be their own supervisor")
      return ok({
        _tag: "MentoringRequested",
        ...common,
        programmeId: command.programmeId,
        template: command.template,
        menteeIds: command.menteeIds,
        supervisorId: command.supervisorId
      })
    }
    case "MatchMentor":
      return guard(command, state, { roles: ["coordinator"], phases: ["requested"] }, (s) => {
        const { min, max } = s.template.mentors
        if (
          hasDuplicates(command.mentorIds) ||
          command.mentorIds.length < min ||
          command.mentorIds.length > max
        )
          return refuse(
            command,
            s,
            "group-size",
            `template ${s.template.id} takes ${min}–${max} distinct mentors; got ${command.mentorIds.length}`
          )
        const self = command.mentorIds.filter((m) => s.menteeIds.includes(m))
        if (self.length > 0)
          return refuse(command, s, "self-mentoring", `${list(self)} cannot mentor themselves`)
        if (s.supervisorId !== null && command.mentorIds.includes(s.supervisorId))
          return refuse(
            command,
            s,
            "mentor-is-supervisor",
            `${s.supervisorId} is the mentee's own supervisor`
          )
        return ok({ _tag: "MentorMatched", ...common, mentorIds: command.mentorIds })
      })
    case "HoldOpeningDiscussion":
      return guard(
        command,
        state,
        { roles: ["mentor"], step: "opening-discussion", phases: ["matched"] },
        (s) => {
          const required = [
            ...s.menteeIds,
            ...(s.template.supervisorTakesPart && s.supervisorId ? [s.supervisorId] : [])
          ]
          const missing = missingFrom(required, command.participantIds)
          if (missing.length > 0 || !command.participantIds.some((p) => s.mentorIds.includes(p)))
            return refuse(
              command,
              s,
              "participants-missing",
              `the opening discussion needs a mentor, every mentee and the supervisor; missing ${list(missing) || "a mentor"}`
            )
          const strangers = missingFrom(command.participantIds, involved(s))
          if (strangers.length > 0)
            return refuse(command, s, "person-not-involved", `${list(strangers)} not part of this mentorship`)
          return ok({
            _tag: "OpeningDiscussionHeld",
            ...common,
            participantIds: command.participantIds,
            expectations: command.expectations
          })
        }
      )
    case "SubmitSelfAssessment":
      return guard(
        command,
        state,
        { roles: ["mentee"], step: "self-assessment", phases: beforeAgreement },
        (s) =>
          s.selfAssessed.has(actor.personId)
            ? refuse(command, s, "duplicate-id", `${actor.personId} has submitted a self-assessment already`)
            : ok({
                _tag: "SelfAssessmentSubmitted",
                ...common,
                menteeId: actor.personId,
                strengths: command.strengths,
                weaknesses: command.weaknesses,
                opportunities: command.opportunities,
                threats: command.threats
              })
      )
    case "SignAgreement":
      return guard(command, state, { roles: ["mentor", "mentee"], phases: beforeAgreement }, (s) => {
        if (hasStep(s.template, "opening-discussion") && s.phase !== "opening")
          return refuse(command, s, "phase-order", "the opening discussion comes before the agreement")
        if (hasStep(s.template, "self-assessment")) {
          const missing = s.menteeIds.filter((m) => !s.selfAssessed.has(m))
          if (missing.length > 0)
            return refuse(
              command,
              s,
              "self-assessment-required",
              `self-assessment (SWOT) missing from ${list(missing)}`
            )
        }
        if (!command.confidentiality)
          return refuse(
            command,
            s,
            "confidentiality-commitment",
            "the agreement must include the mutual confidentiality commitment"
          )
        const { min, max } = s.template.meetings
        if (command.plannedMeetings < min || command.plannedMeetings > max)
          return refuse(
            command,
            s,
            "meeting-limit",
            `template ${s.template.id} plans ${min}–${max} meetings; the agreement plans ${command.plannedMeetings}`
          )
        const missing = missingFrom([...s.mentorIds, ...s.menteeIds], command.signatories)
        if (missing.length > 0)
          return refuse(command, s, "signatures-missing", `both parties sign; missing ${list(missing)}`)
        const strangers = missingFrom(command.signatories, [...s.mentorIds, ...s.menteeIds])
        if (strangers.length > 0)
          return refuse(
            command,
            s,
            "person-not-involved",
            `only mentors and mentees sign; not ${list(strangers)}`
          )
        return ok({
          _tag: "AgreementSigned",
          ...common,
          goals: command.goals,
          topics: command.topics,
          plannedMeetings: command.plannedMeetings,
          cadenceDays: command.cadenceDays,
          confidentiality: true,
          signatories: command.signatories
        })
      })
    case "RecordObservation":
      return guard(command, state, { roles: ["mentor"], step: "observation", phases: working }, (s) =>
        s.observations.has(command.observationId)
          ? refuse(command, s, "duplicate-id", `observation ${command.observationId} exists already`)
          : ok({
              _tag: "ObservationRecorded",
              ...common,
              observationId: command.observationId,
              note: command.note
            })
      )
    case "ScheduleMeeting":
      return guard(command, state, { roles: ["mentor", "mentee"], phases: working }, (s) => {
        if (s.meetings.has(command.meetingId))
          return refuse(command, s, "duplicate-id", `meeting ${command.meetingId} exists already`)
        const open = [...s.meetings.values()].filter((m) => m.status === "scheduled").length
        if (s.meetingsHeld + open >= s.template.meetings.max)
          return refuse(
            command,
            s,
            "meeting-limit",
            `template ${s.template.id} allows at most ${s.template.meetings.max} meetings (${s.meetingsHeld} held, ${open} scheduled)`
          )
        return ok({
          _tag: "MeetingScheduled",
          ...common,
          meetingId: command.meetingId,
          scheduledFor: command.scheduledFor,
          modality: command.modality
        })
      })
    case "HoldMeeting":
      return guard(command, state, { roles: ["mentor", "mentee"], phases: working }, (s) => {
        const m = s.meetings.get(command.meetingId)
        if (m !== undefined && m.status !== "scheduled")
          return refuse(command, s, "meeting-not-open", `meeting ${command.meetingId} is ${m.status}`)
        if (s.meetingsHeld >= s.template.meetings.max)
          return refuse(
            command,
            s,
            "meeting-limit",
            `template ${s.template.id} allows at most ${s.template.meetings.max} meetings`
          )
        return ok({
          _tag: "MeetingHeld",
          ...common,
          meetingId: command.meetingId,
          modality: command.modality,
          durationMinutes: command.durationMinutes,
          planning: command.planning
        })
      })
    case "CancelMeeting":
      return guard(command, state, { roles: ["mentor", "mentee"], phases: working }, (s) => {
        const m = s.meetings.get(command.meetingId)
        if (m === undefined) return refuse(command, s, "unknown-meeting", `no meeting ${command.meetingId}`)
        if (m.status !== "scheduled")
          return refuse(command, s, "meeting-not-open", `meeting ${command.meetingId} is ${m.status}`)
        return ok({
          _tag: "MeetingCancelled",
          ...common,
          meetingId: command.meetingId,
          reason: command.reason
        })
      })
    case "DraftSummary":
      return guard(command, state, { roles: ["mentor"], phases: afterMatch }, (s) => {
        const m = s.meetings.get(command.meetingId)
        if (m === undefined) return refuse(command, s, "unknown-meeting", `no meeting ${command.meetingId}`)
        if (m.status !== "held")
          return refuse(
            command,
            s,
            "meeting-not-held",
            `meeting ${command.meetingId} is ${m.status}, not held`
          )
        if (m.summary !== "none")
          return refuse(command, s, "summary-exists", `meeting ${command.meetingId} has a summary already`)
        return ok({ _tag: "SummaryDrafted", ...common, meetingId: command.meetingId, text: command.text })
      })
    case "AmendSummary":
      return guard(command, state, { roles: ["mentee"], phases: afterMatch }, (s) => {
        const m = s.meetings.get(command.meetingId)
        if (m === undefined) return refuse(command, s, "unknown-meeting", `no meeting ${command.meetingId}`)
        if (m.summary === "none")
          return refuse(command, s, "summary-missing", `meeting ${command.meetingId} has no summary to amend`)
        if (m.summary === "finalised")
          return refuse(
            command,
            s,
            "summary-finalised",
            `the summary of meeting ${command.meetingId} is final`
          )
        return ok({ _tag: "SummaryAmended", ...common, meetingId: command.meetingId, text: command.text })
      })
    case "FinaliseSummary":
      return guard(command, state, { roles: ["mentor", "mentee"], phases: afterMatch }, (s) => {
        const m = s.meetings.get(command.meetingId)
        if (m === undefined) return refuse(command, s, "unknown-meeting", `no meeting ${command.meetingId}`)
        if (m.summary === "none")
          return refuse(command, s, "summary-missing", `meeting ${command.meetingId} has no summary`)
        if (m.summary === "finalised")
          return refuse(
            command,
            s,
            "summary-finalised",
            `the summary of meeting ${command.meetingId} is final`
          )
        return ok({ _tag: "SummaryFinalised", ...common, meetingId: command.meetingId })
      })
    case "AssignTask":
      return guard(command, state, { roles: ["mentor"], phases: working }, (s) => {
        if (s.tasks.has(command.taskId))
          return refuse(command, s, "duplicate-id", `task ${command.taskId} exists already`)
        if (command.assigneeIds.length === 0)
          return refuse(command, s, "participants-missing", "a task is assigned to at least one mentee")
        const strangers = missingFrom(command.assigneeIds, s.menteeIds)
        if (strangers.length > 0)
          return refuse(
            command,
            s,
            "person-not-involved",
            `tasks go to mentees; ${list(strangers)} is not one`
          )
        return ok({
          _tag: "TaskAssigned",
          ...common,
          taskId: command.taskId,
          assigneeIds: command.assigneeIds,
          description: command.description,
          dueOn: command.dueOn
        })
      })
    case "CompleteTask":
      return guard(command, state, { roles: ["mentee"], phases: afterMatch }, (s) => {
        const t = s.tasks.get(command.taskId)
        if (t === undefined) return refuse(command, s, "unknown-task", `no task ${command.taskId}`)
        if (!t.assigneeIds.includes(actor.personId))
          return refuse(
            command,
            s,
            "not-a-participant",
            `task ${command.taskId} is not assigned to ${actor.personId}`
          )
        if (t.completedBy.includes(actor.personId))
          return refuse(
            command,
            s,
            "task-completed",
            `${actor.personId} has completed task ${command.taskId} already`
          )
        return ok({
          _tag: "TaskCompleted",
          ...common,
          taskId: command.taskId,
          reflection: command.reflection
        })
      })
    case "GiveConsent":
    case "RevokeConsent":
      return guard(command, state, { roles: ["mentee"], phases: afterMatch }, (s) => {
        const needed = owners(s, command.item)
        if (needed === null) return refuse(command, s, "unknown-item", `no item ${refKey(command.item)}`)
        if (!needed.includes(actor.personId))
          return refuse(
            command,
            s,
            "unknown-item",
            `${refKey(command.item)} is not an item of ${actor.personId}`
          )
        const given = s.consents.get(refKey(command.item))?.has(actor.personId) ?? false
        if (command._tag === "GiveConsent") {
          return given
            ? refuse(
                command,
                s,
                "consent-unchanged",
                `consent to share ${refKey(command.item)} is given already`
              )
            : ok({ _tag: "ConsentGiven", ...common, item: command.item })
        }
        return given
          ? ok({ _tag: "ConsentRevoked", ...common, item: command.item })
          : refuse(command, s, "consent-unchanged", `no consent to share ${refKey(command.item)} to revoke`)
      })
    case "HoldEvaluation":
      return guard(command, state, { roles: ["mentor"], step: "evaluation", phases: ["meetings"] }, (s) =>
        enoughMeetings(command, s, () => {
          const missing = missingFrom(s.menteeIds, command.participantIds)
          if (missing.length > 0 || !command.participantIds.some((p) => s.mentorIds.includes(p)))
            return refuse(
              command,
              s,
              "participants-missing",
              `mentor and mentees evaluate together; missing ${list(missing) || "a mentor"}`
            )
          // The supervisor takes part in the opening and closing discussions only.
          const others = missingFrom(command.participantIds, [...s.mentorIds, ...s.menteeIds])
          if (others.length > 0)
            return refuse(
              command,
              s,
              "person-not-involved",
              `the co-evaluation is for mentors and mentees only; not ${list(others)}`
            )
          return ok({
            _tag: "EvaluationHeld",
            ...common,
            participantIds: command.participantIds,
            processSummary: command.processSummary
          })
        })
      )
    case "HoldClosingDiscussion":
      return guard(command, state, { roles: ["mentor"], step: "closing-discussion" }, (s) => {
        const expected: Phase = hasStep(s.template, "evaluation") ? "evaluation" : "meetings"
        if (s.phase !== expected)
          return refuse(
            command,
            s,
            "phase-order",
            `the closing discussion follows the ${expected} phase; the mentorship is in ${s.phase}`
          )
        return enoughMeetings(command, s, () => {
          const required = [
            ...s.menteeIds,
            ...(s.template.supervisorTakesPart && s.supervisorId ? [s.supervisorId] : [])
          ]
          const missing = missingFrom(required, command.participantIds)
          if (missing.length > 0 || !command.participantIds.some((p) => s.mentorIds.includes(p)))
            return refuse(
              command,
              s,
              "participants-missing",
              `the closing discussion needs a mentor, every mentee and the supervisor; missing ${list(missing) || "a mentor"}`
            )
          const strangers = missingFrom(command.participantIds, involved(s))
          if (strangers.length > 0)
            return refuse(command, s, "person-not-involved", `${list(strangers)} not part of this mentorship`)
          if (command.durationMinutes < s.template.closingMinutes)
            return refuse(
              command,
              s,
              "closing-too-short",
              `the closing discussion takes at least ${s.template.closingMinutes} minutes; got ${command.durationMinutes}`
            )
          return ok({
            _tag: "ClosingDiscussionHeld",
            ...common,
            participantIds: command.participantIds,
            durationMinutes: command.durationMinutes
          })
        })
      })
    case "DeliverReport":
      return guard(command, state, { roles: ["mentor"], step: "report", phases: ["closing"] }, (s) => {
        if (s.reportDelivered) return refuse(command, s, "phase-order", "the report was delivered already")
        if (command.recipientId !== s.supervisorId)
          return refuse(command, s, "report-recipient", "the report goes to the mentee's supervisor")
        const unknown = command.citedItems.filter((i) => owners(s, i) === null)
        if (unknown.length > 0)
          return refuse(command, s, "unknown-item", `cited items do not exist: ${list(unknown.map(refKey))}`)
        const unconsented = command.citedItems.filter((i) => !isShared(s, i))
        if (unconsented.length > 0)
          return refuse(
            command,
            s,
            "report-cites-unconsented",
            `the mentee has not consented to share ${list(unconsented.map(refKey))}`
          )
        return ok({
          _tag: "ReportDelivered",
          ...common,
          recipientId: command.recipientId,
          citedItems: command.citedItems,
          text: command.text
        })
      })
    case "ScheduleFollowUp":
      return guard(
        command,
        state,
        { roles: ["mentor", "coordinator"], step: "follow-up", phases: ["closing"] },
        (s) => {
          if (!s.reportDelivered)
            return refuse(command, s, "report-required", "the follow-up is scheduled after the report")
          const dueOn =
            command.dueOn ?? new Date(at.getTime() + (s.template.followUpDelayDays ?? 0) * 86_400_000)
          if (dueOn.getTime() < at.getTime())
            return refuse(command, s, "date-order", "the follow-up cannot be due before it was scheduled")
          return ok({ _tag: "FollowUpScheduled", ...common, dueOn })
        }
      )
    case "HoldFollowUp":
      return guard(command, state, { roles: ["mentor"], step: "follow-up", phases: ["follow-up"] }, (s) =>
        s.followUp === "held"
          ? refuse(command, s, "phase-order", "the follow-up visit was held already")
          : ok({ _tag: "FollowUpHeld", ...common, notes: command.notes })
      )
    case "CompleteMentorship":
      return guard(command, state, { roles: ["mentor", "coordinator"] }, (s) => {
        const done = ok({ _tag: "MentorshipCompleted", ...common })
        if (hasStep(s.template, "follow-up"))
          return s.followUp === "held"
            ? done
            : refuse(command, s, "follow-up-required", "the follow-up visit comes before completion")
        if (hasStep(s.template, "report"))
          return s.reportDelivered
            ? done
            : refuse(command, s, "report-required", "the report comes before completion")
        const last: Phase = hasStep(s.template, "closing-discussion")
          ? "closing"
          : hasStep(s.template, "evaluation")
            ? "evaluation"
            : "meetings"
        if (s.phase !== last)
          return refuse(
            command,
            s,
            "phase-order",
            `completion follows the ${last} phase; the mentorship is in ${s.phase}`
          )
        return enoughMeetings(command, s, () => done)
      })
    case "WithdrawMentorship":
      return guard(command, state, { roles: ["mentor", "mentee", "coordinator"] }, () =>
        ok({ _tag: "MentorshipWithdrawn", ...common, reason: command.reason })
      )
    case "ErasePersonalData": {
      if (state._tag === "Empty")
        return refuse(
          command,
          state,
          "mentorship-not-found",
          `mentorship ${command.mentorshipId} does not exist`
        )
      const self = actor.personId === command.personId
      if (!self && actor.role !== "coordinator")
        return refuse(
          command,
          state,
          "role-not-permitted",
          "erasure is asked by the person or done by a coordinator"
        )
      if (!involved(state).includes(command.personId))
        return refuse(
          command,
          state,
          "person-not-involved",
          `${command.personId} is not part of this mentorship`
        )
      if (state.erased.has(command.personId))
        return refuse(command, state, "already-erased", `${command.personId}'s data was erased already`)
      return ok({ _tag: "PersonalDataErased", ...common, personId: command.personId })
    }
  }
}

/**
 * The mentorship as a decider.
 * @since 0.1.0
 * @category decider
 */
export const decider: Decider<Command, State, MentorshipEvent, RuleViolation> = {
  initialState,
  decide,
  evolve
}

/** The event types this aggregate emits, for readers. @since 0.1.0 @category decider */
export type Event = MentorshipEvent
