/**
 * The event catalogue: every step of a mentoring process, as Effect Schemas.
 *
 * Every event has a `_tag`, the ids it concerns, the acting person
 * (`actor`) and `occurredAt`, the time it happened in the world as given by
 * the caller (meetings are often logged days later). The time the store
 * recorded it lives on the envelope ({@link RecordedEvent}), not here.
 *
 * Each event type has a schema version ({@link catalogue}). Events stored
 * under an older version are upcast on read by schema transformations and
 * never rewritten.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { Content, ContentRef } from "./Content.js"
import { MeetingId, MentorshipId, ObservationId, PersonId, ProgrammeId, TaskId } from "./Ids.js"
import { Actor } from "./Roles.js"
import { ProcessTemplate } from "./Template.js"

/**
 * A point in time, encoded as an ISO-8601 string.
 * @since 0.1.0
 * @category schemas
 */
export const Timestamp = Schema.Date.annotations({ identifier: "Timestamp" })

const common = { actor: Actor, occurredAt: Timestamp }

/**
 * How a meeting took place (seed 003: in person, by phone, by Teams).
 * @since 0.1.0
 * @category models
 */
export const Modality = Schema.Literal("in-person", "phone", "video")
/** @since 0.1.0 @category models */
export type Modality = typeof Modality.Type

/**
 * Why a mentorship ended early. Withdrawal is a no-fault exit, so the
 * reasons are categories, never free text.
 * @since 0.1.0
 * @category models
 */
export const WithdrawalReason = Schema.Literal(
  "mentee-request",
  "mentor-request",
  "change-of-job",
  "leave",
  "programme-ended",
  "other"
)
/** @since 0.1.0 @category models */
export type WithdrawalReason = typeof WithdrawalReason.Type

/** @since 0.1.0 @category models */
export const CancellationReason = Schema.Literal(
  "mentor-unavailable",
  "mentee-unavailable",
  "rescheduled",
  "other"
)
/** @since 0.1.0 @category models */
export type CancellationReason = typeof CancellationReason.Type

const Minutes = Schema.Int.pipe(Schema.between(1, 24 * 60))
const People = Schema.Array(PersonId)

// ---------------------------------------------------------------------------
// Programme stream
// ---------------------------------------------------------------------------

/** A mentoring programme started, with the templates it offers. @since 0.1.0 @category programme events */
export const ProgrammeLaunched = Schema.TaggedStruct("ProgrammeLaunched", {
  ...common,
  programmeId: ProgrammeId,
  name: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(200)),
  templates: Schema.Array(ProcessTemplate)
}).annotations({ identifier: "ProgrammeLaunched" })
/** @since 0.1.0 @category events */
export type ProgrammeLaunched = typeof ProgrammeLaunched.Type

/**
 * A person became a coordinator of the programme (the one who launched it
 * is the first). Only a programme's coordinators act as coordinators in it.
 * @since 0.1.0
 * @category programme events
 */
export const CoordinatorAppointed = Schema.TaggedStruct("CoordinatorAppointed", {
  ...common,
  programmeId: ProgrammeId,
  coordinatorId: PersonId
}).annotations({ identifier: "CoordinatorAppointed" })
/** @since 0.1.0 @category events */
export type CoordinatorAppointed = typeof CoordinatorAppointed.Type

/** A programme added a template of its own. @since 0.1.0 @category programme events */
export const TemplateDefined = Schema.TaggedStruct("TemplateDefined", {
  ...common,
  programmeId: ProgrammeId,
  template: ProcessTemplate
}).annotations({ identifier: "TemplateDefined" })
/** @since 0.1.0 @category events */
export type TemplateDefined = typeof TemplateDefined.Type

/** A mentor joined the programme's mentor pool (seed 002). @since 0.1.0 @category programme events */
export const MentorEnrolled = Schema.TaggedStruct("MentorEnrolled", {
  ...common,
  programmeId: ProgrammeId,
  mentorId: PersonId,
  capacity: Schema.Int.pipe(Schema.between(1, 100))
}).annotations({ identifier: "MentorEnrolled" })
/** @since 0.1.0 @category events */
export type MentorEnrolled = typeof MentorEnrolled.Type

