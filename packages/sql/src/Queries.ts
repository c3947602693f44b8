/**
 * Query functions over the read models that return only what the viewer's
 * role may see (PRODUCT.md, Confidentiality):
 *
 * | role | mentorships | content (summaries, amendments, tasks, follow-up notes) |
 * |---|---|---|
 * | mentor, mentee | those they take part in, in that role | all of it |
 * | supervisor | those they supervise | only items every mentee they belong to consented to share |
 * | coordinator | those of the programmes they coordinate | none |
 * | support-team | all of the organisation | none |
 * | analyst | all of the organisation, pseudonymised | none |
 *
 * Content the viewer may not see is absent from the returned objects (the
 * property is not there), never `null` with a flag. Process facts (phases,
 * dates, counts, who takes part) are shown to every role that sees the
 * mentorship; analysts get no person ids: each is replaced by the caller's
 * keyed hash ({@link Options.pseudonymise}), or left out.
 *
 * Content reaches a viewer through one function, {@link Options.reveal}:
 * it is given the value as the event holds it (with the event and field it
 * comes from) and returns what the viewer reads.
 *
 * @example
 * import { Effect } from "effect"
 * import { Queries } from "@mentor-ledger/sql"
 * const queries = Queries.make(journal)
 * const mine = yield* queries.mentorshipsFor({ personId: mentorId, role: "mentor" })
 * const notes = yield* queries.summaries({ personId: supervisorId, role: "supervisor" }, mentorshipId)
 *
 * @since 0.1.0
 */
import type { Content, EventJournal, Events, KeyStore, Roles, Template } from "@mentor-ledger/core"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as internal from "./internal/queries.js"
import * as revealInternal from "./internal/reveal.js"
import type { SqlEventJournal } from "./Journal.js"
import type { ProjectionError } from "./Projection.js"

/**
 * Who is looking: a person in a role, in an organisation (default: the
 * queries' organisation).
 * @since 0.1.0
 * @category models
 */
export interface Viewer {
  readonly personId: string
  readonly role: Roles.Role
  readonly organisation?: string
}

/**
 * A content value as a read model holds it, with the place it comes from:
 * the event and field whose value it is (sealed content is bound to them).
 * @since 0.1.0
 * @category content
 */
export interface ContentCell {
  /** The value as the event holds it. */
  readonly value: string
  readonly kind: Content.ContentKind
  readonly organisation: string
  /** The stream, e.g. `mentorship-0190…`. */
  readonly stream: string
  readonly eventId: string
  readonly eventType: Events.EventType
  /** Persons the mentorship records as erased (their content stays closed). */
  readonly erased: ReadonlyArray<string>
  /** The field of the event, e.g. `text`. */
  readonly path: string
}

/**
 * Turns a content value the viewer may see into what they read (`None`:
 * nothing to show, e.g. erased).
 * @since 0.1.0
 * @category content
 */
export type Reveal = (
  cell: ContentCell,
  viewer: Viewer
) => Effect.Effect<Option.Option<string>, EventJournal.StoreError>

/**
 * The value as the event holds it, unopened: for tests, or a host that
 * opens sealed content itself.
 * @since 0.1.0
 * @category content
 */
export const revealStored: Reveal = (cell) => Effect.succeed(Option.some(cell.value))

/**
 * The default {@link Reveal}: opens content sealed by the core's `Privacy`
 * (`Privacy.openSealed`) with the key store. `None` once an owner's key
 * was erased, without a key store, or for a value that does not open.
 * @since 0.1.0
 * @category content
 */
export const revealWith = (keys: KeyStore.KeyStoreService | undefined): Reveal => revealInternal.reveal(keys)

/** @since 0.1.0 @category models */
export interface Options {
  /** The organisation of viewers that name none (default `default`). */
  readonly organisation?: string
  /**
   * A keyed hash for analysts: person and mentorship ids are replaced by
   * its result. Without it, analysts get no person ids at all.
   */
  readonly pseudonymise?: (id: string) => string
  /** The key store that opens sealed content (the one the ledger writes with). */
  readonly keys?: KeyStore.KeyStoreService
  /** How content becomes readable for a viewer who may see it (default: {@link revealWith} the `keys`). */
  readonly reveal?: Reveal
}

/** What a query can fail with (`ProjectionError` `NotFound`: the read models are not set up). @since 0.1.0 @category errors */
export type QueryError = EventJournal.StoreError | ProjectionError

/** @since 0.1.0 @category views */
export interface Participant {
  /** Absent for analysts without a pseudonymiser. */
  readonly personId?: string
  readonly role: "mentee" | "mentor" | "supervisor"
  readonly since: Date
  readonly erased: boolean
}

