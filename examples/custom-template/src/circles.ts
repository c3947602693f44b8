/**
 * The programme's own read model: its circles, their meetings per month and
 * each director's between-meeting tasks, kept by a projection of its own
 * beside the library's read models (tables `ml_rm_circles_v1`,
 * `ml_rm_circle_months_v1`, `ml_rm_circle_tasks_v1`).
 *
 * Only mentorships under the circle template are kept; the other events of
 * the log are not even decoded (`eventTypes`). The tables hold process facts
 * only (dates, counts, ids), never content, so any role may read them.
 */
import { Projection } from "@mentor-ledger/sql"
import type { Kysely } from "kysely"
import { leadersCircle } from "./template.js"

/** The table prefix of the store (the library's default). */
export const tablePrefix = "ml_"

/** The projection: name, version, tables, the events it reads, and how they change the tables. */
export const circles: Projection.Projection = Projection.define({
  name: "circles",
  version: 1,
  tables: ["circles", "circle_months", "circle_tasks"],
  eventTypes: [
    "MentoringRequested",
    "MentorMatched",
    "MeetingHeld",
    "TaskAssigned",
    "TaskCompleted",
    "EvaluationHeld",
    "MentorshipCompleted",
    "MentorshipWithdrawn"
  ],
  prepare: ({ db, tables }) => {
    const t = { circles: tables.circles!, months: tables.circle_months!, tasks: tables.circle_tasks! }
    return {
      create: [
        db.schema
          .createTable(t.circles)
          .ifNotExists()
          .addColumn("mentorship_id", "text", (c) => c.primaryKey())
          .addColumn("programme_id", "text", (c) => c.notNull())
          .addColumn("requested_at", "text", (c) => c.notNull())
          .addColumn("mentees", "integer", (c) => c.notNull())
          .addColumn("mentors", "integer", (c) => c.notNull())
          .addColumn("meetings_held", "integer", (c) => c.notNull())
          .addColumn("first_meeting_at", "text")
          .addColumn("last_meeting_at", "text")
          .addColumn("status", "text", (c) => c.notNull())
          .compile(),
        db.schema
          .createTable(t.months)
          .ifNotExists()
          .addColumn("mentorship_id", "text", (c) => c.notNull())
          .addColumn("month", "text", (c) => c.notNull())
          .addColumn("meetings", "integer", (c) => c.notNull())
          .addColumn("minutes", "integer", (c) => c.notNull())
          .addPrimaryKeyConstraint(`${t.months}_pk`, ["mentorship_id", "month"])
          .compile(),
        db.schema
          .createTable(t.tasks)
          .ifNotExists()
          .addColumn("mentorship_id", "text", (c) => c.notNull())
          .addColumn("mentee_id", "text", (c) => c.notNull())
          .addColumn("assigned", "integer", (c) => c.notNull())
          .addColumn("completed", "integer", (c) => c.notNull())
          .addPrimaryKeyConstraint(`${t.tasks}_pk`, ["mentorship_id", "mentee_id"])
          .compile()
      ],
      apply: function* (events) {
        for (const { event } of events) {
          const at = event.occurredAt.toISOString()
          switch (event._tag) {
            case "MentoringRequested": {
              if (event.template.id !== leadersCircle.id) break
              yield db
                .insertInto(t.circles)
                .values({
                  mentorship_id: event.mentorshipId,
                  programme_id: event.programmeId,
                  requested_at: at,
                  mentees: event.menteeIds.length,
                  mentors: 0,
                  meetings_held: 0,
                  first_meeting_at: null,
                  last_meeting_at: null,
                  status: "requested"
                })
                .compile()
              for (const mentee of event.menteeIds)
                yield db
                  .insertInto(t.tasks)
                  .values({ mentorship_id: event.mentorshipId, mentee_id: mentee, assigned: 0, completed: 0 })
                  .compile()
              break
            }
            // The updates below touch nothing for a mentorship that is not a circle.
            case "MentorMatched":
              yield db
                .updateTable(t.circles)
                .set({ mentors: event.mentorIds.length, status: "running" })
                .where("mentorship_id", "=", event.mentorshipId)
                .compile()
              break
            // #region read-in-apply
            case "MeetingHeld": {
              const [circle] = yield db
                .selectFrom(t.circles)
                .select("mentorship_id")
                .where("mentorship_id", "=", event.mentorshipId)
                .compile()
              if (circle === undefined) break
              // #endregion read-in-apply
              // Meetings may be logged late, out of order: keep the earliest and the latest.
              yield db
                .updateTable(t.circles)
                .set((eb) => ({
                  meetings_held: eb("meetings_held", "+", 1),
                  // (case … end rather than SQLite's two-argument min/max, so that it runs on PostgreSQL too)
                  first_meeting_at: eb
                    .case()
                    .when(eb.or([eb("first_meeting_at", "is", null), eb("first_meeting_at", ">", at)]))
                    .then(at)
                    .else(eb.ref("first_meeting_at"))
                    .end(),
                  last_meeting_at: eb
                    .case()
                    .when(eb.or([eb("last_meeting_at", "is", null), eb("last_meeting_at", "<", at)]))
                    .then(at)
                    .else(eb.ref("last_meeting_at"))
                    .end()
                }))
                .where("mentorship_id", "=", event.mentorshipId)
                .compile()
              yield db
                .insertInto(t.months)
                .values({
                  mentorship_id: event.mentorshipId,
                  month: at.slice(0, 7),
                  meetings: 1,
                  minutes: event.durationMinutes
                })
                .onConflict((oc) =>
                  oc.columns(["mentorship_id", "month"]).doUpdateSet((eb) => ({
                    meetings: eb(eb.ref(`${t.months}.meetings`), "+", 1),
                    minutes: eb(eb.ref(`${t.months}.minutes`), "+", event.durationMinutes)
                  }))
                )
                .compile()
              break
            }
            case "TaskAssigned":
              yield db
                .updateTable(t.tasks)
                .set((eb) => ({ assigned: eb("assigned", "+", 1) }))
                .where("mentorship_id", "=", event.mentorshipId)
                .where("mentee_id", "in", event.assigneeIds)
                .compile()
              break
            case "TaskCompleted":
              // A group task is completed by each assignee in turn: the actor is the one who did it.
              yield db
                .updateTable(t.tasks)
                .set((eb) => ({ completed: eb("completed", "+", 1) }))
                .where("mentorship_id", "=", event.mentorshipId)
                .where("mentee_id", "=", event.actor.personId)
                .compile()
              break
            case "EvaluationHeld":
            case "MentorshipCompleted":
            case "MentorshipWithdrawn": {
              const status = {
                EvaluationHeld: "evaluated",
                MentorshipCompleted: "completed",
                MentorshipWithdrawn: "withdrawn"
              }[event._tag]
              yield db
                .updateTable(t.circles)
                .set({ status })
                .where("mentorship_id", "=", event.mentorshipId)
                .compile()
              break
            }
          }
        }
      }
    }
  }
})

