import { afterAll, describe, expect, it } from "vitest"
import { type Ids, Mentorship, type Rules, Template } from "@mentor-ledger/core"
import {
  actors,
  as,
  commandsTo,
  day,
  historyTo,
  type Journey,
  journey,
  lastMilestoneBy,
  meetingId,
  mentee,
  mentor,
  mentorshipId,
  mentorshipState,
  milestones,
  observationId,
  otherMentorshipId,
  people,
  playMentorship,
  programmeId,
  secondMentee,
  taskId,
  templates,
  vocationalPairs,
  withdrawnAfter
} from "./support/fixtures.js"
import { DeciderSpecification } from "@mentor-ledger/testing"

const { given, refusedRules } = DeciderSpecification

const decider = Mentorship.decider
const headmasters = Template.headmastersAsMentors
const earlyCareer = Template.earlyCareerInduction
const placement = Template.studentPlacement
const circle = Template.peerGroupCircle

/** When the commands under test happen: after every fixture history. */
const now = day(1000)
const at = { mentorshipId, occurredAt: now }

const expectedPhase: Record<string, Template.Phase | undefined> = {
  requested: "requested",
  matched: "matched",
  opening: "opening",
  agreement: "agreement",
  meetings: "meetings",
  evaluation: "evaluation",
  closing: "closing",
  reported: "closing",
  "follow-up": "follow-up",
  "followed-up": "follow-up",
  completed: "completed"
}

const holdMeeting = (n: number, actor = actors.mentor): Mentorship.Command => ({
  _tag: "HoldMeeting",
  actor,
  ...at,
  meetingId: meetingId(n),
  modality: "video",
  durationMinutes: 60,
  planning: false
})
const draftSummary = (n: number): Mentorship.Command => ({
  _tag: "DraftSummary",
  actor: actors.mentor,
  ...at,
  meetingId: meetingId(n),
  text: `Summary of meeting ${n}`
})

describe("fixtures", () => {
  for (const template of templates) {
    it(`${template.id}: every milestone is reached, in the expected phase`, () => {
      const j = journey(template)
      const seen: Array<string> = []
      for (const { milestone } of j.stages) {
        const state = mentorshipState(historyTo(template, milestone))
        // The SWOT is a step within the phase it is submitted in.
        const phase = milestone === "self-assessed" ? expectedPhase[seen.at(-1)!] : expectedPhase[milestone]
        expect(state.phase, milestone).toBe(phase)
        seen.push(milestone)
      }
      expect(seen.at(-1)).toBe("completed")
    })
  }

  it("the templates differ in the milestones they pass", () => {
    expect(milestones(headmasters)).toEqual([
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
    ])
    expect(milestones(earlyCareer)).toEqual([
      "requested",
      "matched",
      "self-assessed",
      "agreement",
      "meetings",
      "completed"
    ])
    expect(milestones(placement)).toEqual([
      "requested",
      "matched",
      "agreement",
      "meetings",
      "evaluation",
      "completed"
    ])
    expect(milestones(circle)).toEqual([
      "requested",
      "matched",
      "self-assessed",
      "agreement",
      "meetings",
      "evaluation",
      "completed"
    ])
    expect(milestones(vocationalPairs)).toEqual([
      "requested",
      "matched",
      "opening",
      "agreement",
      "meetings",
      "closing",
      "reported",
      "completed"
    ])
  })

  it("a peer-group circle has several mentees", () => {
    expect(mentorshipState(historyTo(circle, "meetings")).menteeIds).toHaveLength(3)
  })
})

describe("request", () => {
  const request = (overrides: Partial<Mentorship.Request> = {}): Mentorship.Command => ({
    _tag: "RequestMentoring",
    actor: actors.coordinator,
    ...at,
    programmeId,
    template: headmasters,
    menteeIds: [mentee],
    supervisorId: people.supervisor,
    ...overrides
  })

  it("a coordinator, the supervisor or the mentee may request mentoring", () => {
    const command = request()
    if (command._tag !== "RequestMentoring") throw new Error("unreachable")
    given(decider)
      .when(command)
      .then([
        {
          _tag: "MentoringRequested",
          actor: actors.coordinator,
          occurredAt: now,
          mentorshipId,
          programmeId: command.programmeId,
          template: headmasters,
          menteeIds: [mentee],
          supervisorId: people.supervisor
        }
      ])
    given(decider)
      .when(request({ actor: actors.supervisor }))
      .thenRecords("MentoringRequested")
    given(decider)
      .when(request({ actor: actors.mentee }))
      .thenRecords("MentoringRequested")
  })

  it("a mentorship is requested once", () => {
    given(decider, historyTo(headmasters, "requested")).when(request()).thenRefuses("mentorship-exists")
  })

  it("a mentor cannot request mentoring", () => {
    given(decider)
      .when(request({ actor: actors.mentor }))
      .thenRefuses("role-not-permitted")
  })

  it("a mentee requests only for themselves, a supervisor only as the supervisor", () => {
    given(decider)
      .when(request({ actor: as(people.outsider, "mentee") }))
      .thenRefuses("not-a-participant")
    given(decider)
      .when(request({ actor: as(people.outsider, "supervisor") }))
      .thenRefuses("not-a-participant")
  })

  it("the number of mentees fits the template (a circle has 3 to 12, an induction 1)", () => {
    given(decider)
      .when(request({ template: circle, menteeIds: people.mentees.slice(0, 12) }))
      .thenRecords("MentoringRequested")
    given(decider)
      .when(request({ template: circle, menteeIds: people.mentees.slice(0, 2) }))
      .thenRefuses("group-size")
    given(decider)
      .when(request({ template: circle, menteeIds: people.mentees.slice(0, 13) }))
      .thenRefuses("group-size")
    given(decider)
      .when(request({ template: earlyCareer, menteeIds: [mentee, secondMentee], supervisorId: null }))
      .thenRefuses("group-size")
    given(decider)
      .when(request({ menteeIds: [] }))
      .thenRefuses("group-size")
  })

  it("the same mentee cannot be listed twice", () => {
    given(decider)
      .when(request({ template: circle, menteeIds: [mentee, mentee, secondMentee] }))
      .thenRefuses("group-size")
  })

  it("a template in which the supervisor takes part needs a supervisor", () => {
    given(decider)
      .when(request({ supervisorId: null }))
      .thenRefuses("participants-missing")
    given(decider)
      .when(request({ template: earlyCareer, supervisorId: null }))
      .thenRecords("MentoringRequested")
  })

  it("a mentee cannot be their own supervisor", () => {
    given(decider)
      .when(request({ menteeIds: [mentee], supervisorId: mentee }))
      .thenRefuses("supervisor-is-mentee")
  })
})

