import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { EventStore, Ids, Ledger, Privacy, type Roles, Template, Visibility } from "@mentor-ledger/core"
import { makeStore, playStory, texts } from "./privacyFixtures.js"
import {
  actors,
  commandsTo,
  day,
  journey,
  meetingId,
  mentee,
  mentor,
  mentorshipId,
  otherMentorshipId,
  people,
  secondMentee,
  toInput
} from "./support/fixtures.js"

const org = Ids.defaultOrganisation

/** The story's texts by kind of content (and author, where it matters). */
const kinds = {
  expectations: [texts.expectations],
  "self-assessment of the first mentee": ["strengths", "weaknesses", "opportunities", "threats"].map((f) =>
    texts.swot(mentee, f)
  ),
  "self-assessment of the second mentee": ["strengths", "weaknesses", "opportunities", "threats"].map((f) =>
    texts.swot(secondMentee, f)
  ),
  agreement: [...texts.goals, ...texts.topics],
  observation: [texts.observation],
  summary: [texts.summary],
  amendment: [texts.amendment],
  task: [texts.task],
  "task reflection": [texts.reflection],
  evaluation: [texts.evaluation],
  report: [texts.report],
  "follow-up": [texts.followUp]
} as const
type Kind = keyof typeof kinds

const viewers = {
  mentor: actors.mentor,
  "first mentee": actors.mentee,
  "second mentee": actors.secondMentee,
  "mentor of another mentorship": { personId: people.otherMentor, role: "mentor" },
  supervisor: actors.supervisor,
  coordinator: actors.coordinator,
  "support team": { personId: people.outsider, role: "support-team" },
  analyst: { personId: people.outsider, role: "analyst" },
  "a supervisor claiming to be a mentee": { personId: people.supervisor, role: "mentee" }
} satisfies Record<string, Roles.Actor>
type ViewerName = keyof typeof viewers

/** Which text each content field was written with (by event id and path), read while every key exists. */
let written = new Map<string, string>()
const remember = (id: string = mentorshipId) =>
  Effect.gen(function* () {
    const events = yield* Effect.flatMap(EventStore.EventStore, (s) =>
      s.readStream(EventStore.mentorshipStream(id))
    )
    written = new Map()
    for (const e of yield* Effect.forEach(events, (e) => Privacy.unseal(e)))
      for (const c of Privacy.contentOf(e.event))
        if (typeof c.value === "string") written.set(`${e.eventId}/${c.path}`, c.value)
  })

/** What one viewer got for each kind: `visible` (the very text), `erased`, or `withheld: <reason>`. */
const seenBy = (viewer: Roles.Actor, id: string = mentorshipId) =>
  Effect.gen(function* () {
    const ledger = yield* Ledger.Ledger
    const byText = new Map<string, Privacy.Disclosure>()
    for (const r of yield* ledger.history(id, viewer))
      for (const c of Privacy.contentOf(r.event)) {
        const text = written.get(`${r.eventId}/${c.path}`)
        if (text !== undefined) byText.set(text, c.value)
      }
    const outcome = (text: string) => {
      const d = byText.get(text)
      if (d === undefined) return "missing"
      if (Privacy.isDisclosed(d)) return d === text ? "visible" : `wrong text ${d}`
      return Privacy.isErased(d) ? "erased" : `withheld: ${d.reason}`
    }
    return Object.fromEntries(
      Object.entries(kinds).map(([kind, list]) => {
        const outcomes = new Set(list.map(outcome))
        return [kind, outcomes.size === 1 ? [...outcomes][0]! : [...outcomes].join(" | ")]
      })
    ) as Record<Kind, string>
  })

const table = (names: ReadonlyArray<ViewerName>) =>
  Effect.map(
    Effect.forEach(names, (name) => Effect.map(seenBy(viewers[name]), (seen) => [name, seen] as const)),
    (rows) => Object.fromEntries(rows) as Record<ViewerName, Record<Kind, string>>
  )

const all = (outcome: string): Record<Kind, string> =>
  Object.fromEntries(Object.keys(kinds).map((k) => [k, outcome])) as Record<Kind, string>

/** The supervisor sees the report and what every mentee it belongs to shared. */
const supervisorSees: Record<Kind, string> = {
  ...all("withheld: not-shared"),
  "self-assessment of the first mentee": "visible",
  summary: "visible",
  amendment: "visible",
  task: "visible",
  "task reflection": "visible",
  report: "visible"
}

