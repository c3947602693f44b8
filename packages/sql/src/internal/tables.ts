import { content, integer, nullable, type Table, text } from "./rows.js"

// The read-model tables, as data: the projections create them from these
// specifications, the docs describe them, and a test checks that the docs
// name every column.

const organisation = text("organisation", "the organisation (tenant) of the stream")
const mentorshipId = text("mentorship_id", "the mentorship")
const at = (name: string, doc: string) => nullable(text(name, `${doc} (ISO-8601 UTC)`))
const when = (name: string, doc: string) => text(name, `${doc} (ISO-8601 UTC)`)

const table = (
  name: string,
  doc: string,
  columns: Table["columns"],
  key: Table["key"],
  indexes: Table["indexes"] = [],
  counters = false
): Table => ({ name, doc, columns, key, indexes, counters })

export const mentorships = table(
  "mentorships",
  "One row per mentorship: its template, phase, key dates, counts and outcome. Process facts only.",
  [
    organisation,
    mentorshipId,
    text("programme_id", "the programme it runs in"),
    text("template_id", "the process template's id, e.g. `headmasters-as-mentors`"),
    text("template_name", "the process template's name"),
    text(
      "phase",
      "the current phase: requested, matched, opening, agreement, meetings, evaluation, closing, follow-up, completed or withdrawn"
    ),
    integer("mentees", "how many mentees"),
    integer("mentors", "how many mentors (0 before the match)"),
    when("requested_at", "when mentoring was requested"),
    at("matched_at", "when the mentor(s) were matched"),
    at("opening_at", "when the opening discussion was held"),
    at("agreement_at", "when the agreement was signed"),
    nullable(integer("planned_meetings", "meetings planned in the agreement")),
    nullable(integer("cadence_days", "days between meetings agreed in the agreement")),
    at("first_meeting_at", "when the first meeting was held"),
    at("last_meeting_at", "when the latest meeting was held"),
    integer("meetings_held", "meetings held"),
    integer("meetings_scheduled", "meetings scheduled and neither held nor cancelled"),
    integer("meetings_cancelled", "meetings cancelled"),
    at("next_meeting_at", "the earliest time a still-open scheduled meeting is planned for"),
    at(
      "next_meeting_due",
      "when the next meeting is due by the agreed cadence: the latest meeting (or the agreement) plus `cadence_days`; only in the agreement and meetings phases"
    ),
    integer("tasks_assigned", "between-meeting tasks assigned"),
    integer("tasks_completed", "tasks completed by every assignee"),
    at("evaluation_at", "when the co-evaluation was held"),
    at("closing_at", "when the closing discussion was held"),
    at("report_at", "when the report was delivered to the ordering authority"),
    at(
      "follow_up_due",
      "when the scheduled follow-up visit is due; null once held or when none is scheduled"
    ),
    at("follow_up_held_at", "when the follow-up visit was held"),
    at("completed_at", "when the mentorship was completed"),
    at("withdrawn_at", "when the mentorship was withdrawn"),
    nullable(text("withdrawal_reason", "why it was withdrawn (a category, never free text)")),
    nullable(text("outcome", "`completed`, `withdrawn`, or null while it runs")),
    integer("erasures", "how many people's personal data was erased"),
    when("last_event_at", "when the latest event of the mentorship happened"),
    integer("version", "the stream version of the latest event applied")
  ],
  ["organisation", "mentorship_id"],
  [{ name: "programme", columns: ["organisation", "programme_id", "phase"] }]
)

export const participants = table(
  "participants",
  "Who takes part in a mentorship and in which role: join it to your own people table.",
  [
    organisation,
    mentorshipId,
    text("role", "`mentee`, `mentor` or `supervisor` (the ordering authority)"),
    text("person_id", "the person (a pseudonymous UUID)"),
    when("since", "when they became part of the mentorship (request or match)"),
    at("erased_at", "when their personal data was erased")
  ],
  ["organisation", "mentorship_id", "role", "person_id"],
  [{ name: "person", columns: ["person_id", "role"] }]
)

export const meetings = table(
  "meetings",
  "One row per meeting: scheduled, held or cancelled. Process facts only.",
  [
    organisation,
    mentorshipId,
    text("meeting_id", "the meeting"),
    text("status", "`scheduled`, `held` or `cancelled`"),
    text("modality", "`in-person`, `phone` or `video` (as held, else as scheduled)"),
    at("scheduled_at", "when it was scheduled (null if it was held without being scheduled)"),
    at("scheduled_for", "when it was planned to take place"),
    at("held_at", "when it took place"),
    nullable(integer("number", "its number among the held meetings (1 for the first)")),
    nullable(integer("duration_minutes", "how long it took")),
    nullable(integer("planning", "1 for the planning meeting, 0 otherwise")),
    at("cancelled_at", "when it was cancelled"),
    nullable(text("cancellation_reason", "why it was cancelled (a category)"))
  ],
  ["organisation", "mentorship_id", "meeting_id"]
)

export const summaries = table(
  "summaries",
  "One row per meeting summary, with whether the mentees consented to share it with the supervisor.",
  [
    organisation,
    mentorshipId,
    text("meeting_id", "the meeting it summarises"),
    text("status", "`drafted` or `finalised`"),
    text("drafted_by", "the mentor who drafted it"),
    when("drafted_at", "when it was drafted"),
    content(text("text", "the summary, as the event holds it")),
    text(
      "text_event_id",
      "the SummaryDrafted event the text comes from (sealed content is bound to its event and field)"
    ),
    integer("amendments", "how many amendments the mentees added"),
    at("last_amended_at", "when it was last amended"),
    at("finalised_at", "when it was finalised"),
    integer(
      "shared",
      "1 when every mentee of the mentorship consented to share the summary with the supervisor (the core's `Mentorship.isShared`), else 0"
    ),
    integer(
      "amendments_shared",
      "1 when every mentee who amended it consented to share the amendments, else 0"
    )
  ],
  ["organisation", "mentorship_id", "meeting_id"]
)

