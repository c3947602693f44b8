import { afterAll, describe, expect, it } from "vitest"
import { Decider, type Ids, Programme, type Rules, Template } from "@mentor-ledger/core"
import {
  actors,
  as,
  day,
  mentee,
  mentor,
  mentorshipId,
  otherMentorshipId,
  people,
  playProgramme,
  programmeHistory,
  programmeId,
  secondMentee,
  vocationalPairs
} from "./support/fixtures.js"
import { DeciderSpecification } from "@mentor-ledger/testing"

const { given, refusedRules } = DeciderSpecification

const decider = Programme.decider
const now = day(10)
const common = { actor: actors.coordinator, occurredAt: now, programmeId }

const launch: Programme.Command = {
  _tag: "LaunchProgramme",
  ...common,
  name: "Headmasters as Mentors 2026",
  templates: [Template.headmastersAsMentors]
}
const launched = playProgramme([], launch)

const assign = (
  mentorIds: ReadonlyArray<Ids.PersonId>,
  options: { readonly mentorshipId?: Ids.MentorshipId; readonly menteeIds?: ReadonlyArray<Ids.PersonId> } = {}
): Programme.Command => ({
  _tag: "AssignMentors",
  ...common,
  mentorshipId: options.mentorshipId ?? mentorshipId,
  mentorIds,
  menteeIds: options.menteeIds ?? [mentee],
  supervisorId: people.supervisor
})
const release = (id: Ids.MentorshipId = mentorshipId): Programme.Command => ({
  _tag: "ReleaseMentors",
  ...common,
  mentorshipId: id
})

describe("launch", () => {
  it("a coordinator launches a programme with its templates", () => {
    const state = given(decider)
      .when(launch)
      .then([
        {
          _tag: "ProgrammeLaunched",
          ...common,
          name: "Headmasters as Mentors 2026",
          templates: [Template.headmastersAsMentors]
        }
      ])
    expect(state._tag === "Active" && [...state.templates.keys()]).toEqual(["headmasters-as-mentors"])
  })

  it("only a coordinator launches", () => {
    given(decider)
      .when({ ...launch, actor: actors.mentor })
      .thenRefuses("role-not-permitted")
  })

  it("a programme is launched once", () => {
    given(decider, launched).when(launch).thenRefuses("programme-exists")
  })

  it("a template is offered once", () => {
    given(decider)
      .when({ ...launch, templates: [Template.headmastersAsMentors, Template.headmastersAsMentors] })
      .thenRefuses("template-exists")
  })
})

describe("templates", () => {
  const define = (template: Template.ProcessTemplate): Programme.Command => ({
    _tag: "DefineTemplate",
    ...common,
    template
  })

  it("a programme defines a template of its own", () => {
    const state = given(decider, launched)
      .when(define(vocationalPairs))
      .then([{ _tag: "TemplateDefined", ...common, template: vocationalPairs }])
    expect(state._tag === "Active" && state.templates.get("vocational-pairs")).toEqual(vocationalPairs)
  })

  it("a template id is defined once, including the launched ones", () => {
    given(decider, launched).when(define(Template.headmastersAsMentors)).thenRefuses("template-exists")
    given(decider, playProgramme(launched, define(vocationalPairs)))
      .when(define(vocationalPairs))
      .thenRefuses("template-exists")
  })

  it("only a coordinator defines a template, and only in a programme that exists", () => {
    given(decider, launched)
      .when({ ...define(vocationalPairs), actor: actors.supervisor })
      .thenRefuses("role-not-permitted")
    given(decider).when(define(vocationalPairs)).thenRefuses("programme-not-found")
  })
})

describe("mentor pool", () => {
  const enrol = (mentorId: Ids.PersonId, capacity = 2): Programme.Command => ({
    _tag: "EnrolMentor",
    ...common,
    mentorId,
    capacity
  })
  const train = (mentorId: Ids.PersonId, course = "Mentor training for ECEC leaders"): Programme.Command => ({
    _tag: "RecordMentorTraining",
    ...common,
    mentorId,
    course
  })

  it("a coordinator enrols a mentor with a capacity", () => {
    given(decider, launched)
      .when(enrol(mentor, 2))
      .then([{ _tag: "MentorEnrolled", ...common, mentorId: mentor, capacity: 2 }])
  })

  it("a mentor is enrolled once", () => {
    given(decider, playProgramme(launched, enrol(mentor)))
      .when(enrol(mentor))
      .thenRefuses("mentor-already-enrolled")
  })

  it("a mentor enrols only in a programme that exists, by a coordinator", () => {
    given(decider).when(enrol(mentor)).thenRefuses("programme-not-found")
    given(decider, launched)
      .when({ ...enrol(mentor), actor: as(mentor, "mentor") })
      .thenRefuses("role-not-permitted")
  })

  it("training is recorded for enrolled mentors, course by course", () => {
    const enrolled = playProgramme(launched, enrol(mentor))
    given(decider, enrolled)
      .when(train(mentor))
      .then([
        {
          _tag: "MentorTrainingCompleted",
          ...common,
          mentorId: mentor,
          course: "Mentor training for ECEC leaders"
        }
      ])
    const twice = playProgramme(enrolled, train(mentor), train(mentor, "Mentor training for teachers"))
    const state = Decider.fold(decider, twice)
    expect(state._tag === "Active" && state.mentors.get(mentor)?.courses).toEqual([
      "Mentor training for ECEC leaders",
      "Mentor training for teachers"
    ])
  })

  it("training is not recorded for a mentor outside the pool", () => {
    given(decider, launched).when(train(mentor)).thenRefuses("mentor-not-enrolled")
  })
})

