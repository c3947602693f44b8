/**
 * Deterministic, realistic mentoring events for the workloads.
 *
 * Every run of every side gets the same events: ids come from counters,
 * texts and choices from a seeded generator. A stream's history is ten
 * events of a mentorship in its meetings phase (a meeting scheduled and
 * held, its summary drafted, amended and finalised, a task, an
 * observation, a consent), about 300 bytes of JSON each; a summary holds
 * about 150 characters of text.
 */
import { Events, Template } from "@mentor-ledger/core"
import type { Ids, Roles } from "@mentor-ledger/core"

/** A small, fast, seeded generator (mulberry32): the same numbers on every machine. */
export const random = (seed: number): (() => number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The numbers 0 … n-1 in a seeded random order. */
export const shuffled = (n: number, seed: number): Array<number> => {
  const next = random(seed)
  const out = Array.from({ length: n }, (_, i) => i)
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1))
    const t = out[i]!
    out[i] = out[j]!
    out[j] = t
  }
  return out
}

const hex = (n: number) => n.toString(16).padStart(12, "0")
const uuid = (kind: string, n: number) =>
  `${kind}-${hex(n).slice(0, 4)}-7${hex(n).slice(4, 7)}-8000-${hex(n)}`

export const mentorshipId = (n: number) => uuid("0192a6c4", n) as Ids.MentorshipId
export const programmeId = (n: number) => uuid("0192a6c5", n) as Ids.ProgrammeId
export const meetingId = (n: number, k: number) => uuid("0192a6c6", n * 64 + k) as Ids.MeetingId
export const taskId = (n: number, k: number) => uuid("0192a6c7", n * 64 + k) as Ids.TaskId
export const observationId = (n: number, k: number) => uuid("0192a6c8", n * 64 + k) as Ids.ObservationId
export const mentorId = (n: number) => uuid("0192a6c9", n) as Ids.PersonId
export const menteeId = (n: number) => uuid("0192a6ca", n) as Ids.PersonId
export const coordinatorId = uuid("0192a6cb", 1) as Ids.PersonId

/**
 * Mentorship numbers from here on belong to the warm-up that runs before
 * a workload's timed part: their mentors too are people the timed part
 * never meets (a mentor of the timed part's pool would have a key already).
 */
export const warmUpFrom = 5_000_000

/** The mentor of mentorship `n`, from a pool of `pool` (the warm-up's own pool for its mentorships). */
const mentorOf = (n: number, pool: number) => mentorId(n >= warmUpFrom ? warmUpFrom + (n % pool) : n % pool)

const openings = [
  "We looked at how the new team meets on Mondays",
  "Reviewed the first month of the pedagogical plan",
  "Talked through the feedback from the parents' evening",
  "Discussed delegating the timetable to the deputy head",
  "Walked through the staff survey results together",
  "Prepared the conversation with the municipality",
  "Reflected on the conflict in the afternoon group"
]
const middles = [
  "and agreed that the mentee tries a shorter agenda",
  "and listed what worked and what to drop next term",
  "and the mentee will ask two colleagues for feedback",
  "and we compared it with the goals of the agreement",
  "and noted where the mentee wants more support",
  "and planned a small experiment for the next weeks"
]
const closings = [
  "before our next meeting.",
  "with a short written reflection.",
  "and report back in two weeks.",
  "so that the team sees the change.",
  "keeping the confidentiality we agreed on."
]

/** A text of about `length` characters, from the generator. */
const text = (next: () => number, length: number): string => {
  const pick = <A>(xs: ReadonlyArray<A>) => xs[Math.floor(next() * xs.length)]!
  let out = ""
  while (out.length < length)
    out += `${out.length === 0 ? "" : " "}${pick(openings)} ${pick(middles)} ${pick(closings)}`
  return out.slice(0, length).trimEnd()
}

const day = 24 * 60 * 60 * 1000
const epoch = Date.UTC(2025, 0, 6, 8, 0, 0)

/**
 * The ten events of one mentorship stream, `n` its number. Every history
 * has the same event types in the same order (so every side decodes the
 * same mix); texts, times and choices vary with `n`.
 */
export const history = (n: number): Array<Events.Event> => {
  const next = random(n + 1)
  const mentor: Roles.Actor = { personId: mentorOf(n, 997), role: "mentor" }
  const mentee: Roles.Actor = { personId: menteeId(n), role: "mentee" }
  const mentorship = mentorshipId(n)
  const start = epoch + (n % 365) * day + Math.floor(next() * 8) * 3600_000
  const at = (days: number) => new Date(start + days * day + Math.floor(next() * 3600) * 1000)
  const modality = (["in-person", "phone", "video"] as const)[Math.floor(next() * 3)]!
  const meeting = meetingId(n, 1)
  return [
    Events.MeetingScheduled.make({
      actor: mentor,
      occurredAt: at(0),
      mentorshipId: mentorship,
      meetingId: meeting,
      scheduledFor: at(7),
      modality
    }),
    Events.MeetingHeld.make({
      actor: mentor,
      occurredAt: at(7),
      mentorshipId: mentorship,
      meetingId: meeting,
      modality,
      durationMinutes: 45 + Math.floor(next() * 6) * 15,
      planning: false
    }),
    Events.SummaryDrafted.make({
      actor: mentor,
      occurredAt: at(8),
      mentorshipId: mentorship,
      meetingId: meeting,
      text: text(next, 150)
    }),
    Events.TaskAssigned.make({
      actor: mentor,
      occurredAt: at(8),
      mentorshipId: mentorship,
      taskId: taskId(n, 1),
      assigneeIds: [mentee.personId],
      description: text(next, 60),
      dueOn: at(21)
    }),
    Events.SummaryAmended.make({
      actor: mentee,
      occurredAt: at(9),
      mentorshipId: mentorship,
      meetingId: meeting,
      text: text(next, 90)
    }),
    Events.SummaryFinalised.make({
      actor: mentor,
      occurredAt: at(10),
      mentorshipId: mentorship,
      meetingId: meeting
    }),
    Events.ObservationRecorded.make({
      actor: mentor,
      occurredAt: at(12),
      mentorshipId: mentorship,
      observationId: observationId(n, 1),
      note: text(next, 100)
    }),
    Events.ConsentGiven.make({
      actor: mentee,
      occurredAt: at(13),
      mentorshipId: mentorship,
      item: { kind: "summary", id: meeting }
    }),
    Events.TaskCompleted.make({
      actor: mentee,
      occurredAt: at(20),
      mentorshipId: mentorship,
      taskId: taskId(n, 1),
      reflection: text(next, 80)
    }),
    Events.MeetingHeld.make({
      actor: mentee,
      occurredAt: at(21),
      mentorshipId: mentorship,
      meetingId: meetingId(n, 2),
      modality,
      durationMinutes: 60,
      planning: false
    })
  ]
}

