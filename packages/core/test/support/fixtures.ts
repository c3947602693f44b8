/**
 * Reusable fixtures: a cast of people with stable uuid ids, the built-in
 * templates plus one user-defined template, and histories that bring a
 * mentorship to each milestone of its template.
 *
 * Histories are made by deciding commands, never written by hand, so every
 * fixture is a history the deciders themselves accept.
 */
import * as Either from "effect/Either"
import {
  type Commands,
  Decider,
  type Events,
  Ids,
  Mentorship,
  Programme,
  type Roles,
  Template
} from "@mentor-ledger/core"

// ---------------------------------------------------------------------------
// Ids, people, actors, time
// ---------------------------------------------------------------------------

export const personId = (n: number): Ids.PersonId => Ids.PersonId.make(Ids.sequentialId(n))
export const meetingId = (n: number): Ids.MeetingId => Ids.MeetingId.make(Ids.sequentialId(200 + n))
export const taskId = (n: number): Ids.TaskId => Ids.TaskId.make(Ids.sequentialId(300 + n))
export const observationId = (n: number): Ids.ObservationId =>
  Ids.ObservationId.make(Ids.sequentialId(400 + n))

export const programmeId = Ids.ProgrammeId.make(Ids.sequentialId(1))
export const mentorshipId = Ids.MentorshipId.make(Ids.sequentialId(2))
export const otherMentorshipId = Ids.MentorshipId.make(Ids.sequentialId(3))

/** The cast. Mentors 20–23 are enrolled and trained in {@link programmeHistory}. */
export const people = {
  coordinator: personId(10),
  supervisor: personId(11),
  mentors: [personId(20), personId(21), personId(22), personId(23)] as const,
  /** Enrolled, never trained. */
  untrainedMentor: personId(24),
  /** Enrolled with capacity 1. */
  busyMentor: personId(25),
  /** Mentors another mentorship, never this one. */
  otherMentor: personId(26),
  mentees: Array.from({ length: 13 }, (_, i) => personId(30 + i)),
  outsider: personId(99)
}
export const mentor = people.mentors[0]
export const mentee = people.mentees[0]!
export const secondMentee = people.mentees[1]!

export const as = (personId: Ids.PersonId, role: Roles.Role): Roles.Actor => ({ personId, role })
export const actors = {
  coordinator: as(people.coordinator, "coordinator"),
  supervisor: as(people.supervisor, "supervisor"),
  mentor: as(mentor, "mentor"),
  mentee: as(mentee, "mentee"),
  secondMentee: as(secondMentee, "mentee"),
  outsider: as(people.outsider, "mentor")
}

/** Day n of the story, 09:00 UTC; day 0 is Monday 5 January 2026. */
export const day = (n: number): Date => new Date(Date.UTC(2026, 0, 5 + n, 9))

// ---------------------------------------------------------------------------
// Templates
// ---------------------------------------------------------------------------

/**
 * A programme's own template: vocational-teacher pairs with an opening and
 * a closing discussion and a report, but no SWOT, evaluation or follow-up.
 */
export const vocationalPairs: Template.ProcessTemplate = Template.ProcessTemplate.make({
  id: "vocational-pairs",
  name: "Vocational teacher pairs",
  steps: ["opening-discussion", "observation", "closing-discussion", "report"],
  meetings: { min: 2, max: 5 },
  cadenceDays: { min: 14, max: 28 },
  followUpDelayDays: null,
  supervisorTakesPart: true,
  mentees: { min: 1, max: 2 },
  mentors: { min: 1, max: 2 },
  closingMinutes: 45
})

/** The four built-in templates and the user-defined one. */
export const templates: ReadonlyArray<Template.ProcessTemplate> = [...Template.builtIn, vocationalPairs]

// ---------------------------------------------------------------------------
// Playing commands
// ---------------------------------------------------------------------------

const play = <C extends { readonly _tag: string }, S, E>(
  decider: Decider.Decider<C, S, E, { readonly rule: string; readonly message: string }>,
  history: ReadonlyArray<E>,
  commands: ReadonlyArray<C>
): ReadonlyArray<E> => {
  const result = Decider.run(decider, history, commands)
  if (Either.isLeft(result))
    throw new Error(`fixture command refused: ${result.left.rule}: ${result.left.message}`)
  return [...history, ...result.right.events]
}

