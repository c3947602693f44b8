import { type Content, EventStore, type Events, type Template } from "@mentor-ledger/core"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import type { CompiledQuery, SelectQueryBuilder } from "kysely"
import type { Row } from "../Executor.js"
import type { SqlEventJournal } from "../Journal.js"
import { ProjectionError } from "../Projection.js"
import type * as Q from "../Queries.js"
import { storeError } from "./errors.js"
import * as mentorshipsProjection from "./mentorships.js"
import * as programmesProjection from "./programmes.js"
import { tableName } from "./runtime.js"
import { reveal as revealWith } from "./reveal.js"
import * as Run from "./steps.js"

// ---------------------------------------------------------------------------
// Who sees what
// ---------------------------------------------------------------------------

/**
 * What a viewer may see of one mentorship:
 * - `pair`: everything (its mentors and mentees);
 * - `supervisor`: process facts, and content every owner consented to share;
 * - `facts`: process facts only (coordinators, support team, an erased participant);
 * - `pseudonymous`: process facts without person ids (analysts).
 */
export type Access = "pair" | "supervisor" | "facts" | "pseudonymous"

export interface ParticipantRow {
  readonly role: string
  readonly person_id: string
  readonly erased_at: string | null
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase()

/** The access of a viewer to a mentorship (undefined: none). Pure. */
export const accessTo = (
  viewer: Q.Viewer,
  participants: ReadonlyArray<ParticipantRow>,
  coordinates: boolean
): Access | undefined => {
  switch (viewer.role) {
    case "mentor":
    case "mentee":
    case "supervisor": {
      const own = participants.find((p) => p.role === viewer.role && same(p.person_id, viewer.personId))
      if (own === undefined) return undefined
      // Like the core's Visibility: an erased participant sees no content.
      if (own.erased_at !== null) return "facts"
      return viewer.role === "supervisor" ? "supervisor" : "pair"
    }
    case "coordinator":
      return coordinates ? "facts" : undefined
    case "support-team":
      return "facts"
    case "analyst":
      return "pseudonymous"
  }
}

/** Whether content of an item may be shown: to the pair always, to the supervisor when shared. Pure. */
export const mayRead = (access: Access, shared: boolean): boolean =>
  access === "pair" || (access === "supervisor" && shared)

// ---------------------------------------------------------------------------
// Rows to views
// ---------------------------------------------------------------------------

const date = (v: unknown): Date | null => (v === null || v === undefined ? null : new Date(String(v)))
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v))

