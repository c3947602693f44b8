import { EventStore, Events, Ids, Template } from "@mentor-ledger/core"
import type { Roles } from "@mentor-ledger/core"

const hex = (n: number) => n.toString(16).padStart(12, "0")

export const personId = (n: number): Ids.PersonId => Ids.PersonId.make(`11111111-0000-7000-8000-${hex(n)}`)
export const mentorshipId = (n: number): Ids.MentorshipId =>
  Ids.MentorshipId.make(`22222222-0000-7000-8000-${hex(n)}`)
export const programmeId = (n: number): Ids.ProgrammeId =>
  Ids.ProgrammeId.make(`33333333-0000-7000-8000-${hex(n)}`)
export const meetingId = (n: number): Ids.MeetingId => Ids.MeetingId.make(`44444444-0000-7000-8000-${hex(n)}`)
export const taskId = (n: number): Ids.TaskId => Ids.TaskId.make(`55555555-0000-7000-8000-${hex(n)}`)
/** Event ids chosen by the test; the store's own ids (Ids.layerSequential) never collide with them. */
export const eventId = (n: number): string => `eeeeeeee-0000-7000-8000-${hex(n)}`
export const organisation = (name: string): Ids.OrganisationId => Ids.OrganisationId.make(name)

export const mentor: Roles.Actor = { personId: personId(1), role: "mentor" }
export const mentee: Roles.Actor = { personId: personId(2), role: "mentee" }

/** The stream of mentorship n, in the given organisation (default: the default organisation). */
export const mentorship = (
  n: number,
  org: Ids.OrganisationId = Ids.defaultOrganisation
): EventStore.StreamRef => EventStore.mentorshipStream(mentorshipId(n), org)

/** A small event for tests where the content does not matter. */
export const meetingCancelled = (
  n: number,
  occurredAt = new Date("2025-03-01T09:00:00.000Z")
): Events.Event =>
  Events.MeetingCancelled.make({
    actor: mentor,
    occurredAt,
    mentorshipId: mentorshipId(1),
    meetingId: meetingId(n),
    reason: "rescheduled"
  })

/**
 * A mentorship's life in rich events: nested templates, arrays, nulls,
 * dates with milliseconds, literals, long and non-ASCII text.
 */
export const richHistory = (m: number): ReadonlyArray<Events.Event> => {
  const mentorshipIdM = mentorshipId(m)
  return [
    Events.MentoringRequested.make({
      actor: mentee,
      occurredAt: new Date("2025-01-06T07:15:00.001Z"),
      mentorshipId: mentorshipIdM,
      programmeId: programmeId(1),
      template: Template.headmastersAsMentors,
      menteeIds: [personId(2), personId(3)],
      supervisorId: null
    }),
    Events.MentorMatched.make({
      actor: { personId: personId(4), role: "coordinator" },
      occurredAt: new Date("2025-01-08T12:00:00.999Z"),
      mentorshipId: mentorshipIdM,
      mentorIds: [personId(1)]
    }),
    Events.AgreementSigned.make({
      actor: mentor,
      occurredAt: new Date("2025-01-15T10:30:00.250Z"),
      mentorshipId: mentorshipIdM,
      goals: ["Johtajuus: välitehtävät ja palaute", 'Team "trust" \\ growth 🌱', ""],
      topics: [],
      plannedMeetings: 8,
      cadenceDays: 14,
      confidentiality: true,
      signatories: [personId(1), personId(2), personId(3)]
    }),
    Events.MeetingScheduled.make({
      actor: mentor,
      occurredAt: new Date("2025-01-16T08:00:00.000Z"),
      mentorshipId: mentorshipIdM,
      meetingId: meetingId(1),
      scheduledFor: new Date("2025-01-23T13:45:00.500Z"),
      modality: "video"
    }),
    Events.MeetingHeld.make({
      actor: mentor,
      occurredAt: new Date("2025-01-23T15:00:00.000Z"),
      mentorshipId: mentorshipIdM,
      meetingId: meetingId(1),
      modality: "video",
      durationMinutes: 90,
      planning: true
    }),
    Events.SummaryDrafted.make({
      actor: mentor,
      occurredAt: new Date("2025-01-24T09:00:00.000Z"),
      mentorshipId: mentorshipIdM,
      meetingId: meetingId(1),
      text: `${"Line with tab\tand newline\n".repeat(200)}日本語 — Ω ≠ ∞ 👩‍🏫`
    }),
    Events.TaskAssigned.make({
      actor: mentor,
      occurredAt: new Date("2025-01-24T09:05:00.000Z"),
      mentorshipId: mentorshipIdM,
      taskId: taskId(1),
      assigneeIds: [personId(2)],
      description: "Observe one staff meeting",
      dueOn: new Date("2025-02-07T00:00:00.000Z")
    }),
    Events.TaskAssigned.make({
      actor: mentor,
      occurredAt: new Date("2025-01-24T09:06:00.000Z"),
      mentorshipId: mentorshipIdM,
      taskId: taskId(2),
      assigneeIds: [],
      description: "",
      dueOn: null
    }),
    Events.ConsentGiven.make({
      actor: mentee,
      occurredAt: new Date("2025-01-25T18:00:00.000Z"),
      mentorshipId: mentorshipIdM,
      item: { kind: "summary", id: meetingId(1) }
    }),
    Events.MentorshipWithdrawn.make({
      actor: mentee,
      occurredAt: new Date("2025-02-01T00:00:00.000Z"),
      mentorshipId: mentorshipIdM,
      reason: "change-of-job"
    })
  ]
}