/** Appends the events of accepted mentorship commands to a history (throws on a refusal). */
export const playMentorship = (
  history: ReadonlyArray<Events.MentorshipEvent>,
  ...commands: ReadonlyArray<Mentorship.Command>
): ReadonlyArray<Events.MentorshipEvent> => play(Mentorship.decider, history, commands)

/** Appends the events of accepted programme commands to a history (throws on a refusal). */
export const playProgramme = (
  history: ReadonlyArray<Events.ProgrammeEvent>,
  ...commands: ReadonlyArray<Programme.Command>
): ReadonlyArray<Events.ProgrammeEvent> => play(Programme.decider, history, commands)

/** The state a history folds to; fails unless the mentorship exists. */
export const mentorshipState = (history: ReadonlyArray<Events.MentorshipEvent>): Mentorship.Active => {
  const state = Decider.fold(Mentorship.decider, history)
  if (state._tag !== "Active") throw new Error("the mentorship does not exist")
  return state
}

// ---------------------------------------------------------------------------
// The programme
// ---------------------------------------------------------------------------

/**
 * The programme's setup: launched with the built-in templates, the
 * user-defined template added, mentors 20–23 enrolled (capacity 3) and
 * trained, one untrained mentor, and one trained mentor of capacity 1.
 */
export const programmeCommands = (): ReadonlyArray<Timed<Commands.ProgrammeCommand>> => {
  const coordinator = actors.coordinator
  const common = { actor: coordinator, programmeId }
  const trained = [...people.mentors, people.otherMentor]
  return [
    {
      _tag: "LaunchProgramme",
      ...common,
      occurredAt: day(-60),
      name: "Mentoring in early-childhood education",
      templates: Template.builtIn
    },
    { _tag: "DefineTemplate", ...common, occurredAt: day(-59), template: vocationalPairs },
    ...trained.flatMap(
      (mentorId): ReadonlyArray<Timed<Commands.ProgrammeCommand>> => [
        { _tag: "EnrolMentor", ...common, occurredAt: day(-50), mentorId, capacity: 3 },
        {
          _tag: "RecordMentorTraining",
          ...common,
          occurredAt: day(-40),
          mentorId,
          course: "Mentor training for ECEC teachers"
        }
      ]
    ),
    { _tag: "EnrolMentor", ...common, occurredAt: day(-50), mentorId: people.untrainedMentor, capacity: 3 },
    { _tag: "EnrolMentor", ...common, occurredAt: day(-50), mentorId: people.busyMentor, capacity: 1 },
    {
      _tag: "RecordMentorTraining",
      ...common,
      occurredAt: day(-40),
      mentorId: people.busyMentor,
      course: "Mentor training for leaders"
    }
  ]
}

/** The programme after {@link programmeCommands}. */
export const programmeHistory = (): ReadonlyArray<Events.ProgrammeEvent> =>
  playProgramme([], ...programmeCommands())

type Timed<C> = Commands.Timed<C>

// ---------------------------------------------------------------------------
// Mentorship journeys
// ---------------------------------------------------------------------------

/**
 * The milestones of a mentorship, in order. Most are phases; `self-assessed`
 * (every mentee's SWOT is in), `reported` (the report was delivered) and
 * `followed-up` (the follow-up visit was held) are steps within a phase.
 */
export const milestoneOrder = [
  "requested",
  "matched",
  "opening",
  "self-assessed",
  "agreement",
  "meetings",
  "evaluation",
  "closing",
  "reported",
  "follow-up",
  "followed-up",
  "completed"
] as const
export type Milestone = (typeof milestoneOrder)[number]

export interface JourneyOptions {
  /** How many mentees (default: the template's minimum). */
  readonly mentees?: number
  /** How many mentors (default: the template's minimum). */
  readonly mentors?: number
  /** Exactly these mentors (default: the first {@link JourneyOptions.mentors} of {@link people.mentors}). */
  readonly mentorIds?: ReadonlyArray<Ids.PersonId>
  /** The supervisor (default: {@link people.supervisor} when the template involves one, else none). */
  readonly supervisor?: Ids.PersonId | null
  /** Meetings held in the `meetings` milestone (default: the template's minimum, at least 1). */
  readonly meetings?: number
  readonly mentorshipId?: Ids.MentorshipId
}

