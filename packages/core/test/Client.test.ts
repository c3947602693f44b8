import { afterEach, describe, expect, it } from "vitest"
import {
  type Commands,
  createLedger,
  EventJournal,
  EventStore,
  Ids,
  KeyStore,
  Ledger,
  type MentorLedger,
  Privacy,
  Programme,
  Rules,
  Template
} from "@mentor-ledger/core"
import {
  actors,
  commandsTo,
  day,
  journey,
  type JourneyOptions,
  meetingId,
  mentee,
  mentor,
  mentorshipId,
  otherMentorshipId,
  people,
  programmeCommands,
  programmeId,
  toInput
} from "./support/fixtures.js"

const open: Array<MentorLedger> = []
const newLedger = (options: Parameters<typeof createLedger>[0] = {}) => {
  const ledger = createLedger({ ids: Ids.layerSequential(50_000), ...options })
  open.push(ledger)
  return ledger
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()))
})

const executeAll = async (
  ledger: MentorLedger,
  commands: ReadonlyArray<Commands.CommandInput>,
  options?: Ledger.ExecuteOptions
) => {
  const out: Array<Ledger.Executed> = []
  for (const command of commands) out.push(await ledger.execute(command, options))
  return out
}
const setUpProgramme = (ledger: MentorLedger, options?: Ledger.ExecuteOptions) =>
  executeAll(ledger, programmeCommands(), options)
const playTo = (
  ledger: MentorLedger,
  template: Template.ProcessTemplate,
  milestone: Parameters<typeof commandsTo>[1],
  options: JourneyOptions = {},
  executeOptions?: Ledger.ExecuteOptions
) => executeAll(ledger, commandsTo(journey(template, options), milestone).map(toInput), executeOptions)

const readAll = async (ledger: MentorLedger, options?: EventStore.ReadAllOptions) => {
  const out: Array<EventStore.RecordedEvent> = []
  for await (const event of ledger.readAll(options)) out.push(event)
  return out
}
const phaseOf = async (
  ledger: MentorLedger,
  id: string,
  options?: Parameters<MentorLedger["mentorship"]>[1]
) => {
  const loaded = await ledger.mentorship(id, options)
  return loaded.state._tag === "Active" ? loaded.state.phase : "none"
}
const rejection = async (promise: Promise<unknown>): Promise<unknown> => {
  try {
    await promise
  } catch (error) {
    return error
  }
  return expect.fail("expected the promise to reject")
}

