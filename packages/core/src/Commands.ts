/**
 * Commands: what a user of the library asks to happen.
 *
 * Every command is a schema with a `_tag`, the acting person and their
 * role (`actor`), and an optional `occurredAt` (when it happened in the
 * world; the clock's time if omitted). Input from outside (JSON, a form)
 * is decoded with {@link Command}, so a bad field is a typed error that
 * names it. Dates may be given as `Date` objects or ISO-8601 strings.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { ContentRef } from "./Content.js"
import { CancellationReason, Modality, WithdrawalReason } from "./Events.js"
import { MeetingId, MentorshipId, ObservationId, PersonId, ProgrammeId, TaskId } from "./Ids.js"
import { Actor } from "./Roles.js"
import { ProcessTemplate } from "./Template.js"

/**
 * A date given as a `Date` or as an ISO-8601 string.
 * @since 0.1.0
 * @category schemas
 */
export const DateInput = Schema.Union(Schema.ValidDateFromSelf, Schema.Date).annotations({
  identifier: "DateInput"
})

const Text = (max = 20_000) => Schema.String.pipe(Schema.maxLength(max))
const NonEmptyText = (max = 20_000) => Schema.String.pipe(Schema.minLength(1), Schema.maxLength(max))
const Minutes = Schema.Int.pipe(Schema.between(1, 24 * 60))
const People = Schema.Array(PersonId)

const base = { actor: Actor, occurredAt: Schema.optional(DateInput) }

// ---------------------------------------------------------------------------
// Programme
// ---------------------------------------------------------------------------

/** @since 0.1.0 @category programme commands */
export const LaunchProgramme = Schema.TaggedStruct("LaunchProgramme", {
  ...base,
  programmeId: ProgrammeId,
  name: NonEmptyText(200),
  templates: Schema.Array(ProcessTemplate)
})
/** @since 0.1.0 @category programme commands */
export type LaunchProgramme = typeof LaunchProgramme.Type

/** @since 0.1.0 @category programme commands */
export const AppointCoordinator = Schema.TaggedStruct("AppointCoordinator", {
  ...base,
  programmeId: ProgrammeId,
  coordinatorId: PersonId
})
/** @since 0.1.0 @category programme commands */
export type AppointCoordinator = typeof AppointCoordinator.Type

/** @since 0.1.0 @category programme commands */
export const DefineTemplate = Schema.TaggedStruct("DefineTemplate", {
  ...base,
  programmeId: ProgrammeId,
  template: ProcessTemplate
})
/** @since 0.1.0 @category programme commands */
export type DefineTemplate = typeof DefineTemplate.Type

/** @since 0.1.0 @category programme commands */
export const EnrolMentor = Schema.TaggedStruct("EnrolMentor", {
  ...base,
  programmeId: ProgrammeId,
  mentorId: PersonId,
  capacity: Schema.Int.pipe(Schema.between(1, 100))
})
/** @since 0.1.0 @category programme commands */
export type EnrolMentor = typeof EnrolMentor.Type

/** @since 0.1.0 @category programme commands */
export const RecordMentorTraining = Schema.TaggedStruct("RecordMentorTraining", {
  ...base,
  programmeId: ProgrammeId,
  mentorId: PersonId,
  course: NonEmptyText(200)
})
/** @since 0.1.0 @category programme commands */
export type RecordMentorTraining = typeof RecordMentorTraining.Type

// ---------------------------------------------------------------------------
// Request and match (these touch the programme and the mentorship)
// ---------------------------------------------------------------------------

/**
 * A mentee (or a leadership team: several mentees) asks for mentoring
 * under one of the programme's templates.
 * @since 0.1.0
 * @category mentorship commands
 */
export const RequestMentoring = Schema.TaggedStruct("RequestMentoring", {
  ...base,
  mentorshipId: MentorshipId,
  programmeId: ProgrammeId,
  templateId: Schema.String,
  menteeIds: People,
  supervisorId: Schema.NullOr(PersonId)
})
/** @since 0.1.0 @category mentorship commands */
export type RequestMentoring = typeof RequestMentoring.Type