/** A pool mentor completed a mentor-training course (seed 000). @since 0.1.0 @category programme events */
export const MentorTrainingCompleted = Schema.TaggedStruct("MentorTrainingCompleted", {
  ...common,
  programmeId: ProgrammeId,
  mentorId: PersonId,
  course: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(200))
}).annotations({ identifier: "MentorTrainingCompleted" })
/** @since 0.1.0 @category events */
export type MentorTrainingCompleted = typeof MentorTrainingCompleted.Type

/** Pool mentors were assigned to a mentorship; each uses one unit of capacity. @since 0.1.0 @category programme events */
export const MentorsAssigned = Schema.TaggedStruct("MentorsAssigned", {
  ...common,
  programmeId: ProgrammeId,
  mentorshipId: MentorshipId,
  mentorIds: People
}).annotations({ identifier: "MentorsAssigned" })
/** @since 0.1.0 @category events */
export type MentorsAssigned = typeof MentorsAssigned.Type

/** A mentorship ended and its mentors' capacity is free again. @since 0.1.0 @category programme events */
export const MentorsReleased = Schema.TaggedStruct("MentorsReleased", {
  ...common,
  programmeId: ProgrammeId,
  mentorshipId: MentorshipId,
  mentorIds: People
}).annotations({ identifier: "MentorsReleased" })
/** @since 0.1.0 @category events */
export type MentorsReleased = typeof MentorsReleased.Type

// ---------------------------------------------------------------------------
// Mentorship stream
// ---------------------------------------------------------------------------

/**
 * A mentee, or a school's leadership team (several mentees), asked for
 * mentoring under one of the programme's templates. The template is
 * copied into the stream, so later template changes never alter a running
 * process.
 * @since 0.1.0
 * @category mentorship events
 */
export const MentoringRequested = Schema.TaggedStruct("MentoringRequested", {
  ...common,
  mentorshipId: MentorshipId,
  programmeId: ProgrammeId,
  template: ProcessTemplate,
  menteeIds: People,
  supervisorId: Schema.NullOr(PersonId)
}).annotations({ identifier: "MentoringRequested" })
/** @since 0.1.0 @category events */
export type MentoringRequested = typeof MentoringRequested.Type

/** A mentor, or a mentor team, was matched. @since 0.1.0 @category mentorship events */
export const MentorMatched = Schema.TaggedStruct("MentorMatched", {
  ...common,
  mentorshipId: MentorshipId,
  mentorIds: People
}).annotations({ identifier: "MentorMatched" })
/** @since 0.1.0 @category events */
export type MentorMatched = typeof MentorMatched.Type

/** Mentor, mentee and supervisor agreed expectations (seed 001, step 1). @since 0.1.0 @category mentorship events */
export const OpeningDiscussionHeld = Schema.TaggedStruct("OpeningDiscussionHeld", {
  ...common,
  mentorshipId: MentorshipId,
  participantIds: People,
  expectations: Content("expectations")
}).annotations({ identifier: "OpeningDiscussionHeld" })
/** @since 0.1.0 @category events */
export type OpeningDiscussionHeld = typeof OpeningDiscussionHeld.Type

/** A mentee's SWOT self-analysis, before the first meeting (seed 003). @since 0.1.0 @category mentorship events */
export const SelfAssessmentSubmitted = Schema.TaggedStruct("SelfAssessmentSubmitted", {
  ...common,
  mentorshipId: MentorshipId,
  menteeId: PersonId,
  strengths: Content("self-assessment"),
  weaknesses: Content("self-assessment"),
  opportunities: Content("self-assessment"),
  threats: Content("self-assessment")
}).annotations({ identifier: "SelfAssessmentSubmitted" })
/** @since 0.1.0 @category events */
export type SelfAssessmentSubmitted = typeof SelfAssessmentSubmitted.Type

/**
 * The mentoring agreement: goals and topics set by the mentee, a schedule,
 * and the mutual confidentiality commitment, signed by every mentor and
 * mentee. Version 2 holds goals as a list; version 1 held one text.
 * @since 0.1.0
 * @category mentorship events
 */
