/**
 * Erasure, as a property: for random histories and a random erased
 * person, none of that person's content is reachable through any public
 * API, nor in the stored rows; everything else still is.
 *
 * "A person's content" (PRODUCT.md, Erasure): what they wrote, their own
 * self-assessment, and the shared record of every mentorship they took
 * part in, while they took part. The test keeps its own account of who
 * owns each text, from the commands the ledger accepted.
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  type Commands,
  createLedger,
  EventJournal,
  EventStore,
  Ids,
  KeyStorage,
  KeyStore,
  type MentorLedger,
  Privacy,
  type Roles,
  Template
} from "@mentor-ledger/core"

const id = (n: number) => Ids.sequentialId(n)
const person = (n: number) => Ids.PersonId.make(id(n))
const cast = {
  programmeId: id(1),
  group: id(2),
  pair: id(3),
  coordinator: person(10),
  supervisor: person(11),
  mentors: [person(20), person(21)],
  mentees: [person(30), person(31), person(32)],
  outsider: person(99)
}
const meeting = (m: string, k: number) => id(m === cast.group ? 200 + k : 300 + k)
const coordinator = { personId: cast.coordinator, role: "coordinator" } as const
const as = (personId: Ids.PersonId, role: Roles.Role): Roles.Actor => ({ personId, role })

/** One random step after the fixed beginning of the group mentorship. */
type Step =
  | { readonly kind: "summary"; readonly meeting: number; readonly mentor: number }
  | { readonly kind: "amend"; readonly meeting: number; readonly mentee: number }
  | { readonly kind: "finalise"; readonly meeting: number }
  | { readonly kind: "observe"; readonly mentor: number }
  | { readonly kind: "task"; readonly mentor: number; readonly assignees: ReadonlyArray<number> }
  | { readonly kind: "reflect"; readonly task: number; readonly mentee: number }
  | { readonly kind: "consent"; readonly meeting: number; readonly mentee: number }
  | { readonly kind: "pair-summary"; readonly meeting: number }
  | { readonly kind: "erase"; readonly mentee: number }

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant("summary"), meeting: fc.nat(5), mentor: fc.nat(1) }),
  fc.record({ kind: fc.constant("amend"), meeting: fc.nat(5), mentee: fc.nat(2) }),
  fc.record({ kind: fc.constant("finalise"), meeting: fc.nat(5) }),
  fc.record({ kind: fc.constant("observe"), mentor: fc.nat(1) }),
  fc.record({
    kind: fc.constant("task"),
    mentor: fc.nat(1),
    assignees: fc.uniqueArray(fc.nat(2), { minLength: 1, maxLength: 3 })
  }),
  fc.record({ kind: fc.constant("reflect"), task: fc.nat(7), mentee: fc.nat(2) }),
  fc.record({ kind: fc.constant("consent"), meeting: fc.nat(5), mentee: fc.nat(2) }),
  fc.record({ kind: fc.constant("pair-summary"), meeting: fc.nat(3) }),
  { arbitrary: fc.record({ kind: fc.constant("erase"), mentee: fc.nat(2) }), weight: 1 }
) as fc.Arbitrary<Step>

const scenarioArb = fc.record({
  /** A distinctive marker: `#` never occurs in ids, JSON escapes or base64url. */
  marker: fc.stringMatching(/^[a-z]{6}$/),
  mentors: fc.integer({ min: 1, max: 2 }),
  mentees: fc.integer({ min: 1, max: 3 }),
  steps: fc.array(stepArb, { maxLength: 25 }),
  closing: fc.boolean(),
  erased: fc.constantFrom(...cast.mentors, ...cast.mentees, cast.supervisor, cast.coordinator, cast.outsider)
})
type Scenario = typeof scenarioArb extends fc.Arbitrary<infer A> ? A : never

/** Who took part in a mentorship, as the test sees it. */
interface Account {
  mentors: ReadonlyArray<string>
  mentees: ReadonlyArray<string>
  erased: Set<string>
}

