/**
 * A mentorship story with a distinct text for every kind of content and
 * every author, on an in-memory store whose rows and key rows the tests
 * can scan.
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import {
  type Commands,
  EventJournal,
  EventStore,
  Ids,
  KeyStorage,
  KeyStore,
  Ledger,
  Privacy,
  Template
} from "@mentor-ledger/core"
import {
  actors,
  day,
  meetingId,
  mentee,
  mentor,
  mentorshipId,
  observationId,
  people,
  programmeCommands,
  programmeId,
  secondMentee,
  taskId
} from "./support/fixtures.js"

export type Services =
  | Ledger.Ledger
  | EventStore.EventStore
  | EventJournal.EventJournal
  | KeyStore.KeyStore
  | KeyStorage.KeyStorage

/**
 * A ledger on memory stores the test can look into. Pass the rows of
 * another store to get a second process on the same database.
 */
export const makeStore = (
  options: Ledger.LedgerOptions & {
    readonly journal?: ReturnType<typeof EventJournal.makeMemory>
    readonly keyRows?: ReturnType<typeof KeyStorage.makeMemory>
    /** Where this process's ids start (two processes must not share ids). */
    readonly idsFrom?: number
  } = {}
) => {
  const journal = options.journal ?? EventJournal.makeMemory()
  const keyRows = options.keyRows ?? KeyStorage.makeMemory()
  const layer: Layer.Layer<Services> = Ledger.layer(
    options.organisation === undefined ? {} : { organisation: options.organisation }
  ).pipe(
    Layer.provideMerge(EventStore.layer),
    Layer.provideMerge(Layer.succeed(EventJournal.EventJournal, journal)),
    Layer.provideMerge(KeyStore.layer()),
    Layer.provideMerge(Layer.succeed(KeyStorage.KeyStorage, keyRows)),
    Layer.provide(KeyStore.layerUnwrapped),
    Layer.provide(Ids.layerSequential(options.idsFrom ?? 90_000))
  )
  /** Every stored row and key row as text: what a database file would hold. */
  const raw = Effect.map(journal.readAll({ after: EventJournal.start, limit: 1_000_000 }), (rows) => {
    const keys = keyRows.rows()
    return [
      ...rows.map((r) => `${r.eventType}\n${r.payload}\n${r.metadata}`),
      ...keys.keys.map((k) => `${k.subject}\n${Buffer.from(k.material).toString("latin1")}`),
      ...keys.erased.map((e) => e.subject)
    ].join("\n")
  })
  return { journal, keyRows, layer, raw }
}

/** A distinct text per kind and author; none is a substring of another. */
export const texts = {
  expectations: "EXPECT-shared-calm-change",
  swot: (who: string, field: string) => `SWOT-${field}-of-${who.slice(-4)}`,
  goals: ["GOAL-fluid-daily-routine", "GOAL-trust-in-the-team"],
  topics: ["TOPIC-interactions"],
  observation: "OBSERVE-morning-circle",
  summary: "SUMMARY-first-meeting-notes",
  amendment: "AMEND-by-first-mentee",
  task: "TASK-watch-one-staff-meeting",
  reflection: "REFLECT-by-first-mentee",
  evaluation: "EVALUATE-shared-rhythm",
  report: "REPORT-plan-for-change",
  followUp: "FOLLOWUP-routines-hold"
}

const swot = (who: Ids.PersonId) => ({
  strengths: texts.swot(who, "strengths"),
  weaknesses: texts.swot(who, "weaknesses"),
  opportunities: texts.swot(who, "opportunities"),
  threats: texts.swot(who, "threats")
})

export const everyone = [mentor, mentee, secondMentee, people.supervisor]

/**
 * Headmasters as Mentors with two mentees, from request to the follow-up
 * visit: every kind of content once, and consent given for some items.
 * The supervisor may see: the first mentee's self-assessment, the
 * summary, the amendment, the task and its reflection (consented), and
 * the report (addressed to them).
 */
