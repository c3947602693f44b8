/**
 * A random walk through a mentorship: at every step it offers the commands
 * that make sense for the current state (and a few that do not), and the
 * decider decides. Driven by an array of choices, so fast-check shrinks a
 * failing walk to a short one.
 */
import * as fc from "fast-check"
import { Either } from "effect"
import { Ids, Mentorship, Template } from "@mentor-ledger/core"
import type { Content, Events, Rules } from "@mentor-ledger/core"

type PersonId = Ids.PersonId
const person = (n: number) => Ids.sequentialId(n) as PersonId

export const cast = {
  programmeId: Ids.sequentialId(1) as Ids.ProgrammeId,
  mentorshipId: Ids.sequentialId(2) as Ids.MentorshipId,
  coordinator: person(10),
  supervisor: person(11),
  mentors: [person(20), person(21), person(22)],
  mentees: Array.from({ length: 12 }, (_, i) => person(30 + i)),
  outsider: person(99)
}

export interface Step {
  readonly command: Mentorship.Command
  readonly result: Either.Either<ReadonlyArray<Events.MentorshipEvent>, Rules.RuleViolation>
  readonly before: Mentorship.State
  readonly after: Mentorship.State
}

const base = new Date(Date.UTC(2026, 0, 5, 9))
const at = (i: number) => new Date(base.getTime() + i * 86_400_000)