describe("match", () => {
  const match = (mentorIds: ReadonlyArray<Ids.PersonId>, actor = actors.coordinator) =>
    ({ _tag: "MatchMentor", actor, ...at, mentorIds }) as const

  it("a coordinator matches a mentor", () => {
    given(decider, historyTo(headmasters, "requested"))
      .when(match([mentor]))
      .then([
        {
          _tag: "MentorMatched",
          actor: actors.coordinator,
          occurredAt: now,
          mentorshipId,
          mentorIds: [mentor]
        }
      ])
  })

  it("a mentor team fits the template: up to 3 for headmasters, 1 for a student placement", () => {
    given(decider, historyTo(headmasters, "requested"))
      .when(match(people.mentors.slice(0, 3)))
      .thenRecords("MentorMatched")
    given(decider, historyTo(headmasters, "requested"))
      .when(match(people.mentors.slice(0, 4)))
      .thenRefuses("group-size")
    given(decider, historyTo(placement, "requested"))
      .when(match(people.mentors.slice(0, 2)))
      .thenRefuses("group-size")
    given(decider, historyTo(headmasters, "requested")).when(match([])).thenRefuses("group-size")
    given(decider, historyTo(headmasters, "requested"))
      .when(match([mentor, mentor]))
      .thenRefuses("group-size")
  })

  it("a mentee cannot mentor themselves", () => {
    given(decider, historyTo(circle, "requested"))
      .when(match([secondMentee]))
      .thenRefuses("self-mentoring")
  })

  it("the mentee's own supervisor cannot be the mentor", () => {
    given(decider, historyTo(headmasters, "requested"))
      .when(match([people.supervisor]))
      .thenRefuses("mentor-is-supervisor")
  })

  it("only a coordinator matches", () => {
    given(decider, historyTo(headmasters, "requested"))
      .when(match([mentor], actors.supervisor))
      .thenRefuses("role-not-permitted")
  })

  it("a mentorship is matched once, and only if it exists", () => {
    given(decider, historyTo(headmasters, "matched"))
      .when(match([mentor]))
      .thenRefuses("phase-order")
    given(decider)
      .when(match([mentor]))
      .thenRefuses("mentorship-not-found")
  })
})

describe("phase order", () => {
  it("no meeting before a signed agreement", () => {
    for (const template of templates) {
      const before = lastMilestoneBy(template, "self-assessed")
      given(decider, historyTo(template, before)).when(holdMeeting(90)).thenRefuses("phase-order")
      given(decider, historyTo(template, "agreement")).when(holdMeeting(90)).thenRecords("MeetingHeld")
    }
  })

  it("the first meeting moves the mentorship from agreement to meetings", () => {
    const state = given(decider, historyTo(headmasters, "agreement"))
      .when(holdMeeting(0))
      .thenRecords("MeetingHeld").state
    expect(state._tag === "Active" && state.phase).toBe("meetings")
  })

  it("no agreement before the opening discussion, when the template has one", () => {
    const history = playMentorship(historyTo(headmasters, "matched"), {
      _tag: "SubmitSelfAssessment",
      actor: actors.mentee,
      ...at,
      strengths: "s",
      weaknesses: "w",
      opportunities: "o",
      threats: "t"
    })
    const sign = commandsTo(journey(headmasters), "agreement").at(-1)!
    given(decider, history).when(sign).thenRefuses("phase-order")
    given(decider, historyTo(headmasters, "self-assessed")).when(sign).thenRecords("AgreementSigned")
  })

  it("no evaluation before the template's minimum number of meetings", () => {
    const evaluate = commandsTo(journey(headmasters), "evaluation").at(-1)!
    given(decider, historyTo(headmasters, "meetings", { meetings: 5 }))
      .when(evaluate)
      .thenRefuses("minimum-meetings")
    given(decider, historyTo(headmasters, "meetings", { meetings: 6 }))
      .when(evaluate)
      .thenRecords("EvaluationHeld")
    // Before any meeting it is the phase that is wrong.
    given(decider, historyTo(headmasters, "agreement")).when(evaluate).thenRefuses("phase-order")
  })

  it("the circle's and the placement's evaluation need their own minimum (4 and 3)", () => {
    for (const [template, min] of [
      [circle, 4],
      [placement, 3]
    ] as const) {
      const evaluate = commandsTo(journey(template), "evaluation").at(-1)!
      given(decider, historyTo(template, "meetings", { meetings: min - 1 }))
        .when(evaluate)
        .thenRefuses("minimum-meetings")
      given(decider, historyTo(template, "meetings", { meetings: min }))
        .when(evaluate)
        .thenRecords("EvaluationHeld")
    }
  })

  it("no closing discussion before the evaluation, or before the minimum meetings", () => {
    const close = commandsTo(journey(headmasters), "closing").at(-1)!
    given(decider, historyTo(headmasters, "meetings")).when(close).thenRefuses("phase-order")
    given(decider, historyTo(headmasters, "evaluation")).when(close).thenRecords("ClosingDiscussionHeld")
    const closePair = commandsTo(journey(vocationalPairs), "closing").at(-1)!
    given(decider, historyTo(vocationalPairs, "meetings", { meetings: 1 }))
      .when(closePair)
      .thenRefuses("minimum-meetings")
    given(decider, historyTo(vocationalPairs, "meetings"))
      .when(closePair)
      .thenRecords("ClosingDiscussionHeld")
  })

  it("no report before the closing discussion", () => {
    const report = commandsTo(journey(headmasters), "reported").at(-1)!
    given(decider, historyTo(headmasters, "evaluation")).when(report).thenRefuses("phase-order")
    given(decider, historyTo(headmasters, "closing")).when(report).thenRecords("ReportDelivered")
  })

  it("a report is delivered once", () => {
    const report = commandsTo(journey(headmasters), "reported").at(-1)!
    given(decider, historyTo(headmasters, "reported")).when(report).thenRefuses("phase-order")
  })

  it("no follow-up before the report", () => {
    const schedule: Mentorship.Command = {
      _tag: "ScheduleFollowUp",
      actor: actors.mentor,
      ...at,
      dueOn: day(1180)
    }
    given(decider, historyTo(headmasters, "closing")).when(schedule).thenRefuses("report-required")
    given(decider, historyTo(headmasters, "reported"))
      .when(schedule)
      .then([
        { _tag: "FollowUpScheduled", actor: actors.mentor, occurredAt: now, mentorshipId, dueOn: day(1180) }
      ])
  })

  it("the follow-up is due the template's delay after it is scheduled, unless a date is given", () => {
    given(decider, historyTo(headmasters, "reported"))
      .when({ _tag: "ScheduleFollowUp", actor: actors.mentor, ...at })
      .then([
        {
          _tag: "FollowUpScheduled",
          actor: actors.mentor,
          occurredAt: now,
          mentorshipId,
          dueOn: new Date(now.getTime() + 180 * 86_400_000)
        }
      ])
  })

  it("a coordinator may schedule the follow-up too", () => {
    given(decider, historyTo(headmasters, "reported"))
      .when({ _tag: "ScheduleFollowUp", actor: actors.coordinator, ...at, dueOn: day(1180) })
      .thenRecords("FollowUpScheduled")
  })

  it("the follow-up visit is held after it is scheduled, and once", () => {
    const visit: Mentorship.Command = {
      _tag: "HoldFollowUp",
      actor: actors.mentor,
      ...at,
      notes: "Routines hold."
    }
    given(decider, historyTo(headmasters, "reported")).when(visit).thenRefuses("phase-order")
    given(decider, historyTo(headmasters, "follow-up")).when(visit).thenRecords("FollowUpHeld")
    given(decider, historyTo(headmasters, "followed-up")).when(visit).thenRefuses("phase-order")
  })

  it("the follow-up cannot be due before it was scheduled", () => {
    const history = historyTo(headmasters, "reported")
    given(decider, history)
      .when({ _tag: "ScheduleFollowUp", actor: actors.mentor, ...at, dueOn: day(999) })
      .thenRefuses("date-order")
    given(decider, history)
      .when({ _tag: "ScheduleFollowUp", actor: actors.mentor, ...at, dueOn: now })
      .thenRecords("FollowUpScheduled")
  })

  describe("completion", () => {
    const complete: Mentorship.Command = { _tag: "CompleteMentorship", actor: actors.coordinator, ...at }

    for (const template of templates) {
      it(`${template.id}: completes after its last step`, () => {
        const j = journey(template)
        const last = j.stages.at(-2)!.milestone
        const state = given(decider, historyTo(template, last))
          .when({ ...complete, actor: as(j.mentorIds[0]!, "mentor") })
          .then([
            {
              _tag: "MentorshipCompleted",
              actor: as(j.mentorIds[0]!, "mentor"),
              occurredAt: now,
              mentorshipId
            }
          ])
        expect(state._tag === "Active" && state.phase).toBe("completed")
      })
    }

    it("headmasters: not before the follow-up visit", () => {
      given(decider, historyTo(headmasters, "reported")).when(complete).thenRefuses("follow-up-required")
      given(decider, historyTo(headmasters, "follow-up")).when(complete).thenRefuses("follow-up-required")
    })

    it("a template with a report but no follow-up: not before the report", () => {
      given(decider, historyTo(vocationalPairs, "closing")).when(complete).thenRefuses("report-required")
    })

    it("a template with an evaluation: not before it", () => {
      given(decider, historyTo(placement, "meetings")).when(complete).thenRefuses("phase-order")
    })

    it("early-career induction: not before the minimum of 4 meetings", () => {
      given(decider, historyTo(earlyCareer, "meetings", { meetings: 3 }))
        .when(complete)
        .thenRefuses("minimum-meetings")
      given(decider, historyTo(earlyCareer, "meetings", { meetings: 4 }))
        .when(complete)
        .thenRecords("MentorshipCompleted")
    })

    it("a mentee cannot complete the mentorship", () => {
      given(decider, historyTo(earlyCareer, "meetings"))
        .when({ ...complete, actor: actors.mentee })
        .thenRefuses("role-not-permitted")
    })
  })

  describe("nothing after completion or withdrawal except erasure", () => {
    const afterwards: ReadonlyArray<Mentorship.Command> = [
      holdMeeting(50),
      { _tag: "CompleteMentorship", actor: actors.coordinator, ...at },
      { _tag: "WithdrawMentorship", actor: actors.mentee, ...at, reason: "leave" },
      { _tag: "GiveConsent", actor: actors.mentee, ...at, item: { kind: "summary", id: meetingId(0) } },
      { _tag: "DraftSummary", actor: actors.mentor, ...at, meetingId: meetingId(1), text: "Late" },
      { _tag: "MatchMentor", actor: actors.coordinator, ...at, mentorIds: [people.mentors[1]] }
    ]
    const ended = {
      completed: historyTo(headmasters, "completed"),
      withdrawn: withdrawnAfter(headmasters, "meetings")
    }

    for (const [how, history] of Object.entries(ended)) {
      it(`${how}: other commands are refused as mentorship-closed`, () => {
        for (const command of afterwards)
          given(decider, history).when(command).thenRefuses("mentorship-closed")
      })

      it(`${how}: erasure is allowed`, () => {
        given(decider, history)
          .when({ _tag: "ErasePersonalData", actor: actors.mentee, ...at, personId: mentee })
          .then([
            {
              _tag: "PersonalDataErased",
              actor: actors.mentee,
              occurredAt: now,
              mentorshipId,
              personId: mentee
            }
          ])
      })
    }
  })
})

