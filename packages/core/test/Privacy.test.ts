import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as fc from "fast-check"
import {
  EventJournal,
  EventStore,
  Events,
  Ids,
  KeyStore,
  KeyStorage,
  Ledger,
  Privacy
} from "@mentor-ledger/core"
import { allTexts, makeStore, playStory, readAll, story, texts } from "./privacyFixtures.js"
import {
  actors,
  day,
  meetingId,
  mentee,
  mentor,
  mentorshipId,
  otherMentorshipId,
  people,
  programmeCommands,
  secondMentee,
  toInput,
  commandsTo,
  journey
} from "./support/fixtures.js"
import { Template } from "@mentor-ledger/core"

const org = Ids.defaultOrganisation
const ref = EventStore.mentorshipStream(mentorshipId)
const readStream = (stream: EventStore.StreamRef = ref) =>
  Effect.flatMap(EventStore.EventStore, (s) => s.readStream(stream))

/** The failure of an effect that must fail. */
const failure = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.map(Effect.either(effect), (r) => (Either.isLeft(r) ? r.left : expect.fail("expected a failure")))

type MutableRow = { payload: string }

/** The stored row of an event, to change it as someone with write access to the database could. */
const storedRow = (journal: EventJournal.EventJournalService, eventId: string, stream = ref) =>
  Effect.map(
    journal.readStream(stream.organisation, EventStore.streamName(stream)),
    (rows) => rows.find((r) => r.eventId === eventId) as unknown as MutableRow
  )

const editPayload = (row: MutableRow, edit: (payload: any) => void) => {
  const payload = JSON.parse(row.payload)
  edit(payload)
  row.payload = JSON.stringify(payload)
}

/** Flips one bit of a sealed string's ciphertext (or its tag when the text is empty). */
const flipBit = (sealed: string, part: 2 | 3 | 4 = 3): string => {
  const parts = sealed.split(".")
  const bytes = Buffer.from(parts[part]!, "base64url")
  bytes[bytes.length - 1]! ^= 0x01
  parts[part] = bytes.toString("base64url")
  return parts.join(".")
}

const first = (events: ReadonlyArray<EventStore.RecordedEvent>, tag: Events.EventType) =>
  events.find((e) => e.event._tag === tag)!

