/**
 * Writes the event-schema compatibility corpus: one stored row per event
 * type and schema version, `corpus/<EventType>@<version>.json`, each with
 * the event it must decode to.
 *
 *   pnpm --filter @mentor-ledger/testing corpus           # add missing files, keep the others
 *   pnpm --filter @mentor-ledger/testing corpus --force   # rewrite every file of a current version
 *
 * Rows of older versions are history: once written, they are never
 * rewritten (not even with --force). A row of the current version is
 * rewritten only with --force, after a change you mean to make (review the
 * diff: a changed payload means rows already stored are read differently).
 *
 * The payloads are what the event codec writes before any content is
 * sealed: the plaintext path, which `EventStore.decodeRow` must read
 * forever (rows stored before content encryption, and rows of stores that
 * do not seal).
 */
import { readdirSync, writeFileSync } from "node:fs"
import { EventStore, Events, Ids, Template } from "@mentor-ledger/core"
import * as Either from "effect/Either"

type Event = Events.Event
type EventType = Events.EventType

const dir = new URL("../corpus/", import.meta.url)
const force = process.argv.includes("--force")

const id = (n: number) => Ids.sequentialId(n)
const person = (n: number) => Ids.PersonId.make(id(n))
const at = (iso: string) => new Date(iso)
const mentor = { personId: person(20), role: "mentor" } as const
const mentee = { personId: person(30), role: "mentee" } as const
const coordinator = { personId: person(10), role: "coordinator" } as const
const programmeId = Ids.ProgrammeId.make(id(1))
const mentorshipId = Ids.MentorshipId.make(id(2))
const meetingId = Ids.MeetingId.make(id(200))
const taskId = Ids.TaskId.make(id(300))
const observationId = Ids.ObservationId.make(id(400))
const onProgramme = { actor: coordinator, occurredAt: at("2025-08-01T08:00:00.000Z"), programmeId }
const onMentorship = (actor: Events.Event["actor"], iso: string) => ({
  actor,
  occurredAt: at(iso),
  mentorshipId
})