describe("steps not in the template", () => {
  it("an early-career induction has no opening discussion", () => {
    const j = journey(earlyCareer)
    given(decider, historyTo(earlyCareer, "matched"))
      .when({
        _tag: "HoldOpeningDiscussion",
        actor: actors.mentor,
        ...at,
        participantIds: j.everyone,
        expectations: "e"
      })
      .thenRefuses("step-not-in-template")
  })

  it("the opening discussion where the template has one", () => {
    const j = journey(headmasters)
    given(decider, historyTo(headmasters, "matched"))
      .when({
        _tag: "HoldOpeningDiscussion",
        actor: actors.mentor,
        ...at,
        participantIds: j.everyone,
        expectations: "Lead calmly"
      })
      .then([
        {
          _tag: "OpeningDiscussionHeld",
          actor: actors.mentor,
          occurredAt: now,
          mentorshipId,
          participantIds: j.everyone,
          expectations: "Lead calmly"
        }
      ])
  })

  it("no SWOT in a student placement", () => {
    given(decider, historyTo(placement, "matched"))
      .when({
        _tag: "SubmitSelfAssessment",
        actor: actors.mentee,
        ...at,
        strengths: "s",
        weaknesses: "w",
        opportunities: "o",
        threats: "t"
      })
      .thenRefuses("step-not-in-template")
  })

  it("observations only where the template has them", () => {
    const observe = (n: number): Mentorship.Command => ({
      _tag: "RecordObservation",
      actor: actors.mentor,
      ...at,
      observationId: observationId(n),
      note: "Calm transitions between activities"
    })
    given(decider, historyTo(earlyCareer, "agreement")).when(observe(1)).thenRefuses("step-not-in-template")
    given(decider, historyTo(headmasters, "agreement"))
      .when(observe(1))
      .then([
        {
          _tag: "ObservationRecorded",
          actor: actors.mentor,
          occurredAt: now,
          mentorshipId,
          observationId: observationId(1),
          note: "Calm transitions between activities"
        }
      ])
    const observed = playMentorship(historyTo(headmasters, "agreement"), observe(1))
    given(decider, observed).when(observe(1)).thenRefuses("duplicate-id")
    given(decider, historyTo(headmasters, "self-assessed")).when(observe(2)).thenRefuses("phase-order")
  })

  it("no evaluation in an early-career induction or in the user-defined template", () => {
    for (const template of [earlyCareer, vocationalPairs]) {
      given(decider, historyTo(template, "meetings"))
        .when({
          _tag: "HoldEvaluation",
          actor: actors.mentor,
          ...at,
          participantIds: [mentor, mentee],
          processSummary: "p"
        })
        .thenRefuses("step-not-in-template")
    }
  })

  it("no closing discussion, report or follow-up in a peer-group circle", () => {
    const history = historyTo(circle, "evaluation")
    const j = journey(circle)
    given(decider, history)
      .when({
        _tag: "HoldClosingDiscussion",
        actor: actors.mentor,
        ...at,
        participantIds: j.everyone,
        durationMinutes: 60
      })
      .thenRefuses("step-not-in-template")
    given(decider, history)
      .when({
        _tag: "DeliverReport",
        actor: actors.mentor,
        ...at,
        recipientId: people.supervisor,
        citedItems: [],
        text: "r"
      })
      .thenRefuses("step-not-in-template")
    given(decider, history)
      .when({ _tag: "ScheduleFollowUp", actor: actors.mentor, ...at, dueOn: day(1100) })
      .thenRefuses("step-not-in-template")
  })

  it("no follow-up in the user-defined template", () => {
    given(decider, historyTo(vocationalPairs, "reported"))
      .when({ _tag: "ScheduleFollowUp", actor: actors.mentor, ...at, dueOn: day(1100) })
      .thenRefuses("step-not-in-template")
  })
})