export const AgreementSigned = Schema.TaggedStruct("AgreementSigned", {
  ...common,
  mentorshipId: MentorshipId,
  goals: Schema.Array(Content("agreement")),
  topics: Schema.Array(Content("agreement")),
  plannedMeetings: Schema.Int.pipe(Schema.between(1, 1000)),
  cadenceDays: Schema.Int.pipe(Schema.between(1, 365)),
  confidentiality: Schema.Literal(true),
  signatories: People
}).annotations({ identifier: "AgreementSigned" })
/** @since 0.1.0 @category events */
export type AgreementSigned = typeof AgreementSigned.Type

/** The mentor recorded an observation from the unit's daily routine. @since 0.1.0 @category mentorship events */
export const ObservationRecorded = Schema.TaggedStruct("ObservationRecorded", {
  ...common,
  mentorshipId: MentorshipId,
  observationId: ObservationId,
  note: Content("observation")
}).annotations({ identifier: "ObservationRecorded" })
/** @since 0.1.0 @category events */
export type ObservationRecorded = typeof ObservationRecorded.Type

/** @since 0.1.0 @category mentorship events */
export const MeetingScheduled = Schema.TaggedStruct("MeetingScheduled", {
  ...common,
  mentorshipId: MentorshipId,
  meetingId: MeetingId,
  scheduledFor: Timestamp,
  modality: Modality
}).annotations({ identifier: "MeetingScheduled" })
/** @since 0.1.0 @category events */
export type MeetingScheduled = typeof MeetingScheduled.Type

/**
 * A mentoring meeting took place. `planning` marks the one longer meeting
 * that plans the period and sets goals (seed 001). Version 2 added
 * modality and duration; version-1 events read as an in-person meeting
 * of 60 minutes.
 * @since 0.1.0
 * @category mentorship events
 */
export const MeetingHeld = Schema.TaggedStruct("MeetingHeld", {
  ...common,
  mentorshipId: MentorshipId,
  meetingId: MeetingId,
  modality: Modality,
  durationMinutes: Minutes,
  planning: Schema.Boolean
}).annotations({ identifier: "MeetingHeld" })
/** @since 0.1.0 @category events */
export type MeetingHeld = typeof MeetingHeld.Type

/** @since 0.1.0 @category mentorship events */
export const MeetingCancelled = Schema.TaggedStruct("MeetingCancelled", {
  ...common,
  mentorshipId: MentorshipId,
  meetingId: MeetingId,
  reason: CancellationReason
}).annotations({ identifier: "MeetingCancelled" })
/** @since 0.1.0 @category events */
export type MeetingCancelled = typeof MeetingCancelled.Type

/** The mentor drafted the summary of a held meeting. @since 0.1.0 @category mentorship events */
export const SummaryDrafted = Schema.TaggedStruct("SummaryDrafted", {
  ...common,
  mentorshipId: MentorshipId,
  meetingId: MeetingId,
  text: Content("summary")
}).annotations({ identifier: "SummaryDrafted" })
/** @since 0.1.0 @category events */
export type SummaryDrafted = typeof SummaryDrafted.Type

/** The mentee added their own thoughts to a meeting summary. @since 0.1.0 @category mentorship events */
export const SummaryAmended = Schema.TaggedStruct("SummaryAmended", {
  ...common,
  mentorshipId: MentorshipId,
  meetingId: MeetingId,
  text: Content("amendment")
}).annotations({ identifier: "SummaryAmended" })
/** @since 0.1.0 @category events */
export type SummaryAmended = typeof SummaryAmended.Type

/** The summary is final: no more amendments. @since 0.1.0 @category mentorship events */
export const SummaryFinalised = Schema.TaggedStruct("SummaryFinalised", {
  ...common,
  mentorshipId: MentorshipId,
  meetingId: MeetingId
}).annotations({ identifier: "SummaryFinalised" })
/** @since 0.1.0 @category events */
export type SummaryFinalised = typeof SummaryFinalised.Type

/** A between-meeting task (välitehtävä) was set. @since 0.1.0 @category mentorship events */
export const TaskAssigned = Schema.TaggedStruct("TaskAssigned", {
  ...common,
  mentorshipId: MentorshipId,
  taskId: TaskId,
  assigneeIds: People,
  description: Content("task"),
  dueOn: Schema.NullOr(Timestamp)
}).annotations({ identifier: "TaskAssigned" })
/** @since 0.1.0 @category events */
export type TaskAssigned = typeof TaskAssigned.Type

