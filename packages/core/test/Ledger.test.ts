import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import {
  type Commands,
  EventJournal,
  EventStore,
  Ids,
  KeyStore,
  Ledger,
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
  toInput,
  vocationalPairs
} from "./support/fixtures.js"

type Services = Ledger.Ledger | EventStore.EventStore | EventJournal.EventJournal

const ledgerLayer = (options: Ledger.LedgerOptions = {}) =>
  Ledger.layer(options).pipe(
    Layer.provideMerge(EventStore.layerMemory),
    Layer.provide(Ids.layerSequential(10_000))
  )

/** Runs a test on a fresh in-memory ledger. */
const withLedger = <A, E>(effect: Effect.Effect<A, E, Services>, options?: Ledger.LedgerOptions) =>
  Effect.provide(effect, ledgerLayer(options))

const execute = (command: Commands.CommandInput, options?: Ledger.ExecuteOptions) =>
  Effect.flatMap(Ledger.Ledger, (ledger) => ledger.execute(command, options))

const executeAll = (commands: ReadonlyArray<Commands.CommandInput>, options?: Ledger.ExecuteOptions) =>
  Effect.forEach(commands, (command) => execute(command, options))

/** Launches the programme with its pool (see fixtures). */
const setUpProgramme = (options?: Ledger.ExecuteOptions) => executeAll(programmeCommands(), options)

/** Plays a journey's commands up to a milestone through the ledger. */
const playTo = (
  template: Template.ProcessTemplate,
  milestone: Parameters<typeof commandsTo>[1],
  options: JourneyOptions = {},
  executeOptions?: Ledger.ExecuteOptions
) => executeAll(commandsTo(journey(template, options), milestone).map(toInput), executeOptions)

const logLength = Effect.flatMap(EventStore.EventStore, (store) => Stream.runCount(store.readAll()))

const versionOf = (stream: EventStore.StreamRef) =>
  Effect.flatMap(EventStore.EventStore, (store) => store.version(stream))

const phaseOf = (id: string, options?: Ledger.AsOf & { readonly organisation?: Ids.OrganisationId }) =>
  Effect.map(
    Effect.flatMap(Ledger.Ledger, (ledger) => ledger.mentorship(id, options)),
    (loaded) => (loaded.state._tag === "Active" ? loaded.state.phase : "none")
  )

/**
 * The typed failure of an effect, failing the test with a readable message
 * if the effect succeeded or died instead.
 */
const failureOf = <A, E>(effect: Effect.Effect<A, E, Services>) =>
  Effect.map(Effect.exit(effect), (exit) => {
    if (Exit.isSuccess(exit)) return expect.fail("expected a failure, but the command was recorded")
    const failure = Cause.failureOption(exit.cause)
    if (Option.isNone(failure))
      return expect.fail(`expected a typed failure, but died: ${Cause.pretty(exit.cause)}`)
    return failure.value
  })

const match = (
  mentorIds: ReadonlyArray<Ids.PersonId>,
  id: Ids.MentorshipId = mentorshipId
): Commands.CommandInput => ({
  _tag: "MatchMentor",
  actor: actors.coordinator,
  occurredAt: day(1),
  mentorshipId: id,
  mentorIds
})

const mentorshipRef = (id: string = mentorshipId) => EventStore.mentorshipStream(id)
const programmeRef = EventStore.programmeStream(programmeId)