describe("who may do what", () => {
  describe("summaries", () => {
    const held = playMentorship(historyTo(headmasters, "agreement"), holdMeeting(0))
    const drafted = playMentorship(held, draftSummary(0))
    const amend = (actor = actors.mentee): Mentorship.Command => ({
      _tag: "AmendSummary",
      actor,
      ...at,
      meetingId: meetingId(0),
      text: "My own thoughts"
    })
    const finalise = (actor = actors.mentee): Mentorship.Command => ({
      _tag: "FinaliseSummary",
      actor,
      ...at,
      meetingId: meetingId(0)
    })

    it("only the mentor drafts a summary", () => {
      given(decider, held)
        .when(draftSummary(0))
        .then([
          {
            _tag: "SummaryDrafted",
            actor: actors.mentor,
            occurredAt: now,
            mentorshipId,
            meetingId: meetingId(0),
            text: "Summary of meeting 0"
          }
        ])
      given(decider, held)
        .when({ ...draftSummary(0), actor: actors.mentee } as Mentorship.Command)
        .thenRefuses("role-not-permitted")
      given(decider, held)
        .when({ ...draftSummary(0), actor: actors.supervisor } as Mentorship.Command)
        .thenRefuses("role-not-permitted")
    })

    it("a summary is drafted once, for a meeting that was held", () => {
      given(decider, drafted).when(draftSummary(0)).thenRefuses("summary-exists")
      given(decider, held).when(draftSummary(7)).thenRefuses("unknown-meeting")
      const scheduled = playMentorship(historyTo(headmasters, "agreement"), {
        _tag: "ScheduleMeeting",
        actor: actors.mentor,
        ...at,
        meetingId: meetingId(0),
        scheduledFor: day(1007),
        modality: "phone"
      })
      given(decider, scheduled).when(draftSummary(0)).thenRefuses("meeting-not-held")
    })

    it("only the mentee amends a summary", () => {
      given(decider, drafted)
        .when(amend())
        .then([
          {
            _tag: "SummaryAmended",
            actor: actors.mentee,
            occurredAt: now,
            mentorshipId,
            meetingId: meetingId(0),
            text: "My own thoughts"
          }
        ])
      given(decider, drafted).when(amend(actors.mentor)).thenRefuses("role-not-permitted")
      given(decider, drafted).when(amend(actors.supervisor)).thenRefuses("role-not-permitted")
    })

    it("a summary is amended only once drafted and only before it is finalised", () => {
      given(decider, held).when(amend()).thenRefuses("summary-missing")
      const finalised = playMentorship(drafted, finalise())
      given(decider, finalised).when(amend()).thenRefuses("summary-finalised")
    })

    it("mentor or mentee finalises a summary, once", () => {
      given(decider, drafted)
        .when(finalise(actors.mentor))
        .then([
          {
            _tag: "SummaryFinalised",
            actor: actors.mentor,
            occurredAt: now,
            mentorshipId,
            meetingId: meetingId(0)
          }
        ])
      given(decider, held).when(finalise()).thenRefuses("summary-missing")
      given(decider, playMentorship(drafted, finalise())).when(finalise()).thenRefuses("summary-finalised")
      given(decider, drafted).when(finalise(actors.supervisor)).thenRefuses("role-not-permitted")
    })
  })

  describe("the agreement", () => {
    const team = journey(headmasters, { mentees: 2, mentors: 2 })
    const history = playMentorship([], ...commandsTo(team, "self-assessed"))
    const sign = (
      overrides: Partial<Mentorship.Command & { _tag: "SignAgreement" }> = {}
    ): Mentorship.Command => ({
      _tag: "SignAgreement",
      actor: actors.mentee,
      ...at,
      goals: ["A fluid daily routine", "Leading change"],
      topics: ["Atmosphere"],
      plannedMeetings: 8,
      cadenceDays: 14,
      confidentiality: true,
      signatories: [...team.mentorIds, ...team.menteeIds],
      ...overrides
    })

    it("every mentor and every mentee signs, with the confidentiality commitment", () => {
      given(decider, history)
        .when(sign())
        .then([
          {
            _tag: "AgreementSigned",
            actor: actors.mentee,
            occurredAt: now,
            mentorshipId,
            goals: ["A fluid daily routine", "Leading change"],
            topics: ["Atmosphere"],
            plannedMeetings: 8,
            cadenceDays: 14,
            confidentiality: true,
            signatories: [...team.mentorIds, ...team.menteeIds]
          }
        ])
      given(decider, history)
        .when(sign({ actor: actors.mentor }))
        .thenRecords("AgreementSigned")
    })

    it("both parties must sign: a missing mentor, team mentor or mentee signature is refused", () => {
      given(decider, history)
        .when(sign({ signatories: team.menteeIds }))
        .thenRefuses("signatures-missing")
      given(decider, history)
        .when(sign({ signatories: [team.mentorIds[0]!, ...team.menteeIds] }))
        .thenRefuses("signatures-missing")
      given(decider, history)
        .when(sign({ signatories: [...team.mentorIds, mentee] }))
        .thenRefuses("signatures-missing")
    })

    it("the confidentiality commitment must be true", () => {
      given(decider, history)
        .when(sign({ confidentiality: false }))
        .thenRefuses("confidentiality-commitment")
    })

    it("only mentors and mentees sign", () => {
      given(decider, history)
        .when(sign({ signatories: [...team.mentorIds, ...team.menteeIds, people.supervisor] }))
        .thenRefuses("person-not-involved")
      given(decider, history)
        .when(sign({ actor: actors.supervisor }))
        .thenRefuses("role-not-permitted")
    })

    it("plans a number of meetings the template allows (6 to 10 for headmasters)", () => {
      given(decider, history)
        .when(sign({ plannedMeetings: 10 }))
        .thenRecords("AgreementSigned")
      given(decider, history)
        .when(sign({ plannedMeetings: 11 }))
        .thenRefuses("meeting-limit")
      given(decider, history)
        .when(sign({ plannedMeetings: 5 }))
        .thenRefuses("meeting-limit")
    })

    it("is signed once", () => {
      given(decider, playMentorship(history, sign())).when(sign()).thenRefuses("phase-order")
    })
  })

  describe("the supervisor takes part in the opening and closing discussions only", () => {
    const j = journey(headmasters)

    it("is required at the opening discussion, where outsiders are not", () => {
      const open = (participantIds: ReadonlyArray<Ids.PersonId>): Mentorship.Command => ({
        _tag: "HoldOpeningDiscussion",
        actor: actors.mentor,
        ...at,
        participantIds,
        expectations: "e"
      })
      given(decider, historyTo(headmasters, "matched"))
        .when(open([mentor, mentee]))
        .thenRefuses("participants-missing")
      given(decider, historyTo(headmasters, "matched"))
        .when(open([mentee, people.supervisor]))
        .thenRefuses("participants-missing")
      given(decider, historyTo(headmasters, "matched"))
        .when(open([...j.everyone, people.outsider]))
        .thenRefuses("person-not-involved")
      given(decider, historyTo(headmasters, "matched"))
        .when({ ...open(j.everyone), actor: actors.supervisor } as Mentorship.Command)
        .thenRefuses("role-not-permitted")
    })

    it("is required at the closing discussion, where outsiders are not", () => {
      const close = (participantIds: ReadonlyArray<Ids.PersonId>): Mentorship.Command => ({
        _tag: "HoldClosingDiscussion",
        actor: actors.mentor,
        ...at,
        participantIds,
        durationMinutes: 75
      })
      const history = historyTo(headmasters, "evaluation")
      given(decider, history)
        .when(close(j.everyone))
        .then([
          {
            _tag: "ClosingDiscussionHeld",
            actor: actors.mentor,
            occurredAt: now,
            mentorshipId,
            participantIds: j.everyone,
            durationMinutes: 75
          }
        ])
      given(decider, history)
        .when(close([mentor, mentee]))
        .thenRefuses("participants-missing")
      given(decider, history)
        .when(close([...j.everyone, people.outsider]))
        .thenRefuses("person-not-involved")
    })

    it("cannot hold a meeting, schedule one or set a task", () => {
      const history = historyTo(headmasters, "agreement")
      given(decider, history).when(holdMeeting(0, actors.supervisor)).thenRefuses("role-not-permitted")
      given(decider, history)
        .when({
          _tag: "ScheduleMeeting",
          actor: actors.supervisor,
          ...at,
          meetingId: meetingId(0),
          scheduledFor: day(1007),
          modality: "video"
        })
        .thenRefuses("role-not-permitted")
      given(decider, history)
        .when({
          _tag: "AssignTask",
          actor: actors.supervisor,
          ...at,
          taskId: taskId(1),
          assigneeIds: [mentee],
          description: "d",
          dueOn: null
        })
        .thenRefuses("role-not-permitted")
    })

    it("is not a participant of the co-evaluation", () => {
      // PRODUCT.md: the supervisor takes part in opening and closing discussions only.
      const history = historyTo(headmasters, "meetings")
      const result = decider.decide(
        {
          _tag: "HoldEvaluation",
          actor: actors.mentor,
          ...at,
          participantIds: [mentor, mentee, people.supervisor],
          processSummary: "p"
        },
        mentorshipState(history)
      )
      expect(result._tag, "an evaluation listing the supervisor as participant was accepted").toBe("Left")
    })
  })

  it("the co-evaluation is held by mentors and mentees: an outsider is refused", () => {
    given(decider, historyTo(headmasters, "meetings"))
      .when({
        _tag: "HoldEvaluation",
        actor: actors.mentor,
        ...at,
        participantIds: [mentor, mentee, people.outsider],
        processSummary: "p"
      })
      .thenRefuses("person-not-involved")
  })

  it("the co-evaluation needs a mentor and every mentee", () => {
    const history = historyTo(circle, "meetings")
    const j = journey(circle)
    const evaluate = (participantIds: ReadonlyArray<Ids.PersonId>): Mentorship.Command => ({
      _tag: "HoldEvaluation",
      actor: actors.mentor,
      ...at,
      participantIds,
      processSummary: "The circle found its rhythm."
    })
    given(decider, history)
      .when(evaluate([mentor, ...j.menteeIds]))
      .then([
        {
          _tag: "EvaluationHeld",
          actor: actors.mentor,
          occurredAt: now,
          mentorshipId,
          participantIds: [mentor, ...j.menteeIds],
          processSummary: "The circle found its rhythm."
        }
      ])
    given(decider, history)
      .when(evaluate([mentor, mentee]))
      .thenRefuses("participants-missing")
    given(decider, history).when(evaluate(j.menteeIds)).thenRefuses("participants-missing")
    given(decider, history)
      .when({ ...evaluate([mentor, ...j.menteeIds]), actor: actors.mentee } as Mentorship.Command)
      .thenRefuses("role-not-permitted")
  })

  it("a mentor of another mentorship is not a participant of this one", () => {
    const history = historyTo(headmasters, "agreement")
    given(decider, history)
      .when(holdMeeting(0, as(people.otherMentor, "mentor")))
      .thenRefuses("not-a-participant")
    given(decider, history)
      .when(holdMeeting(0, as(people.mentees[5]!, "mentee")))
      .thenRefuses("not-a-participant")
    given(decider, history)
      .when({ ...holdMeeting(0), actor: as(people.outsider, "supervisor") } as Mentorship.Command)
      .thenRefuses("role-not-permitted")
    // Claiming a role one does not hold here.
    given(decider, history)
      .when(holdMeeting(0, as(mentee, "mentor")))
      .thenRefuses("not-a-participant")
  })

  it("the same mentor may act in their own mentorship", () => {
    const other = historyTo(headmasters, "agreement", {
      mentorshipId: otherMentorshipId,
      mentorIds: [people.otherMentor]
    })
    given(decider, other)
      .when({
        ...holdMeeting(0, as(people.otherMentor, "mentor")),
        mentorshipId: otherMentorshipId
      } as Mentorship.Command)
      .thenRecords("MeetingHeld")
  })

  it("support team and analysts do not act on a mentorship", () => {
    const history = historyTo(headmasters, "agreement")
    given(decider, history)
      .when(holdMeeting(0, as(people.outsider, "support-team")))
      .thenRefuses("role-not-permitted")
    given(decider, history)
      .when({ _tag: "WithdrawMentorship", actor: as(people.outsider, "analyst"), ...at, reason: "other" })
      .thenRefuses("role-not-permitted")
  })

  it("a command on a mentorship that does not exist is refused", () => {
    given(decider).when(holdMeeting(0)).thenRefuses("mentorship-not-found")
  })
})