/** The commands worth trying in this state; `i` makes ids and times unique. */
export const candidates = (
  template: Template.ProcessTemplate,
  s: Mentorship.State,
  i: number
): ReadonlyArray<Mentorship.Command> => {
  const occurredAt = at(i)
  const mentorshipId = cast.mentorshipId
  const coordinator = { personId: cast.coordinator, role: "coordinator" } as const
  if (s._tag === "Empty") {
    return [
      {
        _tag: "RequestMentoring",
        actor: coordinator,
        occurredAt,
        mentorshipId,
        programmeId: cast.programmeId,
        template,
        menteeIds: cast.mentees.slice(0, template.mentees.min),
        supervisorId: cast.supervisor
      },
      {
        _tag: "RequestMentoring",
        actor: coordinator,
        occurredAt,
        mentorshipId,
        programmeId: cast.programmeId,
        template,
        menteeIds: cast.mentees.slice(0, Math.min(template.mentees.max, cast.mentees.length)),
        supervisorId: cast.supervisor
      }
    ]
  }
  const mentor = { personId: s.mentorIds[0] ?? cast.mentors[0]!, role: "mentor" } as const
  const mentees = s.menteeIds.map((m) => ({ personId: m, role: "mentee" }) as const)
  const mentee = mentees[i % mentees.length]!
  const everyone = [...s.mentorIds, ...s.menteeIds, ...(s.supervisorId ? [s.supervisorId] : [])]
  const id = (k: number) => Ids.sequentialId(1000 + i * 10 + k)
  const held = [...s.meetings.entries()].filter(([, m]) => m.status === "held")
  const scheduled = [...s.meetings.entries()].filter(([, m]) => m.status === "scheduled")
  const items: Array<Content.ContentRef> = [
    ...held.filter(([, m]) => m.summary !== "none").map(([k]) => ({ kind: "summary" as const, id: k })),
    ...held.filter(([, m]) => m.amendedBy.length > 0).map(([k]) => ({ kind: "amendment" as const, id: k })),
    ...[...s.selfAssessed].map((k) => ({ kind: "self-assessment" as const, id: k })),
    ...[...s.observations].map((k) => ({ kind: "observation" as const, id: k })),
    ...[...s.tasks.keys()].map((k) => ({ kind: "task" as const, id: k }))
  ]
  const consented = items.filter((it) => Mentorship.isShared(s, it))
  const common = { mentorshipId, occurredAt }
  const out: Array<Mentorship.Command> = [
    {
      _tag: "MatchMentor",
      actor: coordinator,
      ...common,
      mentorIds: cast.mentors.slice(0, template.mentors.min)
    },
    { _tag: "HoldOpeningDiscussion", actor: mentor, ...common, participantIds: everyone, expectations: "e" },
    {
      _tag: "SubmitSelfAssessment",
      actor: mentee,
      ...common,
      strengths: "s",
      weaknesses: "w",
      opportunities: "o",
      threats: "t"
    },
    {
      _tag: "SignAgreement",
      actor: mentee,
      ...common,
      goals: ["g"],
      topics: ["t"],
      plannedMeetings: Math.max(1, template.meetings.min),
      cadenceDays: 14,
      confidentiality: true,
      signatories: [...s.mentorIds, ...s.menteeIds]
    },
    { _tag: "RecordObservation", actor: mentor, ...common, observationId: id(1) as never, note: "n" },
    {
      _tag: "ScheduleMeeting",
      actor: mentor,
      ...common,
      meetingId: id(2) as never,
      scheduledFor: at(i + 3),
      modality: "video"
    },
    {
      _tag: "HoldMeeting",
      actor: mentor,
      ...common,
      meetingId: id(3) as never,
      modality: "in-person",
      durationMinutes: 60,
      planning: false
    },
    ...scheduled.map(
      ([k]): Mentorship.Command => ({
        _tag: "HoldMeeting",
        actor: mentee,
        ...common,
        meetingId: k as never,
        modality: "phone",
        durationMinutes: 45,
        planning: false
      })
    ),
    ...scheduled.map(
      ([k]): Mentorship.Command => ({
        _tag: "CancelMeeting",
        actor: mentor,
        ...common,
        meetingId: k as never,
        reason: "rescheduled"
      })
    ),
    ...held.flatMap(
      ([k]): Array<Mentorship.Command> => [
        { _tag: "DraftSummary", actor: mentor, ...common, meetingId: k as never, text: "summary" },
        { _tag: "AmendSummary", actor: mentee, ...common, meetingId: k as never, text: "amendment" },
        { _tag: "FinaliseSummary", actor: mentee, ...common, meetingId: k as never }
      ]
    ),
    {
      _tag: "AssignTask",
      actor: mentor,
      ...common,
      taskId: id(4) as never,
      assigneeIds: [mentee.personId],
      description: "task",
      dueOn: null
    },
    ...[...s.tasks.entries()].map(
      ([k, t]): Mentorship.Command => ({
        _tag: "CompleteTask",
        actor: { personId: t.assigneeIds[0] as PersonId, role: "mentee" },
        ...common,
        taskId: k as never,
        reflection: "r"
      })
    ),
    ...items.map((item): Mentorship.Command => ({ _tag: "GiveConsent", actor: mentee, ...common, item })),
    ...consented.map(
      (item): Mentorship.Command => ({ _tag: "RevokeConsent", actor: mentee, ...common, item })
    ),
    {
      _tag: "HoldEvaluation",
      actor: mentor,
      ...common,
      participantIds: [...s.mentorIds, ...s.menteeIds],
      processSummary: "p"
    },
    {
      _tag: "HoldClosingDiscussion",
      actor: mentor,
      ...common,
      participantIds: everyone,
      durationMinutes: 90
    },
    {
      _tag: "DeliverReport",
      actor: mentor,
      ...common,
      recipientId: s.supervisorId ?? cast.supervisor,
      citedItems: consented,
      text: "report"
    },
    { _tag: "ScheduleFollowUp", actor: mentor, ...common, dueOn: at(i + 90) },
    { _tag: "HoldFollowUp", actor: mentor, ...common, notes: "notes" },
    { _tag: "CompleteMentorship", actor: coordinator, ...common },
    { _tag: "WithdrawMentorship", actor: mentee, ...common, reason: "leave" },
    { _tag: "ErasePersonalData", actor: coordinator, ...common, personId: mentee.personId },
    // Commands that break a rule on purpose.
    {
      _tag: "DraftSummary",
      actor: { personId: mentee.personId, role: "mentor" },
      ...common,
      meetingId: id(5) as never,
      text: "x"
    },
    {
      _tag: "HoldMeeting",
      actor: { personId: cast.outsider, role: "mentor" },
      ...common,
      meetingId: id(6) as never,
      modality: "video",
      durationMinutes: 30,
      planning: false
    },
    {
      _tag: "HoldMeeting",
      actor: { personId: cast.supervisor, role: "supervisor" },
      ...common,
      meetingId: id(7) as never,
      modality: "video",
      durationMinutes: 30,
      planning: false
    }
  ]
  return out
}

/**
 * One step's choice: `allowed` picks among the candidates the decider
 * accepts (so walks make progress), otherwise among all candidates (so
 * refusals happen too); `index` picks within that list.
 */
export interface Choice {
  readonly mode: "allowed" | "progress" | "any"
  readonly index: number
}