describe("createLedger (Promise API)", () => {
  it("records a full headmasters story", async () => {
    const ledger = newLedger()
    await setUpProgramme(ledger)
    const j = journey(Template.headmastersAsMentors, { mentees: 2, mentors: 2 })
    const story = await playTo(ledger, Template.headmastersAsMentors, "completed", { mentees: 2, mentors: 2 })
    expect(story).toHaveLength(commandsTo(j, "completed").length)
    expect(await phaseOf(ledger, mentorshipId)).toBe("completed")
    const stream = await ledger.readStream(EventStore.mentorshipStream(mentorshipId))
    expect(stream.map((e) => e.event._tag)).toEqual([
      "MentoringRequested",
      "MentorMatched",
      "OpeningDiscussionHeld",
      "SelfAssessmentSubmitted",
      "SelfAssessmentSubmitted",
      "AgreementSigned",
      ...Array.from({ length: 6 }, () => "MeetingHeld"),
      "EvaluationHeld",
      "ClosingDiscussionHeld",
      "ReportDelivered",
      "FollowUpScheduled",
      "FollowUpHeld",
      "MentorshipCompleted"
    ])
    expect(stream.map((e) => e.version)).toEqual(stream.map((_, i) => i + 1))
    const p = await ledger.programme(programmeId)
    for (const m of j.mentorIds) expect(Programme.freeCapacity(p.state, m)).toBe(3)
  })

  it("rejects a refused command with the typed RuleViolation and its fields", async () => {
    const ledger = newLedger()
    await setUpProgramme(ledger)
    await playTo(ledger, Template.headmastersAsMentors, "matched")
    const error = await rejection(
      ledger.execute({
        _tag: "HoldMeeting",
        actor: actors.mentor,
        mentorshipId,
        meetingId: meetingId(0),
        modality: "in-person",
        durationMinutes: 90
      })
    )
    expect(error).toBeInstanceOf(Rules.RuleViolation)
    expect(error).toBeInstanceOf(Error)
    if (!(error instanceof Rules.RuleViolation)) return
    expect(error._tag).toBe("RuleViolation")
    expect({ rule: error.rule, phase: error.phase, command: error.command, actor: error.actor }).toEqual({
      rule: "phase-order",
      phase: "matched",
      command: "HoldMeeting",
      actor: actors.mentor
    })
    expect(error.message).toMatch(/agreement/)
  })

  it("rejects invalid input with the typed InvalidCommand naming the field", async () => {
    const ledger = newLedger()
    const error = await rejection(
      ledger.execute({
        _tag: "EnrolMentor",
        actor: { personId: "12345", role: "coordinator" },
        programmeId,
        mentorId: mentor,
        capacity: 2
      } as unknown as Commands.CommandInput)
    )
    expect(error).toBeInstanceOf(Ledger.InvalidCommand)
    expect(error).toMatchObject({ _tag: "InvalidCommand", command: "EnrolMentor", path: "actor.personId" })
    const extra = await rejection(
      ledger.execute({
        _tag: "LaunchProgramme",
        actor: actors.coordinator,
        programmeId,
        name: "P",
        templates: [],
        budget: 1000
      } as unknown as Commands.CommandInput)
    )
    expect(extra).toMatchObject({ _tag: "InvalidCommand", path: "budget" })
    expect(await readAll(ledger)).toEqual([])
  })

  it("an unknown template or programme is a RuleViolation", async () => {
    const ledger = newLedger()
    const noProgramme = await rejection(playTo(ledger, Template.earlyCareerInduction, "requested"))
    expect(noProgramme).toBeInstanceOf(Rules.RuleViolation)
    expect(noProgramme).toMatchObject({
      rule: "programme-not-found",
      phase: "none",
      command: "RequestMentoring"
    })
    await setUpProgramme(ledger)
    const noTemplate = await rejection(
      ledger.execute({
        _tag: "RequestMentoring",
        actor: actors.mentee,
        mentorshipId,
        programmeId,
        templateId: "headmasters-as-mentor",
        menteeIds: [mentee],
        supervisorId: people.supervisor
      })
    )
    expect(noTemplate).toMatchObject({
      _tag: "RuleViolation",
      rule: "template-unknown",
      actor: actors.mentee
    })
  })

  it("MatchMentor appends to the mentorship and the programme together", async () => {
    const ledger = newLedger()
    const setup = await setUpProgramme(ledger)
    await playTo(ledger, Template.headmastersAsMentors, "requested")
    const executed = await ledger.execute({
      _tag: "MatchMentor",
      actor: actors.coordinator,
      mentorshipId,
      mentorIds: [mentor]
    })
    expect(executed.versions).toEqual([
      { stream: `mentorship-${mentorshipId}`, version: 2 },
      { stream: `programme-${programmeId}`, version: setup.length + 1 }
    ])
  })

  it("a refused match appends to neither stream and rejects with a RuleViolation", async () => {
    const ledger = newLedger()
    await setUpProgramme(ledger)
    await playTo(ledger, Template.studentPlacement, "matched", { mentorIds: [people.busyMentor] })
    await playTo(ledger, Template.studentPlacement, "requested", { mentorshipId: otherMentorshipId })
    const before = (await readAll(ledger)).length
    const error = await rejection(
      ledger.execute({
        _tag: "MatchMentor",
        actor: actors.coordinator,
        mentorshipId: otherMentorshipId,
        mentorIds: [people.busyMentor]
      })
    )
    expect((await readAll(ledger)).length).toBe(before)
    expect(error).toBeInstanceOf(Rules.RuleViolation)
    expect(error).toMatchObject({ rule: "mentor-over-capacity", phase: "requested", command: "MatchMentor" })
  })

  it("a mentor at capacity 1 is free again after completion", async () => {
    const ledger = newLedger()
    await setUpProgramme(ledger)
    await playTo(ledger, Template.studentPlacement, "completed", { mentorIds: [people.busyMentor] })
    await playTo(ledger, Template.studentPlacement, "matched", {
      mentorshipId: otherMentorshipId,
      mentorIds: [people.busyMentor]
    })
    expect(await phaseOf(ledger, otherMentorshipId)).toBe("matched")
  })

  it("readAll iterates the whole log in batches, in order", async () => {
    const ledger = newLedger()
    await setUpProgramme(ledger)
    await playTo(ledger, Template.headmastersAsMentors, "completed")
    const whole = await readAll(ledger)
    const batched = await readAll(ledger, { batchSize: 4 })
    expect(whole.length).toBeGreaterThan(30)
    expect(batched.map((e) => e.eventId)).toEqual(whole.map((e) => e.eventId))
    expect(new Set(batched.map((e) => e.eventId)).size).toBe(batched.length)
    for (let i = 1; i < batched.length; i++)
      expect(EventJournal.compare(batched[i - 1]!.position, batched[i]!.position)).toBe(-1)
    // An exact multiple of the batch size ends cleanly too.
    const exact = await readAll(ledger, { batchSize: whole.length })
    expect(exact).toHaveLength(whole.length)
    // Resuming after a position gives the rest.
    const rest = await readAll(ledger, { after: whole[9]!.position, batchSize: 7 })
    expect(rest.map((e) => e.eventId)).toEqual(whole.slice(10).map((e) => e.eventId))
  })

  it("organisations are isolated, per call and per ledger", async () => {
    const ledger = newLedger({ organisation: "city-of-turku" })
    const espoo = { organisation: Ids.OrganisationId.make("city-of-espoo") }
    await setUpProgramme(ledger)
    await setUpProgramme(ledger, espoo)
    await playTo(ledger, Template.earlyCareerInduction, "agreement")
    await playTo(ledger, Template.earlyCareerInduction, "requested", {}, espoo)
    expect(await phaseOf(ledger, mentorshipId)).toBe("agreement")
    expect(await phaseOf(ledger, mentorshipId, espoo)).toBe("requested")
    const inEspoo = await readAll(ledger, { organisation: espoo.organisation, batchSize: 5 })
    expect(inEspoo.every((e) => e.organisation === "city-of-espoo")).toBe(true)
    expect(inEspoo).toHaveLength(programmeCommands().length + 1)
    const all = await readAll(ledger)
    expect(all.filter((e) => e.organisation === "city-of-turku")).toHaveLength(all.length - inEspoo.length)
  })

  it("accepts an ISO-8601 occurredAt and defaults to the clock", async () => {
    const ledger = newLedger()
    const before = Date.now()
    const clocked = await ledger.execute({
      _tag: "LaunchProgramme",
      actor: actors.coordinator,
      programmeId,
      name: "Now",
      templates: [Template.peerGroupCircle]
    })
    const after = Date.now()
    const at = clocked.events[0]!.occurredAt.getTime()
    expect(at).toBeGreaterThanOrEqual(before)
    expect(at).toBeLessThanOrEqual(after)
    const dated = await ledger.execute({
      _tag: "EnrolMentor",
      actor: actors.coordinator,
      occurredAt: "2026-02-02T10:00:00+02:00",
      programmeId,
      mentorId: mentor,
      capacity: 1
    })
    expect(dated.events[0]!.occurredAt).toEqual(new Date("2026-02-02T08:00:00.000Z"))
  })

  it("shows a mentorship as it was on a given date", async () => {
    const ledger = newLedger()
    await setUpProgramme(ledger)
    await playTo(ledger, Template.studentPlacement, "evaluation")
    const j = journey(Template.studentPlacement)
    const matchedOn = commandsTo(j, "matched").at(-1)!.occurredAt
    expect(await phaseOf(ledger, mentorshipId)).toBe("evaluation")
    expect(await phaseOf(ledger, mentorshipId, { occurredUntil: matchedOn })).toBe("matched")
    expect(await phaseOf(ledger, mentorshipId, { occurredUntil: day(-1) })).toBe("none")
    expect(await phaseOf(ledger, mentorshipId, { recordedUntil: new Date(Date.now() + 1000) })).toBe(
      "evaluation"
    )
    expect(await phaseOf(ledger, mentorshipId, { recordedUntil: new Date(0) })).toBe("none")
  })
})