/** @since 0.1.0 @category mentorship events */
export const TaskCompleted = Schema.TaggedStruct("TaskCompleted", {
  ...common,
  mentorshipId: MentorshipId,
  taskId: TaskId,
  reflection: Content("task")
}).annotations({ identifier: "TaskCompleted" })
/** @since 0.1.0 @category events */
export type TaskCompleted = typeof TaskCompleted.Type

/** The mentee consented to share an item with the supervisor. @since 0.1.0 @category mentorship events */
export const ConsentGiven = Schema.TaggedStruct("ConsentGiven", {
  ...common,
  mentorshipId: MentorshipId,
  item: ContentRef
}).annotations({ identifier: "ConsentGiven" })
/** @since 0.1.0 @category events */
export type ConsentGiven = typeof ConsentGiven.Type

/** @since 0.1.0 @category mentorship events */
export const ConsentRevoked = Schema.TaggedStruct("ConsentRevoked", {
  ...common,
  mentorshipId: MentorshipId,
  item: ContentRef
}).annotations({ identifier: "ConsentRevoked" })
/** @since 0.1.0 @category events */
export type ConsentRevoked = typeof ConsentRevoked.Type

/** Mentor and mentee evaluated the process together (seed 001, step 4). @since 0.1.0 @category mentorship events */
export const EvaluationHeld = Schema.TaggedStruct("EvaluationHeld", {
  ...common,
  mentorshipId: MentorshipId,
  participantIds: People,
  processSummary: Content("evaluation")
}).annotations({ identifier: "EvaluationHeld" })
/** @since 0.1.0 @category events */
export type EvaluationHeld = typeof EvaluationHeld.Type

/** The face-to-face closing discussion with the supervisor. @since 0.1.0 @category mentorship events */
export const ClosingDiscussionHeld = Schema.TaggedStruct("ClosingDiscussionHeld", {
  ...common,
  mentorshipId: MentorshipId,
  participantIds: People,
  durationMinutes: Minutes
}).annotations({ identifier: "ClosingDiscussionHeld" })
/** @since 0.1.0 @category events */
export type ClosingDiscussionHeld = typeof ClosingDiscussionHeld.Type

/** The mentor reported results to the ordering authority. @since 0.1.0 @category mentorship events */
export const ReportDelivered = Schema.TaggedStruct("ReportDelivered", {
  ...common,
  mentorshipId: MentorshipId,
  recipientId: PersonId,
  citedItems: Schema.Array(ContentRef),
  text: Content("report")
}).annotations({ identifier: "ReportDelivered" })
/** @since 0.1.0 @category events */
export type ReportDelivered = typeof ReportDelivered.Type

/** @since 0.1.0 @category mentorship events */
export const FollowUpScheduled = Schema.TaggedStruct("FollowUpScheduled", {
  ...common,
  mentorshipId: MentorshipId,
  dueOn: Timestamp
}).annotations({ identifier: "FollowUpScheduled" })
/** @since 0.1.0 @category events */
export type FollowUpScheduled = typeof FollowUpScheduled.Type

/** The mentor returned for the follow-up visit and reported it. @since 0.1.0 @category mentorship events */
export const FollowUpHeld = Schema.TaggedStruct("FollowUpHeld", {
  ...common,
  mentorshipId: MentorshipId,
  notes: Content("follow-up")
}).annotations({ identifier: "FollowUpHeld" })
/** @since 0.1.0 @category events */
export type FollowUpHeld = typeof FollowUpHeld.Type

/** @since 0.1.0 @category mentorship events */
export const MentorshipCompleted = Schema.TaggedStruct("MentorshipCompleted", {
  ...common,
  mentorshipId: MentorshipId
}).annotations({ identifier: "MentorshipCompleted" })
/** @since 0.1.0 @category events */
export type MentorshipCompleted = typeof MentorshipCompleted.Type