describe("matching: AssignMentors", () => {
  const pool = programmeHistory()

  it("assigns trained pool mentors with free capacity; each uses one unit", () => {
    const state = given(decider, pool)
      .when(assign([mentor, people.mentors[1]]))
      .then([
        {
          _tag: "MentorsAssigned",
          ...common,
          mentorshipId,
          mentorIds: [mentor, people.mentors[1]]
        }
      ])
    expect(Programme.freeCapacity(state, mentor)).toBe(2)
    expect(Programme.freeCapacity(state, people.mentors[1])).toBe(2)
    expect(Programme.freeCapacity(state, people.mentors[2])).toBe(3)
  })

  it("a mentor outside the pool is refused", () => {
    given(decider, pool)
      .when(assign([people.outsider]))
      .thenRefuses("mentor-not-enrolled")
  })

  it("an untrained mentor is refused", () => {
    given(decider, pool)
      .when(assign([people.untrainedMentor]))
      .thenRefuses("mentor-untrained")
  })

  it("a mentor at capacity is refused; a team is refused if any member is", () => {
    const busy = playProgramme(pool, assign([people.busyMentor]))
    expect(Programme.freeCapacity(Decider.fold(decider, busy), people.busyMentor)).toBe(0)
    given(decider, busy)
      .when(assign([people.busyMentor], { mentorshipId: otherMentorshipId }))
      .thenRefuses("mentor-over-capacity")
    given(decider, busy)
      .when(assign([mentor, people.busyMentor], { mentorshipId: otherMentorshipId }))
      .thenRefuses("mentor-over-capacity")
  })

  it("ReleaseMentors frees the capacity again", () => {
    const busy = playProgramme(pool, assign([people.busyMentor]))
    const state = given(decider, busy)
      .when(release())
      .then([{ _tag: "MentorsReleased", ...common, mentorshipId, mentorIds: [people.busyMentor] }])
    expect(Programme.freeCapacity(state, people.busyMentor)).toBe(1)
    given(decider, playProgramme(busy, release()))
      .when(assign([people.busyMentor], { mentorshipId: otherMentorshipId }))
      .thenRecords("MentorsAssigned")
  })

  it("releasing a mentorship that holds no mentors records nothing", () => {
    given(decider, pool).when(release(otherMentorshipId)).then([])
    given(decider, playProgramme(pool, assign([mentor]), release()))
      .when(release())
      .then([])
  })

  it("a mentee cannot mentor themselves", () => {
    given(decider, pool)
      .when(assign([secondMentee], { menteeIds: [mentee, secondMentee] }))
      .thenRefuses("self-mentoring")
  })

  it("the mentee's own supervisor cannot be the mentor", () => {
    given(decider, pool)
      .when(assign([people.supervisor]))
      .thenRefuses("mentor-is-supervisor")
  })

  it("a mentor's free capacity is 0 outside the pool or before the launch", () => {
    expect(Programme.freeCapacity(Decider.fold(decider, pool), people.outsider)).toBe(0)
    expect(Programme.freeCapacity(Programme.initialState, mentor)).toBe(0)
  })
})

const programmeRules: ReadonlyArray<Rules.Rule> = [
  "role-not-permitted",
  "programme-exists",
  "programme-not-found",
  "template-exists",
  "mentor-already-enrolled",
  "mentor-not-enrolled",
  "mentor-untrained",
  "mentor-over-capacity",
  "self-mentoring",
  "mentor-is-supervisor"
]

afterAll(() => {
  if (refusedRules.size < programmeRules.length) return
  expect(
    programmeRules.filter((r) => !refusedRules.has(r)),
    "programme rules without a refused case"
  ).toEqual([])
})
