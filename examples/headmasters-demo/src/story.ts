/**
 * A Headmasters-as-Mentors mentorship from request to follow-up (seed 001),
 * with a few commands the rules refuse along the way.
 */
import { Commands, Ids, type MentorLedger, Rules, Template } from "@mentor-ledger/core"

export interface StoryLine {
  readonly kind: "ok" | "refused"
  readonly command: string
  readonly phase: string
  readonly detail: string
}

const day = (n: number) => new Date(Date.UTC(2026, 0, 12 + n, 9, 0, 0))

/** Stable ids, so that the story prints the same every time. */
export const cast = {
  programme: Ids.sequentialId(1),
  coordinator: Ids.sequentialId(10),
  mentor: Ids.sequentialId(11),
  headmaster: Ids.sequentialId(12),
  deputy: Ids.sequentialId(13),
  supervisor: Ids.sequentialId(14),
  mentorship: Ids.sequentialId(100)
} as const

const meeting = (n: number) => Ids.sequentialId(200 + n)

export const playHeadmastersStory = async (
  ledger: MentorLedger,
  onLine: (line: StoryLine) => void = () => {}
): Promise<ReadonlyArray<StoryLine>> => {
  const lines: Array<StoryLine> = []
  const c = cast
  const coordinator = { personId: c.coordinator, role: "coordinator" } as const
  const mentor = { personId: c.mentor, role: "mentor" } as const
  const headmaster = { personId: c.headmaster, role: "mentee" } as const
  const phaseOf = async () => {
    const m = await ledger.mentorship(c.mentorship)
    return m.state._tag === "Active" ? m.state.phase : "none"
  }
  const step = async (command: Commands.CommandInput) => {
    await ledger.execute(command)
    const line: StoryLine = { kind: "ok", command: command._tag, phase: await phaseOf(), detail: "" }
    lines.push(line)
    onLine(line)
  }
  const refused = async (command: Commands.CommandInput) => {
    try {
      await ledger.execute(command)
    } catch (error) {
      if (error instanceof Rules.RuleViolation) {
        const line: StoryLine = {
          kind: "refused",
          command: command._tag,
          phase: error.phase,
          detail: `${error.rule}: ${error.message}`
        }
        lines.push(line)
        onLine(line)
        return
      }
      throw error
    }
    throw new Error(`${command._tag} should have been refused`)
  }

  await step({
    _tag: "LaunchProgramme",
    actor: coordinator,
    occurredAt: day(-30),
    programmeId: c.programme,
    name: "Headmasters as Mentors, south-west Finland",
    templates: [Template.headmastersAsMentors]
  })
  await step({
    _tag: "EnrolMentor",
    actor: coordinator,
    programmeId: c.programme,
    mentorId: c.mentor,
    capacity: 2
  })
  await step({
    _tag: "RecordMentorTraining",
    actor: coordinator,
    programmeId: c.programme,
    mentorId: c.mentor,
    course: "Mentor training for ECEC leaders"
  })
  await step({
    _tag: "RequestMentoring",
    actor: { personId: c.supervisor, role: "supervisor" },
    occurredAt: day(0),
    mentorshipId: c.mentorship,
    programmeId: c.programme,
    templateId: "headmasters-as-mentors",
    menteeIds: [c.headmaster, c.deputy],
    supervisorId: c.supervisor
  })
  // The supervisor cannot mentor their own school's leadership.
  await refused({
    _tag: "MatchMentor",
    actor: coordinator,
    mentorshipId: c.mentorship,
    mentorIds: [c.supervisor]
  })
  await step({
    _tag: "MatchMentor",
    actor: coordinator,
    occurredAt: day(2),
    mentorshipId: c.mentorship,
    mentorIds: [c.mentor]
  })
  // No meeting before a signed agreement.
  await refused({
    _tag: "HoldMeeting",
    actor: mentor,
    mentorshipId: c.mentorship,
    meetingId: meeting(0),
    modality: "in-person",
    durationMinutes: 90
  })
  await step({
    _tag: "HoldOpeningDiscussion",
    actor: mentor,
    occurredAt: day(7),
    mentorshipId: c.mentorship,
    participantIds: [c.mentor, c.headmaster, c.deputy, c.supervisor],
    expectations: "Share the school's strengths with the municipality's network; lead the change calmly."
  })
  for (const mentee of [c.headmaster, c.deputy]) {
    await step({
      _tag: "SubmitSelfAssessment",
      actor: { personId: mentee, role: "mentee" },
      occurredAt: day(9),
      mentorshipId: c.mentorship,
      strengths: "A committed staff",
      weaknesses: "Too little time for pedagogical leadership",
      opportunities: "A new curriculum",
      threats: "Staff turnover"
    })
  }
  await step({
    _tag: "SignAgreement",
    actor: headmaster,
    occurredAt: day(14),
    mentorshipId: c.mentorship,
    goals: ["A fluid daily routine", "Leading change in the school"],
    topics: ["Interactions and atmosphere", "The well-being of everyone"],
    plannedMeetings: 8,
    cadenceDays: 14,
    confidentiality: true,
    signatories: [c.mentor, c.headmaster, c.deputy]
  })
  for (let n = 0; n < 6; n++) {
    await step({
      _tag: "HoldMeeting",
      actor: mentor,
      occurredAt: day(14 + n * 14),
      mentorshipId: c.mentorship,
      meetingId: meeting(n),
      modality: n % 3 === 2 ? "video" : "in-person",
      durationMinutes: n === 0 ? 150 : 90,
      planning: n === 0
    })
    await step({
      _tag: "DraftSummary",
      actor: mentor,
      occurredAt: day(15 + n * 14),
      mentorshipId: c.mentorship,
      meetingId: meeting(n),
      text: `Summary of meeting ${n + 1}`
    })
    if (n === 1) {
      // Only the mentee amends a summary, and only before it is final.
      await refused({
        _tag: "AmendSummary",
        actor: mentor,
        mentorshipId: c.mentorship,
        meetingId: meeting(n),
        text: "The mentor cannot amend"
      })
      await step({
        _tag: "AmendSummary",
        actor: headmaster,
        occurredAt: day(16 + n * 14),
        mentorshipId: c.mentorship,
        meetingId: meeting(n),
        text: "My own thoughts: the timetable change worked."
      })
    }
    await step({
      _tag: "FinaliseSummary",
      actor: headmaster,
      occurredAt: day(17 + n * 14),
      mentorshipId: c.mentorship,
      meetingId: meeting(n)
    })
  }
  // A summary concerns both mentees: it is shared when each of them consents.
  for (const mentee of [c.headmaster, c.deputy]) {
    await step({
      _tag: "GiveConsent",
      actor: { personId: mentee, role: "mentee" },
      occurredAt: day(100),
      mentorshipId: c.mentorship,
      item: { kind: "summary", id: meeting(1) }
    })
  }
  await step({
    _tag: "HoldEvaluation",
    actor: mentor,
    occurredAt: day(101),
    mentorshipId: c.mentorship,
    participantIds: [c.mentor, c.headmaster, c.deputy],
    processSummary: "The leadership team found a shared rhythm."
  })
  // No report before the closing discussion.
  await refused({
    _tag: "DeliverReport",
    actor: mentor,
    mentorshipId: c.mentorship,
    recipientId: c.supervisor,
    citedItems: [],
    text: "Too early"
  })
  await step({
    _tag: "HoldClosingDiscussion",
    actor: mentor,
    occurredAt: day(110),
    mentorshipId: c.mentorship,
    participantIds: [c.mentor, c.headmaster, c.deputy, c.supervisor],
    durationMinutes: 75
  })
  // A report can cite only what the mentee consented to share.
  await refused({
    _tag: "DeliverReport",
    actor: mentor,
    mentorshipId: c.mentorship,
    recipientId: c.supervisor,
    citedItems: [{ kind: "summary", id: meeting(2) }],
    text: "Citing an unshared summary"
  })
  await step({
    _tag: "DeliverReport",
    actor: mentor,
    occurredAt: day(111),
    mentorshipId: c.mentorship,
    recipientId: c.supervisor,
    citedItems: [{ kind: "summary", id: meeting(1) }],
    text: "The school's leadership has a shared plan for change."
  })
  await step({
    _tag: "ScheduleFollowUp",
    actor: mentor,
    occurredAt: day(111),
    mentorshipId: c.mentorship,
    dueOn: day(291)
  })
  await step({
    _tag: "HoldFollowUp",
    actor: mentor,
    occurredAt: day(292),
    mentorshipId: c.mentorship,
    notes: "The new routines hold."
  })
  await step({ _tag: "CompleteMentorship", actor: mentor, occurredAt: day(293), mentorshipId: c.mentorship })
  // Nothing after completion but erasure.
  await refused({
    _tag: "HoldMeeting",
    actor: mentor,
    mentorshipId: c.mentorship,
    meetingId: meeting(9),
    modality: "phone",
    durationMinutes: 30
  })
  return lines
}