const run = async (s: Scenario) => {
  const journal = EventJournal.makeMemory()
  const keyRows = KeyStorage.makeMemory()
  const ledger: MentorLedger = createLedger({
    store: Layer.succeed(EventJournal.EventJournal, journal),
    keys: KeyStore.layer().pipe(
      Layer.provide(Layer.succeed(KeyStorage.KeyStorage, keyRows)),
      Layer.provide(KeyStore.layerUnwrapped)
    ),
    ids: Ids.layerSequential(1_000_000)
  })
  try {
    let n = 0
    const owners = new Map<string, ReadonlySet<string>>()
    const accounts = new Map<string, Account>()
    const mentors = cast.mentors.slice(0, s.mentors)
    const mentees = cast.mentees.slice(0, s.mentees)
    const pairMentee = cast.mentees[2]!

    /** A new text, owned as the rules of PRODUCT.md say. */
    const text = (ownedBy: Iterable<string>) => {
      const t = `#${s.marker}-${++n}#`
      owners.set(t, new Set([...ownedBy].map((p) => p.toLowerCase())))
      return t
    }
    const shared = (m: string, author: string, also: ReadonlyArray<string> = []) => {
      const a = accounts.get(m)!
      return [...a.mentors, ...a.mentees, ...also].filter((p) => !a.erased.has(p)).concat(author)
    }
    const tryCommand = async (command: Commands.CommandInput, texts: ReadonlyArray<string> = []) => {
      try {
        await ledger.execute(command)
        if (command._tag === "ErasePersonalData")
          accounts.get(command.mentorshipId)!.erased.add(command.personId)
      } catch (e) {
        if ((e as { _tag?: string })._tag !== "RuleViolation") throw e
        for (const t of texts) owners.delete(t)
      }
    }

    // The programme, the group mentorship and a pair that shares people with it.
    const setup: Array<Commands.CommandInput> = [
      {
        _tag: "LaunchProgramme",
        actor: coordinator,
        programmeId: cast.programmeId,
        name: "Programme",
        templates: [...Template.builtIn]
      },
      ...cast.mentors.flatMap(
        (mentorId): Array<Commands.CommandInput> => [
          { _tag: "EnrolMentor", actor: coordinator, programmeId: cast.programmeId, mentorId, capacity: 5 },
          {
            _tag: "RecordMentorTraining",
            actor: coordinator,
            programmeId: cast.programmeId,
            mentorId,
            course: "c"
          }
        ]
      )
    ]
    for (const c of setup) await ledger.execute(c)

    const group = cast.group
    accounts.set(group, { mentors, mentees, erased: new Set() })
    await tryCommand({
      _tag: "RequestMentoring",
      actor: coordinator,
      mentorshipId: group,
      programmeId: cast.programmeId,
      templateId: Template.headmastersAsMentors.id,
      menteeIds: mentees,
      supervisorId: cast.supervisor
    })
    await tryCommand({ _tag: "MatchMentor", actor: coordinator, mentorshipId: group, mentorIds: mentors })
    const lead = as(mentors[0]!, "mentor")
    const everyone = [...mentors, ...mentees, cast.supervisor]
    const expectations = text(shared(group, lead.personId, [cast.supervisor]))
    await tryCommand(
      {
        _tag: "HoldOpeningDiscussion",
        actor: lead,
        mentorshipId: group,
        participantIds: everyone,
        expectations
      },
      [expectations]
    )
    for (const m of mentees) {
      const swot = [text([m]), text([m]), text([m]), text([m])] as const
      await tryCommand(
        {
          _tag: "SubmitSelfAssessment",
          actor: as(m, "mentee"),
          mentorshipId: group,
          strengths: swot[0],
          weaknesses: swot[1],
          opportunities: swot[2],
          threats: swot[3]
        },
        swot
      )
    }
    const goals = [text(shared(group, mentees[0]!)), text(shared(group, mentees[0]!))]
    await tryCommand(
      {
        _tag: "SignAgreement",
        actor: as(mentees[0]!, "mentee"),
        mentorshipId: group,
        goals,
        topics: [],
        plannedMeetings: 6,
        cadenceDays: 14,
        confidentiality: true,
        signatories: [...mentors, ...mentees]
      },
      goals
    )
    for (let k = 0; k < 6; k++)
      await tryCommand({
        _tag: "HoldMeeting",
        actor: lead,
        mentorshipId: group,
        meetingId: meeting(group, k),
        modality: "video",
        durationMinutes: 60
      })

    // The pair: the first mentor with the third mentee (who may be in the group too).
    const pair = cast.pair
    accounts.set(pair, { mentors: [cast.mentors[0]!], mentees: [pairMentee], erased: new Set() })
    await tryCommand({
      _tag: "RequestMentoring",
      actor: coordinator,
      mentorshipId: pair,
      programmeId: cast.programmeId,
      templateId: Template.earlyCareerInduction.id,
      menteeIds: [pairMentee],
      supervisorId: null
    })
    await tryCommand({
      _tag: "MatchMentor",
      actor: coordinator,
      mentorshipId: pair,
      mentorIds: [cast.mentors[0]!]
    })
    const pairSwot = [text([pairMentee]), text([pairMentee]), text([pairMentee]), text([pairMentee])] as const
    await tryCommand(
      {
        _tag: "SubmitSelfAssessment",
        actor: as(pairMentee, "mentee"),
        mentorshipId: pair,
        strengths: pairSwot[0],
        weaknesses: pairSwot[1],
        opportunities: pairSwot[2],
        threats: pairSwot[3]
      },
      pairSwot
    )
    const pairGoal = [text(shared(pair, pairMentee))]
    await tryCommand(
      {
        _tag: "SignAgreement",
        actor: as(pairMentee, "mentee"),
        mentorshipId: pair,
        goals: pairGoal,
        topics: [],
        plannedMeetings: 4,
        cadenceDays: 14,
        confidentiality: true,
        signatories: [cast.mentors[0]!, pairMentee]
      },
      pairGoal
    )
    for (let k = 0; k < 4; k++)
      await tryCommand({
        _tag: "HoldMeeting",
        actor: as(cast.mentors[0]!, "mentor"),
        mentorshipId: pair,
        meetingId: meeting(pair, k),
        modality: "phone",
        durationMinutes: 45
      })

    // The random middle.
    let tasks = 0
    for (const step of s.steps) {
      switch (step.kind) {
        case "summary": {
          const author = as(mentors[step.mentor % mentors.length]!, "mentor")
          const t = text(shared(group, author.personId))
          await tryCommand(
            {
              _tag: "DraftSummary",
              actor: author,
              mentorshipId: group,
              meetingId: meeting(group, step.meeting),
              text: t
            },
            [t]
          )
          break
        }
        case "amend": {
          const author = as(mentees[step.mentee % mentees.length]!, "mentee")
          const t = text([author.personId])
          await tryCommand(
            {
              _tag: "AmendSummary",
              actor: author,
              mentorshipId: group,
              meetingId: meeting(group, step.meeting),
              text: t
            },
            [t]
          )
          break
        }
        case "finalise":
          await tryCommand({
            _tag: "FinaliseSummary",
            actor: lead,
            mentorshipId: group,
            meetingId: meeting(group, step.meeting)
          })
          break
        case "observe": {
          const author = as(mentors[step.mentor % mentors.length]!, "mentor")
          const t = text(shared(group, author.personId))
          await tryCommand(
            {
              _tag: "RecordObservation",
              actor: author,
              mentorshipId: group,
              observationId: id(400 + n),
              note: t
            },
            [t]
          )
          break
        }
        case "task": {
          const author = as(mentors[step.mentor % mentors.length]!, "mentor")
          const t = text(shared(group, author.personId))
          await tryCommand(
            {
              _tag: "AssignTask",
              actor: author,
              mentorshipId: group,
              taskId: id(500 + tasks++),
              assigneeIds: [...new Set(step.assignees.map((i) => mentees[i % mentees.length]!))],
              description: t
            },
            [t]
          )
          break
        }
        case "reflect": {
          const author = as(mentees[step.mentee % mentees.length]!, "mentee")
          const t = text([author.personId])
          await tryCommand(
            {
              _tag: "CompleteTask",
              actor: author,
              mentorshipId: group,
              taskId: id(500 + (step.task % Math.max(tasks, 1))),
              reflection: t
            },
            [t]
          )
          break
        }
        case "consent":
          await tryCommand({
            _tag: "GiveConsent",
            actor: as(mentees[step.mentee % mentees.length]!, "mentee"),
            mentorshipId: group,
            item: { kind: "summary", id: meeting(group, step.meeting) }
          })
          break
        case "pair-summary": {
          const author = as(cast.mentors[0]!, "mentor")
          const t = text(shared(pair, author.personId))
          await tryCommand(
            {
              _tag: "DraftSummary",
              actor: author,
              mentorshipId: pair,
              meetingId: meeting(pair, step.meeting),
              text: t
            },
            [t]
          )
          break
        }
        case "erase":
          // Recorded in the group only (the per-mentorship command).
          await tryCommand({
            _tag: "ErasePersonalData",
            actor: coordinator,
            mentorshipId: group,
            personId: mentees[step.mentee % mentees.length]!
          })
          break
      }
    }
    if (s.closing) {
      const evaluation = text(shared(group, lead.personId))
      await tryCommand(
        {
          _tag: "HoldEvaluation",
          actor: lead,
          mentorshipId: group,
          participantIds: [...mentors, ...mentees],
          processSummary: evaluation
        },
        [evaluation]
      )
      await tryCommand({
        _tag: "HoldClosingDiscussion",
        actor: lead,
        mentorshipId: group,
        participantIds: everyone,
        durationMinutes: 60
      })
      const report = text(shared(group, lead.personId))
      await tryCommand(
        {
          _tag: "DeliverReport",
          actor: lead,
          mentorshipId: group,
          recipientId: cast.supervisor,
          citedItems: [],
          text: report
        },
        [report]
      )
    }

    // Before the erasure: every text of a person not yet erased opens.
    const streams = [cast.group, cast.pair].map((m) => EventStore.mentorshipStream(m))
    const before = await Promise.all(streams.map((ref) => ledger.mentorship(ref.id)))
    const logBefore = (await collect(ledger.readAll())).length

    const erasure = await ledger.erase(s.erased)
    const erasedAll = new Set(
      [s.erased, ...[...accounts.values()].flatMap((a) => [...a.erased])].map((p) => p.toLowerCase())
    )
    const forbidden = [...owners].filter(([, o]) => [...o].some((p) => erasedAll.has(p))).map(([t]) => t)
    const kept = [...owners].filter(([, o]) => ![...o].some((p) => erasedAll.has(p))).map(([t]) => t)

    // Everything the public API gives, and everything stored.
    const reachable: Array<unknown> = []
    const viewers: ReadonlyArray<Roles.Actor> = [
      ...cast.mentors.map((p) => as(p, "mentor")),
      ...cast.mentees.map((p) => as(p, "mentee")),
      as(cast.supervisor, "supervisor"),
      coordinator,
      as(cast.outsider, "support-team"),
      as(cast.outsider, "analyst"),
      as(s.erased, "mentor"),
      as(s.erased, "mentee")
    ]
    const log = await collect(ledger.readAll())
    reachable.push(log)
    for (const ref of streams) {
      const events = await ledger.readStream(ref)
      reachable.push(events, await ledger.mentorship(ref.id))
      for (const v of viewers) reachable.push(await ledger.history(ref.id, v))
      for (const e of events) {
        for (const role of ["mentor", "mentee", "supervisor", "analyst"] as const)
          reachable.push(await ledger.reveal(e, { personId: s.erased, role }))
        reachable.push(await ledger.reveal(e, as(cast.mentors[0]!, "mentor")))
      }
    }
    const unsealed = await ledger.runtime.runPromise(Effect.forEach(log, (e) => Privacy.unseal(e)))
    reachable.push(unsealed)
    const everything = dump(reachable)
    const rows = dump(
      await ledger.runtime.runPromise(journal.readAll({ after: EventJournal.start, limit: 1e6 }))
    )
    const keys = dump(keyRows.rows().keys.map((k) => [k.subject, Buffer.from(k.material).toString("latin1")]))

    for (const t of forbidden) {
      expect(everything, `${t} of an erased person is reachable`).not.toContain(t)
      expect(rows, `${t} is stored in clear`).not.toContain(t)
      expect(keys).not.toContain(t)
    }
    // Nothing else is lost: a trusted reader still opens every other text.
    const opened = dump(unsealed)
    for (const t of kept) expect(opened, `${t} was not erased but cannot be read`).toContain(t)
    // Nothing is stored in clear, erased or not.
    for (const t of owners.keys()) expect(rows).not.toContain(t)
    // Process facts still count: the aggregates replay as before, plus the erasure.
    const after = await Promise.all(streams.map((ref) => ledger.mentorship(ref.id)))
    after.forEach((m, i) => {
      const b = before[i]!
      if (m.state._tag === "Active" && b.state._tag === "Active") {
        expect(m.state.phase).toBe(b.state.phase)
        expect(m.state.meetingsHeld).toBe(b.state.meetingsHeld)
        expect(m.state.meetings).toEqual(b.state.meetings)
      }
    })
    expect(log.length).toBe(logBefore + erasure.recordedIn.length)
  } finally {
    await ledger.close()
  }
}

const collect = async <A>(iterable: AsyncIterable<A>) => {
  const out: Array<A> = []
  for await (const a of iterable) out.push(a)
  return out
}

const dump = (value: unknown): string =>
  JSON.stringify(value, (_, v) =>
    v instanceof Map ? [...v.entries()] : v instanceof Set ? [...v] : typeof v === "bigint" ? String(v) : v
  )

describe("Privacy properties", () => {
  it("no plaintext of an erased person's content is reachable through any public API or stored row", async () => {
    // 40 runs unless FC_NUM_RUNS says otherwise (test/setup.ts).
    await fc.assert(
      fc.asyncProperty(scenarioArb, run),
      process.env.FC_NUM_RUNS === undefined ? { numRuns: 40 } : {}
    )
  }, 120_000)
})