/** A mentorship's cast and, per milestone, the commands that reach it. */
export interface Journey {
  readonly template: Template.ProcessTemplate
  readonly mentorshipId: Ids.MentorshipId
  readonly menteeIds: ReadonlyArray<Ids.PersonId>
  readonly mentorIds: ReadonlyArray<Ids.PersonId>
  readonly supervisorId: Ids.PersonId | null
  /** Everyone who attends the opening and closing discussions. */
  readonly everyone: ReadonlyArray<Ids.PersonId>
  readonly stages: ReadonlyArray<{
    readonly milestone: Milestone
    readonly commands: ReadonlyArray<Mentorship.Command>
  }>
}

/** Builds the journey of one mentorship under a template, from request to completion. */
export const journey = (template: Template.ProcessTemplate, options: JourneyOptions = {}): Journey => {
  const has = (step: Template.Step) => Template.hasStep(template, step)
  const id = options.mentorshipId ?? mentorshipId
  const menteeIds = people.mentees.slice(0, options.mentees ?? template.mentees.min)
  const mentorIds = options.mentorIds ?? people.mentors.slice(0, options.mentors ?? template.mentors.min)
  const supervisorId =
    options.supervisor !== undefined
      ? options.supervisor
      : template.supervisorTakesPart || has("report")
        ? people.supervisor
        : null
  const everyone = [...mentorIds, ...menteeIds, ...(supervisorId === null ? [] : [supervisorId])]
  const leadMentor = as(mentorIds[0]!, "mentor")
  const firstMentee = as(menteeIds[0]!, "mentee")
  let clock = 0
  const at = (days = 1) => {
    clock += days
    return day(clock)
  }
  const meetings = options.meetings ?? Math.max(template.meetings.min, 1)
  const cadence = template.cadenceDays.min
  const stages: Array<{ milestone: Milestone; commands: ReadonlyArray<Mentorship.Command> }> = []
  const stage = (milestone: Milestone, commands: ReadonlyArray<Mentorship.Command>) =>
    stages.push({ milestone, commands })

  stage("requested", [
    {
      _tag: "RequestMentoring",
      actor: actors.coordinator,
      occurredAt: at(0),
      mentorshipId: id,
      programmeId,
      template,
      menteeIds,
      supervisorId
    }
  ])
  stage("matched", [
    { _tag: "MatchMentor", actor: actors.coordinator, occurredAt: at(), mentorshipId: id, mentorIds }
  ])
  if (has("opening-discussion"))
    stage("opening", [
      {
        _tag: "HoldOpeningDiscussion",
        actor: leadMentor,
        occurredAt: at(7),
        mentorshipId: id,
        participantIds: everyone,
        expectations: "Lead the change calmly; share what works."
      }
    ])
  if (has("self-assessment"))
    stage(
      "self-assessed",
      menteeIds.map((m) => ({
        _tag: "SubmitSelfAssessment",
        actor: as(m, "mentee"),
        occurredAt: at(),
        mentorshipId: id,
        strengths: "A committed team",
        weaknesses: "Too little time for pedagogy",
        opportunities: "A new curriculum",
        threats: "Staff turnover"
      }))
    )
  stage("agreement", [
    {
      _tag: "SignAgreement",
      actor: firstMentee,
      occurredAt: at(3),
      mentorshipId: id,
      goals: ["A fluid daily routine"],
      topics: ["Interactions and atmosphere"],
      plannedMeetings: Math.max(template.meetings.min, 1),
      cadenceDays: cadence,
      confidentiality: true,
      signatories: [...mentorIds, ...menteeIds]
    }
  ])
  stage(
    "meetings",
    Array.from(
      { length: meetings },
      (_, n): Mentorship.Command => ({
        _tag: "HoldMeeting",
        actor: leadMentor,
        occurredAt: at(cadence),
        mentorshipId: id,
        meetingId: meetingId(n),
        modality: "in-person",
        durationMinutes: n === 0 ? 150 : 90,
        planning: n === 0
      })
    )
  )
  if (has("evaluation"))
    stage("evaluation", [
      {
        _tag: "HoldEvaluation",
        actor: leadMentor,
        occurredAt: at(7),
        mentorshipId: id,
        participantIds: [...mentorIds, ...menteeIds],
        processSummary: "The team found a shared rhythm."
      }
    ])
  if (has("closing-discussion"))
    stage("closing", [
      {
        _tag: "HoldClosingDiscussion",
        actor: leadMentor,
        occurredAt: at(7),
        mentorshipId: id,
        participantIds: everyone,
        durationMinutes: Math.max(template.closingMinutes, 60)
      }
    ])
  if (has("report"))
    stage("reported", [
      {
        _tag: "DeliverReport",
        actor: leadMentor,
        occurredAt: at(),
        mentorshipId: id,
        recipientId: supervisorId ?? people.supervisor,
        citedItems: [],
        text: "The leadership has a shared plan for change."
      }
    ])
  if (has("follow-up")) {
    const scheduledOn = at()
    stage("follow-up", [
      {
        _tag: "ScheduleFollowUp",
        actor: leadMentor,
        occurredAt: scheduledOn,
        mentorshipId: id,
        dueOn: new Date(scheduledOn.getTime() + (template.followUpDelayDays ?? 0) * 86_400_000)
      }
    ])
    stage("followed-up", [
      {
        _tag: "HoldFollowUp",
        actor: leadMentor,
        occurredAt: at(template.followUpDelayDays ?? 0),
        mentorshipId: id,
        notes: "The new routines hold."
      }
    ])
  }
  stage("completed", [
    { _tag: "CompleteMentorship", actor: actors.coordinator, occurredAt: at(), mentorshipId: id }
  ])
  return { template, mentorshipId: id, menteeIds, mentorIds, supervisorId, everyone, stages }
}