describe("Visibility: who sees what", () => {
  it.effect("every role × every kind of content, as PRODUCT.md says", () => {
    const { layer } = makeStore()
    return Effect.gen(function* () {
      yield* playStory()
      yield* remember()
      // The other mentor really mentors another mentorship.
      const ledger = yield* Ledger.Ledger
      for (const c of commandsTo(
        journey(Template.studentPlacement, {
          mentorshipId: otherMentorshipId,
          mentorIds: [people.otherMentor]
        }),
        "matched"
      ))
        yield* ledger.execute(toInput(c))

      expect(yield* table(Object.keys(viewers) as Array<ViewerName>)).toEqual({
        mentor: all("visible"),
        "first mentee": all("visible"),
        "second mentee": all("visible"),
        "mentor of another mentorship": all("withheld: not-a-participant"),
        supervisor: supervisorSees,
        coordinator: all("withheld: process-facts-only"),
        "support team": all("withheld: process-facts-only"),
        analyst: all("withheld: process-facts-only"),
        "a supervisor claiming to be a mentee": all("withheld: not-a-participant")
      })
    }).pipe(Effect.provide(layer))
  })

  it.effect("after the first mentee's erasure: their content and the shared record read as erased", () => {
    const { layer } = makeStore()
    return Effect.gen(function* () {
      yield* playStory()
      yield* remember()
      yield* Effect.flatMap(Ledger.Ledger, (l) => l.erase(mentee))
      // The second mentee's own self-assessment is theirs alone: it survives.
      const pairAfter = { ...all("erased"), "self-assessment of the second mentee": "visible" }
      expect(yield* table(["mentor", "second mentee", "first mentee", "supervisor", "coordinator"])).toEqual({
        mentor: pairAfter,
        "second mentee": pairAfter,
        "first mentee": all("withheld: viewer-erased"),
        supervisor: {
          ...supervisorSees,
          "self-assessment of the first mentee": "erased",
          summary: "erased",
          amendment: "erased",
          task: "erased",
          "task reflection": "erased",
          report: "erased"
        },
        coordinator: all("withheld: process-facts-only")
      })
    }).pipe(Effect.provide(layer))
  })

  it.effect("after the supervisor's erasure: only the expectations they agreed to are erased", () => {
    const { layer } = makeStore()
    return Effect.gen(function* () {
      yield* playStory()
      yield* remember()
      yield* Effect.flatMap(Ledger.Ledger, (l) => l.erase(people.supervisor))
      expect(yield* seenBy(actors.mentor)).toEqual({ ...all("visible"), expectations: "erased" })
      expect(yield* seenBy(actors.supervisor)).toEqual(all("withheld: viewer-erased"))
    }).pipe(Effect.provide(layer))
  })

  it.effect(
    "revoking consent takes an item out of the supervisor's view; giving it again brings it back",
    () => {
      const { layer } = makeStore()
      return Effect.gen(function* () {
        yield* playStory()
        yield* remember()
        const ledger = yield* Ledger.Ledger
        const item = { kind: "summary", id: meetingId(0) } as const
        const consent = (tag: "GiveConsent" | "RevokeConsent") =>
          ledger.execute({ _tag: tag, actor: actors.secondMentee, occurredAt: day(500), mentorshipId, item })
        yield* consent("RevokeConsent")
        expect((yield* seenBy(actors.supervisor)).summary).toBe("withheld: not-shared")
        // The report stays theirs: it was addressed to them.
        expect((yield* seenBy(actors.supervisor)).report).toBe("visible")
        yield* consent("GiveConsent")
        expect((yield* seenBy(actors.supervisor)).summary).toBe("visible")
      }).pipe(Effect.provide(layer))
    }
  )

  it.effect("a viewer reading as of a past date gets today's consent, not the consent of then", () => {
    const { layer } = makeStore()
    return Effect.gen(function* () {
      yield* playStory()
      yield* remember()
      const ledger = yield* Ledger.Ledger
      yield* ledger.execute({
        _tag: "RevokeConsent",
        actor: actors.mentee,
        occurredAt: day(500),
        mentorshipId,
        item: { kind: "summary", id: meetingId(0) }
      })
      const past = yield* ledger.history(mentorshipId, actors.supervisor, { occurredUntil: day(300) })
      const summary = past.find((e) => e.event._tag === "SummaryDrafted")!
      expect(Privacy.contentOf(summary.event)[0]!.value).toEqual({
        _tag: "ContentWithheld",
        kind: "summary",
        reason: "not-shared"
      })
    }).pipe(Effect.provide(layer))
  })

  it.effect("every viewer sees the same process facts: event types, versions, ids and dates", () => {
    const { layer } = makeStore()
    return Effect.gen(function* () {
      yield* playStory()
      yield* remember()
      const ledger = yield* Ledger.Ledger
      const facts = (history: ReadonlyArray<Privacy.Revealed>) =>
        history.map((r) => {
          const event: Record<string, unknown> = { ...r.event }
          for (const c of Privacy.contentOf(r.event)) delete event[c.path.split(".")[0]!]
          return { version: r.version, recordedAt: r.recordedAt, event }
        })
      const asMentor = facts(yield* ledger.history(mentorshipId, actors.mentor))
      expect(asMentor.length).toBeGreaterThan(20)
      for (const viewer of Object.values(viewers))
        expect(facts(yield* ledger.history(mentorshipId, viewer))).toEqual(asMentor)
    }).pipe(Effect.provide(layer))
  })

  it.effect("organisations never see each other's content, even for the same ids", () => {
    const { layer } = makeStore()
    const school = Ids.OrganisationId.make("school-b")
    return Effect.gen(function* () {
      yield* playStory()
      yield* remember()
      const ledger = yield* Ledger.Ledger
      const [summary] = (yield* ledger.history(mentorshipId, actors.mentor)).filter(
        (e) => e.event._tag === "SummaryDrafted"
      )
      const recorded = (yield* Effect.flatMap(EventStore.EventStore, (s) =>
        s.readStream(EventStore.mentorshipStream(mentorshipId))
      )).find((e) => e.eventId === summary!.eventId)!
      // The same person, as a mentor of school B: nothing of the default organisation.
      const revealed = yield* ledger.reveal(recorded, { ...actors.mentor, organisation: school })
      expect(Privacy.contentOf(revealed.event)[0]!.value).toMatchObject({ reason: "other-organisation" })
      expect(yield* ledger.history(mentorshipId, { ...actors.mentor, organisation: school })).toEqual([])
    }).pipe(Effect.provide(layer))
  })
})