/** A coordinator matches a mentor, or a mentor team. @since 0.1.0 @category mentorship commands */
export const MatchMentor = Schema.TaggedStruct("MatchMentor", {
  ...base,
  mentorshipId: MentorshipId,
  mentorIds: People
})
/** @since 0.1.0 @category mentorship commands */
export type MatchMentor = typeof MatchMentor.Type

// ---------------------------------------------------------------------------
// Mentorship
// ---------------------------------------------------------------------------

/** @since 0.1.0 @category mentorship commands */
export const HoldOpeningDiscussion = Schema.TaggedStruct("HoldOpeningDiscussion", {
  ...base,
  mentorshipId: MentorshipId,
  participantIds: People,
  expectations: Text()
})
/** @since 0.1.0 @category mentorship commands */
export type HoldOpeningDiscussion = typeof HoldOpeningDiscussion.Type

/** @since 0.1.0 @category mentorship commands */
export const SubmitSelfAssessment = Schema.TaggedStruct("SubmitSelfAssessment", {
  ...base,
  mentorshipId: MentorshipId,
  strengths: Text(),
  weaknesses: Text(),
  opportunities: Text(),
  threats: Text()
})
/** @since 0.1.0 @category mentorship commands */
export type SubmitSelfAssessment = typeof SubmitSelfAssessment.Type

/**
 * Records the signed agreement. `signatories` must include every mentor
 * and every mentee; `confidentiality` must be `true` (the mutual
 * commitment of seed 003).
 * @since 0.1.0
 * @category mentorship commands
 */
export const SignAgreement = Schema.TaggedStruct("SignAgreement", {
  ...base,
  mentorshipId: MentorshipId,
  goals: Schema.Array(NonEmptyText()).pipe(Schema.minItems(1)),
  topics: Schema.Array(NonEmptyText()),
  plannedMeetings: Schema.Int.pipe(Schema.between(1, 1000)),
  cadenceDays: Schema.Int.pipe(Schema.between(1, 365)),
  confidentiality: Schema.Boolean,
  signatories: People
})
/** @since 0.1.0 @category mentorship commands */
export type SignAgreement = typeof SignAgreement.Type

/** @since 0.1.0 @category mentorship commands */
export const RecordObservation = Schema.TaggedStruct("RecordObservation", {
  ...base,
  mentorshipId: MentorshipId,
  observationId: ObservationId,
  note: NonEmptyText()
})
/** @since 0.1.0 @category mentorship commands */
export type RecordObservation = typeof RecordObservation.Type

/** @since 0.1.0 @category mentorship commands */
export const ScheduleMeeting = Schema.TaggedStruct("ScheduleMeeting", {
  ...base,
  mentorshipId: MentorshipId,
  meetingId: MeetingId,
  scheduledFor: DateInput,
  modality: Modality
})
/** @since 0.1.0 @category mentorship commands */
export type ScheduleMeeting = typeof ScheduleMeeting.Type

/**
 * Records a held meeting: a scheduled one, or one held without being
 * scheduled first.
 * @since 0.1.0
 * @category mentorship commands
 */
export const HoldMeeting = Schema.TaggedStruct("HoldMeeting", {
  ...base,
  mentorshipId: MentorshipId,
  meetingId: MeetingId,
  modality: Modality,
  durationMinutes: Minutes,
  planning: Schema.optionalWith(Schema.Boolean, { default: () => false })
})
/** @since 0.1.0 @category mentorship commands */
export type HoldMeeting = typeof HoldMeeting.Type

/** @since 0.1.0 @category mentorship commands */
export const CancelMeeting = Schema.TaggedStruct("CancelMeeting", {
  ...base,
  mentorshipId: MentorshipId,
  meetingId: MeetingId,
  reason: CancellationReason
})
/** @since 0.1.0 @category mentorship commands */
export type CancelMeeting = typeof CancelMeeting.Type