/** @since 0.1.0 @category mentorship events */
export const MentorshipWithdrawn = Schema.TaggedStruct("MentorshipWithdrawn", {
  ...common,
  mentorshipId: MentorshipId,
  reason: WithdrawalReason
}).annotations({ identifier: "MentorshipWithdrawn" })
/** @since 0.1.0 @category events */
export type MentorshipWithdrawn = typeof MentorshipWithdrawn.Type

/**
 * A person's personal data in this mentorship was erased (GDPR). Their
 * data key was shredded before this was recorded, so every piece of
 * content they own (or share, as a member of the pair) reads as erased;
 * the process facts stay countable. See docs/privacy.md.
 * @since 0.1.0
 * @category mentorship events
 */
export const PersonalDataErased = Schema.TaggedStruct("PersonalDataErased", {
  ...common,
  mentorshipId: MentorshipId,
  personId: PersonId
}).annotations({ identifier: "PersonalDataErased" })
/** @since 0.1.0 @category events */
export type PersonalDataErased = typeof PersonalDataErased.Type

/** @since 0.1.0 @category unions */
export const ProgrammeEvent = Schema.Union(
  ProgrammeLaunched,
  CoordinatorAppointed,
  TemplateDefined,
  MentorEnrolled,
  MentorTrainingCompleted,
  MentorsAssigned,
  MentorsReleased
)
/** @since 0.1.0 @category unions */
export type ProgrammeEvent = typeof ProgrammeEvent.Type

/** @since 0.1.0 @category unions */
export const MentorshipEvent = Schema.Union(
  MentoringRequested,
  MentorMatched,
  OpeningDiscussionHeld,
  SelfAssessmentSubmitted,
  AgreementSigned,
  ObservationRecorded,
  MeetingScheduled,
  MeetingHeld,
  MeetingCancelled,
  SummaryDrafted,
  SummaryAmended,
  SummaryFinalised,
  TaskAssigned,
  TaskCompleted,
  ConsentGiven,
  ConsentRevoked,
  EvaluationHeld,
  ClosingDiscussionHeld,
  ReportDelivered,
  FollowUpScheduled,
  FollowUpHeld,
  MentorshipCompleted,
  MentorshipWithdrawn,
  PersonalDataErased
)
/** @since 0.1.0 @category unions */
export type MentorshipEvent = typeof MentorshipEvent.Type

/** Every event of the catalogue. @since 0.1.0 @category unions */
export const Event = Schema.Union(ProgrammeEvent, MentorshipEvent)
/** @since 0.1.0 @category unions */
export type Event = typeof Event.Type
/** @since 0.1.0 @category unions */
export type EventType = Event["_tag"]

// ---------------------------------------------------------------------------
// Versions and upcasting
// ---------------------------------------------------------------------------

/**
 * The encoded shape of an event (what a store holds), without its `_tag`.
 * @since 0.1.0
 * @category versions
 */
export type EncodedPayload = { readonly [key: string]: unknown }

/**
 * An upcaster turns the encoded payload of version `from` into the encoded
 * payload of version `from + 1`. It is a schema transformation, so a
 * malformed old payload fails with a parse error naming the field.
 * @since 0.1.0
 * @category versions
 */
export interface Upcaster {
  readonly from: number
  readonly schema: Schema.Schema<EncodedPayload, any>
}

/**
 * One entry of the catalogue: the current schema version of an event
 * type, its schema, and the upcasters from every older version.
 * @since 0.1.0
 * @category versions
 */
export interface EventDefinition {
  readonly type: EventType
  readonly stream: "Programme" | "Mentorship"
  readonly version: number
  readonly schema: Schema.Schema<Event, any>
  readonly upcasters: ReadonlyArray<Upcaster>
}

const Common1 = { actor: Schema.encodedSchema(Actor), occurredAt: Schema.String }

/** MeetingHeld v1 had neither modality nor duration. */
const MeetingHeldV1 = Schema.Struct({
  ...Common1,
  mentorshipId: Schema.String,
  meetingId: Schema.String,
  planning: Schema.Boolean
})
const meetingHeldV1toV2: Upcaster = {
  from: 1,
  schema: Schema.transform(MeetingHeldV1, Schema.Record({ key: Schema.String, value: Schema.Unknown }), {
    strict: false,
    decode: (v1) => ({ ...v1, modality: "in-person", durationMinutes: 60 }),
    encode: (v2) => v2
  }) as unknown as Schema.Schema<EncodedPayload, any>
}