describe("Privacy: sealing", () => {
  it.effect("content reaches the journal sealed; process facts stay in clear", () => {
    const { layer, raw } = makeStore()
    return Effect.gen(function* () {
      yield* playStory()
      const stored = yield* raw
      for (const text of allTexts()) expect(stored, text).not.toContain(text)
      // Process facts: types, ids, modality, dates, counts.
      for (const fact of ["MeetingHeld", "in-person", mentorshipId, mentee, "2026-01-"])
        expect(stored).toContain(fact)
      let sealed = 0
      for (const e of yield* readStream())
        for (const c of Privacy.contentOf(e.event)) {
          expect(Privacy.isSealed(c.value as string), `${e.event._tag}.${c.path}`).toBe(true)
          sealed++
        }
      expect(sealed).toBe(allTexts().length)
    }).pipe(Effect.provide(layer))
  })

  it.effect(
    "each field is sealed for its owners: a SWOT for its mentee, an amendment or a reflection for its author, the rest for the pair",
    () => {
      const { layer } = makeStore()
      return Effect.gen(function* () {
        yield* playStory()
        const owners = (tag: Events.EventType, n = 0) =>
          Effect.map(readStream(), (events) => {
            const e = events.filter((x) => x.event._tag === tag)[n]!
            return Privacy.contentOf(e.event).map((c) => Privacy.ownersOfSealed(c.value as string))
          })
        const sorted = (...ids: ReadonlyArray<string>) => [...ids].map((id) => id.toLowerCase()).sort()
        const pair = sorted(mentor, mentee, secondMentee)
        expect(yield* owners("SelfAssessmentSubmitted", 0)).toEqual(Array(4).fill(sorted(mentee)))
        expect(yield* owners("SelfAssessmentSubmitted", 1)).toEqual(Array(4).fill(sorted(secondMentee)))
        expect(yield* owners("SummaryAmended")).toEqual([sorted(mentee)])
        expect(yield* owners("TaskCompleted")).toEqual([sorted(mentee)])
        for (const tag of [
          "AgreementSigned",
          "SummaryDrafted",
          "ObservationRecorded",
          "TaskAssigned",
          "EvaluationHeld",
          "ReportDelivered",
          "FollowUpHeld"
        ] as const)
          for (const o of yield* owners(tag)) expect(o, tag).toEqual(pair)
        // The supervisor took part in the opening discussion.
        expect(yield* owners("OpeningDiscussionHeld")).toEqual([
          sorted(mentor, mentee, secondMentee, people.supervisor)
        ])
      }).pipe(Effect.provide(layer))
    }
  )

  it.effect("unsealed, the events read back are the events the commands recorded", () => {
    const { layer } = makeStore()
    return Effect.gen(function* () {
      const ledger = yield* Ledger.Ledger
      yield* Effect.forEach(programmeCommands(), (c) => ledger.execute(c))
      const recorded = (yield* Effect.forEach(story(), (c) => ledger.execute(c)))
        .flatMap((x) => x.events)
        .filter((e) => Events.catalogue.get(e._tag)!.stream === "Mentorship")
      const read = yield* readStream()
      expect((yield* Effect.forEach(read, (e) => Privacy.unseal(e))).map((e) => e.event)).toEqual(recorded)
      // Sealed, they are not: content differs, everything else is equal.
      expect(read.map((e) => e.event)).not.toEqual(recorded)
      expect(read.map((e) => e.event._tag)).toEqual(recorded.map((e) => e._tag))
    }).pipe(Effect.provide(layer))
  })

  it("the content fields of each event type are the ones the schemas annotate", () => {
    const fields = Object.fromEntries(
      Events.eventTypes
        .map((t) => [t, Privacy.contentFieldsOf(t).map((f) => `${f.path}:${f.kind}`)] as const)
        .filter(([, f]) => f.length > 0)
    )
    const expected: { readonly [T in keyof Privacy.ContentFields]: ReadonlyArray<string> } = {
      OpeningDiscussionHeld: ["expectations:expectations"],
      SelfAssessmentSubmitted: [
        "strengths:self-assessment",
        "weaknesses:self-assessment",
        "opportunities:self-assessment",
        "threats:self-assessment"
      ],
      AgreementSigned: ["goals.*:agreement", "topics.*:agreement"],
      ObservationRecorded: ["note:observation"],
      SummaryDrafted: ["text:summary"],
      SummaryAmended: ["text:amendment"],
      TaskAssigned: ["description:task"],
      TaskCompleted: ["reflection:task"],
      EvaluationHeld: ["processSummary:evaluation"],
      ReportDelivered: ["text:report"],
      FollowUpHeld: ["notes:follow-up"]
    }
    expect(fields).toEqual(expected)
  })
})