describe("Ledger", () => {
  it.effect("records a full headmasters story, from request to completion", () =>
    withLedger(
      Effect.gen(function* () {
        const ledger = yield* Ledger.Ledger
        const setup = yield* setUpProgramme()
        const j = journey(Template.headmastersAsMentors, { mentees: 2 })
        const story = yield* executeAll(commandsTo(j, "completed").map(toInput))
        const recorded = [...setup, ...story].flatMap((e) => e.events)

        const m = yield* ledger.mentorship(mentorshipId)
        expect(m.state._tag === "Active" && m.state.phase).toBe("completed")
        expect(m.state._tag === "Active" && m.state.meetingsHeld).toBe(6)
        expect(m.version).toBe(commandsTo(j, "completed").length)
        expect(yield* logLength).toBe(recorded.length)

        // Completing released the mentor in the programme's pool, in the same append.
        expect(story.at(-1)!.events.map((e) => e._tag)).toEqual(["MentorshipCompleted", "MentorsReleased"])
        const p = yield* ledger.programme(programmeId)
        expect(Programme.freeCapacity(p.state, mentor)).toBe(3)
      })
    )
  )

  describe("request", () => {
    it.effect("an unknown template is refused as template-unknown", () =>
      withLedger(
        Effect.gen(function* () {
          yield* setUpProgramme()
          const command: Commands.CommandInput = {
            _tag: "RequestMentoring",
            actor: actors.coordinator,
            mentorshipId,
            programmeId,
            templateId: "no-such-template",
            menteeIds: [mentee],
            supervisorId: null
          }
          const error = yield* Effect.flip(execute(command))
          expect(error).toBeInstanceOf(Rules.RuleViolation)
          expect(error).toMatchObject({
            _tag: "RuleViolation",
            rule: "template-unknown",
            phase: "none",
            command: "RequestMentoring",
            actor: actors.coordinator
          })
          expect(error.message).toContain("no-such-template")
        })
      )
    )

    it.effect("an unknown programme is refused as programme-not-found", () =>
      withLedger(
        Effect.gen(function* () {
          const error = yield* Effect.flip(playTo(Template.earlyCareerInduction, "requested"))
          expect(error).toMatchObject({
            _tag: "RuleViolation",
            rule: "programme-not-found",
            phase: "none",
            command: "RequestMentoring",
            actor: actors.coordinator
          })
          expect(yield* logLength).toBe(0)
        })
      )
    )

    it.effect("a template the programme defined itself can be requested", () =>
      withLedger(
        Effect.gen(function* () {
          yield* setUpProgramme()
          const [requested] = yield* playTo(vocationalPairs, "requested")
          expect(requested!.events).toMatchObject([{ _tag: "MentoringRequested", template: vocationalPairs }])
        })
      )
    )
  })

  describe("matching touches the mentorship and the programme", () => {
    it.effect("MatchMentor appends to both streams atomically", () =>
      withLedger(
        Effect.gen(function* () {
          const setup = yield* setUpProgramme()
          yield* playTo(Template.headmastersAsMentors, "requested")
          const programmeVersion = setup.length
          const executed = yield* execute(match([mentor]))
          expect(executed.events.map((e) => e._tag)).toEqual(["MentorMatched", "MentorsAssigned"])
          expect(executed.versions).toEqual([
            { stream: `mentorship-${mentorshipId}`, version: 2 },
            { stream: `programme-${programmeId}`, version: programmeVersion + 1 }
          ])
          expect(executed.retries).toBe(0)
          expect(yield* versionOf(programmeRef)).toBe(programmeVersion + 1)
          const p = yield* Effect.flatMap(Ledger.Ledger, (l) => l.programme(programmeId))
          expect(Programme.freeCapacity(p.state, mentor)).toBe(2)
        })
      )
    )

    it.effect("a match the mentorship refuses appends to neither stream", () =>
      withLedger(
        Effect.gen(function* () {
          yield* setUpProgramme()
          yield* playTo(Template.headmastersAsMentors, "requested")
          const before = {
            m: yield* versionOf(mentorshipRef()),
            p: yield* versionOf(programmeRef),
            log: yield* logLength
          }
          const error = yield* failureOf(execute(match([people.supervisor])))
          expect(error).toMatchObject({
            _tag: "RuleViolation",
            rule: "mentor-is-supervisor",
            phase: "requested"
          })
          expect({
            m: yield* versionOf(mentorshipRef()),
            p: yield* versionOf(programmeRef),
            log: yield* logLength
          }).toEqual(before)
        })
      )
    )

    const poolRefusals: ReadonlyArray<readonly [Rules.Rule, Ids.PersonId]> = [
      ["mentor-not-enrolled", people.outsider],
      ["mentor-untrained", people.untrainedMentor]
    ]
    for (const [rule, mentorId] of poolRefusals) {
      it.effect(
        `a match the pool refuses (${rule}) fails with a RuleViolation and appends to neither stream`,
        () =>
          withLedger(
            Effect.gen(function* () {
              yield* setUpProgramme()
              yield* playTo(Template.headmastersAsMentors, "requested")
              const before = { m: yield* versionOf(mentorshipRef()), p: yield* versionOf(programmeRef) }
              const exit = yield* Effect.exit(execute(match([mentorId])))
              expect({ m: yield* versionOf(mentorshipRef()), p: yield* versionOf(programmeRef) }).toEqual(
                before
              )
              const error = yield* failureOf(Effect.suspend(() => exit))
              expect(error).toBeInstanceOf(Rules.RuleViolation)
              expect(error).toMatchObject({
                _tag: "RuleViolation",
                rule,
                phase: "requested",
                command: "MatchMentor",
                actor: actors.coordinator
              })
            })
          )
      )
    }

    it.effect("a mentor at capacity 1 cannot be matched to a second mentorship", () =>
      withLedger(
        Effect.gen(function* () {
          yield* setUpProgramme()
          yield* playTo(Template.studentPlacement, "matched", { mentorIds: [people.busyMentor] })
          yield* playTo(Template.studentPlacement, "requested", { mentorshipId: otherMentorshipId })
          const before = yield* logLength
          const error = yield* failureOf(execute(match([people.busyMentor], otherMentorshipId)))
          expect(error).toMatchObject({
            _tag: "RuleViolation",
            rule: "mentor-over-capacity",
            phase: "requested",
            command: "MatchMentor"
          })
          expect(yield* logLength).toBe(before)
        })
      )
    )

    for (const ending of ["completed", "withdrawn"] as const) {
      it.effect(`a mentor at capacity 1 can be matched again once the mentorship is ${ending}`, () =>
        withLedger(
          Effect.gen(function* () {
            yield* setUpProgramme()
            const options = { mentorIds: [people.busyMentor] }
            if (ending === "completed") yield* playTo(Template.studentPlacement, "completed", options)
            else {
              yield* playTo(Template.studentPlacement, "meetings", options)
              const withdrawn = yield* execute({
                _tag: "WithdrawMentorship",
                actor: actors.mentee,
                mentorshipId,
                reason: "leave"
              })
              expect(withdrawn.events.map((e) => e._tag)).toEqual(["MentorshipWithdrawn", "MentorsReleased"])
              expect(withdrawn.versions.map((v) => v.stream)).toEqual([
                `mentorship-${mentorshipId}`,
                `programme-${programmeId}`
              ])
            }
            const p = yield* Effect.flatMap(Ledger.Ledger, (l) => l.programme(programmeId))
            expect(Programme.freeCapacity(p.state, people.busyMentor)).toBe(1)
            yield* playTo(Template.studentPlacement, "requested", { mentorshipId: otherMentorshipId })
            const again = yield* execute(match([people.busyMentor], otherMentorshipId))
            expect(again.events.map((e) => e._tag)).toEqual(["MentorMatched", "MentorsAssigned"])
          })
        )
      )
    }

    it.effect("withdrawing before the match touches the mentorship only", () =>
      withLedger(
        Effect.gen(function* () {
          yield* setUpProgramme()
          yield* playTo(Template.headmastersAsMentors, "requested")
          const executed = yield* execute({
            _tag: "WithdrawMentorship",
            actor: actors.coordinator,
            mentorshipId,
            reason: "programme-ended"
          })
          expect(executed.events.map((e) => e._tag)).toEqual(["MentorshipWithdrawn"])
          expect(executed.versions).toEqual([{ stream: `mentorship-${mentorshipId}`, version: 2 }])
        })
      )
    )
  })

  describe("invalid input", () => {
    const valid = {
      _tag: "HoldMeeting",
      actor: { personId: mentor, role: "mentor" },
      mentorshipId,
      meetingId: meetingId(0),
      modality: "video",
      durationMinutes: 60
    } as const
    const cases: ReadonlyArray<readonly [string, unknown, string, string]> = [
      [
        "a bad uuid in actor.personId",
        { ...valid, actor: { ...valid.actor, personId: "not-a-uuid" } },
        "HoldMeeting",
        "actor.personId"
      ],
      [
        "an unknown role",
        { ...valid, actor: { ...valid.actor, role: "headmaster" } },
        "HoldMeeting",
        "actor.role"
      ],
      ["a missing field", (({ mentorshipId: _, ...rest }) => rest)(valid), "HoldMeeting", "mentorshipId"],
      [
        "a field of the wrong type",
        { ...valid, durationMinutes: "an hour" },
        "HoldMeeting",
        "durationMinutes"
      ],
      ["a value out of range", { ...valid, durationMinutes: 0 }, "HoldMeeting", "durationMinutes"],
      ["an unknown modality", { ...valid, modality: "carrier-pigeon" }, "HoldMeeting", "modality"],
      ["an unknown _tag", { ...valid, _tag: "HoldParty" }, "HoldParty", "_tag"],
      ["an extra property", { ...valid, location: "Turku" }, "HoldMeeting", "location"],
      [
        "an occurredAt that is not a date",
        { ...valid, occurredAt: "yesterday" },
        "HoldMeeting",
        "occurredAt"
      ],
      [
        "a nested field of a content ref",
        {
          _tag: "GiveConsent",
          actor: actors.mentee,
          mentorshipId,
          item: { kind: "gossip", id: "x" }
        },
        "GiveConsent",
        "item.kind"
      ]
    ]
    for (const [what, input, command, path] of cases) {
      it.effect(`${what} is an InvalidCommand naming ${path}`, () =>
        withLedger(
          Effect.gen(function* () {
            const error = yield* Effect.flip(execute(input as Commands.CommandInput))
            expect(error).toBeInstanceOf(Ledger.InvalidCommand)
            expect(error).toMatchObject({ _tag: "InvalidCommand", command, path })
            expect(error.message).toContain(path)
            expect(yield* logLength).toBe(0)
          })
        )
      )
    }

    it.effect("a command that is not an object is an InvalidCommand", () =>
      withLedger(
        Effect.gen(function* () {
          const error = yield* Effect.flip(execute(null as unknown as Commands.CommandInput))
          expect(error).toMatchObject({ _tag: "InvalidCommand", command: "(unknown)" })
        })
      )
    )
  })

  it.effect("a refused command appends nothing", () =>
    withLedger(
      Effect.gen(function* () {
        yield* setUpProgramme()
        yield* playTo(Template.headmastersAsMentors, "matched")
        const before = yield* logLength
        const refused: ReadonlyArray<Commands.CommandInput> = [
          {
            _tag: "HoldMeeting",
            actor: actors.mentor,
            mentorshipId,
            meetingId: meetingId(0),
            modality: "video",
            durationMinutes: 60
          },
          {
            _tag: "HoldMeeting",
            actor: actors.supervisor,
            mentorshipId,
            meetingId: meetingId(0),
            modality: "video",
            durationMinutes: 60
          },
          { _tag: "LaunchProgramme", actor: actors.coordinator, programmeId, name: "Again", templates: [] },
          { _tag: "EnrolMentor", actor: actors.coordinator, programmeId, mentorId: mentor, capacity: 1 }
        ]
        for (const command of refused) {
          const error = yield* Effect.flip(execute(command))
          expect(error._tag).toBe("RuleViolation")
        }
        expect(yield* logLength).toBe(before)
        expect(yield* phaseOf(mentorshipId)).toBe("matched")
      })
    )
  )

  describe("time", () => {
    it.effect("occurredAt defaults to the clock", () =>
      withLedger(
        Effect.gen(function* () {
          yield* TestClock.setTime(Date.UTC(2026, 2, 1, 12, 30))
          const executed = yield* execute({
            _tag: "LaunchProgramme",
            actor: actors.coordinator,
            programmeId,
            name: "Clocked",
            templates: []
          })
          expect(executed.events[0]!.occurredAt).toEqual(new Date(Date.UTC(2026, 2, 1, 12, 30)))
          const [recorded] = yield* Effect.flatMap(EventStore.EventStore, (s) => s.readStream(programmeRef))
          expect(recorded!.recordedAt).toEqual(new Date(Date.UTC(2026, 2, 1, 12, 30)))
        })
      )
    )

    it.effect("a given ISO-8601 occurredAt is accepted and kept, apart from the recording time", () =>
      withLedger(
        Effect.gen(function* () {
          yield* TestClock.setTime(Date.UTC(2026, 2, 1))
          const executed = yield* execute({
            _tag: "LaunchProgramme",
            actor: actors.coordinator,
            occurredAt: "2025-12-24T08:15:00.000Z",
            programmeId,
            name: "Back-dated",
            templates: []
          })
          expect(executed.events[0]!.occurredAt).toEqual(new Date("2025-12-24T08:15:00.000Z"))
          const [recorded] = yield* Effect.flatMap(EventStore.EventStore, (s) => s.readStream(programmeRef))
          expect(recorded!.event.occurredAt).toEqual(new Date("2025-12-24T08:15:00.000Z"))
          expect(recorded!.recordedAt).toEqual(new Date(Date.UTC(2026, 2, 1)))
        })
      )
    )

    it.effect("a mentorship as of occurredUntil is in the phase it was in then", () =>
      withLedger(
        Effect.gen(function* () {
          yield* setUpProgramme()
          const j = journey(Template.headmastersAsMentors)
          yield* playTo(Template.headmastersAsMentors, "meetings")
          const agreement = commandsTo(j, "agreement").at(-1)!
          const firstMeeting = commandsTo(j, "meetings").at(-6)!
          expect(yield* phaseOf(mentorshipId)).toBe("meetings")
          expect(yield* phaseOf(mentorshipId, { occurredUntil: agreement.occurredAt })).toBe("agreement")
          expect(
            yield* phaseOf(mentorshipId, { occurredUntil: new Date(firstMeeting.occurredAt.getTime() - 1) })
          ).toBe("agreement")
          expect(yield* phaseOf(mentorshipId, { occurredUntil: firstMeeting.occurredAt })).toBe("meetings")
          expect(yield* phaseOf(mentorshipId, { occurredUntil: day(-1) })).toBe("none")
          const loaded = yield* Effect.flatMap(Ledger.Ledger, (l) =>
            l.mentorship(mentorshipId, { occurredUntil: agreement.occurredAt })
          )
          expect(loaded.version).toBe(commandsTo(j, "agreement").length)
        })
      )
    )

    it.effect("a mentorship as of recordedUntil is what the ledger knew then", () =>
      withLedger(
        Effect.gen(function* () {
          yield* TestClock.setTime(Date.UTC(2026, 0, 1))
          yield* setUpProgramme()
          yield* playTo(Template.earlyCareerInduction, "agreement")
          const knewAgreement = new Date(Date.UTC(2026, 0, 1))
          yield* TestClock.adjust("7 days")
          // The meetings are recorded a week later.
          const j = journey(Template.earlyCareerInduction)
          const rest = commandsTo(j, "completed").slice(commandsTo(j, "agreement").length)
          yield* executeAll(rest.map(toInput))
          expect(yield* phaseOf(mentorshipId)).toBe("completed")
          expect(yield* phaseOf(mentorshipId, { recordedUntil: knewAgreement })).toBe("agreement")
          expect(yield* phaseOf(mentorshipId, { recordedUntil: new Date(Date.UTC(2025, 11, 31)) })).toBe(
            "none"
          )
        })
      )
    )
  })

  it.effect("organisations are isolated: the same ids live apart", () =>
    withLedger(
      Effect.gen(function* () {
        const schoolA = { organisation: Ids.OrganisationId.make("school-a") }
        const schoolB = { organisation: Ids.OrganisationId.make("school-b") }
        yield* setUpProgramme(schoolA)
        yield* setUpProgramme(schoolB)
        yield* playTo(Template.headmastersAsMentors, "meetings", {}, schoolA)
        yield* playTo(Template.headmastersAsMentors, "requested", {}, schoolB)
        expect(yield* phaseOf(mentorshipId, schoolA)).toBe("meetings")
        expect(yield* phaseOf(mentorshipId, schoolB)).toBe("requested")
        expect(yield* phaseOf(mentorshipId)).toBe("none")
        // A command in one organisation does not see the other's streams.
        const error = yield* Effect.flip(execute(match([mentor])))
        expect(error).toMatchObject({ rule: "mentorship-not-found", phase: "none" })
        const store = yield* EventStore.EventStore
        const a = yield* Stream.runCollect(store.readAll(schoolA))
        const b = yield* Stream.runCollect(store.readAll(schoolB))
        expect([...a].every((e) => e.organisation === "school-a")).toBe(true)
        expect([...b].every((e) => e.organisation === "school-b")).toBe(true)
        expect([...a].length + [...b].length).toBe(yield* logLength)
        // Capacity is counted per organisation.
        const p = yield* Effect.flatMap(Ledger.Ledger, (l) => l.programme(programmeId, schoolB))
        expect(Programme.freeCapacity(p.state, mentor)).toBe(3)
      })
    )
  )

  it.effect("a ledger's default organisation is used when a call names none", () =>
    withLedger(
      Effect.gen(function* () {
        yield* setUpProgramme()
        const store = yield* EventStore.EventStore
        const [event] = yield* Stream.runCollect(store.readAll())
        expect(event!.organisation).toBe("kindergartens")
        expect(yield* versionOf(programmeRef)).toBe(0)
        expect(
          yield* versionOf(EventStore.programmeStream(programmeId, Ids.OrganisationId.make("kindergartens")))
        ).toBe(programmeCommands().length)
      }),
      { organisation: Ids.OrganisationId.make("kindergartens") }
    )
  )
})