export const make = (journal: SqlEventJournal, options: Q.Options): Q.QueriesService => {
  const { db } = journal
  const prefix = journal.tables.prefix
  const defaultOrganisation = options.organisation ?? "default"
  const reveal = options.reveal ?? revealWith(options.keys)
  const pseudonymise = options.pseudonymise
  const orgOf = (viewer: Q.Viewer) => viewer.organisation ?? defaultOrganisation

  const run = (query: CompiledQuery): Effect.Effect<ReadonlyArray<Row>, Q.QueryError> =>
    Run.run(
      function* (): Run.Steps<ReadonlyArray<Row>> {
        return yield query
      },
      journal.executor,
      (thrown) => thrown
    ).pipe(
      Effect.catchAll((e) =>
        Effect.fail(
          e instanceof ProjectionError
            ? e
            : storeError(
                journal.dialect,
                journal.tables,
                "cannot query the read models",
                (e as { cause?: unknown }).cause ?? e
              )
        )
      )
    )

  // -- table names of each projection's current version ---------------------

  const currentTable = `${prefix}rm_current`
  const names = Effect.gen(function* () {
    const rows = yield* run(db.selectFrom(currentTable).select(["projection", "version"]).compile()).pipe(
      Effect.catchTag("StoreError", (e) =>
        Effect.fail(
          new ProjectionError({
            reason: "NotFound",
            projection: "",
            message: `the read models are not set up (${e.message})`,
            cause: e
          })
        )
      )
    )
    const version = (name: string) => {
      const row = rows.find((r) => r.projection === name)
      return row === undefined ? undefined : Number(row.version)
    }
    const m = version(mentorshipsProjection.name)
    const p = version(programmesProjection.name)
    if (m === undefined || p === undefined) {
      return yield* new ProjectionError({
        reason: "NotFound",
        projection: m === undefined ? mentorshipsProjection.name : programmesProjection.name,
        message:
          "the read models are not set up: open the store with projections, or run the projection runtime's setup"
      })
    }
    const name = (t: string, v: number) => tableName(prefix, t, v)
    return {
      mentorships: name("mentorships", m),
      participants: name("participants", m),
      meetings: name("meetings", m),
      summaries: name("summaries", m),
      amendments: name("summary_amendments", m),
      tasks: name("tasks", m),
      assignees: name("task_assignees", m),
      followUps: name("follow_ups", m),
      statistics: name("programme_statistics", m),
      coordinators: name("coordinators", p),
      mentorLoad: name("mentor_load", p)
    }
  })
  type Names = Effect.Effect.Success<typeof names>

  // -- person ids -----------------------------------------------------------

  /** A person id as this viewer may see it: itself, its pseudonym, or nothing. */
  const person = (access: Access, id: string): { readonly id?: string } => {
    if (access !== "pseudonymous") return { id }
    return pseudonymise === undefined ? {} : { id: pseudonymise(id) }
  }
  const mentorshipIdFor = (access: Access, id: string) =>
    access === "pseudonymous" && pseudonymise !== undefined ? pseudonymise(id) : id

  const content = (
    viewer: Q.Viewer,
    organisation: string,
    mentorshipId: string,
    erased: ReadonlyArray<string>,
    kind: Content.ContentKind,
    eventType: Events.EventType,
    path: string,
    value: unknown,
    eventId: unknown
  ): Effect.Effect<Option.Option<string>, Q.QueryError> =>
    typeof value !== "string" || typeof eventId !== "string"
      ? Effect.succeed(Option.none())
      : reveal(
          {
            value,
            kind,
            organisation,
            stream: EventStore.streamName({
              organisation: organisation as never,
              type: "Mentorship",
              id: mentorshipId
            }),
            eventId,
            eventType,
            path,
            erased
          },
          viewer
        )
  const withContent = <K extends string>(
    key: K,
    revealed: Option.Option<string>
  ): { readonly [P in K]?: string } =>
    (Option.isSome(revealed) ? { [key]: revealed.value } : {}) as { readonly [P in K]?: string }

  // -- one mentorship and the viewer's access to it ---------------------------

  const coordinates = (t: Names, organisation: string, programmeId: string, personId: string) =>
    Effect.map(
      run(
        db
          .selectFrom(t.coordinators)
          .select("person_id")
          .where("organisation", "=", organisation)
          .where("programme_id", "=", programmeId)
          .where("person_id", "in", idForms(personId))
          .compile()
      ),
      (rows) => rows.length > 0
    )

  const participantsOf = (t: Names, organisation: string, ids: ReadonlyArray<string>) =>
    ids.length === 0
      ? Effect.succeed(new Map<string, Array<Row>>())
      : Effect.map(
          Effect.forEach(chunks(ids, 500), (part) =>
            run(
              db
                .selectFrom(t.participants)
                .selectAll()
                .where("organisation", "=", organisation)
                .where("mentorship_id", "in", part)
                .orderBy("mentorship_id")
                .orderBy("role")
                .orderBy("since")
                .orderBy("person_id")
                .compile()
            )
          ),
          (parts) => {
            const by = new Map<string, Array<Row>>()
            for (const rows of parts)
              for (const r of rows) {
                const id = r.mentorship_id as string
                let list = by.get(id)
                if (list === undefined) {
                  list = []
                  by.set(id, list)
                }
                list.push(r)
              }
            return by
          }
        )

  /** The mentorship row, its participants and the viewer's access (none: not visible). */
  const open = (viewer: Q.Viewer, mentorshipId: string) =>
    Effect.gen(function* () {
      const t = yield* names
      const organisation = orgOf(viewer)
      const [row] = yield* run(
        db
          .selectFrom(t.mentorships)
          .selectAll()
          .where("organisation", "=", organisation)
          .where("mentorship_id", "=", mentorshipId)
          .compile()
      )
      if (row === undefined) return Option.none()
      const participants = (yield* participantsOf(t, organisation, [mentorshipId])).get(mentorshipId) ?? []
      const coordinator =
        viewer.role === "coordinator" &&
        (yield* coordinates(t, organisation, row.programme_id as string, viewer.personId))
      const access = accessTo(viewer, participants as unknown as ReadonlyArray<ParticipantRow>, coordinator)
      const erased = participants.filter((p) => p.erased_at !== null).map((p) => p.person_id as string)
      return access === undefined
        ? Option.none()
        : Option.some({ t, organisation, row, participants, access, erased })
    })

  const mentorshipView = (row: Row, participants: ReadonlyArray<Row>, access: Access): Q.Mentorship => {
    const people =
      access === "pseudonymous" && pseudonymise === undefined
        ? {}
        : {
            participants: participants.map(
              (p): Q.Participant => ({
                ...personField("personId", person(access, p.person_id as string)),
                role: p.role as Q.Participant["role"],
                since: new Date(p.since as string),
                erased: p.erased_at !== null
              })
            )
          }
    return {
      mentorshipId: mentorshipIdFor(access, row.mentorship_id as string),
      programmeId: row.programme_id as string,
      templateId: row.template_id as string,
      templateName: row.template_name as string,
      phase: row.phase as Template.Phase,
      ...people,
      mentees: Number(row.mentees),
      mentors: Number(row.mentors),
      requestedAt: new Date(row.requested_at as string),
      matchedAt: date(row.matched_at),
      openingAt: date(row.opening_at),
      agreementAt: date(row.agreement_at),
      plannedMeetings: num(row.planned_meetings),
      cadenceDays: num(row.cadence_days),
      firstMeetingAt: date(row.first_meeting_at),
      lastMeetingAt: date(row.last_meeting_at),
      meetingsHeld: Number(row.meetings_held),
      meetingsScheduled: Number(row.meetings_scheduled),
      meetingsCancelled: Number(row.meetings_cancelled),
      nextMeetingAt: date(row.next_meeting_at),
      nextMeetingDue: date(row.next_meeting_due),
      tasksAssigned: Number(row.tasks_assigned),
      tasksCompleted: Number(row.tasks_completed),
      evaluationAt: date(row.evaluation_at),
      closingAt: date(row.closing_at),
      reportAt: date(row.report_at),
      followUpDue: date(row.follow_up_due),
      followUpHeldAt: date(row.follow_up_held_at),
      completedAt: date(row.completed_at),
      withdrawnAt: date(row.withdrawn_at),
      withdrawalReason: (row.withdrawal_reason as string | null) ?? null,
      outcome: (row.outcome as Q.Mentorship["outcome"]) ?? null,
      lastEventAt: new Date(row.last_event_at as string),
      version: Number(row.version)
    }
  }

  // -- the mentorships a viewer may see, as a query over `m` --------------------

  const scoped = (t: Names, viewer: Q.Viewer, query: SelectQueryBuilder<any, any, any>) => {
    const organisation = orgOf(viewer)
    let q = query.where("m.organisation", "=", organisation)
    switch (viewer.role) {
      case "mentor":
      case "mentee":
      case "supervisor":
        q = q.where((eb) =>
          eb.exists(
            eb
              .selectFrom(`${t.participants} as p`)
              .select(eb.lit(1).as("one"))
              .whereRef("p.organisation", "=", "m.organisation")
              .whereRef("p.mentorship_id", "=", "m.mentorship_id")
              .where("p.role", "=", viewer.role)
              .where("p.person_id", "in", idForms(viewer.personId))
          )
        )
        break
      case "coordinator":
        q = q.where((eb) =>
          eb.exists(
            eb
              .selectFrom(`${t.coordinators} as c`)
              .select(eb.lit(1).as("one"))
              .whereRef("c.organisation", "=", "m.organisation")
              .whereRef("c.programme_id", "=", "m.programme_id")
              .where("c.person_id", "in", idForms(viewer.personId))
          )
        )
        break
      default:
        break
    }
    return q
  }

  const mentorshipsFor = (viewer: Q.Viewer, filter: Q.MentorshipFilter = {}) =>
    Effect.gen(function* () {
      const t = yield* names
      let query = scoped(t, viewer, db.selectFrom(`${t.mentorships} as m`).selectAll("m"))
      if (filter.programmeId !== undefined) query = query.where("m.programme_id", "=", filter.programmeId)
      if (filter.phase !== undefined) query = query.where("m.phase", "=", filter.phase)
      const rows = yield* run(query.orderBy("m.requested_at").orderBy("m.mentorship_id").compile())
      const organisation = orgOf(viewer)
      const participants = yield* participantsOf(
        t,
        organisation,
        rows.map((r) => r.mentorship_id as string)
      )
      const out: Array<Q.Mentorship> = []
      for (const row of rows) {
        const ps = participants.get(row.mentorship_id as string) ?? []
        // The SQL scope chose the rows; the access is decided as for one mentorship.
        const access = accessTo(
          viewer,
          ps as unknown as ReadonlyArray<ParticipantRow>,
          viewer.role === "coordinator"
        )
        if (access !== undefined) out.push(mentorshipView(row, ps, access))
      }
      return out as ReadonlyArray<Q.Mentorship>
    })

  const mentorship = (viewer: Q.Viewer, mentorshipId: string) =>
    Effect.map(
      open(viewer, mentorshipId),
      Option.map((o) => mentorshipView(o.row, o.participants, o.access))
    )

  const meetings = (viewer: Q.Viewer, mentorshipId: string) =>
    Effect.gen(function* () {
      const opened = yield* open(viewer, mentorshipId)
      if (Option.isNone(opened)) return []
      const { t, organisation } = opened.value
      const rows = yield* run(
        db
          .selectFrom(t.meetings)
          .selectAll()
          .where("organisation", "=", organisation)
          .where("mentorship_id", "=", mentorshipId)
          .orderBy((eb) => eb.fn.coalesce("held_at", "scheduled_for", "cancelled_at"))
          .orderBy("meeting_id")
          .compile()
      )
      return rows.map(
        (r): Q.Meeting => ({
          meetingId: r.meeting_id as string,
          status: r.status as Q.Meeting["status"],
          modality: r.modality as string,
          scheduledAt: date(r.scheduled_at),
          scheduledFor: date(r.scheduled_for),
          heldAt: date(r.held_at),
          number: num(r.number),
          durationMinutes: num(r.duration_minutes),
          planning: r.planning === null || r.planning === undefined ? null : Number(r.planning) === 1,
          cancelledAt: date(r.cancelled_at),
          cancellationReason: (r.cancellation_reason as string | null) ?? null
        })
      )
    })

  const summaries = (viewer: Q.Viewer, mentorshipId: string) =>
    Effect.gen(function* () {
      const opened = yield* open(viewer, mentorshipId)
      if (Option.isNone(opened)) return []
      const { t, organisation, access, erased } = opened.value
      const rows = yield* run(
        db
          .selectFrom(t.summaries)
          .selectAll()
          .where("organisation", "=", organisation)
          .where("mentorship_id", "=", mentorshipId)
          .orderBy("drafted_at")
          .orderBy("meeting_id")
          .compile()
      )
      const amendmentRows = yield* run(
        db
          .selectFrom(t.amendments)
          .selectAll()
          .where("organisation", "=", organisation)
          .where("mentorship_id", "=", mentorshipId)
          .orderBy("version")
          .compile()
      )
      return yield* Effect.forEach(rows, (r) =>
        Effect.gen(function* () {
          const shared = Number(r.shared) === 1
          const amendmentsShared = Number(r.amendments_shared) === 1
          const text = mayRead(access, shared)
            ? yield* content(
                viewer,
                organisation,
                mentorshipId,
                erased,
                "summary",
                "SummaryDrafted",
                "text",
                r.text,
                r.text_event_id
              )
            : Option.none()
          const amendments = yield* Effect.forEach(
            amendmentRows.filter((a) => a.meeting_id === r.meeting_id),
            (a) =>
              Effect.map(
                mayRead(access, amendmentsShared)
                  ? content(
                      viewer,
                      organisation,
                      mentorshipId,
                      erased,
                      "amendment",
                      "SummaryAmended",
                      "text",
                      a.text,
                      a.event_id
                    )
                  : Effect.succeed(Option.none<string>()),
                (revealed): Q.Amendment => ({
                  ...personField("menteeId", person(access, a.mentee_id as string)),
                  amendedAt: new Date(a.amended_at as string),
                  ...withContent("text", revealed)
                })
              )
          )
          return {
            meetingId: r.meeting_id as string,
            status: r.status as Q.Summary["status"],
            ...personField("draftedBy", person(access, r.drafted_by as string)),
            draftedAt: new Date(r.drafted_at as string),
            finalisedAt: date(r.finalised_at),
            lastAmendedAt: date(r.last_amended_at),
            shared,
            amendmentsShared,
            ...withContent("text", text),
            amendments
          } satisfies Q.Summary as Q.Summary
        })
      )
    })

  const tasks = (viewer: Q.Viewer, mentorshipId: string) =>
    Effect.gen(function* () {
      const opened = yield* open(viewer, mentorshipId)
      if (Option.isNone(opened)) return []
      const { t, organisation, access, erased } = opened.value
      const rows = yield* run(
        db
          .selectFrom(t.tasks)
          .selectAll()
          .where("organisation", "=", organisation)
          .where("mentorship_id", "=", mentorshipId)
          .orderBy("assigned_at")
          .orderBy("task_id")
          .compile()
      )
      const assigneeRows = yield* run(
        db
          .selectFrom(t.assignees)
          .selectAll()
          .where("organisation", "=", organisation)
          .where("mentorship_id", "=", mentorshipId)
          .orderBy("task_id")
          .orderBy("mentee_id")
          .compile()
      )
      return yield* Effect.forEach(rows, (r) =>
        Effect.gen(function* () {
          const shared = Number(r.shared) === 1
          const readable = mayRead(access, shared)
          const description = readable
            ? yield* content(
                viewer,
                organisation,
                mentorshipId,
                erased,
                "task",
                "TaskAssigned",
                "description",
                r.description,
                r.description_event_id
              )
            : Option.none()
          const assignees = yield* Effect.forEach(
            assigneeRows.filter((a) => a.task_id === r.task_id),
            (a) =>
              Effect.map(
                readable
                  ? content(
                      viewer,
                      organisation,
                      mentorshipId,
                      erased,
                      "task",
                      "TaskCompleted",
                      "reflection",
                      a.reflection,
                      a.reflection_event_id
                    )
                  : Effect.succeed(Option.none<string>()),
                (revealed): Q.Assignee => ({
                  ...personField("menteeId", person(access, a.mentee_id as string)),
                  completedAt: date(a.completed_at),
                  ...withContent("reflection", revealed)
                })
              )
          )
          return {
            taskId: r.task_id as string,
            ...personField("assignedBy", person(access, r.assigned_by as string)),
            assignedAt: new Date(r.assigned_at as string),
            dueOn: date(r.due_on),
            completedAt: date(r.completed_at),
            shared,
            ...withContent("description", description),
            assignees
          } satisfies Q.Task as Q.Task
        })
      )
    })

  const followUpView = (r: Row, access: Access, notes: Option.Option<string>): Q.FollowUp => ({
    mentorshipId: mentorshipIdFor(access, r.mentorship_id as string),
    programmeId: r.programme_id as string,
    status: r.status as Q.FollowUp["status"],
    scheduledAt: new Date(r.scheduled_at as string),
    dueOn: new Date(r.due_on as string),
    heldAt: date(r.held_at),
    ...withContent("notes", notes)
  })

  const followUp = (viewer: Q.Viewer, mentorshipId: string) =>
    Effect.gen(function* () {
      const opened = yield* open(viewer, mentorshipId)
      if (Option.isNone(opened)) return Option.none()
      const { t, organisation, access, row, erased } = opened.value
      const [r] = yield* run(
        db
          .selectFrom(t.followUps)
          .selectAll()
          .where("organisation", "=", organisation)
          .where("mentorship_id", "=", mentorshipId)
          .compile()
      )
      if (r === undefined) return Option.none()
      // Follow-up notes are for the mentoring pair only: they cannot be shared.
      const notes =
        access === "pair"
          ? yield* content(
              viewer,
              organisation,
              mentorshipId,
              erased,
              "follow-up",
              "FollowUpHeld",
              "notes",
              r.notes,
              r.notes_event_id
            )
          : Option.none()
      return Option.some(followUpView({ ...r, programme_id: row.programme_id }, access, notes))
    })

  const followUpsDue = (viewer: Q.Viewer, asOf: Date) =>
    Effect.gen(function* () {
      const t = yield* names
      const rows = yield* run(
        scoped(
          t,
          viewer,
          db
            .selectFrom(`${t.mentorships} as m`)
            .innerJoin(`${t.followUps} as f`, (join) =>
              join
                .onRef("f.organisation", "=", "m.organisation")
                .onRef("f.mentorship_id", "=", "m.mentorship_id")
            )
            .select([
              "f.mentorship_id",
              "m.programme_id",
              "f.status",
              "f.scheduled_at",
              "f.due_on",
              "f.held_at"
            ])
        )
          .where("f.status", "=", "scheduled")
          .where("f.due_on", "<=", asOf.toISOString())
          .orderBy("f.due_on")
          .orderBy("f.mentorship_id")
          .compile()
      )
      const access: Access = viewer.role === "analyst" ? "pseudonymous" : "facts"
      return rows.map((r) => followUpView(r, access, Option.none()))
    })

  const mentorLoad = (viewer: Q.Viewer, programmeId: string) =>
    Effect.gen(function* () {
      const t = yield* names
      const organisation = orgOf(viewer)
      let query = db
        .selectFrom(t.mentorLoad)
        .selectAll()
        .where("organisation", "=", organisation)
        .where("programme_id", "=", programmeId)
      switch (viewer.role) {
        case "coordinator":
          if (!(yield* coordinates(t, organisation, programmeId, viewer.personId))) return []
          break
        case "support-team":
        case "analyst":
          break
        case "mentor":
          query = query.where("mentor_id", "in", idForms(viewer.personId))
          break
        default:
          return []
      }
      const access: Access = viewer.role === "analyst" ? "pseudonymous" : "facts"
      const rows = yield* run(query.orderBy("mentor_id").compile())
      return rows.map(
        (r): Q.MentorLoad => ({
          programmeId: r.programme_id as string,
          ...personField("mentorId", person(access, r.mentor_id as string)),
          capacity: Number(r.capacity),
          assigned: Number(r.assigned),
          free: Number(r.free),
          courses: Number(r.courses),
          trained: Number(r.courses) > 0,
          enrolledAt: new Date(r.enrolled_at as string),
          lastTrainedAt: date(r.last_trained_at)
        })
      )
    })

  const programmeStatistics = (viewer: Q.Viewer, programmeId?: string) =>
    Effect.gen(function* () {
      const t = yield* names
      const organisation = orgOf(viewer)
      let query = db
        .selectFrom(`${t.statistics} as s`)
        .selectAll("s")
        .where("s.organisation", "=", organisation)
      switch (viewer.role) {
        case "coordinator":
          query = query.where((eb) =>
            eb.exists(
              eb
                .selectFrom(`${t.coordinators} as c`)
                .select(eb.lit(1).as("one"))
                .whereRef("c.organisation", "=", "s.organisation")
                .whereRef("c.programme_id", "=", "s.programme_id")
                .where("c.person_id", "in", idForms(viewer.personId))
            )
          )
          break
        case "support-team":
        case "analyst":
          break
        default:
          return []
      }
      if (programmeId !== undefined) query = query.where("s.programme_id", "=", programmeId)
      const rows = yield* run(
        query.orderBy("s.programme_id").orderBy("s.template_id").orderBy("s.phase").compile()
      )
      const out: Array<Q.Statistics> = []
      for (const r of rows) {
        let entry = out.find((o) => o.programmeId === r.programme_id && o.templateId === r.template_id)
        if (entry === undefined) {
          entry = {
            programmeId: r.programme_id as string,
            templateId: r.template_id as string,
            phases: {},
            total: 0,
            completed: 0,
            withdrawn: 0,
            running: 0
          }
          out.push(entry)
        }
        const n = Number(r.mentorships)
        const phase = r.phase as Template.Phase
        const mutable = entry as { -readonly [K in keyof Q.Statistics]: Q.Statistics[K] }
        if (n > 0) mutable.phases = { ...entry.phases, [phase]: n }
        mutable.total += n
        if (phase === "completed") mutable.completed += n
        else if (phase === "withdrawn") mutable.withdrawn += n
        else mutable.running += n
      }
      return out
    })

  return {
    mentorshipsFor,
    mentorship,
    meetings,
    summaries,
    tasks,
    followUp,
    followUpsDue,
    mentorLoad,
    programmeStatistics
  }
}

