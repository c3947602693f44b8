/**
 * The story the queries suite plays (QueriesConformance): one programme
 * with two mentorships, and the people who look at them.
 */
import { type Commands, Ids, Template } from "@mentor-ledger/core"
import type { Queries } from "@mentor-ledger/sql"

const person = (n: number) => Ids.sequentialId(n)
export const cast = {
  programme: person(1),
  otherProgramme: person(2),
  coordinator: person(10),
  otherCoordinator: person(11),
  mentor: person(20),
  otherMentor: person(21),
  menteeA: person(30),
  menteeB: person(31),
  menteeC: person(32),
  supervisor: person(40),
  support: person(50),
  analyst: person(60),
  x: person(100),
  y: person(101),
  meeting1: person(201),
  meeting2: person(202),
  meeting3: person(203),
  task: person(301)
}
export const day = (n: number) => new Date(Date.UTC(2026, 1, 2 + n, 9))

export const template = Template.ProcessTemplate.make({
  id: "short-process",
  name: "A short process with a follow-up",
  steps: ["opening-discussion", "closing-discussion", "report", "follow-up"],
  meetings: { min: 1, max: 4 },
  cadenceDays: { min: 7, max: 14 },
  followUpDelayDays: 30,
  supervisorTakesPart: true,
  mentees: { min: 1, max: 3 },
  mentors: { min: 1, max: 1 },
  closingMinutes: 30
})

export const coordinator = { personId: cast.coordinator, role: "coordinator" } as const
export const mentor = { personId: cast.mentor, role: "mentor" } as const
export const menteeA = { personId: cast.menteeA, role: "mentee" } as const
export const menteeB = { personId: cast.menteeB, role: "mentee" } as const

export const viewers = {
  mentor: { personId: cast.mentor, role: "mentor" },
  menteeA: { personId: cast.menteeA, role: "mentee" },
  menteeB: { personId: cast.menteeB, role: "mentee" },
  supervisor: { personId: cast.supervisor, role: "supervisor" },
  coordinator: { personId: cast.coordinator, role: "coordinator" },
  otherCoordinator: { personId: cast.otherCoordinator, role: "coordinator" },
  otherMentor: { personId: cast.otherMentor, role: "mentor" },
  support: { personId: cast.support, role: "support-team" },
  analyst: { personId: cast.analyst, role: "analyst" },
  // a mentee claiming another role sees nothing
  menteeAsMentor: { personId: cast.menteeA, role: "mentor" }
} as const satisfies Record<string, Queries.Viewer>

const setup: ReadonlyArray<Commands.CommandInput> = [
  {
    _tag: "LaunchProgramme",
    actor: coordinator,
    occurredAt: day(-30),
    programmeId: cast.programme,
    name: "Leaders",
    templates: [template]
  },
  {
    _tag: "LaunchProgramme",
    actor: { personId: cast.otherCoordinator, role: "coordinator" },
    occurredAt: day(-30),
    programmeId: cast.otherProgramme,
    name: "Teachers",
    templates: [template]
  },
  ...[cast.mentor, cast.otherMentor].flatMap(
    (mentorId): Array<Commands.CommandInput> => [
      {
        _tag: "EnrolMentor",
        actor: coordinator,
        occurredAt: day(-20),
        programmeId: cast.programme,
        mentorId,
        capacity: 3
      },
      {
        _tag: "RecordMentorTraining",
        actor: coordinator,
        occurredAt: day(-10),
        programmeId: cast.programme,
        mentorId,
        course: "Mentor training"
      }
    ]
  )
]

/** Request, match, opening discussion and agreement of a mentorship with these mentees. */
const start = (
  id: string,
  mentees: ReadonlyArray<string>,
  at: number
): ReadonlyArray<Commands.CommandInput> => [
  {
    _tag: "RequestMentoring",
    actor: coordinator,
    occurredAt: day(at),
    mentorshipId: id,
    programmeId: cast.programme,
    templateId: template.id,
    menteeIds: mentees,
    supervisorId: cast.supervisor
  },
  {
    _tag: "MatchMentor",
    actor: coordinator,
    occurredAt: day(at + 1),
    mentorshipId: id,
    mentorIds: [cast.mentor]
  },
  {
    _tag: "HoldOpeningDiscussion",
    actor: mentor,
    occurredAt: day(at + 2),
    mentorshipId: id,
    participantIds: [cast.mentor, ...mentees, cast.supervisor],
    expectations: "Expectations"
  },
  {
    _tag: "SignAgreement",
    actor: { personId: mentees[0]!, role: "mentee" },
    occurredAt: day(at + 3),
    mentorshipId: id,
    goals: ["A goal"],
    topics: ["A topic"],
    plannedMeetings: 2,
    cadenceDays: 14,
    confidentiality: true,
    signatories: [cast.mentor, ...mentees]
  }
]