describe("createLedger: confidentiality and erasure", () => {
  it("reads a mentorship as each viewer may see it, and erases a person", async () => {
    const ledger = newLedger()
    await setUpProgramme(ledger)
    await playTo(ledger, Template.studentPlacement, "evaluation")
    const evaluation = (await ledger.readStream(EventStore.mentorshipStream(mentorshipId))).find(
      (e) => e.event._tag === "EvaluationHeld"
    )!
    // Read back, content is sealed.
    expect(Privacy.isSealed(Privacy.contentOf(evaluation.event)[0]!.value as string)).toBe(true)
    const text = "The team found a shared rhythm."
    const seen = async (viewer: Ledger.ViewerInput) => {
      const history = await ledger.history(mentorshipId, viewer)
      return Privacy.contentOf(history.find((e) => e.event._tag === "EvaluationHeld")!.event)[0]!.value
    }
    expect(await seen(actors.mentor)).toBe(text)
    expect(await seen(actors.mentee)).toBe(text)
    expect(await seen(actors.coordinator)).toEqual({
      _tag: "ContentWithheld",
      kind: "evaluation",
      reason: "process-facts-only"
    })
    expect(Privacy.contentOf((await ledger.reveal(evaluation, actors.mentee)).event)[0]!.value).toBe(text)

    const erasure = await ledger.erase(mentee)
    expect(erasure.recordedIn).toEqual([mentorshipId])
    expect(await seen(actors.mentor)).toEqual({ _tag: "ContentErased", kind: "evaluation" })
    expect(await phaseOf(ledger, mentorshipId)).toBe("evaluation")
    const refused = await rejection(
      ledger.execute({
        _tag: "HoldMeeting",
        actor: actors.mentee,
        mentorshipId,
        meetingId: meetingId(40),
        modality: "video",
        durationMinutes: 30
      })
    )
    expect(refused).toMatchObject({ rule: "already-erased" })
    expect(refused).toBeInstanceOf(Rules.RuleViolation)
  })

  it("a store that keeps no keys needs a key store: it fails rather than lose content at exit", async () => {
    const journal = EventJournal.layerMemory
    const ledger = newLedger({ store: journal })
    const error = await rejection(setUpProgramme(ledger))
    expect(error).toBeInstanceOf(EventJournal.StoreError)
    expect(String((error as Error).message)).toMatch(/keys/)
    const withKeys = newLedger({ store: journal, keys: KeyStore.layerMemory })
    await setUpProgramme(withKeys)
    expect(await withKeys.programme(programmeId)).toMatchObject({ state: { _tag: "Active" } })
  })
})