/** A mentorship's process facts. @since 0.1.0 @category views */
export interface Mentorship {
  readonly mentorshipId: string
  readonly programmeId: string
  readonly templateId: string
  readonly templateName: string
  readonly phase: Template.Phase
  /** Absent for analysts without a pseudonymiser. */
  readonly participants?: ReadonlyArray<Participant>
  readonly mentees: number
  readonly mentors: number
  readonly requestedAt: Date
  readonly matchedAt: Date | null
  readonly openingAt: Date | null
  readonly agreementAt: Date | null
  readonly plannedMeetings: number | null
  readonly cadenceDays: number | null
  readonly firstMeetingAt: Date | null
  readonly lastMeetingAt: Date | null
  readonly meetingsHeld: number
  readonly meetingsScheduled: number
  readonly meetingsCancelled: number
  readonly nextMeetingAt: Date | null
  readonly nextMeetingDue: Date | null
  readonly tasksAssigned: number
  readonly tasksCompleted: number
  readonly evaluationAt: Date | null
  readonly closingAt: Date | null
  readonly reportAt: Date | null
  readonly followUpDue: Date | null
  readonly followUpHeldAt: Date | null
  readonly completedAt: Date | null
  readonly withdrawnAt: Date | null
  readonly withdrawalReason: string | null
  readonly outcome: "completed" | "withdrawn" | null
  readonly lastEventAt: Date
  readonly version: number
}

/** @since 0.1.0 @category views */
export interface Meeting {
  readonly meetingId: string
  readonly status: "scheduled" | "held" | "cancelled"
  readonly modality: string
  readonly scheduledAt: Date | null
  readonly scheduledFor: Date | null
  readonly heldAt: Date | null
  readonly number: number | null
  readonly durationMinutes: number | null
  readonly planning: boolean | null
  readonly cancelledAt: Date | null
  readonly cancellationReason: string | null
}

/** @since 0.1.0 @category views */
export interface Amendment {
  readonly menteeId?: string
  readonly amendedAt: Date
  /** Present only for a viewer who may read it. */
  readonly text?: string
}

/** @since 0.1.0 @category views */
export interface Summary {
  readonly meetingId: string
  readonly status: "drafted" | "finalised"
  readonly draftedBy?: string
  readonly draftedAt: Date
  readonly finalisedAt: Date | null
  readonly lastAmendedAt: Date | null
  /** Every mentee consented to share the summary with the supervisor. */
  readonly shared: boolean
  /** Every mentee who amended it consented to share the amendments. */
  readonly amendmentsShared: boolean
  /** Present only for a viewer who may read it. */
  readonly text?: string
  readonly amendments: ReadonlyArray<Amendment>
}

/** @since 0.1.0 @category views */
export interface Assignee {
  readonly menteeId?: string
  readonly completedAt: Date | null
  /** Present only for a viewer who may read it. */
  readonly reflection?: string
}

/** @since 0.1.0 @category views */
export interface Task {
  readonly taskId: string
  readonly assignedBy?: string
  readonly assignedAt: Date
  readonly dueOn: Date | null
  readonly completedAt: Date | null
  /** Every assignee consented to share the task with the supervisor. */
  readonly shared: boolean
  /** Present only for a viewer who may read it. */
  readonly description?: string
  readonly assignees: ReadonlyArray<Assignee>
}

/** @since 0.1.0 @category views */
export interface FollowUp {
  readonly mentorshipId: string
  readonly programmeId: string
  readonly status: "scheduled" | "held" | "cancelled"
  readonly scheduledAt: Date
  readonly dueOn: Date
  readonly heldAt: Date | null
  /** Present only for the mentors and mentees. */
  readonly notes?: string
}

/** @since 0.1.0 @category views */
export interface MentorLoad {
  readonly programmeId: string
  readonly mentorId?: string
  readonly capacity: number
  readonly assigned: number
  readonly free: number
  readonly courses: number
  /** Whether the mentor completed a training course (and so can be matched). */
  readonly trained: boolean
  readonly enrolledAt: Date
  readonly lastTrainedAt: Date | null
}

/** @since 0.1.0 @category views */
export interface Statistics {
  readonly programmeId: string
  readonly templateId: string
  /** Mentorships now in each phase (phases never reached are absent). */
  readonly phases: Readonly<Partial<Record<Template.Phase, number>>>
  /** Every mentorship ever requested. */
  readonly total: number
  readonly completed: number
  readonly withdrawn: number
  /** Neither completed nor withdrawn. */
  readonly running: number
}