describe("consent and the report", () => {
  // A headmasters mentorship in its closing phase with one drafted summary.
  const closingWith = (...extra: ReadonlyArray<Mentorship.Command>) =>
    closingOf(journey(headmasters), ...extra)
  const closingOf = (j: Journey, ...extra: ReadonlyArray<Mentorship.Command>) => {
    const commands = commandsTo(j, "closing")
    const untilMeetings = commandsTo(j, "meetings").length
    return playMentorship(
      [],
      ...commands.slice(0, untilMeetings),
      draftSummary(0),
      ...extra,
      ...commands.slice(untilMeetings)
    )
  }
  const consent = (
    tag: "GiveConsent" | "RevokeConsent",
    item: { kind: "summary"; id: string },
    actor = actors.mentee
  ) => ({ _tag: tag, actor, ...at, item }) as Mentorship.Command
  const summary0 = { kind: "summary", id: meetingId(0) } as const
  const report = (
    citedItems: ReadonlyArray<{ readonly kind: "summary"; readonly id: string }>
  ): Mentorship.Command => ({
    _tag: "DeliverReport",
    actor: actors.mentor,
    ...at,
    recipientId: people.supervisor,
    citedItems,
    text: "The leadership has a shared plan."
  })

  it("the mentee gives consent to share an item", () => {
    const state = given(decider, closingWith())
      .when(consent("GiveConsent", summary0))
      .then([{ _tag: "ConsentGiven", actor: actors.mentee, occurredAt: now, mentorshipId, item: summary0 }])
    expect(state._tag === "Active" && [...state.consents.keys()]).toEqual([`summary:${meetingId(0)}`])
    expect(state._tag === "Active" && [...(state.consents.get(`summary:${meetingId(0)}`) ?? [])]).toEqual([
      mentee
    ])
  })

  it("only the mentee gives or revokes consent", () => {
    const history = closingWith()
    given(decider, history)
      .when(consent("GiveConsent", summary0, actors.mentor))
      .thenRefuses("role-not-permitted")
    given(decider, history)
      .when(consent("GiveConsent", summary0, actors.supervisor))
      .thenRefuses("role-not-permitted")
    given(decider, history)
      .when(consent("GiveConsent", summary0, actors.coordinator))
      .thenRefuses("role-not-permitted")
    const given1 = closingWith(consent("GiveConsent", summary0))
    given(decider, given1)
      .when(consent("RevokeConsent", summary0, actors.mentor))
      .thenRefuses("role-not-permitted")
  })

  it("consent is given to an item that exists, once", () => {
    given(decider, closingWith())
      .when(consent("GiveConsent", { kind: "summary", id: meetingId(3) }))
      .thenRefuses("unknown-item")
    given(decider, closingWith(consent("GiveConsent", summary0)))
      .when(consent("GiveConsent", summary0))
      .thenRefuses("consent-unchanged")
  })

  it("revoking removes the consent; revoking what was not given is refused", () => {
    const state = given(decider, closingWith(consent("GiveConsent", summary0)))
      .when(consent("RevokeConsent", summary0))
      .then([{ _tag: "ConsentRevoked", actor: actors.mentee, occurredAt: now, mentorshipId, item: summary0 }])
    expect(state._tag === "Active" && state.consents.size).toBe(0)
    given(decider, closingWith()).when(consent("RevokeConsent", summary0)).thenRefuses("consent-unchanged")
  })

  it("a mentee consents to their own self-assessment and tasks only", () => {
    const j = journey(headmasters, { mentees: 2 })
    const history = playMentorship([], ...commandsTo(j, "agreement"), {
      _tag: "AssignTask",
      actor: actors.mentor,
      ...at,
      taskId: taskId(1),
      assigneeIds: [secondMentee],
      description: "Observe a colleague",
      dueOn: null
    })
    given(decider, history)
      .when({
        _tag: "GiveConsent",
        actor: actors.mentee,
        ...at,
        item: { kind: "self-assessment", id: mentee }
      })
      .thenRecords("ConsentGiven")
    given(decider, history)
      .when({
        _tag: "GiveConsent",
        actor: actors.mentee,
        ...at,
        item: { kind: "self-assessment", id: secondMentee }
      })
      .thenRefuses("unknown-item")
    given(decider, history)
      .when({ _tag: "GiveConsent", actor: actors.mentee, ...at, item: { kind: "task", id: taskId(1) } })
      .thenRefuses("unknown-item")
    given(decider, history)
      .when({ _tag: "GiveConsent", actor: actors.secondMentee, ...at, item: { kind: "task", id: taskId(1) } })
      .thenRecords("ConsentGiven")
  })

  it("a mentee cannot consent to share another mentee's amendment", () => {
    // The amendment holds the amending mentee's own thoughts (PRODUCT.md,
    // Confidentiality); only they may consent to share it.
    const j = journey(headmasters, { mentees: 2 })
    const history = playMentorship([], ...commandsTo(j, "agreement"), holdMeeting(0), draftSummary(0), {
      _tag: "AmendSummary",
      actor: actors.mentee,
      ...at,
      meetingId: meetingId(0),
      text: "My own doubts"
    })
    given(decider, history)
      .when({
        _tag: "GiveConsent",
        actor: actors.mentee,
        ...at,
        item: { kind: "amendment", id: meetingId(0) }
      })
      .thenRecords("ConsentGiven")
    given(decider, history)
      .when({
        _tag: "GiveConsent",
        actor: actors.secondMentee,
        ...at,
        item: { kind: "amendment", id: meetingId(0) }
      })
      .thenRefuses("unknown-item")
  })

  it("the evaluation may be shared once held; its id is the mentorship id", () => {
    const evaluation = { kind: "evaluation", id: mentorshipId } as const
    given(decider, historyTo(headmasters, "meetings"))
      .when({ _tag: "GiveConsent", actor: actors.mentee, ...at, item: evaluation })
      .thenRefuses("unknown-item")
    given(decider, historyTo(headmasters, "evaluation"))
      .when({ _tag: "GiveConsent", actor: actors.mentee, ...at, item: evaluation })
      .thenRecords("ConsentGiven")
  })

  it("a report may cite only items the mentee consented to share", () => {
    given(decider, closingWith())
      .when(report([summary0]))
      .thenRefuses("report-cites-unconsented")
    given(decider, closingWith(consent("GiveConsent", summary0)))
      .when(report([summary0]))
      .then([
        {
          _tag: "ReportDelivered",
          actor: actors.mentor,
          occurredAt: now,
          mentorshipId,
          recipientId: people.supervisor,
          citedItems: [summary0],
          text: "The leadership has a shared plan."
        }
      ])
  })

  it("in a group, a report cites a summary only when every mentee consented", () => {
    const team = journey(headmasters, { mentees: 2 })
    const secondConsents = consent("GiveConsent", summary0, actors.secondMentee)
    given(decider, closingOf(team, consent("GiveConsent", summary0)))
      .when(report([summary0]))
      .thenRefuses("report-cites-unconsented")
    given(decider, closingOf(team, consent("GiveConsent", summary0), secondConsents))
      .when(report([summary0]))
      .thenRecords("ReportDelivered")
    given(
      decider,
      closingOf(team, consent("GiveConsent", summary0), secondConsents, consent("RevokeConsent", summary0))
    )
      .when(report([summary0]))
      .thenRefuses("report-cites-unconsented")
  })

  it("revoking consent before the report makes the report refusal come back", () => {
    const revoked = closingWith(consent("GiveConsent", summary0), consent("RevokeConsent", summary0))
    given(decider, revoked)
      .when(report([summary0]))
      .thenRefuses("report-cites-unconsented")
  })

  it("a report cannot cite an item that does not exist", () => {
    given(decider, closingWith())
      .when(report([{ kind: "summary", id: meetingId(5) }]))
      .thenRefuses("unknown-item")
  })

  it("the report goes to the supervisor, from a mentor", () => {
    given(decider, closingWith())
      .when({ ...report([]), recipientId: people.outsider } as Mentorship.Command)
      .thenRefuses("report-recipient")
    given(decider, closingWith())
      .when({ ...report([]), actor: actors.mentee } as Mentorship.Command)
      .thenRefuses("role-not-permitted")
  })
})