/** One event of every type, with readable values (and some non-ASCII content). */
const samples: { readonly [T in EventType]: Extract<Event, { readonly _tag: T }> } = {
  ProgrammeLaunched: Events.ProgrammeLaunched.make({
    ...onProgramme,
    name: "Rehtorit mentoreina 2025–2026",
    templates: [Template.headmastersAsMentors, Template.earlyCareerInduction]
  }),
  CoordinatorAppointed: Events.CoordinatorAppointed.make({ ...onProgramme, coordinatorId: person(12) }),
  TemplateDefined: Events.TemplateDefined.make({ ...onProgramme, template: Template.peerGroupCircle }),
  MentorEnrolled: Events.MentorEnrolled.make({ ...onProgramme, mentorId: person(20), capacity: 3 }),
  MentorTrainingCompleted: Events.MentorTrainingCompleted.make({
    ...onProgramme,
    mentorId: person(20),
    course: "Mentor training for leaders"
  }),
  MentorsAssigned: Events.MentorsAssigned.make({ ...onProgramme, mentorshipId, mentorIds: [person(20)] }),
  MentorsReleased: Events.MentorsReleased.make({ ...onProgramme, mentorshipId, mentorIds: [person(20)] }),
  MentoringRequested: Events.MentoringRequested.make({
    ...onMentorship(coordinator, "2025-09-01T07:30:00.000Z"),
    programmeId,
    template: Template.headmastersAsMentors,
    menteeIds: [person(30), person(31)],
    supervisorId: person(11)
  }),
  MentorMatched: Events.MentorMatched.make({
    ...onMentorship(coordinator, "2025-09-03T12:00:00.000Z"),
    mentorIds: [person(20)]
  }),
  OpeningDiscussionHeld: Events.OpeningDiscussionHeld.make({
    ...onMentorship(mentor, "2025-09-10T13:00:00.000Z"),
    participantIds: [person(20), person(30), person(31), person(11)],
    expectations: "Selkeät tavoitteet ja rehellinen palaute"
  }),
  SelfAssessmentSubmitted: Events.SelfAssessmentSubmitted.make({
    ...onMentorship(mentee, "2025-09-12T18:45:00.000Z"),
    menteeId: person(30),
    strengths: "A committed team",
    weaknesses: "Too little time for pedagogy",
    opportunities: "A new curriculum",
    threats: "Staff turnover"
  }),
  AgreementSigned: Events.AgreementSigned.make({
    ...onMentorship(mentee, "2025-09-15T09:00:00.000Z"),
    goals: ["A fluid daily routine", "Välitehtävät joka kerta"],
    topics: ["Interactions and atmosphere"],
    plannedMeetings: 8,
    cadenceDays: 14,
    confidentiality: true,
    signatories: [person(20), person(30), person(31)]
  }),
  ObservationRecorded: Events.ObservationRecorded.make({
    ...onMentorship(mentor, "2025-09-18T10:15:00.000Z"),
    observationId,
    note: "Morning circle: calm, every child heard"
  }),
  MeetingScheduled: Events.MeetingScheduled.make({
    ...onMentorship(mentor, "2025-09-16T08:00:00.000Z"),
    meetingId,
    scheduledFor: at("2025-09-29T13:00:00.000Z"),
    modality: "video"
  }),
  MeetingHeld: Events.MeetingHeld.make({
    ...onMentorship(mentor, "2025-09-29T15:00:00.000Z"),
    meetingId,
    modality: "video",
    durationMinutes: 150,
    planning: true
  }),
  MeetingCancelled: Events.MeetingCancelled.make({
    ...onMentorship(mentee, "2025-10-10T07:00:00.000Z"),
    meetingId: Ids.MeetingId.make(id(201)),
    reason: "mentee-unavailable"
  }),
  SummaryDrafted: Events.SummaryDrafted.make({
    ...onMentorship(mentor, "2025-09-30T09:00:00.000Z"),
    meetingId,
    text: "We planned the period: goals, topics and a rhythm of two weeks.\nSeuraavaksi: palautekeskustelu."
  }),
  SummaryAmended: Events.SummaryAmended.make({
    ...onMentorship(mentee, "2025-10-01T19:30:00.000Z"),
    meetingId,
    text: "I would add: the team wants shorter meetings."
  }),
  SummaryFinalised: Events.SummaryFinalised.make({
    ...onMentorship(mentee, "2025-10-02T08:00:00.000Z"),
    meetingId
  }),
  TaskAssigned: Events.TaskAssigned.make({
    ...onMentorship(mentor, "2025-09-30T09:05:00.000Z"),
    taskId,
    assigneeIds: [person(30)],
    description: "Observe one staff meeting and note who speaks",
    dueOn: at("2025-10-13T00:00:00.000Z")
  }),
  TaskCompleted: Events.TaskCompleted.make({
    ...onMentorship(mentee, "2025-10-12T20:00:00.000Z"),
    taskId,
    reflection: "Three people spoke; I spoke for half the time."
  }),
  ConsentGiven: Events.ConsentGiven.make({
    ...onMentorship(mentee, "2025-10-03T17:00:00.000Z"),
    item: { kind: "summary", id: meetingId }
  }),
  ConsentRevoked: Events.ConsentRevoked.make({
    ...onMentorship(mentee, "2025-10-04T17:00:00.000Z"),
    item: { kind: "self-assessment", id: person(30) }
  }),
  EvaluationHeld: Events.EvaluationHeld.make({
    ...onMentorship(mentor, "2026-02-02T13:00:00.000Z"),
    participantIds: [person(20), person(30), person(31)],
    processSummary: "The team found a shared rhythm."
  }),
  ClosingDiscussionHeld: Events.ClosingDiscussionHeld.make({
    ...onMentorship(mentor, "2026-02-16T13:00:00.000Z"),
    participantIds: [person(20), person(30), person(31), person(11)],
    durationMinutes: 75
  }),
  ReportDelivered: Events.ReportDelivered.make({
    ...onMentorship(mentor, "2026-02-20T10:00:00.000Z"),
    recipientId: person(11),
    citedItems: [{ kind: "summary", id: meetingId }],
    text: "The leadership team has a shared plan for change."
  }),
  FollowUpScheduled: Events.FollowUpScheduled.make({
    ...onMentorship(mentor, "2026-02-20T10:05:00.000Z"),
    dueOn: at("2026-08-19T10:05:00.000Z")
  }),
  FollowUpHeld: Events.FollowUpHeld.make({
    ...onMentorship(mentor, "2026-08-20T12:00:00.000Z"),
    notes: "The new routines hold."
  }),
  MentorshipCompleted: Events.MentorshipCompleted.make({
    ...onMentorship(coordinator, "2026-08-21T08:00:00.000Z")
  }),
  MentorshipWithdrawn: Events.MentorshipWithdrawn.make({
    ...onMentorship(mentee, "2025-11-01T08:00:00.000Z"),
    reason: "change-of-job"
  }),
  PersonalDataErased: Events.PersonalDataErased.make({
    ...onMentorship(coordinator, "2026-09-01T08:00:00.000Z"),
    personId: person(31)
  })
}

