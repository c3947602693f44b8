/**
 * Conflicting commands raced through the ledger's command handler, with
 * fast-check's scheduler choosing how their reads and appends interleave
 * (fast-check `examples/005-race`). Whatever the order, the events that
 * land are exactly those the reference model allows in some order of the
 * winners, every loser is refused with a rule the model gives in a state
 * it could have seen, nothing is lost or doubled, and the ledger retries
 * after a conflict instead of failing.
 */
import { EventStore, Ids, Ledger, type Mentorship, type Rules, Template } from "@mentor-ledger/core"
import { Histories, ProcessModel } from "@mentor-ledger/testing"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as fc from "fast-check"
import { afterAll, describe, expect, it } from "vitest"
import { assertProperty } from "../src/internal/properties.js"

/** One meeting at least, two at most, one mentor, one mentee, no optional steps. */
const race = Template.ProcessTemplate.make({
  id: "race",
  name: "Race",
  steps: [],
  meetings: { min: 1, max: 2 },
  cadenceDays: { min: 7, max: 14 },
  followUpDelayDays: null,
  supervisorTakesPart: false,
  mentees: { min: 1, max: 1 },
  mentors: { min: 1, max: 1 },
  closingMinutes: 0
})
const cast = Histories.defaultCast
const mentorshipIds = [2, 3, 4, 5].map((n) => Ids.MentorshipId.make(Ids.sequentialId(n)))
const castOf = (mentorship: number): Histories.Cast => ({ ...cast, mentorshipId: mentorshipIds[mentorship]! })
const at = Histories.scenarioDay
const mentor = { personId: cast.mentors[0]!, role: "mentor" } as const
const mentee = { personId: cast.mentees[0]!, role: "mentee" } as const
const coordinator = { personId: cast.coordinator, role: "coordinator" } as const
const meeting = (n: number) => Ids.MeetingId.make(Ids.sequentialId(500 + n))

/** A command for one of the mentorships. */
interface Racer {
  readonly mentorship: number
  readonly command: Mentorship.Command
}

const request = (mentorship: number): Racer => ({
  mentorship,
  command: {
    _tag: "RequestMentoring",
    actor: coordinator,
    occurredAt: at(0),
    mentorshipId: mentorshipIds[mentorship]!,
    programmeId: cast.programmeId,
    template: race,
    menteeIds: [cast.mentees[mentorship]!],
    supervisorId: null
  }
})
const match = (mentorship: number, day = 1): Racer => ({
  mentorship,
  command: {
    _tag: "MatchMentor",
    actor: coordinator,
    occurredAt: at(day),
    mentorshipId: mentorshipIds[mentorship]!,
    mentorIds: [cast.mentors[0]!]
  }
})
type Unplaced<C> = C extends unknown ? Omit<C, "mentorshipId"> : never
const on = (command: Unplaced<Mentorship.Command>): Racer => ({
  mentorship: 0,
  command: { ...command, mentorshipId: mentorshipIds[0]! } as Mentorship.Command
})

/**
 * The ledger on an in-memory event store whose reads and appends each wait
 * for the scheduler while `racing` is on: the racers' load-decide-append
 * cycles interleave in the order the scheduler picks.
 */
const scheduledLedger = (scheduler: fc.Scheduler) => {
  const state = { racing: false }
  const gate =
    <Args extends ReadonlyArray<any>, A, E>(label: string, f: (...args: Args) => Effect.Effect<A, E>) =>
    (...args: Args): Effect.Effect<A, E> =>
      state.racing
        ? Effect.zipRight(
            Effect.promise(() => scheduler.schedule(Promise.resolve(label), label)),
            f(...args)
          )
        : f(...args)
  const store = Layer.effect(
    EventStore.EventStore,
    Effect.map(EventStore.EventStore, (inner) => ({
      ...inner,
      readStream: gate("readStream", inner.readStream),
      append: gate("append", inner.append),
      appendMany: gate("appendMany", inner.appendMany)
    }))
    // provideMerge: the ledger also gets whatever else the in-memory store provides (its keys).
  ).pipe(Layer.provideMerge(EventStore.layerMemory))
  const runtime = ManagedRuntime.make(
    Ledger.layer().pipe(Layer.provideMerge(store), Layer.provide(Ids.layerSequential(1_000_000)))
  )
  const execute = (racer: Racer) =>
    runtime.runPromise(
      Effect.either(Effect.flatMap(Ledger.Ledger, (l) => l.execute(Histories.toInput(racer.command))))
    )
  const mentorship = (n: number) =>
    runtime.runPromise(Effect.flatMap(Ledger.Ledger, (l) => l.mentorship(mentorshipIds[n]!)))
  return { state, runtime, execute, mentorship }
}

type Outcome = Awaited<ReturnType<ReturnType<typeof scheduledLedger>["execute"]>>