describe("Privacy: integrity", () => {
  it.effect("a flipped bit in a stored ciphertext or tag is a SealedContentError, never content", () => {
    const { layer, journal } = makeStore()
    return Effect.gen(function* () {
      yield* playStory()
      const ledger = yield* Ledger.Ledger
      for (const part of [2, 3, 4] as const) {
        const summary = first(yield* readStream(), "SummaryDrafted")
        const row = yield* storedRow(journal, summary.eventId)
        const original = row.payload
        editPayload(row, (p) => {
          p.text = flipBit(p.text, part)
        })
        const tampered = first(yield* readStream(), "SummaryDrafted")
        const attempts: ReadonlyArray<Effect.Effect<unknown, unknown, KeyStore.KeyStore | Ledger.Ledger>> = [
          Privacy.unseal(tampered),
          ledger.reveal(tampered, actors.mentor),
          ledger.history(mentorshipId, actors.mentee)
        ]
        for (const attempt of attempts) {
          const error = yield* failure(attempt)
          expect(error).toBeInstanceOf(Privacy.SealedContentError)
          expect(error).toMatchObject({
            _tag: "SealedContentError",
            reason: "tampered",
            eventId: summary.eventId,
            path: "text"
          })
          expect(JSON.stringify(error)).not.toContain(texts.summary)
        }
        // Viewers who may not see it never decrypt it: they get the marker, as before.
        const asCoordinator = yield* ledger.reveal(tampered, actors.coordinator)
        expect(Privacy.contentOf(asCoordinator.event)[0]!.value).toMatchObject({ _tag: "ContentWithheld" })
        row.payload = original
        expect(
          (yield* ledger.reveal(first(yield* readStream(), "SummaryDrafted"), actors.mentor)).event
        ).toMatchObject({
          text: texts.summary
        })
      }
    }).pipe(Effect.provide(layer))
  })

  it.effect("any changed character of a sealed string fails with a SealedContentError", () => {
    const { layer, journal } = makeStore()
    return Effect.gen(function* () {
      yield* playStory()
      const summary = first(yield* readStream(), "SummaryDrafted")
      const row = yield* storedRow(journal, summary.eventId)
      const original = row.payload
      const sealed = JSON.parse(original).text as string
      const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~ "
      yield* Effect.promise(() =>
        fc.assert(
          fc.asyncProperty(
            fc.nat({ max: sealed.length - 1 }),
            fc.constantFrom(...alphabet),
            async (at, char) => {
              fc.pre(sealed[at] !== char)
              editPayload(row, (p) => {
                p.text = `${sealed.slice(0, at)}${char}${sealed.slice(at + 1)}`
              })
              const changed = first(
                await Effect.runPromise(Effect.provide(readStream(), layer)),
                "SummaryDrafted"
              )
              const result = await Effect.runPromise(
                Effect.either(Effect.provide(Privacy.unseal(changed), layer))
              )
              row.payload = original
              expect(Either.isLeft(result), `changed character ${at} to "${char}"`).toBe(true)
              if (Either.isLeft(result)) expect(result.left._tag).toBe("SealedContentError")
            }
          ),
          process.env.FC_NUM_RUNS === undefined ? { numRuns: 200 } : {}
        )
      )
    }).pipe(Effect.provide(layer))
  })

  it.effect("a ciphertext moved to another field, event, stream or organisation does not open", () => {
    const { layer, journal } = makeStore()
    const school = Ids.OrganisationId.make("school-b")
    return Effect.gen(function* () {
      yield* playStory()
      yield* playStory({ organisation: school })
      const events = yield* readStream()
      const summary = first(events, "SummaryDrafted")
      const sealedSummary = (summary.event as Events.SummaryDrafted).text
      const expectTampered = (tag: Events.EventType, stream = ref) =>
        Effect.gen(function* () {
          const moved = first(yield* readStream(stream), tag)
          const error = yield* failure(Privacy.unseal(moved))
          expect(error, tag).toMatchObject({ _tag: "SealedContentError", reason: "tampered" })
        })
      // Into another event of the same stream (same owners, same field name).
      const report = yield* storedRow(journal, first(events, "ReportDelivered").eventId)
      editPayload(report, (p) => {
        p.text = sealedSummary
      })
      yield* expectTampered("ReportDelivered")
      // Within one event: two goals swapped.
      const agreement = yield* storedRow(journal, first(events, "AgreementSigned").eventId)
      editPayload(agreement, (p) => {
        p.goals = [p.goals[1], p.goals[0]]
      })
      yield* expectTampered("AgreementSigned")
      // Into the same event of the same mentorship id in another organisation.
      const elsewhere = EventStore.mentorshipStream(mentorshipId, school)
      const theirs = yield* storedRow(
        journal,
        first(yield* readStream(elsewhere), "SummaryDrafted").eventId,
        elsewhere
      )
      editPayload(theirs, (p) => {
        p.text = sealedSummary
      })
      yield* expectTampered("SummaryDrafted", elsewhere)
    }).pipe(Effect.provide(layer))
  })

  it.effect("a sealed string copied into a read model opens with its place, and only there", () => {
    const { layer } = makeStore()
    return Effect.gen(function* () {
      yield* playStory()
      const summary = first(yield* readStream(), "SummaryDrafted")
      const sealed = (summary.event as Events.SummaryDrafted).text
      const place = { organisation: org, stream: summary.stream, eventId: summary.eventId, path: "text" }
      expect(yield* Privacy.openSealed(sealed, "summary", place)).toBe(texts.summary)
      expect(yield* failure(Privacy.openSealed(sealed, "summary", { ...place, path: "note" }))).toMatchObject(
        {
          reason: "tampered"
        }
      )
      expect(yield* Privacy.openSealed(sealed, "summary", place, [secondMentee])).toEqual({
        _tag: "ContentErased",
        kind: "summary"
      })
    }).pipe(Effect.provide(layer))
  })

  it.effect("content written around the store, in clear, is refused as malformed", () => {
    const { layer, journal } = makeStore()
    return Effect.gen(function* () {
      yield* playStory()
      const observation = first(yield* readStream(), "ObservationRecorded")
      editPayload(yield* storedRow(journal, observation.eventId), (p) => {
        p.note = "written straight into the database"
      })
      const read = first(yield* readStream(), "ObservationRecorded")
      // Decoding needs no key: the aggregate still replays.
      expect((read.event as Events.ObservationRecorded).note).toBe("written straight into the database")
      const error = yield* failure(Effect.flatMap(Ledger.Ledger, (l) => l.reveal(read, actors.mentor)))
      expect(error).toMatchObject({ _tag: "SealedContentError", reason: "malformed", path: "note" })
    }).pipe(Effect.provide(layer))
  })

  it.effect("a key lost without an erasure record is a key-missing error, not an erasure", () => {
    const first_ = makeStore()
    return Effect.gen(function* () {
      yield* playStory().pipe(Effect.provide(first_.layer))
      // The key row disappears (a restore without the key table, a bad migration).
      yield* first_.keyRows.delete([KeyStorage.personSubject(org, mentee)])
      // Another process, with nothing cached.
      const second = makeStore({ journal: first_.journal, keyRows: first_.keyRows, idsFrom: 500_000 })
      const error = yield* failure(
        Effect.flatMap(Ledger.Ledger, (l) => l.history(mentorshipId, actors.mentor)).pipe(
          Effect.provide(second.layer)
        )
      )
      expect(error).toMatchObject({ _tag: "SealedContentError", reason: "key-missing" })
    })
  })
})