/** Whether a command moves the process on: a new phase, or a meeting held. */
const progresses = (before: Mentorship.State, command: Mentorship.Command): boolean => {
  const decided = Mentorship.decide(command, before)
  if (Either.isLeft(decided)) return false
  if (command._tag === "HoldMeeting" || command._tag === "DeliverReport" || command._tag === "HoldFollowUp")
    return true
  if (command._tag === "WithdrawMentorship" || command._tag === "SubmitSelfAssessment")
    return command._tag === "SubmitSelfAssessment"
  let after = before
  for (const e of decided.right) after = Mentorship.evolve(after, e)
  return after._tag === "Active" && (before._tag === "Empty" || after.phase !== before.phase)
}

/** Plays a walk: `choices[k]` picks the command of step k. */
export const walk = (
  template: Template.ProcessTemplate,
  choices: ReadonlyArray<Choice>
): ReadonlyArray<Step> => {
  let state = Mentorship.initialState
  const steps: Array<Step> = []
  choices.forEach((choice, i) => {
    const all = candidates(template, state, i)
    const allowed =
      choice.mode === "allowed"
        ? // Withdrawal is always allowed; leave it to the "any" mode so that walks get far.
          all.filter((c) => c._tag !== "WithdrawMentorship" && Either.isRight(Mentorship.decide(c, state)))
        : choice.mode === "progress"
          ? all.filter((c) => progresses(state, c))
          : []
    const options = allowed.length > 0 ? allowed : all
    const command = options[choice.index % options.length]!
    const result = Mentorship.decide(command, state)
    const before = state
    if (Either.isRight(result)) for (const e of result.right) state = Mentorship.evolve(state, e)
    steps.push({ command, result, before, after: state })
  })
  return steps
}

/** Templates: the four built-in ones and random valid user-defined ones. */
export const templateArb: fc.Arbitrary<Template.ProcessTemplate> = fc.oneof(
  fc.constantFrom(...Template.builtIn),
  fc
    .record({
      opening: fc.boolean(),
      swot: fc.boolean(),
      observation: fc.boolean(),
      evaluation: fc.boolean(),
      closing: fc.boolean(),
      report: fc.boolean(),
      followUp: fc.boolean(),
      minMeetings: fc.integer({ min: 0, max: 4 }),
      extraMeetings: fc.integer({ min: 1, max: 4 }),
      mentees: fc.integer({ min: 1, max: 4 }),
      mentors: fc.integer({ min: 1, max: 3 })
    })
    .map((r) => {
      const closing = r.closing || r.report || r.followUp
      const report = r.report || r.followUp
      const steps: Array<Template.Step> = [
        ...(r.opening ? (["opening-discussion"] as const) : []),
        ...(r.swot ? (["self-assessment"] as const) : []),
        ...(r.observation ? (["observation"] as const) : []),
        ...(r.evaluation ? (["evaluation"] as const) : []),
        ...(closing ? (["closing-discussion"] as const) : []),
        ...(report ? (["report"] as const) : []),
        ...(r.followUp ? (["follow-up"] as const) : [])
      ]
      return Template.ProcessTemplate.make({
        id: "custom",
        name: "Custom",
        steps,
        meetings: { min: r.minMeetings, max: r.minMeetings + r.extraMeetings },
        cadenceDays: { min: 7, max: 28 },
        followUpDelayDays: r.followUp ? 90 : null,
        supervisorTakesPart: r.opening || closing,
        mentees: { min: 1, max: r.mentees },
        mentors: { min: 1, max: r.mentors },
        closingMinutes: 30
      })
    })
)

export const choicesArb: fc.Arbitrary<ReadonlyArray<Choice>> = fc.array(
  fc.record({
    mode: fc
      .integer({ min: 0, max: 9 })
      .map((n) => (n < 5 ? "allowed" : n < 8 ? "progress" : "any") as Choice["mode"]),
    index: fc.nat({ max: 1000 })
  }),
  { minLength: 1, maxLength: 120 }
)

/** A readable numbered list of a walk, for counterexamples. */
export const describeWalk = (steps: ReadonlyArray<Step>): string =>
  steps
    .map(
      (s, k) =>
        `${String(k + 1).padStart(3)}. ${s.command._tag} by ${s.command.actor.role} → ${
          Either.isRight(s.result)
            ? s.result.right.map((e) => e._tag).join(", ")
            : `refused (${s.result.left.rule})`
        }`
    )
    .join("\n")
