/**
 * A regional network's circles under its own template, played through the
 * Promise API: the template is defined (drafts that break its rules are
 * refused first), two circles are requested and matched, one meets every
 * month, the other stalls after two meetings. The commands the template's
 * rules refuse are part of the story.
 */
import { Commands, Ids, Ledger, type MentorLedger, Rules } from "@mentor-ledger/core"
import { invalidDrafts, leadersCircle } from "./template.js"

/** One line of the story: a command that was recorded, or refused with its typed error. */
export interface StoryLine {
  readonly kind: "ok" | "refused"
  readonly command: string
  /** For a refusal: the error's tag and the rule or field at fault. */
  readonly error?: { readonly tag: "RuleViolation" | "InvalidCommand"; readonly at: string }
  readonly detail: string
}

/** 9:00 UTC on a day of 2026. */
const on = (month: number, day: number) => new Date(Date.UTC(2026, month - 1, day, 9, 0, 0))

/** Stable ids, so the story prints the same every time. */
export const cast = {
  programme: Ids.sequentialId(1),
  coordinator: Ids.sequentialId(10),
  mentors: [Ids.sequentialId(11), Ids.sequentialId(12), Ids.sequentialId(13)],
  /** Twelve centre directors: more than one circle may take. */
  directors: Array.from({ length: 12 }, (_, i) => Ids.sequentialId(20 + i)),
  /** The circle that meets every month. */
  northCircle: Ids.sequentialId(100),
  /** The circle that stalls. */
  coastCircle: Ids.sequentialId(101),
  /** Requests the template refuses (the ids are never used). */
  refusedCircle: Ids.sequentialId(102)
} as const

/** The date the read model is looked at. */
export const asOf = on(6, 20)

const northDirectors = cast.directors.slice(0, 6)
const coastDirectors = cast.directors.slice(6, 10)
const meetingId = (circle: number, n: number) => Ids.sequentialId(1000 + circle * 100 + n)
const taskId = (circle: number, n: number) => Ids.sequentialId(3000 + circle * 100 + n)