describe("self-assessment", () => {
  const swot = (actor = actors.mentee): Mentorship.Command => ({
    _tag: "SubmitSelfAssessment",
    actor,
    ...at,
    strengths: "Calm",
    weaknesses: "Time",
    opportunities: "Network",
    threats: "Turnover"
  })

  it("a mentee submits their SWOT before the agreement", () => {
    given(decider, historyTo(earlyCareer, "matched"))
      .when(swot())
      .then([
        {
          _tag: "SelfAssessmentSubmitted",
          actor: actors.mentee,
          occurredAt: now,
          mentorshipId,
          menteeId: mentee,
          strengths: "Calm",
          weaknesses: "Time",
          opportunities: "Network",
          threats: "Turnover"
        }
      ])
    given(decider, historyTo(headmasters, "opening")).when(swot()).thenRecords("SelfAssessmentSubmitted")
  })

  it("once per mentee, by a mentee, and not after the agreement", () => {
    const submitted = playMentorship(historyTo(earlyCareer, "matched"), swot())
    given(decider, submitted).when(swot()).thenRefuses("duplicate-id")
    given(decider, historyTo(earlyCareer, "matched"))
      .when(swot(actors.mentor))
      .thenRefuses("role-not-permitted")
    given(decider, historyTo(earlyCareer, "agreement")).when(swot()).thenRefuses("phase-order")
  })

  it("is required of every mentee before the agreement when the template has the step", () => {
    const j = journey(headmasters, { mentees: 2 })
    const sign = commandsTo(j, "agreement").at(-1)!
    const opened = playMentorship([], ...commandsTo(j, "opening"))
    given(decider, opened).when(sign).thenRefuses("self-assessment-required")
    given(decider, playMentorship(opened, swot())).when(sign).thenRefuses("self-assessment-required")
    given(decider, playMentorship(opened, swot(), swot(actors.secondMentee)))
      .when(sign)
      .thenRecords("AgreementSigned")
  })

  it("is not required where the template has no such step", () => {
    const sign = commandsTo(journey(placement), "agreement").at(-1)!
    given(decider, historyTo(placement, "matched")).when(sign).thenRecords("AgreementSigned")
  })
})