/** AgreementSigned v1 held the goals as one text. */
const AgreementSignedV1 = Schema.Struct({
  ...Common1,
  mentorshipId: Schema.String,
  goals: Schema.String,
  topics: Schema.Array(Schema.String),
  plannedMeetings: Schema.Number,
  cadenceDays: Schema.Number,
  confidentiality: Schema.Boolean,
  signatories: Schema.Array(Schema.String)
})
const agreementSignedV1toV2: Upcaster = {
  from: 1,
  schema: Schema.transform(AgreementSignedV1, Schema.Record({ key: Schema.String, value: Schema.Unknown }), {
    strict: false,
    decode: (v1) => ({
      ...v1,
      goals: v1.goals
        .split(/\r?\n/)
        .map((g) => g.trim())
        .filter((g) => g.length > 0)
    }),
    encode: (v2) => v2
  }) as unknown as Schema.Schema<EncodedPayload, any>
}

const define = (
  schema: Schema.Schema<any, any>,
  type: EventType,
  stream: EventDefinition["stream"],
  upcasters: ReadonlyArray<Upcaster> = []
): EventDefinition => ({
  type,
  stream,
  version: upcasters.length + 1,
  schema,
  upcasters
})

/**
 * The catalogue: every event type with its current version and upcasters.
 * @since 0.1.0
 * @category versions
 */
export const catalogue: ReadonlyMap<EventType, EventDefinition> = new Map(
  [
    define(ProgrammeLaunched, "ProgrammeLaunched", "Programme"),
    define(CoordinatorAppointed, "CoordinatorAppointed", "Programme"),
    define(TemplateDefined, "TemplateDefined", "Programme"),
    define(MentorEnrolled, "MentorEnrolled", "Programme"),
    define(MentorTrainingCompleted, "MentorTrainingCompleted", "Programme"),
    define(MentorsAssigned, "MentorsAssigned", "Programme"),
    define(MentorsReleased, "MentorsReleased", "Programme"),
    define(MentoringRequested, "MentoringRequested", "Mentorship"),
    define(MentorMatched, "MentorMatched", "Mentorship"),
    define(OpeningDiscussionHeld, "OpeningDiscussionHeld", "Mentorship"),
    define(SelfAssessmentSubmitted, "SelfAssessmentSubmitted", "Mentorship"),
    define(AgreementSigned, "AgreementSigned", "Mentorship", [agreementSignedV1toV2]),
    define(ObservationRecorded, "ObservationRecorded", "Mentorship"),
    define(MeetingScheduled, "MeetingScheduled", "Mentorship"),
    define(MeetingHeld, "MeetingHeld", "Mentorship", [meetingHeldV1toV2]),
    define(MeetingCancelled, "MeetingCancelled", "Mentorship"),
    define(SummaryDrafted, "SummaryDrafted", "Mentorship"),
    define(SummaryAmended, "SummaryAmended", "Mentorship"),
    define(SummaryFinalised, "SummaryFinalised", "Mentorship"),
    define(TaskAssigned, "TaskAssigned", "Mentorship"),
    define(TaskCompleted, "TaskCompleted", "Mentorship"),
    define(ConsentGiven, "ConsentGiven", "Mentorship"),
    define(ConsentRevoked, "ConsentRevoked", "Mentorship"),
    define(EvaluationHeld, "EvaluationHeld", "Mentorship"),
    define(ClosingDiscussionHeld, "ClosingDiscussionHeld", "Mentorship"),
    define(ReportDelivered, "ReportDelivered", "Mentorship"),
    define(FollowUpScheduled, "FollowUpScheduled", "Mentorship"),
    define(FollowUpHeld, "FollowUpHeld", "Mentorship"),
    define(MentorshipCompleted, "MentorshipCompleted", "Mentorship"),
    define(MentorshipWithdrawn, "MentorshipWithdrawn", "Mentorship"),
    define(PersonalDataErased, "PersonalDataErased", "Mentorship")
  ].map((d) => [d.type, d] as const)
)

/** Every event type name. @since 0.1.0 @category versions */
export const eventTypes: ReadonlyArray<EventType> = [...catalogue.keys()]