export const x = cast.x
export const story: ReadonlyArray<Commands.CommandInput> = [
  ...setup,
  ...start(x, [cast.menteeA, cast.menteeB], 0),
  ...[cast.meeting1, cast.meeting2].flatMap(
    (meetingId, n): Array<Commands.CommandInput> => [
      {
        _tag: "HoldMeeting",
        actor: mentor,
        occurredAt: day(5 + n * 14),
        mentorshipId: x,
        meetingId,
        modality: "in-person",
        durationMinutes: 90
      },
      {
        _tag: "DraftSummary",
        actor: mentor,
        occurredAt: day(6 + n * 14),
        mentorshipId: x,
        meetingId,
        text: `Summary ${n + 1}`
      }
    ]
  ),
  {
    _tag: "AmendSummary",
    actor: menteeA,
    occurredAt: day(7),
    mentorshipId: x,
    meetingId: cast.meeting1,
    text: "A's own thoughts"
  },
  {
    _tag: "AssignTask",
    actor: mentor,
    occurredAt: day(8),
    mentorshipId: x,
    taskId: cast.task,
    assigneeIds: [cast.menteeA, cast.menteeB],
    description: "Observe a colleague's lesson",
    dueOn: day(15)
  },
  {
    _tag: "CompleteTask",
    actor: menteeA,
    occurredAt: day(12),
    mentorshipId: x,
    taskId: cast.task,
    reflection: "A's reflection"
  },
  // the first summary: both mentees consent; the second: only A
  {
    _tag: "GiveConsent",
    actor: menteeA,
    occurredAt: day(30),
    mentorshipId: x,
    item: { kind: "summary", id: cast.meeting1 }
  },
  {
    _tag: "GiveConsent",
    actor: menteeB,
    occurredAt: day(30),
    mentorshipId: x,
    item: { kind: "summary", id: cast.meeting1 }
  },
  {
    _tag: "GiveConsent",
    actor: menteeA,
    occurredAt: day(30),
    mentorshipId: x,
    item: { kind: "summary", id: cast.meeting2 }
  },
  // A's amendment: A alone owns it
  {
    _tag: "GiveConsent",
    actor: menteeA,
    occurredAt: day(30),
    mentorshipId: x,
    item: { kind: "amendment", id: cast.meeting1 }
  },
  // the task: only A of its two assignees consents
  {
    _tag: "GiveConsent",
    actor: menteeA,
    occurredAt: day(30),
    mentorshipId: x,
    item: { kind: "task", id: cast.task }
  },
  {
    _tag: "HoldClosingDiscussion",
    actor: mentor,
    occurredAt: day(31),
    mentorshipId: x,
    participantIds: [cast.mentor, cast.menteeA, cast.menteeB, cast.supervisor],
    durationMinutes: 60
  },
  {
    _tag: "DeliverReport",
    actor: mentor,
    occurredAt: day(32),
    mentorshipId: x,
    recipientId: cast.supervisor,
    citedItems: [{ kind: "summary", id: cast.meeting1 }],
    text: "The report"
  },
  { _tag: "ScheduleFollowUp", actor: mentor, occurredAt: day(32), mentorshipId: x, dueOn: day(62) },
  { _tag: "HoldFollowUp", actor: mentor, occurredAt: day(63), mentorshipId: x, notes: "Follow-up notes" },
  // a second mentorship, whose follow-up is due on day 70 and not held
  ...start(cast.y, [cast.menteeC], 1),
  {
    _tag: "HoldMeeting",
    actor: mentor,
    occurredAt: day(10),
    mentorshipId: cast.y,
    meetingId: cast.meeting3,
    modality: "video",
    durationMinutes: 45
  },
  {
    _tag: "HoldClosingDiscussion",
    actor: mentor,
    occurredAt: day(33),
    mentorshipId: cast.y,
    participantIds: [cast.mentor, cast.menteeC, cast.supervisor],
    durationMinutes: 45
  },
  {
    _tag: "DeliverReport",
    actor: mentor,
    occurredAt: day(34),
    mentorshipId: cast.y,
    recipientId: cast.supervisor,
    citedItems: [],
    text: "Report"
  },
  { _tag: "ScheduleFollowUp", actor: mentor, occurredAt: day(34), mentorshipId: cast.y, dueOn: day(70) }
]