describe("meetings", () => {
  const agreed = historyTo(headmasters, "agreement")
  const schedule = (n: number, actor = actors.mentor): Mentorship.Command => ({
    _tag: "ScheduleMeeting",
    actor,
    ...at,
    meetingId: meetingId(n),
    scheduledFor: day(1007),
    modality: "phone"
  })
  const cancel = (n: number): Mentorship.Command => ({
    _tag: "CancelMeeting",
    actor: actors.mentee,
    ...at,
    meetingId: meetingId(n),
    reason: "mentee-unavailable"
  })

  it("a meeting is scheduled with its modality", () => {
    given(decider, agreed)
      .when(schedule(0))
      .then([
        {
          _tag: "MeetingScheduled",
          actor: actors.mentor,
          occurredAt: now,
          mentorshipId,
          meetingId: meetingId(0),
          scheduledFor: day(1007),
          modality: "phone"
        }
      ])
    given(decider, agreed).when(schedule(0, actors.mentee)).thenRecords("MeetingScheduled")
  })

  it("a scheduled meeting is held; the modality it was held in is kept on the event", () => {
    const state = given(decider, playMentorship(agreed, schedule(0)))
      .when({
        _tag: "HoldMeeting",
        actor: actors.mentee,
        ...at,
        meetingId: meetingId(0),
        modality: "video",
        durationMinutes: 150,
        planning: true
      })
      .then([
        {
          _tag: "MeetingHeld",
          actor: actors.mentee,
          occurredAt: now,
          mentorshipId,
          meetingId: meetingId(0),
          modality: "video",
          durationMinutes: 150,
          planning: true
        }
      ])
    if (state._tag !== "Active") throw new Error("unreachable")
    expect(state.meetings.get(meetingId(0))).toMatchObject({
      status: "held",
      scheduledFor: day(1007),
      heldAt: now
    })
    expect(state.meetingsHeld).toBe(1)
  })

  it("a meeting may be held without being scheduled", () => {
    given(decider, agreed).when(holdMeeting(4)).thenRecords("MeetingHeld")
  })

  it("a scheduled meeting is cancelled; a cancelled one cannot be held", () => {
    given(decider, playMentorship(agreed, schedule(0)))
      .when(cancel(0))
      .then([
        {
          _tag: "MeetingCancelled",
          actor: actors.mentee,
          occurredAt: now,
          mentorshipId,
          meetingId: meetingId(0),
          reason: "mentee-unavailable"
        }
      ])
    const cancelled = playMentorship(agreed, schedule(0), cancel(0))
    given(decider, cancelled).when(holdMeeting(0)).thenRefuses("meeting-not-open")
    given(decider, cancelled).when(cancel(0)).thenRefuses("meeting-not-open")
  })

  it("a held meeting cannot be held again or cancelled", () => {
    const held = playMentorship(agreed, holdMeeting(0))
    given(decider, held).when(holdMeeting(0)).thenRefuses("meeting-not-open")
    given(decider, held).when(cancel(0)).thenRefuses("meeting-not-open")
  })

  it("an unknown meeting cannot be cancelled; a meeting id is used once", () => {
    given(decider, agreed).when(cancel(0)).thenRefuses("unknown-meeting")
    given(decider, playMentorship(agreed, schedule(0)))
      .when(schedule(0))
      .thenRefuses("duplicate-id")
    given(decider, playMentorship(agreed, holdMeeting(0)))
      .when(schedule(0))
      .thenRefuses("duplicate-id")
  })

  it("meetings are not held or scheduled after the co-evaluation", () => {
    const evaluated = historyTo(headmasters, "evaluation")
    given(decider, evaluated).when(holdMeeting(20)).thenRefuses("phase-order")
    given(decider, evaluated).when(schedule(20)).thenRefuses("phase-order")
  })

  describe("the template's maximum (10 for headmasters)", () => {
    it("the 10th meeting is held, the 11th is refused", () => {
      given(decider, historyTo(headmasters, "meetings", { meetings: 9 }))
        .when(holdMeeting(9))
        .thenRecords("MeetingHeld")
      given(decider, historyTo(headmasters, "meetings", { meetings: 10 }))
        .when(holdMeeting(10))
        .thenRefuses("meeting-limit")
    })

    it("scheduled meetings count towards the limit", () => {
      const nine = historyTo(headmasters, "meetings", { meetings: 9 })
      given(decider, nine).when(schedule(9)).thenRecords("MeetingScheduled")
      given(decider, playMentorship(nine, schedule(9)))
        .when(schedule(10))
        .thenRefuses("meeting-limit")
      // A cancelled meeting frees its place.
      given(decider, playMentorship(nine, schedule(9), cancel(9)))
        .when(schedule(10))
        .thenRecords("MeetingScheduled")
    })

    it("the student placement allows at most 12", () => {
      given(decider, historyTo(placement, "meetings", { meetings: 12 }))
        .when(holdMeeting(12))
        .thenRefuses("meeting-limit")
    })
  })
})

describe("tasks", () => {
  const j = journey(circle)
  const agreed = playMentorship([], ...commandsTo(j, "agreement"))
  const assign = (assigneeIds: ReadonlyArray<Ids.PersonId>, actor = actors.mentor) =>
    ({
      _tag: "AssignTask",
      actor,
      ...at,
      taskId: taskId(1),
      assigneeIds,
      description: "Observe a colleague's morning circle",
      dueOn: day(1010)
    }) as Mentorship.Command
  const complete = (actor = actors.mentee): Mentorship.Command => ({
    _tag: "CompleteTask",
    actor,
    ...at,
    taskId: taskId(1),
    reflection: "It was calmer than I expected."
  })

  it("the mentor assigns a task to mentees", () => {
    given(decider, agreed)
      .when(assign([mentee, secondMentee]))
      .then([
        {
          _tag: "TaskAssigned",
          actor: actors.mentor,
          occurredAt: now,
          mentorshipId,
          taskId: taskId(1),
          assigneeIds: [mentee, secondMentee],
          description: "Observe a colleague's morning circle",
          dueOn: day(1010)
        }
      ])
  })

  it("tasks go to mentees only, at least one, by the mentor, under a fresh id", () => {
    given(decider, agreed)
      .when(assign([mentor]))
      .thenRefuses("person-not-involved")
    given(decider, agreed)
      .when(assign([people.outsider]))
      .thenRefuses("person-not-involved")
    given(decider, agreed).when(assign([])).thenRefuses("participants-missing")
    given(decider, agreed)
      .when(assign([mentee], actors.mentee))
      .thenRefuses("role-not-permitted")
    given(decider, playMentorship(agreed, assign([mentee])))
      .when(assign([mentee]))
      .thenRefuses("duplicate-id")
  })

  it("no task before the agreement", () => {
    given(decider, playMentorship([], ...commandsTo(j, "self-assessed")))
      .when(assign([mentee]))
      .thenRefuses("phase-order")
  })

  it("an assignee completes the task, once", () => {
    const assigned = playMentorship(agreed, assign([mentee]))
    given(decider, assigned)
      .when(complete())
      .then([
        {
          _tag: "TaskCompleted",
          actor: actors.mentee,
          occurredAt: now,
          mentorshipId,
          taskId: taskId(1),
          reflection: "It was calmer than I expected."
        }
      ])
    given(decider, assigned).when(complete(actors.secondMentee)).thenRefuses("not-a-participant")
    given(decider, assigned).when(complete(actors.mentor)).thenRefuses("role-not-permitted")
    given(decider, playMentorship(assigned, complete())).when(complete()).thenRefuses("task-completed")
    given(decider, agreed).when(complete()).thenRefuses("unknown-task")
  })
})