/** `{ key: id }`, or nothing when the viewer may not see the id. */
const personField = <K extends string>(key: K, p: { readonly id?: string }): { readonly [P in K]?: string } =>
  (p.id === undefined ? {} : { [key]: p.id }) as { readonly [P in K]?: string }

/** The spellings of an id to match (ids compare case-insensitively, as the core's Visibility does). */
const idForms = (id: string): Array<string> => [...new Set([id, id.toLowerCase(), id.toUpperCase()])]

const chunks = <A>(all: ReadonlyArray<A>, size: number): Array<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < all.length; i += size) out.push(all.slice(i, i + size))
  return out
}

// ---------------------------------------------------------------------------
// Promise form
// ---------------------------------------------------------------------------

const promise = async <A, E>(effect: Effect.Effect<A, E>): Promise<A> => {
  const exit = await Effect.runPromiseExit(effect)
  if (Exit.isSuccess(exit)) return exit.value
  const failure = Cause.failureOption(exit.cause)
  throw Option.isSome(failure) ? failure.value : Cause.squash(exit.cause)
}

export const toPromise = (q: Q.QueriesService): Q.PromiseQueries => ({
  mentorshipsFor: (viewer, filter) => promise(q.mentorshipsFor(viewer, filter)),
  mentorship: (viewer, id) => promise(Effect.map(q.mentorship(viewer, id), Option.getOrUndefined)),
  meetings: (viewer, id) => promise(q.meetings(viewer, id)),
  summaries: (viewer, id) => promise(q.summaries(viewer, id)),
  tasks: (viewer, id) => promise(q.tasks(viewer, id)),
  followUp: (viewer, id) => promise(Effect.map(q.followUp(viewer, id), Option.getOrUndefined)),
  followUpsDue: (viewer, asOf) => promise(q.followUpsDue(viewer, asOf)),
  mentorLoad: (viewer, programmeId) => promise(q.mentorLoad(viewer, programmeId)),
  programmeStatistics: (viewer, programmeId) => promise(q.programmeStatistics(viewer, programmeId))
})