export const playCircles = async (
  ledger: MentorLedger,
  onLine: (line: StoryLine) => void = () => {}
): Promise<ReadonlyArray<StoryLine>> => {
  const lines: Array<StoryLine> = []
  const emit = (line: StoryLine) => {
    lines.push(line)
    onLine(line)
  }
  const coordinator = { personId: cast.coordinator, role: "coordinator" } as const
  const mentor = (n: number) => ({ personId: cast.mentors[n]!, role: "mentor" }) as const
  const director = (id: string) => ({ personId: id, role: "mentee" }) as const
  const step = async (command: Commands.CommandInput, detail = "") => {
    await ledger.execute(command)
    emit({ kind: "ok", command: command._tag, detail })
  }
  const refused = async (command: Commands.CommandInput, why: string) => {
    try {
      await ledger.execute(command)
    } catch (error) {
      if (error instanceof Rules.RuleViolation) {
        emit({
          kind: "refused",
          command: command._tag,
          error: { tag: "RuleViolation", at: error.rule },
          detail: `${why} — ${error.message}`
        })
        return
      }
      if (error instanceof Ledger.InvalidCommand) {
        emit({
          kind: "refused",
          command: command._tag,
          error: { tag: "InvalidCommand", at: error.path },
          detail: `${why} — ${error.message}`
        })
        return
      }
      throw error
    }
    throw new Error(`${command._tag} should have been refused (${why})`)
  }

  // The programme, then its own template. Drafts that break the template's rules are refused.
  await step({
    _tag: "LaunchProgramme",
    actor: coordinator,
    occurredAt: on(1, 5),
    programmeId: cast.programme,
    name: "Leaders' circles, Southwest Finland ECEC network",
    templates: []
  })
  for (const draft of invalidDrafts)
    await refused(
      // A draft arrives as data, unchecked: the ledger decodes it and names what is wrong.
      {
        _tag: "DefineTemplate",
        actor: coordinator,
        programmeId: cast.programme,
        template: draft
      } as unknown as Commands.CommandInput,
      "a draft template"
    )
  await step(
    {
      _tag: "DefineTemplate",
      actor: coordinator,
      occurredAt: on(1, 5),
      programmeId: cast.programme,
      template: leadersCircle
    },
    `${leadersCircle.id}: ${leadersCircle.mentees.min}–${leadersCircle.mentees.max} mentees, ${leadersCircle.meetings.min}–${leadersCircle.meetings.max} meetings every ${leadersCircle.cadenceDays.min}–${leadersCircle.cadenceDays.max} days`
  )
  await refused(
    {
      _tag: "DefineTemplate",
      actor: coordinator,
      programmeId: cast.programme,
      template: { ...leadersCircle, name: "A second circle template under the same id" }
    },
    "the same id again"
  )

  // The mentor pool: two trained mentors; the third is enrolled but not yet trained.
  for (const [n, id] of cast.mentors.entries()) {
    await step({
      _tag: "EnrolMentor",
      actor: coordinator,
      occurredAt: on(1, 8),
      programmeId: cast.programme,
      mentorId: id,
      capacity: 2
    })
    if (n < 2)
      await step({
        _tag: "RecordMentorTraining",
        actor: coordinator,
        occurredAt: on(1, 9),
        programmeId: cast.programme,
        mentorId: id,
        course: "Mentor training for leaders: group mentoring"
      })
  }

  // Circle size is the template's rule: 4 to 10 directors.
  const request = (mentorshipId: string, menteeIds: ReadonlyArray<string>, day: number) =>
    ({
      _tag: "RequestMentoring",
      actor: coordinator,
      occurredAt: on(1, day),
      mentorshipId,
      programmeId: cast.programme,
      templateId: leadersCircle.id,
      menteeIds: [...menteeIds],
      supervisorId: null
    }) as const
  await refused(request(cast.refusedCircle, cast.directors.slice(0, 3), 12), "a circle of three")
  await refused(request(cast.refusedCircle, cast.directors.slice(0, 11), 12), "a circle of eleven")
  await refused(
    { ...request(cast.refusedCircle, northDirectors, 12), templateId: "peer-group-circle" },
    "a template the programme does not use"
  )
  await step(request(cast.northCircle, northDirectors, 12), "north circle: 6 directors")
  await step(request(cast.coastCircle, coastDirectors, 14), "coast circle: 4 directors")

  // One or two mentors per circle, trained ones.
  await refused(
    { _tag: "MatchMentor", actor: coordinator, mentorshipId: cast.northCircle, mentorIds: [...cast.mentors] },
    "three mentors"
  )
  await refused(
    {
      _tag: "MatchMentor",
      actor: coordinator,
      mentorshipId: cast.northCircle,
      mentorIds: [cast.mentors[2]!]
    },
    "an untrained mentor"
  )
  await step(
    {
      _tag: "MatchMentor",
      actor: coordinator,
      occurredAt: on(1, 20),
      mentorshipId: cast.northCircle,
      mentorIds: [cast.mentors[0]!, cast.mentors[1]!]
    },
    "north circle: two mentors"
  )
  await step(
    {
      _tag: "MatchMentor",
      actor: coordinator,
      occurredAt: on(1, 21),
      mentorshipId: cast.coastCircle,
      mentorIds: [cast.mentors[1]!]
    },
    "coast circle: one mentor"
  )

  // Every director's SWOT comes before the agreement.
  const agreement = (
    mentorshipId: string,
    mentorIds: ReadonlyArray<string>,
    directors: ReadonlyArray<string>,
    day: number
  ) =>
    ({
      _tag: "SignAgreement",
      actor: { personId: mentorIds[0]!, role: "mentor" },
      occurredAt: on(2, day),
      mentorshipId,
      goals: ["Leading pedagogy in a changing staff", "Coping with the director's workload"],
      topics: ["Staff well-being", "Working with the municipality"],
      plannedMeetings: 8,
      cadenceDays: 30,
      confidentiality: true,
      signatories: [...mentorIds, ...directors]
    }) as const
  const northMentors = [cast.mentors[0]!, cast.mentors[1]!]
  const coastMentors = [cast.mentors[1]!]
  await refused(
    agreement(cast.northCircle, northMentors, northDirectors, 2),
    "the agreement before the SWOTs"
  )
  for (const [circle, directors] of [
    [cast.northCircle, northDirectors],
    [cast.coastCircle, coastDirectors]
  ] as const)
    for (const id of directors)
      await step({
        _tag: "SubmitSelfAssessment",
        actor: director(id),
        occurredAt: on(1, 28),
        mentorshipId: circle,
        strengths: "A committed team",
        weaknesses: "Too little time for pedagogical leadership",
        opportunities: "The new ECEC plan",
        threats: "Staff shortage"
      })
  await refused(
    { ...agreement(cast.northCircle, northMentors, northDirectors, 2), plannedMeetings: 12 },
    "twelve planned meetings"
  )
  await step(
    agreement(cast.northCircle, northMentors, northDirectors, 2),
    "north circle: signed by 2 mentors and 6 directors"
  )
  await step(
    agreement(cast.coastCircle, coastMentors, coastDirectors, 3),
    "coast circle: signed by 1 mentor and 4 directors"
  )

  // The north circle meets every month from February to June, with a task for every director each time.
  for (let n = 0; n < 5; n++) {
    const month = 2 + n
    await step(
      {
        _tag: "HoldMeeting",
        actor: mentor(0),
        occurredAt: on(month, 10),
        mentorshipId: cast.northCircle,
        meetingId: meetingId(0, n),
        modality: n === 2 ? "video" : "in-person",
        durationMinutes: n === 0 ? 180 : 120,
        planning: n === 0
      },
      `north circle, meeting ${n + 1}`
    )
    await step({
      _tag: "AssignTask",
      actor: mentor(0),
      occurredAt: on(month, 10),
      mentorshipId: cast.northCircle,
      taskId: taskId(0, n),
      assigneeIds: northDirectors,
      description: "Shadow a colleague's team meeting and note one thing to try",
      dueOn: on(month + 1, 5)
    })
    // Everyone but the last two directors does the task; they do every other one.
    for (const [i, id] of northDirectors.entries())
      if (i < 4 || n % 2 === 0)
        await step({
          _tag: "CompleteTask",
          actor: director(id),
          occurredAt: on(month, 25),
          mentorshipId: cast.northCircle,
          taskId: taskId(0, n),
          reflection: "Tried it in our Monday meeting"
        })
  }
  // Five meetings are not enough for the co-evaluation: the template asks for six.
  await refused(
    {
      _tag: "HoldEvaluation",
      actor: mentor(0),
      mentorshipId: cast.northCircle,
      participantIds: [...northMentors, ...northDirectors],
      processSummary: "Too early"
    },
    "an evaluation after five meetings"
  )

  // The coast circle meets twice, then nothing since March.
  for (let n = 0; n < 2; n++) {
    await step(
      {
        _tag: "HoldMeeting",
        actor: mentor(1),
        occurredAt: on(2 + n, 17),
        mentorshipId: cast.coastCircle,
        meetingId: meetingId(1, n),
        modality: "video",
        durationMinutes: 90
      },
      `coast circle, meeting ${n + 1}`
    )
    await step({
      _tag: "AssignTask",
      actor: mentor(1),
      occurredAt: on(2 + n, 17),
      mentorshipId: cast.coastCircle,
      taskId: taskId(1, n),
      assigneeIds: coastDirectors,
      description: "Write down one staff conversation that went well",
      dueOn: null
    })
    await step({
      _tag: "CompleteTask",
      actor: director(coastDirectors[0]!),
      occurredAt: on(2 + n, 27),
      mentorshipId: cast.coastCircle,
      taskId: taskId(1, n),
      reflection: "Done"
    })
  }
  return lines
}