/** Runs the racers concurrently, releasing their journal calls in the scheduler's order. */
const runRace = async (
  ledger: ReturnType<typeof scheduledLedger>,
  scheduler: fc.Scheduler,
  racers: ReadonlyArray<Racer>
) => {
  ledger.state.racing = true
  let finished = false
  const all = Promise.all(racers.map(ledger.execute)).finally(() => {
    finished = true
  })
  while (!finished) {
    await scheduler.waitIdle()
    // A racer between two gates may be waiting on a macrotask (a timer of the effect runtime).
    if (!finished && scheduler.count() === 0) await new Promise((resolve) => setImmediate(resolve))
  }
  ledger.state.racing = false
  return all
}

let retries = 0
let races = 0
/** Which of the two HoldMeeting racers won, per run: the scheduler must let each win sometimes. */
const winners = new Set<number>()

/**
 * Checks the outcomes against the model: the winners, in the order their
 * appends landed, are each accepted by the model with the same events; each
 * loser is refused with its rule in some state between two winners; the
 * final process facts of every mentorship are the model's.
 */
const check = async (
  ledger: ReturnType<typeof scheduledLedger>,
  setup: ReadonlyArray<Racer>,
  racers: ReadonlyArray<Racer>,
  outcomes: ReadonlyArray<Outcome>,
  capacity: number
) => {
  const failures = outcomes.flatMap((o, i) =>
    Either.isLeft(o) && o.left._tag !== "RuleViolation" ? [`racer ${i + 1}: ${String(o.left)}`] : []
  )
  expect(failures, "no racer fails with anything but a rule").toEqual([])
  const winners = outcomes
    .flatMap((o, i) => (Either.isRight(o) ? [{ i, racer: racers[i]!, executed: o.right }] : []))
    // Every racer appends to the programme's stream or to its mentorship's; the version says when it landed.
    .sort(
      (a, b) =>
        Math.max(...a.executed.versions.map((v) => v.version)) -
        Math.max(...b.executed.versions.map((v) => v.version))
    )
  for (const w of winners) retries += w.executed.retries
  const modelsAfter = (k: number) => {
    const models: Array<ProcessModel.Model> = []
    for (let n = 0; n < mentorshipIds.length; n++)
      models.push(ProcessModel.make(race, castOf(n), n === 0 ? { capacity } : { sharePoolWith: models[0]! }))
    for (const r of [...setup, ...winners.slice(0, k).map((w) => w.racer)])
      ProcessModel.apply(models[r.mentorship]!, r.command)
    return models
  }
  const naming = new Histories.Naming(cast)
  const story = () =>
    racers
      .map(
        (r, i) =>
          `${i + 1}. ${Histories.describeOne(r.command, naming)} → ${Either.isRight(outcomes[i]!) ? "accepted" : `refused (${(outcomes[i]!.left as Rules.RuleViolation).rule})`}`
      )
      .join("\n")
  winners.forEach((w, k) => {
    const verdict = ProcessModel.verdict(modelsAfter(k)[w.racer.mentorship]!, w.racer.command)
    expect(verdict, `winner ${k + 1} of\n${story()}`).toMatchObject({
      _tag: "Accepted",
      events: w.executed.events.map((e) => e._tag)
    })
  })
  outcomes.forEach((o, i) => {
    if (Either.isRight(o)) return
    const rule = (o.left as Rules.RuleViolation).rule
    const possible = Array.from({ length: winners.length + 1 }, (_, k) =>
      ProcessModel.verdict(modelsAfter(k)[racers[i]!.mentorship]!, racers[i]!.command)
    )
    expect(possible, `racer ${i + 1} of\n${story()}`).toContainEqual({ _tag: "Refused", rule })
  })
  const final = modelsAfter(winners.length)
  for (let n = 0; n < mentorshipIds.length; n++)
    expect(
      ProcessModel.fromState((await ledger.mentorship(n)).state),
      `mentorship ${n + 1} after\n${story()}`
    ).toEqual(ProcessModel.observe(final[n]!))
  races++
}

const setUp = async (
  ledger: ReturnType<typeof scheduledLedger>,
  setup: ReadonlyArray<Racer>,
  capacity: number
) => {
  for (const command of Histories.setupCommands(race, cast, capacity))
    await ledger.runtime.runPromise(Effect.flatMap(Ledger.Ledger, (l) => l.execute(command as never)))
  for (const racer of setup) {
    const outcome = await ledger.execute(racer)
    if (Either.isLeft(outcome)) throw new Error(`set-up refused: ${String(outcome.left)}`)
  }
}