export const amendments = table(
  "summary_amendments",
  "One row per amendment a mentee added to a summary.",
  [
    organisation,
    mentorshipId,
    text("meeting_id", "the meeting whose summary it amends"),
    integer("version", "the stream version of the amendment event (orders them)"),
    text("mentee_id", "the mentee who wrote it"),
    when("amended_at", "when it was written"),
    content(text("text", "the mentee's own thoughts, as the event holds them")),
    text("event_id", "the SummaryAmended event it comes from")
  ],
  ["organisation", "mentorship_id", "meeting_id", "version"]
)

export const tasks = table(
  "tasks",
  "One row per between-meeting task (välitehtävä).",
  [
    organisation,
    mentorshipId,
    text("task_id", "the task"),
    text("assigned_by", "the mentor who set it"),
    when("assigned_at", "when it was set"),
    at("due_on", "when it is due, if a date was given"),
    content(text("description", "what the task is, as the event holds it")),
    text("description_event_id", "the TaskAssigned event the description comes from"),
    integer("assignees", "how many mentees it was assigned to"),
    integer("completions", "how many of them completed it"),
    at("completed_at", "when the last assignee completed it"),
    integer("shared", "1 when every assignee consented to share the task with the supervisor, else 0")
  ],
  ["organisation", "mentorship_id", "task_id"]
)

export const taskAssignees = table(
  "task_assignees",
  "One row per task and assignee: each mentee completes a group task on their own.",
  [
    organisation,
    mentorshipId,
    text("task_id", "the task"),
    text("mentee_id", "the assignee"),
    at("completed_at", "when this assignee completed it"),
    content(text("reflection", "the assignee's reflection on completing it, as the event holds it")),
    nullable(text("reflection_event_id", "the TaskCompleted event the reflection comes from"))
  ],
  ["organisation", "mentorship_id", "task_id", "mentee_id"]
)

export const consents = table(
  "consents",
  "The consents in force: which mentee consented to share which item with the supervisor. Revoking deletes the row.",
  [
    organisation,
    mentorshipId,
    text("item_kind", "`self-assessment`, `summary`, `amendment`, `observation`, `task` or `evaluation`"),
    text(
      "item_id",
      "the item's id: the meeting (summary, amendment), the mentee (self-assessment), the observation, the task, or the mentorship (evaluation)"
    ),
    text("mentee_id", "the mentee who consented"),
    when("given_at", "when the consent was given")
  ],
  ["organisation", "mentorship_id", "item_kind", "item_id", "mentee_id"]
)

export const followUps = table(
  "follow_ups",
  "The follow-up visit of a mentorship (at most one): when it is due and whether it was held.",
  [
    organisation,
    mentorshipId,
    text("status", "`scheduled`, `held`, or `cancelled` (the mentorship was withdrawn before it)"),
    text("scheduled_by", "who scheduled it (mentor or coordinator)"),
    when("scheduled_at", "when it was scheduled"),
    when("due_on", "when it is due"),
    at("held_at", "when it was held"),
    content(text("notes", "the mentor's notes of the visit, as the event holds them")),
    nullable(text("notes_event_id", "the FollowUpHeld event the notes come from"))
  ],
  ["organisation", "mentorship_id"],
  [{ name: "due", columns: ["status", "due_on"] }]
)

export const statistics = table(
  "programme_statistics",
  "How many mentorships of each programme and template are in each phase; `completed` and `withdrawn` count the outcomes. No person data.",
  [
    organisation,
    text("programme_id", "the programme"),
    text("template_id", "the process template"),
    text("phase", "a phase"),
    integer("mentorships", "mentorships in that phase now (0 once every one has moved on)")
  ],
  ["organisation", "programme_id", "template_id", "phase"],
  [],
  true
)

export const programmes = table(
  "programmes",
  "One row per programme.",
  [
    organisation,
    text("programme_id", "the programme"),
    text("name", "its name"),
    when("launched_at", "when it was launched"),
    integer("templates", "how many process templates it offers"),
    integer("mentors", "how many mentors are enrolled in its pool")
  ],
  ["organisation", "programme_id"]
)

export const coordinators = table(
  "coordinators",
  "The coordinators of each programme (the one who launched it first).",
  [
    organisation,
    text("programme_id", "the programme"),
    text("person_id", "the coordinator"),
    when("since", "when they became a coordinator")
  ],
  ["organisation", "programme_id", "person_id"],
  [{ name: "person", columns: ["person_id"] }]
)

export const mentorLoad = table(
  "mentor_load",
  "The mentor pool of each programme, for matching: capacity, open assignments and training.",
  [
    organisation,
    text("programme_id", "the programme"),
    text("mentor_id", "the mentor"),
    integer("capacity", "how many mentorships the mentor can take at once"),
    integer("assigned", "mentorships assigned that have not ended"),
    integer("free", "capacity minus assigned (never below 0)"),
    integer("courses", "mentor-training courses completed (0: not yet trained, cannot be matched)"),
    when("enrolled_at", "when the mentor joined the pool"),
    at("last_trained_at", "when the latest course was completed")
  ],
  ["organisation", "programme_id", "mentor_id"]
)
