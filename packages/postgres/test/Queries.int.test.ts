import { createHash } from "node:crypto"
import { type Commands, Ids, Template } from "@mentor-ledger/core"
import { Queries } from "@mentor-ledger/sql"
import { afterAll, beforeAll, expect, it } from "vitest"
import { openLedger } from "./readModels.js"
import { dropSchema, onServer, query, schemaName, url } from "./server.js"

// The viewer-scoped queries of @mentor-ledger/sql on PostgreSQL: the same
// story and questions as packages/sqlite/test/Queries.int.test.ts. One
// programme with two mentorships, played through a ledger with inline read
// models in a schema of its own; then every role asks the same questions.

const describe = (name: string, body: () => void) => onServer(name, body)

const person = (n: number) => Ids.sequentialId(n)
const cast = {
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
const day = (n: number) => new Date(Date.UTC(2026, 1, 2 + n, 9))

const template = Template.ProcessTemplate.make({
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

const coordinator = { personId: cast.coordinator, role: "coordinator" } as const
const mentor = { personId: cast.mentor, role: "mentor" } as const
const menteeA = { personId: cast.menteeA, role: "mentee" } as const
const menteeB = { personId: cast.menteeB, role: "mentee" } as const

const viewers = {
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

const x = cast.x
const story: ReadonlyArray<Commands.CommandInput> = [
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

const schema = schemaName()
let app: Awaited<ReturnType<typeof openLedger>>
beforeAll(async () => {
  if (url === undefined) return
  app = await openLedger(schema, {
    queries: { pseudonymise: (id) => createHash("sha256").update(`secret:${id}`).digest("hex").slice(0, 16) }
  })
  for (const command of story) await app.ledger.execute(command)
}, 30_000)
afterAll(async () => {
  if (url === undefined) return
  await app.close()
  await dropSchema(schema)
})

const q = () => app.store.queries
const hash = (id: string) => createHash("sha256").update(`secret:${id}`).digest("hex").slice(0, 16)

describe("mentorships", () => {
  it("are listed for who takes part, coordinates, supports or analyses", async () => {
    const ids = async (viewer: Queries.Viewer) =>
      (await q().mentorshipsFor(viewer)).map((m) => m.mentorshipId)
    expect(await ids(viewers.mentor)).toEqual([x, cast.y])
    expect(await ids(viewers.menteeA)).toEqual([x])
    expect(await ids(viewers.supervisor)).toEqual([x, cast.y])
    expect(await ids(viewers.coordinator)).toEqual([x, cast.y])
    expect(await ids(viewers.support)).toEqual([x, cast.y])
    expect(await ids(viewers.analyst)).toEqual([hash(x), hash(cast.y)])
    expect(await ids(viewers.otherCoordinator)).toEqual([])
    expect(await ids(viewers.otherMentor)).toEqual([])
    expect(await ids(viewers.menteeAsMentor)).toEqual([])
  })

  it("carry the process facts: phase, key dates, counts and participants", async () => {
    const m = (await q().mentorship(viewers.coordinator, x))!
    expect(m).toMatchObject({
      mentorshipId: x,
      programmeId: cast.programme,
      templateId: "short-process",
      phase: "follow-up",
      mentees: 2,
      mentors: 1,
      requestedAt: day(0),
      matchedAt: day(1),
      openingAt: day(2),
      agreementAt: day(3),
      plannedMeetings: 2,
      firstMeetingAt: day(5),
      lastMeetingAt: day(19),
      meetingsHeld: 2,
      tasksAssigned: 1,
      tasksCompleted: 0,
      closingAt: day(31),
      reportAt: day(32),
      followUpDue: null,
      followUpHeldAt: day(63),
      outcome: null
    })
    expect(m.participants!.map((p) => [p.role, p.personId])).toEqual([
      ["mentee", cast.menteeA],
      ["mentee", cast.menteeB],
      ["mentor", cast.mentor],
      ["supervisor", cast.supervisor]
    ])
    const y = (await q().mentorship(viewers.support, cast.y))!
    expect(y).toMatchObject({ followUpDue: day(70), meetingsHeld: 1, nextMeetingDue: null })
  })

  it("are not found for a viewer who may not see them", async () => {
    for (const viewer of [viewers.otherCoordinator, viewers.otherMentor, viewers.menteeAsMentor]) {
      expect(await q().mentorship(viewer, x)).toBeUndefined()
      expect(await q().meetings(viewer, x)).toEqual([])
      expect(await q().summaries(viewer, x)).toEqual([])
      expect(await q().tasks(viewer, x)).toEqual([])
      expect(await q().followUp(viewer, x)).toBeUndefined()
    }
  })

  it("are pseudonymised for analysts: no person ids, or the caller's keyed hash", async () => {
    const m = (await q().mentorship(viewers.analyst, x))!
    expect(m.mentorshipId).toBe(hash(x))
    expect(m.participants!.map((p) => p.personId)).toEqual(
      [cast.menteeA, cast.menteeB, cast.mentor, cast.supervisor].map(hash)
    )
    const plain = Queries.toPromise(Queries.make(app.store.journal))
    const bare = (await plain.mentorship(viewers.analyst, x))!
    expect(bare.mentorshipId).toBe(x)
    expect("participants" in bare).toBe(false)
    const summaries = await plain.summaries(viewers.analyst, x)
    expect(summaries.map((s) => "draftedBy" in s)).toEqual([false, false])
    expect(summaries[0]!.amendments.map((a) => Object.keys(a).sort())).toEqual([["amendedAt"]])
    expect(JSON.stringify(await plain.tasks(viewers.analyst, x))).not.toContain(cast.menteeA)
  })
})

describe("content", () => {
  const texts = async (viewer: Queries.Viewer) => {
    const summaries = await q().summaries(viewer, x)
    const tasks = await q().tasks(viewer, x)
    const followUp = await q().followUp(viewer, x)
    return {
      summaries: summaries.map((s) => s.text),
      amendments: summaries.flatMap((s) => s.amendments.map((a) => a.text)),
      tasks: tasks.map((t) => t.description),
      reflections: tasks.flatMap((t) => t.assignees.map((a) => a.reflection)),
      notes: followUp?.notes
    }
  }
  const everything = {
    summaries: ["Summary 1", "Summary 2"],
    amendments: ["A's own thoughts"],
    tasks: ["Observe a colleague's lesson"],
    reflections: ["A's reflection", undefined],
    notes: "Follow-up notes"
  }
  const nothing = {
    summaries: [undefined, undefined],
    amendments: [undefined],
    tasks: [undefined],
    reflections: [undefined, undefined],
    notes: undefined
  }

  it("is for the mentoring pair: its mentors and mentees read all of it", async () => {
    expect(await texts(viewers.mentor)).toEqual(everything)
    expect(await texts(viewers.menteeA)).toEqual(everything)
    expect(await texts(viewers.menteeB)).toEqual(everything)
  })

  it("reaches the supervisor only where every mentee it belongs to consented", async () => {
    expect(await texts(viewers.supervisor)).toEqual({
      // both consented to summary 1; only A to summary 2
      summaries: ["Summary 1", undefined],
      // A alone wrote the amendment and consented
      amendments: ["A's own thoughts"],
      // B, the task's other assignee, did not consent
      tasks: [undefined],
      reflections: [undefined, undefined],
      // follow-up notes are never shared
      notes: undefined
    })
    const summaries = await q().summaries(viewers.supervisor, x)
    expect(summaries.map((s) => [s.shared, s.amendmentsShared])).toEqual([
      [true, true],
      [false, false]
    ])
  })

  it("never reaches coordinators, the support team or analysts, and is absent, not null", async () => {
    for (const viewer of [viewers.coordinator, viewers.support, viewers.analyst]) {
      expect(await texts(viewer)).toEqual(nothing)
      const [summary] = await q().summaries(viewer, x)
      expect(summary).toBeDefined()
      expect("text" in summary!).toBe(false)
      const [task] = await q().tasks(viewer, x)
      expect("description" in task!).toBe(false)
      expect(task!.assignees.some((a) => "reflection" in a)).toBe(false)
    }
  })

  it("sealed in the tables: what the event holds, never plaintext", async () => {
    const rows = await query<{ text: string }>(`select text from "${schema}".ml_rm_summaries_v1`)
    expect(rows).toHaveLength(2)
    for (const row of rows) expect(row.text).not.toContain("Summary")
  })

  it("leaves the supervisor's view when a mentee revokes consent", async () => {
    await app.ledger.execute({
      _tag: "RevokeConsent",
      actor: menteeB,
      occurredAt: day(80),
      mentorshipId: x,
      item: { kind: "summary", id: cast.meeting1 }
    })
    expect((await texts(viewers.supervisor)).summaries).toEqual([undefined, undefined])
    expect((await texts(viewers.mentor)).summaries).toEqual(["Summary 1", "Summary 2"])
    await app.ledger.execute({
      _tag: "GiveConsent",
      actor: menteeB,
      occurredAt: day(81),
      mentorshipId: x,
      item: { kind: "summary", id: cast.meeting1 }
    })
    expect((await texts(viewers.supervisor)).summaries).toEqual(["Summary 1", undefined])
  })

  it("cannot be read without the key store that sealed it", async () => {
    const withoutKeys = Queries.toPromise(Queries.make(app.store.journal))
    const [summary] = await withoutKeys.summaries(viewers.mentor, x)
    expect("text" in summary!).toBe(false)
    expect(summary!.shared).toBe(true)
  })
})

describe("meetings, tasks and follow-ups", () => {
  it("meetings are process facts for every viewer of the mentorship", async () => {
    for (const viewer of [viewers.mentor, viewers.supervisor, viewers.coordinator, viewers.analyst]) {
      const meetings = await q().meetings(viewer, x)
      expect(meetings.map((m) => [m.meetingId, m.status, m.number, m.heldAt, m.durationMinutes])).toEqual([
        [cast.meeting1, "held", 1, day(5), 90],
        [cast.meeting2, "held", 2, day(19), 90]
      ])
    }
  })

  it("tasks say who completed them", async () => {
    const [task] = await q().tasks(viewers.coordinator, x)
    expect(task).toMatchObject({ taskId: cast.task, dueOn: day(15), completedAt: null, shared: false })
    expect(task!.assignees.map((a) => [a.menteeId, a.completedAt])).toEqual([
      [cast.menteeA, day(12)],
      [cast.menteeB, null]
    ])
  })

  it("follow-ups due are those scheduled, not held, and due by then", async () => {
    const due = async (viewer: Queries.Viewer, asOf: Date) =>
      (await q().followUpsDue(viewer, asOf)).map((f) => [f.mentorshipId, f.dueOn])
    expect(await due(viewers.coordinator, day(69))).toEqual([])
    expect(await due(viewers.coordinator, day(70))).toEqual([[cast.y, day(70)]])
    expect(await due(viewers.mentor, day(90))).toEqual([[cast.y, day(70)]])
    expect(await due(viewers.menteeA, day(90))).toEqual([])
    expect(await due(viewers.otherCoordinator, day(90))).toEqual([])
    expect(await due(viewers.analyst, day(90))).toEqual([[hash(cast.y), day(70)]])
  })
})

describe("mentor load and statistics", () => {
  it("mentor load is for the programme's coordinators, the support team, analysts, and each mentor's own row", async () => {
    const load = async (viewer: Queries.Viewer) =>
      (await q().mentorLoad(viewer, cast.programme)).map((m) => [
        m.mentorId,
        m.capacity,
        m.assigned,
        m.free,
        m.trained
      ])
    const all = [
      [cast.mentor, 3, 2, 1, true],
      [cast.otherMentor, 3, 0, 3, true]
    ]
    expect(await load(viewers.coordinator)).toEqual(all)
    expect(await load(viewers.support)).toEqual(all)
    expect(await load(viewers.analyst)).toEqual(all.map(([id, ...rest]) => [hash(id as string), ...rest]))
    expect(await load(viewers.mentor)).toEqual([all[0]])
    expect(await load(viewers.otherCoordinator)).toEqual([])
    expect(await load(viewers.menteeA)).toEqual([])
    expect(await load(viewers.supervisor)).toEqual([])
  })

  it("statistics count mentorships per phase, without person data", async () => {
    const stats = await q().programmeStatistics(viewers.coordinator)
    expect(stats).toEqual([
      {
        programmeId: cast.programme,
        templateId: "short-process",
        phases: { "follow-up": 2 },
        total: 2,
        completed: 0,
        withdrawn: 0,
        running: 2
      }
    ])
    expect(await q().programmeStatistics(viewers.analyst, cast.programme)).toEqual(stats)
    expect(await q().programmeStatistics(viewers.otherCoordinator)).toEqual([])
    expect(await q().programmeStatistics(viewers.mentor)).toEqual([])
  })
})

describe("erasure", () => {
  it("takes content away from an erased viewer, and content they co-owned from everyone", async () => {
    await app.ledger.execute({
      _tag: "ErasePersonalData",
      actor: coordinator,
      occurredAt: day(90),
      mentorshipId: x,
      personId: cast.menteeB
    })
    const asB = await q().summaries(viewers.menteeB, x)
    expect(asB.map((s) => "text" in s)).toEqual([false, false])
    const m = (await q().mentorship(viewers.coordinator, x))!
    expect(m.participants!.find((p) => p.personId === cast.menteeB)!.erased).toBe(true)
    // the mentor still reads A's own amendment and reflection, which B never owned
    const asMentor = await q().summaries(viewers.mentor, x)
    expect(asMentor[0]!.amendments[0]!.text).toBe("A's own thoughts")
    const [task] = await q().tasks(viewers.mentor, x)
    expect(task!.assignees[0]!.reflection).toBe("A's reflection")
  })
})