/** @since 0.1.0 @category models */
export interface MentorshipFilter {
  readonly programmeId?: string
  readonly phase?: Template.Phase
}

/**
 * The query functions.
 * @since 0.1.0
 * @category models
 */
export interface QueriesService {
  /** The mentorships the viewer may see. */
  readonly mentorshipsFor: (
    viewer: Viewer,
    filter?: MentorshipFilter
  ) => Effect.Effect<ReadonlyArray<Mentorship>, QueryError>
  /** One mentorship, if the viewer may see it. */
  readonly mentorship: (
    viewer: Viewer,
    mentorshipId: string
  ) => Effect.Effect<Option.Option<Mentorship>, QueryError>
  /** Its meetings (process facts), in the order they happened or are planned. */
  readonly meetings: (
    viewer: Viewer,
    mentorshipId: string
  ) => Effect.Effect<ReadonlyArray<Meeting>, QueryError>
  /** Its meeting summaries, with text and amendments where the viewer may read them. */
  readonly summaries: (
    viewer: Viewer,
    mentorshipId: string
  ) => Effect.Effect<ReadonlyArray<Summary>, QueryError>
  /** Its between-meeting tasks, with description and reflections where the viewer may read them. */
  readonly tasks: (viewer: Viewer, mentorshipId: string) => Effect.Effect<ReadonlyArray<Task>, QueryError>
  /** Its follow-up visit, with notes for the mentors and mentees. */
  readonly followUp: (
    viewer: Viewer,
    mentorshipId: string
  ) => Effect.Effect<Option.Option<FollowUp>, QueryError>
  /** Follow-up visits due by `asOf` and not held, of the mentorships the viewer may see. */
  readonly followUpsDue: (viewer: Viewer, asOf: Date) => Effect.Effect<ReadonlyArray<FollowUp>, QueryError>
  /**
   * A programme's mentor pool, for matching: its coordinators and the
   * support team see every mentor, analysts pseudonymised, a mentor their
   * own row; nobody else sees any.
   */
  readonly mentorLoad: (
    viewer: Viewer,
    programmeId: string
  ) => Effect.Effect<ReadonlyArray<MentorLoad>, QueryError>
  /**
   * Counts per programme and template (no person data): for coordinators
   * (their programmes), the support team and analysts (all).
   */
  readonly programmeStatistics: (
    viewer: Viewer,
    programmeId?: string
  ) => Effect.Effect<ReadonlyArray<Statistics>, QueryError>
}

/**
 * The query functions as a service (SQL adapters provide it).
 * @since 0.1.0
 * @category services
 */
export class Queries extends Context.Tag("@mentor-ledger/sql/Queries")<Queries, QueriesService>() {}

/**
 * The query functions on an SQL journal's database; they read each
 * projection's current version.
 * @since 0.1.0
 * @category constructors
 */
export const make = (journal: SqlEventJournal, options: Options = {}): QueriesService =>
  internal.make(journal, options)

/**
 * The query functions for code that does not use Effect: Promises that
 * reject with the typed error; `undefined` where the Effect form gives
 * `Option.none()`.
 * @since 0.1.0
 * @category models
 */
export interface PromiseQueries {
  readonly mentorshipsFor: (viewer: Viewer, filter?: MentorshipFilter) => Promise<ReadonlyArray<Mentorship>>
  readonly mentorship: (viewer: Viewer, mentorshipId: string) => Promise<Mentorship | undefined>
  readonly meetings: (viewer: Viewer, mentorshipId: string) => Promise<ReadonlyArray<Meeting>>
  readonly summaries: (viewer: Viewer, mentorshipId: string) => Promise<ReadonlyArray<Summary>>
  readonly tasks: (viewer: Viewer, mentorshipId: string) => Promise<ReadonlyArray<Task>>
  readonly followUp: (viewer: Viewer, mentorshipId: string) => Promise<FollowUp | undefined>
  readonly followUpsDue: (viewer: Viewer, asOf: Date) => Promise<ReadonlyArray<FollowUp>>
  readonly mentorLoad: (viewer: Viewer, programmeId: string) => Promise<ReadonlyArray<MentorLoad>>
  readonly programmeStatistics: (viewer: Viewer, programmeId?: string) => Promise<ReadonlyArray<Statistics>>
}

/**
 * The Promise form of the query functions.
 *
 * @example
 * import { Queries } from "@mentor-ledger/sql"
 * const queries = Queries.toPromise(Queries.make(journal))
 * const rows = await queries.meetings({ personId, role: "supervisor" }, mentorshipId)
 * @since 0.1.0
 * @category constructors
 */
export const toPromise = (queries: QueriesService): PromiseQueries => internal.toPromise(queries)