/** @since 0.1.0 @category mentorship commands */
export const DraftSummary = Schema.TaggedStruct("DraftSummary", {
  ...base,
  mentorshipId: MentorshipId,
  meetingId: MeetingId,
  text: NonEmptyText()
})
/** @since 0.1.0 @category mentorship commands */
export type DraftSummary = typeof DraftSummary.Type

/** @since 0.1.0 @category mentorship commands */
export const AmendSummary = Schema.TaggedStruct("AmendSummary", {
  ...base,
  mentorshipId: MentorshipId,
  meetingId: MeetingId,
  text: NonEmptyText()
})
/** @since 0.1.0 @category mentorship commands */
export type AmendSummary = typeof AmendSummary.Type

/** @since 0.1.0 @category mentorship commands */
export const FinaliseSummary = Schema.TaggedStruct("FinaliseSummary", {
  ...base,
  mentorshipId: MentorshipId,
  meetingId: MeetingId
})
/** @since 0.1.0 @category mentorship commands */
export type FinaliseSummary = typeof FinaliseSummary.Type

/** A between-meeting task (välitehtävä). @since 0.1.0 @category mentorship commands */
export const AssignTask = Schema.TaggedStruct("AssignTask", {
  ...base,
  mentorshipId: MentorshipId,
  taskId: TaskId,
  assigneeIds: People,
  description: NonEmptyText(),
  dueOn: Schema.optionalWith(Schema.NullOr(DateInput), { default: () => null })
})
/** @since 0.1.0 @category mentorship commands */
export type AssignTask = typeof AssignTask.Type

/** @since 0.1.0 @category mentorship commands */
export const CompleteTask = Schema.TaggedStruct("CompleteTask", {
  ...base,
  mentorshipId: MentorshipId,
  taskId: TaskId,
  reflection: Schema.optionalWith(Text(), { default: () => "" })
})
/** @since 0.1.0 @category mentorship commands */
export type CompleteTask = typeof CompleteTask.Type

/** @since 0.1.0 @category mentorship commands */
export const GiveConsent = Schema.TaggedStruct("GiveConsent", {
  ...base,
  mentorshipId: MentorshipId,
  item: ContentRef
})
/** @since 0.1.0 @category mentorship commands */
export type GiveConsent = typeof GiveConsent.Type

/** @since 0.1.0 @category mentorship commands */
export const RevokeConsent = Schema.TaggedStruct("RevokeConsent", {
  ...base,
  mentorshipId: MentorshipId,
  item: ContentRef
})
/** @since 0.1.0 @category mentorship commands */
export type RevokeConsent = typeof RevokeConsent.Type

/** @since 0.1.0 @category mentorship commands */
export const HoldEvaluation = Schema.TaggedStruct("HoldEvaluation", {
  ...base,
  mentorshipId: MentorshipId,
  participantIds: People,
  processSummary: NonEmptyText()
})
/** @since 0.1.0 @category mentorship commands */
export type HoldEvaluation = typeof HoldEvaluation.Type

/** @since 0.1.0 @category mentorship commands */
export const HoldClosingDiscussion = Schema.TaggedStruct("HoldClosingDiscussion", {
  ...base,
  mentorshipId: MentorshipId,
  participantIds: People,
  durationMinutes: Minutes
})
/** @since 0.1.0 @category mentorship commands */
export type HoldClosingDiscussion = typeof HoldClosingDiscussion.Type

/** @since 0.1.0 @category mentorship commands */
export const DeliverReport = Schema.TaggedStruct("DeliverReport", {
  ...base,
  mentorshipId: MentorshipId,
  recipientId: PersonId,
  citedItems: Schema.Array(ContentRef),
  text: NonEmptyText()
})
/** @since 0.1.0 @category mentorship commands */
export type DeliverReport = typeof DeliverReport.Type