describe("Ledger races", () => {
  // One meeting held of two allowed, its summary not drafted yet.
  const oneMeetingLeft: ReadonlyArray<Racer> = [
    request(0),
    match(0),
    on({
      _tag: "SignAgreement",
      actor: mentee,
      occurredAt: at(2),
      goals: ["g"],
      topics: [],
      plannedMeetings: 2,
      cadenceDays: 14,
      confidentiality: true,
      signatories: [mentor.personId, mentee.personId]
    }),
    on({
      _tag: "HoldMeeting",
      actor: mentor,
      occurredAt: at(3),
      meetingId: meeting(1),
      modality: "video",
      durationMinutes: 60,
      planning: true
    })
  ]
  const contenders: ReadonlyArray<Racer> = [
    on({
      _tag: "HoldMeeting",
      actor: mentor,
      occurredAt: at(10),
      meetingId: meeting(2),
      modality: "in-person",
      durationMinutes: 60,
      planning: false
    }),
    on({
      _tag: "HoldMeeting",
      actor: mentee,
      occurredAt: at(10),
      meetingId: meeting(3),
      modality: "phone",
      durationMinutes: 30,
      planning: false
    }),
    on({
      _tag: "ScheduleMeeting",
      actor: mentee,
      occurredAt: at(10),
      meetingId: meeting(4),
      scheduledFor: at(20),
      modality: "video"
    }),
    on({
      _tag: "DraftSummary",
      actor: mentor,
      occurredAt: at(10),
      meetingId: meeting(1),
      text: "First draft"
    }),
    on({
      _tag: "DraftSummary",
      actor: mentor,
      occurredAt: at(10),
      meetingId: meeting(1),
      text: "Another first draft"
    }),
    on({ _tag: "FinaliseSummary", actor: mentee, occurredAt: at(10), meetingId: meeting(1) }),
    on({ _tag: "CompleteMentorship", actor: coordinator, occurredAt: at(10) }),
    on({ _tag: "WithdrawMentorship", actor: mentee, occurredAt: at(10), reason: "leave" })
  ]

  it("conflicting commands on one mentorship (the last meeting place, one summary, completion): no decision lost or doubled", () =>
    assertProperty(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 0, max: contenders.length - 1 }), { minLength: 2, maxLength: 4 }),
        fc.scheduler(),
        async (picks, scheduler) => {
          const ledger = scheduledLedger(scheduler)
          try {
            await setUp(ledger, oneMeetingLeft, 5)
            const racers = picks.map((p) => contenders[p]!)
            await check(ledger, oneMeetingLeft, racers, await runRace(ledger, scheduler, racers), 5)
          } finally {
            await ledger.runtime.dispose()
          }
        }
      ),
      40
    ))

  it("two HoldMeeting for the last place: exactly one meeting is held, the other is refused with meeting-limit", () =>
    assertProperty(
      fc.asyncProperty(fc.scheduler(), async (scheduler) => {
        const ledger = scheduledLedger(scheduler)
        try {
          await setUp(ledger, oneMeetingLeft, 5)
          const racers = [contenders[0]!, contenders[1]!]
          const outcomes = await runRace(ledger, scheduler, racers)
          expect(outcomes.filter(Either.isRight)).toHaveLength(1)
          winners.add(outcomes.findIndex(Either.isRight))
          expect(outcomes.filter(Either.isLeft).map((o) => (o.left as Rules.RuleViolation).rule)).toEqual([
            "meeting-limit"
          ])
          expect((await ledger.mentorship(0)).state).toMatchObject({ meetingsHeld: 2 })
          await check(ledger, oneMeetingLeft, racers, outcomes, 5)
        } finally {
          await ledger.runtime.dispose()
        }
      }),
      20
    ))

  // Mentorship 1 holds the mentor's only place; mentorships 2 to 4 wait for a match.
  const mentorFull: ReadonlyArray<Racer> = [request(0), match(0), request(1), request(2), request(3)]
  const matchers: ReadonlyArray<Racer> = [
    match(1, 5),
    match(2, 5),
    match(3, 5),
    on({ _tag: "WithdrawMentorship", actor: mentee, occurredAt: at(5), reason: "change-of-job" })
  ]

  it("matches racing for a mentor's last free place (and a withdrawal freeing it): the pool is never over capacity", () =>
    assertProperty(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 0, max: matchers.length - 1 }), { minLength: 2, maxLength: 4 }),
        fc.scheduler(),
        async (picks, scheduler) => {
          const ledger = scheduledLedger(scheduler)
          try {
            await setUp(ledger, mentorFull, 1)
            const racers = picks.map((p) => matchers[p]!)
            const outcomes = await runRace(ledger, scheduler, racers)
            await check(ledger, mentorFull, racers, outcomes, 1)
            const programme = await ledger.runtime.runPromise(
              Effect.flatMap(Ledger.Ledger, (l) => l.programme(cast.programmeId))
            )
            if (programme.state._tag !== "Active") throw new Error("no programme")
            expect(programme.state.mentors.get(cast.mentors[0]!)!.assigned.size).toBeLessThanOrEqual(1)
          } finally {
            await ledger.runtime.dispose()
          }
        }
      ),
      40
    ))

  afterAll(() => {
    // Only meaningful when the races ran (not with -t filters on another test).
    if (races < 40) return
    expect(retries, "conflicting appends made the ledger decide again").toBeGreaterThan(0)
    expect([...winners].sort(), "either racer can win").toEqual([0, 1])
  })
})
