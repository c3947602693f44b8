import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { EventStore, Ids, KeyStore, Ledger, Privacy, Template } from "@mentor-ledger/core"
import { makeStore, playStory, readAll, texts } from "./privacyFixtures.js"
import {
  actors,
  commandsTo,
  journey,
  mentee,
  mentorshipId,
  otherMentorshipId,
  people,
  toInput
} from "./support/fixtures.js"

const failure = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.map(Effect.either(effect), (r) => (Either.isLeft(r) ? r.left : expect.fail("expected a failure")))

/** The story, plus a second mentorship (early-career induction) of the same mentee. */
const twoMentorships = (organisation?: Ids.OrganisationId) =>
  Effect.gen(function* () {
    yield* playStory(organisation === undefined ? {} : { organisation })
    const ledger = yield* Ledger.Ledger
    for (const c of commandsTo(
      journey(Template.earlyCareerInduction, { mentorshipId: otherMentorshipId }),
      "meetings"
    ))
      yield* ledger.execute(toInput(c), organisation === undefined ? {} : { organisation })
  })

const summaryAs = (viewer: typeof actors.mentor, organisation?: Ids.OrganisationId) =>
  Effect.flatMap(Ledger.Ledger, (l) =>
    Effect.map(
      l.history(mentorshipId, organisation === undefined ? viewer : { ...viewer, organisation }),
      (h) => Privacy.contentOf(h.find((e) => e.event._tag === "SummaryDrafted")!.event)[0]!.value
    )
  )

describe("Ledger.erase", () => {
  it.effect(
    "records PersonalDataErased in every mentorship of the person, once; aggregates still count",
    () => {
      const { layer } = makeStore()
      return Effect.gen(function* () {
        yield* twoMentorships()
        const ledger = yield* Ledger.Ledger
        const before = yield* Effect.forEach([mentorshipId, otherMentorshipId], (id) => ledger.mentorship(id))
        const log = (yield* readAll()).length
        const erasure = yield* ledger.erase(mentee)
        expect([...erasure.recordedIn].sort()).toEqual([mentorshipId, otherMentorshipId].sort())
        expect(erasure.alreadyRecordedIn).toEqual([])
        expect((yield* readAll()).length).toBe(log + 2)
        const erased = (yield* readAll()).filter((e) => e.event._tag === "PersonalDataErased")
        expect(erased.map((e) => e.event)).toEqual([
          expect.objectContaining({ personId: mentee, actor: { personId: mentee, role: "mentee" } }),
          expect.objectContaining({ personId: mentee, actor: { personId: mentee, role: "mentee" } })
        ])
        for (const [i, id] of [mentorshipId, otherMentorshipId].entries()) {
          const after = yield* ledger.mentorship(id)
          const b = before[i]!
          if (after.state._tag !== "Active" || b.state._tag !== "Active") return expect.fail("no mentorship")
          expect(after.state.erased.has(mentee)).toBe(true)
          expect([after.state.phase, after.state.meetingsHeld]).toEqual([b.state.phase, b.state.meetingsHeld])
          expect(after.version).toBe(b.version + 1)
        }
        // Again: nothing new, and it says where it had been recorded.
        const again = yield* ledger.erase(mentee)
        expect(again.recordedIn).toEqual([])
        expect([...again.alreadyRecordedIn].sort()).toEqual([mentorshipId, otherMentorshipId].sort())
        expect((yield* readAll()).length).toBe(log + 2)
        expect(yield* summaryAs(actors.mentor)).toEqual({ _tag: "ContentErased", kind: "summary" })
      }).pipe(Effect.provide(layer))
    }
  )

  it.effect(
    "a coordinator of the programme may erase; anyone else is refused before anything is shredded",
    () => {
      const { layer } = makeStore()
      return Effect.gen(function* () {
        yield* twoMentorships()
        const ledger = yield* Ledger.Ledger
        const log = (yield* readAll()).length
        const stranger = { personId: people.outsider, role: "coordinator" } as const
        const refused = yield* failure(ledger.erase(mentee, { actor: stranger }))
        expect(refused).toMatchObject({
          _tag: "RuleViolation",
          rule: "not-a-participant",
          command: "ErasePersonalData"
        })
        expect((yield* readAll()).length).toBe(log)
        expect(yield* summaryAs(actors.mentor)).toBe(texts.summary)
        expect(yield* Effect.flatMap(KeyStore.KeyStore, (k) => k.erased())).toEqual([])

        const done = yield* ledger.erase(mentee, { actor: actors.coordinator })
        expect(done.recordedIn).toHaveLength(2)
        const events = yield* readAll()
        expect(events.filter((e) => e.event._tag === "PersonalDataErased").map((e) => e.event.actor)).toEqual(
          [actors.coordinator, actors.coordinator]
        )
      }).pipe(Effect.provide(layer))
    }
  )

  it.effect("a person in no mentorship: the key is shredded and the erasure recorded, no event", () => {
    const { layer } = makeStore()
    return Effect.gen(function* () {
      yield* playStory()
      const ledger = yield* Ledger.Ledger
      const log = (yield* readAll()).length
      const erasure = yield* ledger.erase(people.outsider)
      expect(erasure).toMatchObject({ recordedIn: [], alreadyRecordedIn: [] })
      expect((yield* readAll()).length).toBe(log)
      expect((yield* Effect.flatMap(KeyStore.KeyStore, (k) => k.erased())).map((e) => e.subject)).toEqual([
        `person:${people.outsider}`
      ])
    }).pipe(Effect.provide(layer))
  })

  it.effect("an id that is not a person id is an InvalidCommand", () => {
    const { layer } = makeStore()
    return Effect.gen(function* () {
      const error = yield* failure(Effect.flatMap(Ledger.Ledger, (l) => l.erase("alice@example.org")))
      expect(error).toMatchObject({ _tag: "InvalidCommand", command: "ErasePersonalData", path: "personId" })
    }).pipe(Effect.provide(layer))
  })

  it.effect("erasure is per organisation: the same person elsewhere keeps their content", () => {
    const { layer } = makeStore()
    const school = Ids.OrganisationId.make("school-b")
    return Effect.gen(function* () {
      yield* twoMentorships()
      yield* twoMentorships(school)
      const erasure = yield* Effect.flatMap(Ledger.Ledger, (l) => l.erase(mentee, { organisation: school }))
      expect(erasure.organisation).toBe(school)
      expect(yield* summaryAs(actors.mentor, school)).toMatchObject({ _tag: "ContentErased" })
      expect(yield* summaryAs(actors.mentor)).toBe(texts.summary)
      const defaultLog = yield* readAll({ organisation: Ids.defaultOrganisation })
      expect(defaultLog.some((e) => e.event._tag === "PersonalDataErased")).toBe(false)
    }).pipe(Effect.provide(layer))
  })

  it.effect("events read back stay sealed whatever the erasure; only reveal opens them", () => {
    const { layer } = makeStore()
    return Effect.gen(function* () {
      yield* playStory()
      const stream = yield* Effect.flatMap(EventStore.EventStore, (s) =>
        s.readStream(EventStore.mentorshipStream(mentorshipId))
      )
      const sealed = stream.flatMap((e) => Privacy.contentOf(e.event))
      expect(sealed.length).toBeGreaterThan(0)
      expect(sealed.every((c) => Privacy.isSealed(c.value as string))).toBe(true)
    }).pipe(Effect.provide(layer))
  })
})