/** @since 0.1.0 @category mentorship commands */
export const ScheduleFollowUp = Schema.TaggedStruct("ScheduleFollowUp", {
  ...base,
  mentorshipId: MentorshipId,
  /** When the visit is due; the template's `followUpDelayDays` after `occurredAt` if omitted. */
  dueOn: Schema.optional(DateInput)
})
/** @since 0.1.0 @category mentorship commands */
export type ScheduleFollowUp = typeof ScheduleFollowUp.Type

/** @since 0.1.0 @category mentorship commands */
export const HoldFollowUp = Schema.TaggedStruct("HoldFollowUp", {
  ...base,
  mentorshipId: MentorshipId,
  notes: Text()
})
/** @since 0.1.0 @category mentorship commands */
export type HoldFollowUp = typeof HoldFollowUp.Type

/** @since 0.1.0 @category mentorship commands */
export const CompleteMentorship = Schema.TaggedStruct("CompleteMentorship", {
  ...base,
  mentorshipId: MentorshipId
})
/** @since 0.1.0 @category mentorship commands */
export type CompleteMentorship = typeof CompleteMentorship.Type

/** @since 0.1.0 @category mentorship commands */
export const WithdrawMentorship = Schema.TaggedStruct("WithdrawMentorship", {
  ...base,
  mentorshipId: MentorshipId,
  reason: WithdrawalReason
})
/** @since 0.1.0 @category mentorship commands */
export type WithdrawMentorship = typeof WithdrawMentorship.Type

/**
 * Erases a person's personal data, asked by the person or done by a
 * coordinator: the ledger shreds the person's data key (their content
 * becomes unreadable in every mentorship of the organisation, since keys
 * are per person) and records `PersonalDataErased` in this mentorship.
 * `Ledger.erase(personId)` records it in every mentorship of the person.
 * @since 0.1.0
 * @category mentorship commands
 */
export const ErasePersonalData = Schema.TaggedStruct("ErasePersonalData", {
  ...base,
  mentorshipId: MentorshipId,
  personId: PersonId
})
/** @since 0.1.0 @category mentorship commands */
export type ErasePersonalData = typeof ErasePersonalData.Type

/** @since 0.1.0 @category unions */
export const ProgrammeCommand = Schema.Union(
  LaunchProgramme,
  AppointCoordinator,
  DefineTemplate,
  EnrolMentor,
  RecordMentorTraining
)
/** @since 0.1.0 @category unions */
export type ProgrammeCommand = typeof ProgrammeCommand.Type

/** @since 0.1.0 @category unions */
export const MentorshipCommand = Schema.Union(
  RequestMentoring,
  MatchMentor,
  HoldOpeningDiscussion,
  SubmitSelfAssessment,
  SignAgreement,
  RecordObservation,
  ScheduleMeeting,
  HoldMeeting,
  CancelMeeting,
  DraftSummary,
  AmendSummary,
  FinaliseSummary,
  AssignTask,
  CompleteTask,
  GiveConsent,
  RevokeConsent,
  HoldEvaluation,
  HoldClosingDiscussion,
  DeliverReport,
  ScheduleFollowUp,
  HoldFollowUp,
  CompleteMentorship,
  WithdrawMentorship,
  ErasePersonalData
)
/** @since 0.1.0 @category unions */
export type MentorshipCommand = typeof MentorshipCommand.Type

/**
 * Every command. Decode untrusted input with it:
 * `Schema.decodeUnknown(Commands.Command)(json)`.
 * @since 0.1.0
 * @category unions
 */
export const Command = Schema.Union(ProgrammeCommand, MentorshipCommand)
/** @since 0.1.0 @category unions */
export type Command = typeof Command.Type
/** What callers write: dates may be strings, defaults may be omitted. @since 0.1.0 @category unions */
export type CommandInput = typeof Command.Encoded | Command
/** @since 0.1.0 @category unions */
export type CommandType = Command["_tag"]

/**
 * A command as a decider receives it: `occurredAt` filled in (by the
 * ledger, from the clock, when the caller left it out).
 * @since 0.1.0
 * @category unions
 */
export type Timed<C> = C extends unknown ? Omit<C, "occurredAt"> & { readonly occurredAt: Date } : never