/**
 * Rows of older schema versions, written as those versions stored them,
 * with the event the current library must read them as.
 */
const legacy: ReadonlyArray<{
  readonly type: EventType
  readonly version: number
  readonly make: () => Entry
}> = [
  {
    // Version 1 had neither modality nor duration; it reads as an in-person meeting of 60 minutes.
    type: "MeetingHeld",
    version: 1,
    make: () => {
      const { modality: _m, durationMinutes: _d, ...payload } = current(samples.MeetingHeld).payload
      return entry("MeetingHeld", 1, payload, {
        ...samples.MeetingHeld,
        modality: "in-person",
        durationMinutes: 60
      })
    }
  },
  {
    // Version 1 held the goals as one text, a goal per line; it reads as a list (blank lines dropped).
    type: "AgreementSigned",
    version: 1,
    make: () => {
      const payload = {
        ...current(samples.AgreementSigned).payload,
        goals: "A fluid daily routine\n\n  Välitehtävät joka kerta  \r\n"
      }
      return entry("AgreementSigned", 1, payload, samples.AgreementSigned)
    }
  }
]

interface Entry {
  readonly eventType: EventType
  readonly schemaVersion: number
  /** The stored payload, as JSON (without `_tag`). */
  readonly payload: Record<string, unknown>
  /** The event it decodes to; dates as `{ "$date": "…" }`. */
  readonly decoded: unknown
}

/** Dates as `{ "$date": iso }`, so that the expected event is exact JSON. */
const tagDates = (value: unknown): unknown =>
  value instanceof Date
    ? { $date: value.toISOString() }
    : Array.isArray(value)
      ? value.map(tagDates)
      : value !== null && typeof value === "object"
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, tagDates(v)]))
        : value

const entry = (
  eventType: EventType,
  schemaVersion: number,
  payload: Record<string, unknown>,
  decoded: Event
): Entry => ({
  eventType,
  schemaVersion,
  payload,
  decoded: tagDates(decoded)
})

const current = (event: Event): Entry => {
  const encoded = Either.getOrThrowWith(
    EventStore.encodeEvent(event, id(9000), new Date(0)),
    (e) => new Error(e.message)
  )
  return entry(event._tag, encoded.schemaVersion, JSON.parse(encoded.payload), event)
}

const existing = new Set(readdirSync(dir).filter((f) => f.endsWith(".json")))
const write = (e: Entry, frozen: boolean) => {
  const file = `${e.eventType}@${e.schemaVersion}.json`
  if (existing.has(file) && (frozen || !force)) return console.log(`kept    ${file}`)
  writeFileSync(new URL(file, dir), `${JSON.stringify(e, null, 2)}\n`)
  console.log(`${existing.has(file) ? "rewrote" : "wrote  "} ${file}`)
}

for (const type of Events.eventTypes) write(current(samples[type] as Event), false)
for (const l of legacy) write(l.make(), true)