describe("Privacy: erasure", () => {
  it.effect(
    "before and after erasure the raw rows hold no content; after it, the person's key is gone and recorded",
    () => {
      const { layer, raw, keyRows } = makeStore()
      return Effect.gen(function* () {
        yield* playStory()
        const before = yield* raw
        for (const text of allTexts()) expect(before).not.toContain(text)
        expect(keyRows.rows().keys.map((k) => k.subject)).toContain(`person:${mentee}`)
        const erasure = yield* Effect.flatMap(Ledger.Ledger, (l) => l.erase(mentee))
        expect(erasure).toMatchObject({ personId: mentee, recordedIn: [mentorshipId], alreadyRecordedIn: [] })
        const after = yield* raw
        for (const text of allTexts()) expect(after).not.toContain(text)
        expect(keyRows.rows().keys.map((k) => k.subject)).not.toContain(`person:${mentee}`)
        expect(
          (yield* Effect.flatMap(KeyStore.KeyStore, (k) => k.erased(org))).map((e) => e.subject)
        ).toEqual([`person:${mentee}`])
      }).pipe(Effect.provide(layer))
    }
  )

  it.effect("a late write of content owned by an erased person is refused, and nothing is appended", () => {
    const { layer } = makeStore()
    return Effect.gen(function* () {
      yield* playStory()
      // Mentee 1 also takes part in another mentorship, where nothing records the erasure yet.
      const ledger = yield* Ledger.Ledger
      const other = journey(Template.earlyCareerInduction, { mentorshipId: otherMentorshipId })
      for (const c of commandsTo(other, "matched")) yield* ledger.execute(toInput(c))
      yield* ledger.execute({
        _tag: "ErasePersonalData",
        actor: actors.coordinator,
        occurredAt: day(600),
        mentorshipId,
        personId: mentee
      })
      const store = yield* EventStore.EventStore
      const length = Effect.map(readAll(), (all) => all.length)
      const before = yield* length
      // Raw append: the key store refuses a key for the erased person.
      const selfAssessment = Events.SelfAssessmentSubmitted.make({
        actor: actors.mentee,
        occurredAt: day(601),
        mentorshipId: otherMentorshipId,
        menteeId: mentee,
        strengths: "late",
        weaknesses: "late",
        opportunities: "late",
        threats: "late"
      })
      const refused = yield* failure(
        store.append(EventStore.mentorshipStream(otherMentorshipId), [selfAssessment])
      )
      expect(refused).toBeInstanceOf(KeyStore.SubjectErased)
      expect(refused).toMatchObject({ _tag: "SubjectErased", subject: `person:${mentee}` })
      // Through the ledger: the other mentorship does not know of the erasure; the command is refused.
      const command = yield* failure(
        ledger.execute({
          _tag: "SubmitSelfAssessment",
          actor: actors.mentee,
          occurredAt: day(602),
          mentorshipId: otherMentorshipId,
          strengths: "late",
          weaknesses: "late",
          opportunities: "late",
          threats: "late"
        })
      )
      expect(command).toMatchObject({ _tag: "RuleViolation", rule: "already-erased", phase: "matched" })
      expect(yield* length).toBe(before)
      // Once the erasure is recorded there too, the pair's mentor writes on, without the erased mentee.
      yield* ledger.erase(mentee)
      expect(
        yield* failure(
          ledger.execute({
            _tag: "SubmitSelfAssessment",
            actor: actors.mentee,
            occurredAt: day(603),
            mentorshipId: otherMentorshipId,
            strengths: "late",
            weaknesses: "late",
            opportunities: "late",
            threats: "late"
          })
        )
      ).toMatchObject({ rule: "already-erased" })
    }).pipe(Effect.provide(layer))
  })

  it.effect(
    "the mentorship's other members go on writing after an erasure; the new content is theirs",
    () => {
      const { layer } = makeStore()
      return Effect.gen(function* () {
        yield* playStory()
        const ledger = yield* Ledger.Ledger
        // A second story in which mentee 1 is erased mid-way, then the mentor drafts a summary.
        yield* ledger.erase(mentee)
        const recorded = yield* ledger.execute({
          _tag: "DraftSummary",
          actor: actors.mentor,
          occurredAt: day(700),
          mentorshipId,
          meetingId: meetingId(1),
          text: "after the erasure"
        })
        expect(recorded.events).toHaveLength(1)
        const summary = (yield* readStream()).filter((e) => e.event._tag === "SummaryDrafted")[1]!
        expect(Privacy.ownersOfSealed((summary.event as Events.SummaryDrafted).text)).toEqual(
          [mentor, secondMentee].map((id) => id.toLowerCase()).sort()
        )
        expect((yield* ledger.reveal(summary, actors.secondMentee)).event).toMatchObject({
          text: "after the erasure"
        })
      }).pipe(Effect.provide(layer))
    }
  )

  it.effect("the per-mentorship ErasePersonalData command shreds the same key", () => {
    const { layer, keyRows } = makeStore()
    return Effect.gen(function* () {
      yield* playStory()
      const ledger = yield* Ledger.Ledger
      yield* ledger.execute({
        _tag: "ErasePersonalData",
        actor: actors.mentee,
        occurredAt: day(600),
        mentorshipId,
        personId: mentee
      })
      expect(keyRows.rows().keys.map((k) => k.subject)).not.toContain(`person:${mentee}`)
      const seen = yield* ledger.history(mentorshipId, actors.mentor)
      const amendment = seen.find((e) => e.event._tag === "SummaryAmended")!
      expect(Privacy.contentOf(amendment.event)[0]!.value).toEqual({
        _tag: "ContentErased",
        kind: "amendment"
      })
    }).pipe(Effect.provide(layer))
  })

  it("another process that still caches the key reveals the erased marker once the erasure is recorded", async () => {
    const one = makeStore()
    const two = makeStore({ journal: one.journal, keyRows: one.keyRows, idsFrom: 500_000 })
    const [first_, second] = [ManagedRuntime.make(one.layer), ManagedRuntime.make(two.layer)]
    try {
      await first_.runPromise(playStory())
      const history = Effect.flatMap(Ledger.Ledger, (l) => l.history(mentorshipId, actors.mentor))
      // Process two reads, and so caches, the keys.
      const seen = await second.runPromise(history)
      expect(seen.some((e) => e.event._tag === "SummaryDrafted" && e.event.text === texts.summary)).toBe(true)
      await first_.runPromise(Effect.flatMap(Ledger.Ledger, (l) => l.erase(mentee)))
      const summary = (await second.runPromise(history)).find((e) => e.event._tag === "SummaryDrafted")!
      expect(Privacy.contentOf(summary.event)[0]!.value).toMatchObject({ _tag: "ContentErased" })
    } finally {
      await Promise.all([first_.dispose(), second.dispose()])
    }
  })
})