describe("Visibility.access (pure)", () => {
  it.effect("names the reason for each refusal, and lets events without content through", () => {
    const { layer } = makeStore()
    return Effect.gen(function* () {
      yield* playStory()
      yield* remember()
      const ledger = yield* Ledger.Ledger
      const { state } = yield* ledger.mentorship(mentorshipId)
      const events = yield* Effect.flatMap(EventStore.EventStore, (s) =>
        s.readStream(EventStore.mentorshipStream(mentorshipId))
      )
      const observation = events.find((e) => e.event._tag === "ObservationRecorded")!
      const meeting = events.find((e) => e.event._tag === "MeetingHeld")!
      const viewer = (personId: Ids.PersonId, role: Roles.Role, organisation: string = org) => ({
        personId,
        role,
        organisation
      })
      const access = (v: Visibility.Viewer, e = observation) => Visibility.access(v, e, state)
      expect(access(viewer(mentor, "mentor"))).toEqual({ _tag: "Visible" })
      expect(access(viewer(people.supervisor, "supervisor"))).toEqual({
        _tag: "Withheld",
        reason: "not-shared"
      })
      expect(access(viewer(people.coordinator, "coordinator"))).toEqual({
        _tag: "Withheld",
        reason: "process-facts-only"
      })
      expect(access(viewer(mentor, "mentor", "elsewhere"))).toEqual({
        _tag: "Withheld",
        reason: "other-organisation"
      })
      // Process facts are for everyone of the organisation.
      expect(access(viewer(people.coordinator, "analyst"), meeting)).toEqual({ _tag: "Visible" })
      // The state of another mentorship decides nothing about this one.
      const other = (yield* ledger.mentorship(otherMentorshipId)).state
      expect(Visibility.access(viewer(mentor, "mentor"), observation, other)).toEqual({
        _tag: "Withheld",
        reason: "unknown-mentorship"
      })
      expect(Visibility.itemOf(observation.event)).toEqual({ kind: "observation", id: expect.any(String) })
      expect(Visibility.seesContent("analyst")).toBe(false)
    }).pipe(Effect.provide(layer))
  })
})
