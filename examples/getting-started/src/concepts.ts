/**
 * The code of docs/concepts.md and of the "Using it" section of
 * docs/domain.md: a decider on its own, expected versions on the event
 * store, and the Effect and Promise APIs side by side. `main()` runs every
 * part; the test checks what each one printed.
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import {
  createLedger,
  Decider,
  EventStore,
  Ids,
  Ledger,
  Mentorship,
  Rules,
  Template
} from "@mentor-ledger/core"

/** A decider on its own: pure functions, no store. */
export const deciderAlone = (): void => {
  const supervisorId = Ids.PersonId.make(Ids.newId())
  const menteeId = Ids.PersonId.make(Ids.newId())
  const mentorshipId = Ids.MentorshipId.make(Ids.newId())
  const programmeId = Ids.ProgrammeId.make(Ids.newId())
  // #region decider
  const request: Mentorship.Command = {
    _tag: "RequestMentoring",
    actor: { personId: supervisorId, role: "supervisor" },
    occurredAt: new Date("2026-01-12T09:00:00Z"),
    mentorshipId,
    programmeId,
    template: Template.earlyCareerInduction,
    menteeIds: [menteeId],
    supervisorId
  }
  // decide: command + state -> events, or a RuleViolation
  const decided = Mentorship.decide(request, Mentorship.initialState)
  if (Either.isLeft(decided)) throw decided.left
  console.log(decided.right.map((e) => e._tag).join(", ")) // MentoringRequested

  // evolve, folded over the events: the state the next command is decided on
  const state = Decider.fold(Mentorship.decider, decided.right)
  console.log(state._tag === "Active" ? state.phase : "none") // requested
  // #endregion decider
}

/** Expected versions on the event store (Effect). */
export const expectedVersions = Effect.gen(function* () {
  const programmeId = Ids.newId()
  const coordinator = { personId: Ids.PersonId.make(Ids.newId()), role: "coordinator" } as const
  const launched = {
    _tag: "ProgrammeLaunched",
    actor: coordinator,
    occurredAt: new Date("2026-01-05T09:00:00Z"),
    programmeId: Ids.ProgrammeId.make(programmeId),
    name: "Early-career induction 2026",
    templates: [Template.earlyCareerInduction]
  } as const
  // #region expected-version
  const store = yield* EventStore.EventStore
  const stream = EventStore.programmeStream(programmeId)

  // The first write of a stream expects that it does not exist yet.
  const first = yield* store.append(stream, [launched], { expected: EventStore.noStream })
  // first.nextExpectedVersion is 1: an append expecting exactly 1 goes through.

  // A writer that read the stream before that write still expects 0: refused.
  const conflict = yield* store
    .append(stream, [launched], { expected: EventStore.exact(0) })
    .pipe(Effect.flip) // the ConcurrencyConflict, as a value
  // #endregion expected-version
  return { version: first.nextExpectedVersion, conflict: conflict._tag }
}).pipe(Effect.provide(EventStore.layerMemory), Effect.provide(Ids.layerUuidV7))

// #region effect
const LedgerLive = Ledger.layer().pipe(Layer.provide(EventStore.layerMemory), Layer.provide(Ids.layerUuidV7))

const launchWithEffect = (coordinatorId: string, programmeId: string) =>
  Effect.gen(function* () {
    const ledger = yield* Ledger.Ledger
    yield* ledger.execute({
      _tag: "LaunchProgramme",
      actor: { personId: coordinatorId, role: "coordinator" },
      programmeId,
      name: "Early-career induction 2026",
      templates: [Template.earlyCareerInduction]
    })
    return yield* ledger.programme(programmeId)
  }).pipe(Effect.catchTag("RuleViolation", (e) => Effect.die(`${e.rule} in ${e.phase}: ${e.message}`)))

// await Effect.runPromise(Effect.provide(launchWithEffect(coordinatorId, programmeId), LedgerLive))
// #endregion effect

/** The Promise API, in memory. */
export const promiseApi = async (): Promise<void> => {
  const mentorId = Ids.newId()
  const mentorshipId = Ids.newId()
  // #region promise
  const ledger = createLedger() // in memory; pass `store` for SQLite or PostgreSQL
  const coordinator = { personId: Ids.newId(), role: "coordinator" } as const
  const programmeId = Ids.newId()

  await ledger.execute({
    _tag: "LaunchProgramme",
    actor: coordinator,
    programmeId,
    name: "Early-career induction 2026",
    templates: [Template.earlyCareerInduction]
  })

  try {
    await ledger.execute({
      _tag: "HoldMeeting",
      actor: { personId: mentorId, role: "mentor" },
      mentorshipId,
      meetingId: Ids.newId(),
      modality: "video",
      durationMinutes: 60
    })
  } catch (error) {
    if (!(error instanceof Rules.RuleViolation)) throw error
    console.log(`${error.rule} in phase ${error.phase}`) // mentorship-not-found in phase none
  }

  const { version } = await ledger.programme(programmeId)
  await ledger.close()
  // #endregion promise
  console.log(`programme version ${version}`)
}

/** domain.md, "Defining your own": a template of the programme's own, added after the launch. */
export const defineTemplate = async (): Promise<void> => {
  const ledger = createLedger()
  const coordinatorId = Ids.newId()
  const programmeId = Ids.newId()
  await ledger.execute({
    _tag: "LaunchProgramme",
    actor: { personId: coordinatorId, role: "coordinator" },
    programmeId,
    name: "ECEC leaders 2026",
    templates: [Template.headmastersAsMentors]
  })
  // #region define-template
  await ledger.execute({
    _tag: "DefineTemplate",
    actor: { personId: coordinatorId, role: "coordinator" },
    programmeId,
    template: {
      id: "new-leader-support",
      name: "Support for new ECEC leaders",
      steps: ["opening-discussion", "self-assessment", "closing-discussion"],
      meetings: { min: 4, max: 8 },
      cadenceDays: { min: 14, max: 28 },
      followUpDelayDays: null,
      supervisorTakesPart: true,
      mentees: { min: 1, max: 1 },
      mentors: { min: 1, max: 1 },
      closingMinutes: 45
    }
  })
  // #endregion define-template
  const { state } = await ledger.programme(programmeId)
  console.log(`templates: ${state._tag === "Active" ? [...state.templates.keys()].join(", ") : "none"}`)
  await ledger.close()
}

/** Runs every part, in order, and returns what they printed. */
export const main = async (): Promise<ReadonlyArray<string>> => {
  const lines: Array<string> = []
  const log = console.log
  console.log = (line: string) => lines.push(line)
  try {
    deciderAlone()
    const versions = await Effect.runPromise(expectedVersions)
    console.log(`stream version ${versions.version}, then ${versions.conflict}`)
    const programme = await Effect.runPromise(
      Effect.provide(launchWithEffect(Ids.newId(), Ids.newId()), LedgerLive)
    )
    console.log(`effect: programme version ${programme.version}`)
    await promiseApi()
    await defineTemplate()
  } finally {
    console.log = log
  }
  return lines
}