describe("closing discussion", () => {
  const j = journey(headmasters)
  const close = (durationMinutes: number): Mentorship.Command => ({
    _tag: "HoldClosingDiscussion",
    actor: actors.mentor,
    ...at,
    participantIds: j.everyone,
    durationMinutes
  })

  it("lasts at least the template's closing minutes (an hour for headmasters)", () => {
    given(decider, historyTo(headmasters, "evaluation")).when(close(59)).thenRefuses("closing-too-short")
    given(decider, historyTo(headmasters, "evaluation")).when(close(60)).thenRecords("ClosingDiscussionHeld")
  })

  it("the user-defined template asks for 45 minutes", () => {
    const k = journey(vocationalPairs)
    const closePair = (durationMinutes: number): Mentorship.Command => ({
      _tag: "HoldClosingDiscussion",
      actor: actors.mentor,
      ...at,
      participantIds: k.everyone,
      durationMinutes
    })
    given(decider, historyTo(vocationalPairs, "meetings"))
      .when(closePair(44))
      .thenRefuses("closing-too-short")
    given(decider, historyTo(vocationalPairs, "meetings"))
      .when(closePair(45))
      .thenRecords("ClosingDiscussionHeld")
  })
})

describe("withdrawal", () => {
  const withdraw = (actor: (typeof actors)[keyof typeof actors]): Mentorship.Command => ({
    _tag: "WithdrawMentorship",
    actor,
    ...at,
    reason: "change-of-job"
  })

  for (const template of templates) {
    it(`${template.id}: mentor, mentee or coordinator withdraws from any phase before the end`, () => {
      const j = journey(template)
      for (const milestone of milestones(template).filter((m) => m !== "completed")) {
        const history = historyTo(template, milestone)
        const phase = mentorshipState(history).phase
        const withdrawers = [
          actors.coordinator,
          as(j.menteeIds[0]!, "mentee"),
          ...(phase === "requested" ? [] : [as(j.mentorIds[0]!, "mentor")])
        ]
        for (const actor of withdrawers) {
          const state = given(decider, history)
            .when(withdraw(actor))
            .then([
              { _tag: "MentorshipWithdrawn", actor, occurredAt: now, mentorshipId, reason: "change-of-job" }
            ])
          expect(state._tag === "Active" && state.phase).toBe("withdrawn")
        }
      }
    })
  }

  it("there is no mentor to withdraw before the match", () => {
    given(decider, historyTo(headmasters, "requested"))
      .when(withdraw(actors.mentor))
      .thenRefuses("not-a-participant")
  })

  it("the supervisor does not withdraw", () => {
    given(decider, historyTo(headmasters, "meetings"))
      .when(withdraw(actors.supervisor))
      .thenRefuses("role-not-permitted")
  })

  it("a withdrawn or completed mentorship is not withdrawn again", () => {
    given(decider, withdrawnAfter(earlyCareer, "matched"))
      .when(withdraw(actors.mentee))
      .thenRefuses("mentorship-closed")
    given(decider, historyTo(earlyCareer, "completed"))
      .when(withdraw(actors.mentee))
      .thenRefuses("mentorship-closed")
  })
})

describe("erasure", () => {
  const erase = (personId: Ids.PersonId, actor = as(personId, "mentee")): Mentorship.Command => ({
    _tag: "ErasePersonalData",
    actor,
    ...at,
    personId
  })
  const history = historyTo(headmasters, "agreement", { mentees: 2 })

  it("the person asks for it, or a coordinator does it", () => {
    given(decider, history)
      .when(erase(mentee))
      .then([
        { _tag: "PersonalDataErased", actor: actors.mentee, occurredAt: now, mentorshipId, personId: mentee }
      ])
    given(decider, history).when(erase(mentor, actors.coordinator)).thenRecords("PersonalDataErased")
    given(decider, history)
      .when(erase(people.supervisor, actors.supervisor))
      .thenRecords("PersonalDataErased")
  })

  it("nobody else may ask for it", () => {
    given(decider, history).when(erase(mentee, actors.secondMentee)).thenRefuses("role-not-permitted")
    given(decider, history).when(erase(mentee, actors.mentor)).thenRefuses("role-not-permitted")
    given(decider, history).when(erase(mentee, actors.supervisor)).thenRefuses("role-not-permitted")
  })

  it("the person must be involved in the mentorship", () => {
    given(decider, history)
      .when(erase(people.outsider, actors.coordinator))
      .thenRefuses("person-not-involved")
    given(decider, history).when(erase(people.outsider)).thenRefuses("person-not-involved")
  })

  it("happens once", () => {
    given(decider, playMentorship(history, erase(mentee)))
      .when(erase(mentee, actors.coordinator))
      .thenRefuses("already-erased")
  })

  it("an erased person can no longer act", () => {
    const erased = playMentorship(history, erase(mentee))
    given(decider, erased).when(holdMeeting(0, actors.mentee)).thenRefuses("already-erased")
    given(decider, erased)
      .when({ _tag: "WithdrawMentorship", actor: actors.mentee, ...at, reason: "leave" })
      .thenRefuses("already-erased")
    // The others carry on.
    given(decider, erased).when(holdMeeting(0, actors.secondMentee)).thenRecords("MeetingHeld")
  })

  it("is allowed after completion, and of a mentorship that exists only", () => {
    given(decider, historyTo(earlyCareer, "completed")).when(erase(mentee)).thenRecords("PersonalDataErased")
    given(decider).when(erase(mentee)).thenRefuses("mentorship-not-found")
  })
})

/** Every rule the mentorship decider raises has a refused case above. */
const mentorshipRules: ReadonlyArray<Rules.Rule> = [
  "mentorship-exists",
  "mentorship-not-found",
  "phase-order",
  "step-not-in-template",
  "mentorship-closed",
  "self-assessment-required",
  "minimum-meetings",
  "meeting-limit",
  "report-required",
  "follow-up-required",
  "role-not-permitted",
  "not-a-participant",
  "participants-missing",
  "signatures-missing",
  "confidentiality-commitment",
  "group-size",
  "self-mentoring",
  "mentor-is-supervisor",
  "supervisor-is-mentee",
  "duplicate-id",
  "unknown-meeting",
  "meeting-not-open",
  "meeting-not-held",
  "summary-exists",
  "summary-missing",
  "summary-finalised",
  "unknown-task",
  "task-completed",
  "unknown-item",
  "consent-unchanged",
  "report-cites-unconsented",
  "report-recipient",
  "closing-too-short",
  "date-order",
  "person-not-involved",
  "already-erased"
]

afterAll(() => {
  // Only meaningful when the whole file ran (not with -t filters).
  if (refusedRules.size < 20) return
  const missing = mentorshipRules.filter((r) => !refusedRules.has(r))
  expect(missing, "mentorship rules without a refused case").toEqual([])
})