export const story = (id: Ids.MentorshipId = mentorshipId): ReadonlyArray<Commands.CommandInput> => {
  const common = { mentorshipId: id }
  let n = 0
  const at = () => day(++n)
  const consent = (actor: typeof actors.mentee, kind: Privacy.ContentWithheld["kind"], itemId: string) =>
    ({
      _tag: "GiveConsent",
      actor,
      occurredAt: at(),
      ...common,
      item: { kind, id: itemId }
    }) as Commands.CommandInput
  return [
    {
      _tag: "RequestMentoring",
      actor: actors.coordinator,
      occurredAt: at(),
      ...common,
      programmeId,
      templateId: Template.headmastersAsMentors.id,
      menteeIds: [mentee, secondMentee],
      supervisorId: people.supervisor
    },
    { _tag: "MatchMentor", actor: actors.coordinator, occurredAt: at(), ...common, mentorIds: [mentor] },
    {
      _tag: "HoldOpeningDiscussion",
      actor: actors.mentor,
      occurredAt: at(),
      ...common,
      participantIds: everyone,
      expectations: texts.expectations
    },
    { _tag: "SubmitSelfAssessment", actor: actors.mentee, occurredAt: at(), ...common, ...swot(mentee) },
    {
      _tag: "SubmitSelfAssessment",
      actor: actors.secondMentee,
      occurredAt: at(),
      ...common,
      ...swot(secondMentee)
    },
    {
      _tag: "SignAgreement",
      actor: actors.mentee,
      occurredAt: at(),
      ...common,
      goals: texts.goals,
      topics: texts.topics,
      plannedMeetings: 6,
      cadenceDays: 14,
      confidentiality: true,
      signatories: [mentor, mentee, secondMentee]
    },
    ...Array.from(
      { length: 6 },
      (_, k): Commands.CommandInput => ({
        _tag: "HoldMeeting",
        actor: actors.mentor,
        occurredAt: at(),
        ...common,
        meetingId: meetingId(k),
        modality: "in-person",
        durationMinutes: 90
      })
    ),
    {
      _tag: "DraftSummary",
      actor: actors.mentor,
      occurredAt: at(),
      ...common,
      meetingId: meetingId(0),
      text: texts.summary
    },
    {
      _tag: "AmendSummary",
      actor: actors.mentee,
      occurredAt: at(),
      ...common,
      meetingId: meetingId(0),
      text: texts.amendment
    },
    {
      _tag: "RecordObservation",
      actor: actors.mentor,
      occurredAt: at(),
      ...common,
      observationId: observationId(1),
      note: texts.observation
    },
    {
      _tag: "AssignTask",
      actor: actors.mentor,
      occurredAt: at(),
      ...common,
      taskId: taskId(1),
      assigneeIds: [mentee],
      description: texts.task
    },
    {
      _tag: "CompleteTask",
      actor: actors.mentee,
      occurredAt: at(),
      ...common,
      taskId: taskId(1),
      reflection: texts.reflection
    },
    // Shared: the summary (both mentees), the first mentee's SWOT, the amendment and the task.
    consent(actors.mentee, "summary", meetingId(0)),
    consent(actors.secondMentee, "summary", meetingId(0)),
    consent(actors.mentee, "self-assessment", mentee),
    consent(actors.mentee, "amendment", meetingId(0)),
    consent(actors.mentee, "task", taskId(1)),
    // Not shared: the observation needs both mentees.
    consent(actors.mentee, "observation", observationId(1)),
    {
      _tag: "HoldEvaluation",
      actor: actors.mentor,
      occurredAt: at(),
      ...common,
      participantIds: [mentor, mentee, secondMentee],
      processSummary: texts.evaluation
    },
    {
      _tag: "HoldClosingDiscussion",
      actor: actors.mentor,
      occurredAt: at(),
      ...common,
      participantIds: everyone,
      durationMinutes: 75
    },
    {
      _tag: "DeliverReport",
      actor: actors.mentor,
      occurredAt: at(),
      ...common,
      recipientId: people.supervisor,
      citedItems: [{ kind: "summary", id: meetingId(0) }],
      text: texts.report
    },
    { _tag: "ScheduleFollowUp", actor: actors.mentor, occurredAt: at(), ...common },
    { _tag: "HoldFollowUp", actor: actors.mentor, occurredAt: day(400), ...common, notes: texts.followUp }
  ]
}

/** Sets up the programme and plays the story. */
export const playStory = (options: Ledger.ExecuteOptions = {}, id?: Ids.MentorshipId) =>
  Effect.flatMap(Ledger.Ledger, (ledger) =>
    Effect.forEach([...programmeCommands(), ...story(id)], (c) => ledger.execute(c, options), {
      discard: true
    })
  )

/** Every text of the story. */
export const allTexts = (): ReadonlyArray<string> => [
  texts.expectations,
  ...Object.values(swot(mentee)),
  ...Object.values(swot(secondMentee)),
  ...texts.goals,
  ...texts.topics,
  texts.observation,
  texts.summary,
  texts.amendment,
  texts.task,
  texts.reflection,
  texts.evaluation,
  texts.report,
  texts.followUp
]

/** The whole log through the public API. */
export const readAll = (options?: EventStore.ReadAllOptions) =>
  Effect.flatMap(EventStore.EventStore, (store) => Stream.runCollect(store.readAll(options))).pipe(
    Effect.map(Chunk.toArray)
  )

/** A text dump of any value: dates, maps and sets included. */
export const dump = (value: unknown): string =>
  JSON.stringify(value, (_, v) =>
    v instanceof Map ? [...v.entries()] : v instanceof Set ? [...v] : typeof v === "bigint" ? String(v) : v
  )

/**
 * What a viewer got for each text of a history: the text, or a marker.
 * `plain` is the same history unsealed, which says which text each field holds.
 */
export const disclosures = (
  seen: ReadonlyArray<Privacy.Revealed>,
  plain: ReadonlyArray<Privacy.Revealed>
): Map<string, Privacy.Disclosure> => {
  const out = new Map<string, Privacy.Disclosure>()
  seen.forEach((r, i) => {
    const got = new Map(Privacy.contentOf(r.event).map((c) => [c.path, c.value]))
    for (const c of Privacy.contentOf(plain[i]!.event))
      if (typeof c.value === "string") out.set(c.value, got.get(c.path)!)
  })
  return out
}