// ---------------------------------------------------------------------------
// Concurrency
// ---------------------------------------------------------------------------

/**
 * An in-memory journal that, once armed, holds the first `parties` reads of
 * a mentorship stream until all of them have read: the writers then race
 * with the same expected version, and all but one must decide again.
 */
const racingJournal = () => {
  const inner = EventJournal.makeMemory()
  let barrier:
    | { readonly parties: number; arrived: number; readonly open: Deferred.Deferred<void> }
    | undefined
  const journal: EventJournal.EventJournalService = {
    ...inner,
    readStream: (organisation, stream, options) =>
      Effect.flatMap(inner.readStream(organisation, stream, options), (rows) =>
        Effect.suspend(() => {
          const b = barrier
          if (b === undefined || !stream.startsWith("mentorship-")) return Effect.succeed(rows)
          b.arrived += 1
          if (b.arrived < b.parties) return Effect.as(Deferred.await(b.open), rows)
          barrier = undefined
          return Effect.as(Deferred.succeed(b.open, undefined), rows)
        })
      )
  }
  const arm = (parties: number) =>
    Effect.map(Deferred.make<void>(), (open) => {
      barrier = { parties, arrived: 0, open }
    })
  // without a state cache: each racer reads the stream (a ledger decides on
  // its cached state unread, and the barrier waits for reads)
  const layer = (options: Ledger.LedgerOptions = {}) =>
    Ledger.layer({ stateCacheSize: 0, ...options }).pipe(
      Layer.provideMerge(EventStore.layer),
      Layer.provideMerge(Layer.succeed(EventJournal.EventJournal, journal)),
      Layer.provideMerge(KeyStore.layerMemory),
      Layer.provide(Ids.layerSequential(20_000))
    )
  return { arm, layer }
}

