import { Mentorship, Programme, Template } from "@mentor-ledger/core"
import { DeciderSpecification, Histories } from "@mentor-ledger/testing"
import { describe, expect, it } from "vitest"

const cast = Histories.defaultCast
const coordinator = { personId: cast.coordinator, role: "coordinator" } as const
const request: Mentorship.Command = {
  _tag: "RequestMentoring",
  actor: coordinator,
  occurredAt: Histories.scenarioDay(0),
  mentorshipId: cast.mentorshipId,
  programmeId: cast.programmeId,
  template: Template.earlyCareerInduction,
  menteeIds: [cast.mentees[0]!],
  supervisorId: null
}
const holdMeeting: Mentorship.Command = {
  _tag: "HoldMeeting",
  actor: { personId: cast.mentors[0]!, role: "mentor" },
  occurredAt: Histories.scenarioDay(1),
  mentorshipId: cast.mentorshipId,
  meetingId: cast.mentorshipId as never,
  modality: "video",
  durationMinutes: 60,
  planning: false
}

describe("DeciderSpecification", () => {
  const given = DeciderSpecification.of(Mentorship.decider)

  it("then: the command records exactly these events, and returns the state after them", () => {
    const state = given([])
      .when(request)
      .then([
        {
          _tag: "MentoringRequested",
          actor: coordinator,
          occurredAt: Histories.scenarioDay(0),
          mentorshipId: cast.mentorshipId,
          programmeId: cast.programmeId,
          template: Template.earlyCareerInduction,
          menteeIds: [cast.mentees[0]!],
          supervisorId: null
        }
      ])
    expect(state).toMatchObject({ _tag: "Active", phase: "requested" })
  })

  it("thenRecords: the event types, in order", () => {
    const { events } = given([]).when(request).thenRecords("MentoringRequested")
    expect(given(events).state).toMatchObject({ phase: "requested" })
  })

  it("thenRefuses: the rule, and the phase, command and actor the error names", () => {
    const { events } = given([]).when(request).thenRecords("MentoringRequested")
    const error = given(events).when(holdMeeting).thenRefuses("not-a-participant")
    expect(error.phase).toBe("requested")
    expect(DeciderSpecification.refusedRules).toContain("not-a-participant")
  })

  it("fails when the decider decides otherwise", () => {
    expect(() => given([]).when(request).thenRefuses("phase-order")).toThrow(
      /should break phase-order, but recorded MentoringRequested/
    )
    expect(() => given([]).when(holdMeeting).thenRecords("MeetingHeld")).toThrow(
      /HoldMeeting was refused \(mentorship-not-found in none\)/
    )
    expect(() => given([]).when(holdMeeting).thenRefuses("phase-order")).toThrow()
  })

  it("works for the programme decider: its refusals report the phase `active`", () => {
    const launched = DeciderSpecification.given(Programme.decider, [])
      .when({
        _tag: "LaunchProgramme",
        actor: coordinator,
        occurredAt: Histories.scenarioDay(0),
        programmeId: cast.programmeId,
        name: "P",
        templates: []
      })
      .thenRecords("ProgrammeLaunched")
    DeciderSpecification.given(Programme.decider, launched.events)
      .when({
        _tag: "RecordMentorTraining",
        actor: coordinator,
        occurredAt: Histories.scenarioDay(1),
        programmeId: cast.programmeId,
        mentorId: cast.mentors[0]!,
        course: "c"
      })
      .thenRefuses("mentor-not-enrolled")
    expect(DeciderSpecification.phaseOf(launched.state)).toBe("active")
  })
})