/** The physical names of the projection's tables. */
export const circleTables = {
  circles: Projection.tableName(tablePrefix, "circles", circles.version),
  months: Projection.tableName(tablePrefix, "circle_months", circles.version),
  tasks: Projection.tableName(tablePrefix, "circle_tasks", circles.version)
} as const

/** A row of `ml_rm_circles_v1`. */
export interface CircleRow {
  readonly mentorship_id: string
  readonly programme_id: string
  readonly requested_at: string
  readonly mentees: number
  readonly mentors: number
  readonly meetings_held: number
  readonly first_meeting_at: string | null
  readonly last_meeting_at: string | null
  readonly status: string
}

/** A row of `ml_rm_circle_months_v1`. */
export interface CircleMonthRow {
  readonly mentorship_id: string
  readonly month: string
  readonly meetings: number
  readonly minutes: number
}

/** A row of `ml_rm_circle_tasks_v1`. */
export interface CircleTaskRow {
  readonly mentorship_id: string
  readonly mentee_id: string
  readonly assigned: number
  readonly completed: number
}

/** Everything in the read model, in a stable order. */
export const readCircles = async (db: Kysely<any>) => ({
  circles: (await db
    .selectFrom(circleTables.circles)
    .selectAll()
    .orderBy("mentorship_id")
    .execute()) as Array<CircleRow>,
  months: (await db
    .selectFrom(circleTables.months)
    .selectAll()
    .orderBy("mentorship_id")
    .orderBy("month")
    .execute()) as Array<CircleMonthRow>,
  tasks: (await db
    .selectFrom(circleTables.tasks)
    .selectAll()
    .orderBy("mentorship_id")
    .orderBy("mentee_id")
    .execute()) as Array<CircleTaskRow>
})

/**
 * The running circles whose last meeting (or, before the first one, whose
 * request) is more than `days` before `asOf`: the coordinator calls them.
 */
// #region without-meeting
export const circlesWithoutMeeting = async (db: Kysely<any>, asOf: Date, days = 31) => {
  const since = new Date(asOf.getTime() - days * 86_400_000).toISOString()
  return (await db
    .selectFrom(circleTables.circles)
    .selectAll()
    .where("status", "in", ["requested", "running"])
    .where((eb) => eb(eb.fn.coalesce("last_meeting_at", "requested_at"), "<", since))
    .orderBy("mentorship_id")
    .execute()) as Array<CircleRow>
}
// #endregion without-meeting