/** The events of `streams` histories (mentorships `from`, `from + 1`, …), the first `perStream` of each. */
export const histories = (streams: number, perStream: number, from = 0): Array<Array<Events.Event>> =>
  Array.from({ length: streams }, (_, n) => history(from + n).slice(0, perStream))

/**
 * A mentorship in its meetings phase, for the command path (W5): requested
 * under the early-career template, matched, self-assessed, agreed, one
 * meeting held and summarised. `meetingIndex` 1 is taken.
 */
export const meetingsPhase = (n: number): Array<Events.Event> => {
  const next = random(1_000_000 + n)
  const mentor: Roles.Actor = { personId: mentorOf(n, 97), role: "mentor" }
  const mentee: Roles.Actor = { personId: menteeId(n), role: "mentee" }
  const mentorship = mentorshipId(n)
  const start = epoch + (n % 365) * day
  const at = (days: number) => new Date(start + days * day)
  return [
    Events.MentoringRequested.make({
      actor: mentee,
      occurredAt: at(0),
      mentorshipId: mentorship,
      programmeId: programmeId(1),
      template: Template.earlyCareerInduction,
      menteeIds: [mentee.personId],
      supervisorId: null
    }),
    Events.MentorMatched.make({
      actor: { personId: coordinatorId, role: "coordinator" },
      occurredAt: at(2),
      mentorshipId: mentorship,
      mentorIds: [mentor.personId]
    }),
    Events.SelfAssessmentSubmitted.make({
      actor: mentee,
      occurredAt: at(5),
      mentorshipId: mentorship,
      menteeId: mentee.personId,
      strengths: text(next, 80),
      weaknesses: text(next, 80),
      opportunities: text(next, 80),
      threats: text(next, 80)
    }),
    Events.AgreementSigned.make({
      actor: mentor,
      occurredAt: at(9),
      mentorshipId: mentorship,
      goals: [text(next, 60), text(next, 60)],
      topics: [text(next, 40)],
      plannedMeetings: 8,
      cadenceDays: 14,
      confidentiality: true,
      signatories: [mentor.personId, mentee.personId]
    }),
    Events.MeetingHeld.make({
      actor: mentor,
      occurredAt: at(16),
      mentorshipId: mentorship,
      meetingId: meetingId(n, 1),
      modality: "in-person",
      durationMinutes: 90,
      planning: true
    }),
    Events.SummaryDrafted.make({
      actor: mentor,
      occurredAt: at(17),
      mentorshipId: mentorship,
      meetingId: meetingId(n, 1),
      text: text(next, 150)
    })
  ]
}

/**
 * The commands of the command path (W5): for each of `meetings` rounds,
 * every mentorship holds a meeting, then its mentor drafts the summary.
 * Round-robin over the mentorships, as many pairs working at once would.
 */
export const meetingCommands = (mentorships: number, meetings: number, from = 0) => {
  const out: Array<Record<string, unknown>> = []
  for (let k = 0; k < meetings; k++) {
    for (let n = from; n < from + mentorships; n++) {
      const actor = { personId: mentorOf(n, 97), role: "mentor" as const }
      const at = epoch + (n % 365) * day + (30 + k * 14) * day
      const meeting = meetingId(n, 2 + k)
      out.push({
        _tag: "HoldMeeting",
        actor,
        occurredAt: new Date(at),
        mentorshipId: mentorshipId(n),
        meetingId: meeting,
        modality: "video",
        durationMinutes: 60
      })
      out.push({
        _tag: "DraftSummary",
        actor,
        occurredAt: new Date(at + day),
        mentorshipId: mentorshipId(n),
        meetingId: meeting,
        text: text(random(n * 31 + k), 150)
      })
    }
  }
  return out
}

/**
 * Event `k` of writer `writer` on W7h's hot stream: an observation whose
 * id marks who appended it, so that the stored stream can be checked for
 * every acknowledged append, exactly once.
 */
export const hotEvent = (writer: number, k: number): Events.Event =>
  Events.ObservationRecorded.make({
    actor: { personId: mentorId(writer), role: "mentor" },
    occurredAt: new Date(epoch + k * 60_000),
    mentorshipId: mentorshipId(9_999_999),
    observationId: hotMark(writer, k),
    note: text(random(writer * 100_003 + k), 100)
  })

/** The mark (observation id) of event `k` of writer `writer` on the hot stream. */
export const hotMark = (writer: number, k: number) =>
  uuid("0192a6cc", writer * 1_000_000 + k) as Ids.ObservationId