/** The milestones a template passes through, in order. */
export const milestones = (template: Template.ProcessTemplate): ReadonlyArray<Milestone> =>
  journey(template).stages.map((s) => s.milestone)

/** The commands that bring a journey to a milestone (inclusive). */
export const commandsTo = (j: Journey, milestone: Milestone): ReadonlyArray<Mentorship.Command> => {
  const index = j.stages.findIndex((s) => s.milestone === milestone)
  if (index < 0) throw new Error(`template ${j.template.id} has no ${milestone} milestone`)
  return j.stages.slice(0, index + 1).flatMap((s) => s.commands)
}

/** The history of a mentorship that reached a milestone under a template. */
export const historyTo = (
  template: Template.ProcessTemplate,
  milestone: Milestone,
  options: JourneyOptions = {}
): ReadonlyArray<Events.MentorshipEvent> =>
  playMentorship([], ...commandsTo(journey(template, options), milestone))

/** The latest milestone of a template that comes no later than `milestone`. */
export const lastMilestoneBy = (template: Template.ProcessTemplate, milestone: Milestone): Milestone => {
  const own = milestones(template)
  const limit = milestoneOrder.indexOf(milestone)
  return [...own].reverse().find((m) => milestoneOrder.indexOf(m) <= limit)!
}

/** The history of a mentorship withdrawn by the coordinator after a milestone. */
export const withdrawnAfter = (
  template: Template.ProcessTemplate,
  milestone: Milestone,
  options: JourneyOptions = {}
): ReadonlyArray<Events.MentorshipEvent> =>
  playMentorship(historyTo(template, milestone, options), {
    _tag: "WithdrawMentorship",
    actor: actors.coordinator,
    occurredAt: day(900),
    mentorshipId: options.mentorshipId ?? mentorshipId,
    reason: "change-of-job"
  })

/**
 * A journey's commands as the ledger takes them: the request names its
 * template by id instead of carrying it.
 */
export const toInput = (command: Mentorship.Command): Commands.CommandInput => {
  if (command._tag !== "RequestMentoring") return command
  const { template, ...rest } = command
  return { ...rest, templateId: template.id }
}
