/**
 * The analyst's own read model: for every mentorship, when it was asked
 * for, under which programme and template, and each meeting held. The
 * library's read models do not answer "how long do mentees wait for their
 * first meeting?" nor "do pairs meet at the cadence their template
 * expects?"; these two tables do, with a little SQL.
 *
 * Process facts only (dates, ids, counts): the projection never reads
 * content, and its event types leave every content-bearing event undecoded.
 */
import { Projection } from "@mentor-ledger/sql"

/** The table prefix of the store (the library's default). */
export const tablePrefix = "ml_"

/**
 * The projection `waits` (v1):
 * - `waits` (`ml_rm_waits_v1`): one row per mentorship: `mentorship_id`, `programme_id`,
 *   `template_id`, the template's `cadence_min` / `cadence_max` (days),
 *   `requested_at`, `first_meeting_at` (the earliest meeting held, by when it
 *   happened), `ended` (`completed`, `withdrawn` or null) and `ended_at`;
 * - `wait_meetings` (`ml_rm_wait_meetings_v1`): one row per meeting held:
 *   `mentorship_id`, `meeting_id`, `held_at`;
 * - `wait_programmes` (`ml_rm_wait_programmes_v1`): `programme_id` and its `name`.
 *
 * Dates are ISO-8601 text in UTC, which sorts as time does.
 */
export const waits: Projection.Projection = Projection.define({
  name: "waits",
  version: 1,
  // Table names are the store's, not the projection's: they must not clash with the library's
  // (`mentorships`, `meetings`…), which sit in the same file.
  tables: ["waits", "wait_meetings", "wait_programmes"],
  eventTypes: [
    "ProgrammeLaunched",
    "MentoringRequested",
    "MeetingHeld",
    "MentorshipCompleted",
    "MentorshipWithdrawn"
  ],
  prepare: ({ db, tables }) => {
    const mentorships = tables.waits!
    const meetings = tables.wait_meetings!
    const programmes = tables.wait_programmes!
    return {
      create: [
        db.schema
          .createTable(mentorships)
          .ifNotExists()
          .addColumn("mentorship_id", "text", (c) => c.primaryKey())
          .addColumn("programme_id", "text", (c) => c.notNull())
          .addColumn("template_id", "text", (c) => c.notNull())
          .addColumn("cadence_min", "integer", (c) => c.notNull())
          .addColumn("cadence_max", "integer", (c) => c.notNull())
          .addColumn("requested_at", "text", (c) => c.notNull())
          .addColumn("first_meeting_at", "text")
          .addColumn("ended", "text")
          .addColumn("ended_at", "text")
          .compile(),
        db.schema
          .createTable(meetings)
          .ifNotExists()
          .addColumn("mentorship_id", "text", (c) => c.notNull())
          .addColumn("meeting_id", "text", (c) => c.notNull())
          .addColumn("held_at", "text", (c) => c.notNull())
          .addPrimaryKeyConstraint(`${meetings}_pk`, ["mentorship_id", "meeting_id"])
          .compile(),
        db.schema
          .createTable(programmes)
          .ifNotExists()
          .addColumn("programme_id", "text", (c) => c.primaryKey())
          .addColumn("name", "text", (c) => c.notNull())
          .compile()
      ],
      // Built after a rebuild's replay, which is faster than keeping it up to date row by row.
      indexes: [
        db.schema
          .createIndex(`${meetings}_by_time`)
          .ifNotExists()
          .on(meetings)
          .columns(["mentorship_id", "held_at"])
          .compile()
      ],
      apply: function* (events) {
        for (const { event } of events) {
          const at = event.occurredAt.toISOString()
          switch (event._tag) {
            case "ProgrammeLaunched":
              yield db
                .insertInto(programmes)
                .values({ programme_id: event.programmeId, name: event.name })
                .compile()
              break
            case "MentoringRequested":
              yield db
                .insertInto(mentorships)
                .values({
                  mentorship_id: event.mentorshipId,
                  programme_id: event.programmeId,
                  template_id: event.template.id,
                  cadence_min: event.template.cadenceDays.min,
                  cadence_max: event.template.cadenceDays.max,
                  requested_at: at,
                  first_meeting_at: null,
                  ended: null,
                  ended_at: null
                })
                .compile()
              break
            case "MeetingHeld":
              yield db
                .insertInto(meetings)
                .values({ mentorship_id: event.mentorshipId, meeting_id: event.meetingId, held_at: at })
                .compile()
              // A meeting may be logged days late, after a later one: keep the earliest.
              yield db
                .updateTable(mentorships)
                .set((eb) => ({
                  first_meeting_at: eb
                    .case()
                    .when(eb.or([eb("first_meeting_at", "is", null), eb("first_meeting_at", ">", at)]))
                    .then(at)
                    .else(eb.ref("first_meeting_at"))
                    .end()
                }))
                .where("mentorship_id", "=", event.mentorshipId)
                .compile()
              break
            case "MentorshipCompleted":
            case "MentorshipWithdrawn":
              yield db
                .updateTable(mentorships)
                .set({
                  ended: event._tag === "MentorshipCompleted" ? "completed" : "withdrawn",
                  ended_at: at
                })
                .where("mentorship_id", "=", event.mentorshipId)
                .compile()
              break
          }
        }
      }
    }
  }
})

/** The physical names of the projection's tables. */
export const waitsTables = {
  waits: Projection.tableName(tablePrefix, "waits", waits.version),
  meetings: Projection.tableName(tablePrefix, "wait_meetings", waits.version),
  programmes: Projection.tableName(tablePrefix, "wait_programmes", waits.version)
} as const