describe("Ledger concurrency", () => {
  const scheduleBy = (actor: typeof actors.mentor, n: number): Commands.CommandInput => ({
    _tag: "ScheduleMeeting",
    actor,
    mentorshipId,
    meetingId: meetingId(n),
    scheduledFor: day(100 + n),
    modality: "video"
  })

  it.effect("two racing commands that do not conflict in the domain both succeed, one by retrying", () => {
    const race = racingJournal()
    return Effect.gen(function* () {
      yield* setUpProgramme()
      yield* playTo(Template.headmastersAsMentors, "agreement")
      const before = yield* versionOf(mentorshipRef())
      yield* race.arm(2)
      const results = yield* Effect.all(
        [execute(scheduleBy(actors.mentor, 1)), execute(scheduleBy(actors.mentee, 2))],
        {
          concurrency: "unbounded"
        }
      )
      expect(results.map((r) => r.retries).sort()).toEqual([0, 1])
      expect(results.map((r) => r.versions[0]!.version).sort()).toEqual([before + 1, before + 2])
      const m = yield* Effect.flatMap(Ledger.Ledger, (l) => l.mentorship(mentorshipId))
      expect(m.version).toBe(before + 2)
      expect(m.state._tag === "Active" && [...m.state.meetings.keys()].sort()).toEqual([
        meetingId(1),
        meetingId(2)
      ])
    }).pipe(Effect.provide(race.layer()))
  })

  it.effect("when the retry finds a domain conflict, the loser gets the RuleViolation", () => {
    const race = racingJournal()
    return Effect.gen(function* () {
      yield* setUpProgramme()
      yield* playTo(Template.headmastersAsMentors, "agreement")
      yield* race.arm(2)
      const results = yield* Effect.all(
        [execute(scheduleBy(actors.mentor, 1)), execute(scheduleBy(actors.mentee, 1))].map(Effect.either),
        { concurrency: "unbounded" }
      )
      const winners = results.filter((r) => r._tag === "Right")
      const losers = results.flatMap((r) => (r._tag === "Left" ? [r.left] : []))
      expect(winners).toHaveLength(1)
      expect(losers).toHaveLength(1)
      expect(losers[0]).toMatchObject({ _tag: "RuleViolation", rule: "duplicate-id", phase: "agreement" })
    }).pipe(Effect.provide(race.layer()))
  })

  it.effect("with no retries left, the conflict surfaces as ConcurrencyConflict", () => {
    const race = racingJournal()
    return Effect.gen(function* () {
      yield* setUpProgramme()
      yield* playTo(Template.headmastersAsMentors, "agreement")
      yield* race.arm(2)
      const results = yield* Effect.all(
        [execute(scheduleBy(actors.mentor, 1)), execute(scheduleBy(actors.mentee, 2))].map(Effect.either),
        { concurrency: "unbounded" }
      )
      const losers = results.flatMap((r) => (r._tag === "Left" ? [r.left] : []))
      expect(losers).toHaveLength(1)
      expect(losers[0]).toMatchObject({
        _tag: "ConcurrencyConflict",
        reason: "version",
        stream: `mentorship-${mentorshipId}`
      })
    }).pipe(Effect.provide(race.layer({ maxRetries: 0 })))
  })

  it.effect("racing matches of the last free place: one mentorship gets the mentor", () => {
    const race = racingJournal()
    return Effect.gen(function* () {
      yield* setUpProgramme()
      yield* playTo(Template.studentPlacement, "requested")
      yield* playTo(Template.studentPlacement, "requested", { mentorshipId: otherMentorshipId })
      yield* race.arm(2)
      const results = yield* Effect.all(
        [
          execute(match([people.busyMentor], mentorshipId)),
          execute(match([people.busyMentor], otherMentorshipId))
        ].map(Effect.either),
        { concurrency: "unbounded" }
      )
      expect(results.filter((r) => r._tag === "Right")).toHaveLength(1)
      const p = yield* Effect.flatMap(Ledger.Ledger, (l) => l.programme(programmeId))
      expect(Programme.freeCapacity(p.state, people.busyMentor)).toBe(0)
      expect(p.state._tag === "Active" && p.state.assignments.size).toBe(1)
    }).pipe(Effect.provide(race.layer()))
  })
})
