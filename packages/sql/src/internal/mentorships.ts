import type { EventStore, Events } from "@mentor-ledger/core"
import type { Kysely } from "kysely"
import type { Row } from "../Executor.js"
import type { Context, Prepared, Projection, Steps } from "../Projection.js"
import { bind, bucket, cache, slot, template } from "./compiled.js"
import {
  type Changes,
  createStatements,
  folding,
  type Record,
  RowCache,
  statements,
  type Table,
  type Value
} from "./rows.js"
import { withParts } from "./steps.js"
import * as T from "./tables.js"

// The mentorships projection: one pass over a batch declares the rows it
// reads, they are loaded with one select per table, the events are folded
// in memory, and the changes are written with multi-row statements. The
// columns that depend on several rows (the next meeting, what is shared
// with the supervisor) are recomputed afterwards by set-based updates for
// the mentorships the batch touched.

export const name = "mentorships"
export const version = 1

export const tables: ReadonlyArray<Table> = [
  T.mentorships,
  T.participants,
  T.meetings,
  T.summaries,
  T.amendments,
  T.tasks,
  T.taskAssignees,
  T.consents,
  T.followUps,
  T.statistics
]

export const eventTypes: ReadonlyArray<Events.EventType> = [
  "MentoringRequested",
  "MentorMatched",
  "OpeningDiscussionHeld",
  "SelfAssessmentSubmitted",
  "AgreementSigned",
  "ObservationRecorded",
  "MeetingScheduled",
  "MeetingHeld",
  "MeetingCancelled",
  "SummaryDrafted",
  "SummaryAmended",
  "SummaryFinalised",
  "TaskAssigned",
  "TaskCompleted",
  "ConsentGiven",
  "ConsentRevoked",
  "EvaluationHeld",
  "ClosingDiscussionHeld",
  "ReportDelivered",
  "FollowUpScheduled",
  "FollowUpHeld",
  "MentorshipCompleted",
  "MentorshipWithdrawn",
  "PersonalDataErased"
]

const day = 86_400_000
const iso = (d: Date) => d.toISOString()

/** When the next meeting is due by the agreed cadence (agreement and meetings phases only). */
const nextDue = (row: Record): string | null => {
  if (row.phase !== "agreement" && row.phase !== "meetings") return null
  const cadence = row.cadence_days
  const from = (row.last_meeting_at ?? row.agreement_at) as string | null
  if (typeof cadence !== "number" || from === null) return null
  return new Date(Date.parse(from) + cadence * day).toISOString()
}

/** Mentorship ids per organisation. */
type Touched = Map<string, Set<string>>
const touch = (touched: Touched, organisation: string, mentorshipId: string) => {
  let set = touched.get(organisation)
  if (set === undefined) {
    set = new Set()
    touched.set(organisation, set)
  }
  set.add(mentorshipId)
}

/** The set-based updates run after a batch, for the mentorships it touched. */
const refreshes = (db: Kysely<any>, names: Readonly<globalThis.Record<string, string>>) => {
  const m = names.mentorships!
  const mt = names.meetings!
  const s = names.summaries!
  const a = names.summary_amendments!
  const t = names.tasks!
  const ta = names.task_assignees!
  const p = names.participants!
  const c = names.consents!
  // Each refresh: one table's rows of the touched mentorships, organisation
  // = slot(0) and mentorship_id in (slot(1) … slot(n)), n a power of two.
  const perMentorships = (
    table: string,
    set: (eb: any) => globalThis.Record<string, unknown>,
    returning?: ReadonlyArray<string>
  ) =>
    cache((key) => {
      const scope = Array.from({ length: Number(key) }, (_, i) => slot(i + 1))
      let update = db
        .updateTable(table)
        .set(set)
        .where("organisation", "=", slot(0))
        .where("mentorship_id", "in", scope)
      // the new values, for the rows kept in memory
      if (returning !== undefined) update = update.returning(returning as Array<string>) as any
      return template(update.compile())
    })
  /** 1 when the condition holds, else 0 (the tables' booleans). */
  const flag = (eb: any, condition: unknown) => eb.case().when(condition).then(1).else(0).end()
  /** Rows of another table of the same mentorship as the row updated (`of`). */
  const sameMentorship = (eb: any, from: string, of: string) =>
    eb
      .selectFrom(from)
      .select(eb.lit(1).as("one"))
      .whereRef(`${alias(from)}.organisation`, "=", `${of}.organisation`)
      .whereRef(`${alias(from)}.mentorship_id`, "=", `${of}.mentorship_id`)
  const alias = (from: string) => from.slice(from.lastIndexOf(" ") + 1)
  const nextMeeting = perMentorships(
    m,
    (eb) => ({
      next_meeting_at: eb
        .selectFrom(`${mt} as mt`)
        .select((e: any) => e.fn.min("mt.scheduled_for").as("next"))
        .whereRef("mt.organisation", "=", `${m}.organisation`)
        .whereRef("mt.mentorship_id", "=", `${m}.mentorship_id`)
        .where("mt.status", "=", "scheduled")
    }),
    ["organisation", "mentorship_id", "next_meeting_at"]
  )
  /** The mentee's consent to an item of the kind (its id a column of the row updated, `of`). */
  const consented = (eb: any, of: string, kind: string, item: string, mentee: string) =>
    sameMentorship(eb, `${c} as c`, of)
      .where("c.item_kind", "=", kind)
      .whereRef("c.item_id", "=", item)
      .whereRef("c.mentee_id", "=", mentee)
  const sharedSummaries = perMentorships(s, (eb) => ({
    // every mentee consented to the summary (Mentorship.isShared)
    shared: flag(
      eb,
      eb.not(
        eb.exists(
          sameMentorship(eb, `${p} as p`, s)
            .where("p.role", "=", "mentee")
            .where((e: any) => e.not(e.exists(consented(e, s, "summary", `${s}.meeting_id`, "p.person_id"))))
        )
      )
    ),
    // there are amendments, and every mentee who amended consented
    amendments_shared: flag(
      eb,
      eb.and([
        eb.exists(sameMentorship(eb, `${a} as a1`, s).whereRef("a1.meeting_id", "=", `${s}.meeting_id`)),
        eb.not(
          eb.exists(
            sameMentorship(eb, `${a} as a2`, s)
              .whereRef("a2.meeting_id", "=", `${s}.meeting_id`)
              .where((e: any) =>
                e.not(e.exists(consented(e, s, "amendment", `${s}.meeting_id`, "a2.mentee_id")))
              )
          )
        )
      ])
    )
  }))
  const sharedTasks = perMentorships(t, (eb) => ({
    // every assignee consented to the task
    shared: flag(
      eb,
      eb.not(
        eb.exists(
          sameMentorship(eb, `${ta} as ta`, t)
            .whereRef("ta.task_id", "=", `${t}.task_id`)
            .where((e: any) => e.not(e.exists(consented(e, t, "task", `${t}.task_id`, "ta.mentee_id"))))
        )
      )
    )
  }))
  const chunk = 512
  function* run(
    which: (size: string) => ReturnType<typeof template>,
    touched: Touched,
    returned: (rows: ReadonlyArray<Row>) => void = () => {}
  ): Steps<void> {
    for (const [organisation, ids] of touched) {
      const all = [...ids]
      for (let start = 0; start < all.length; start += chunk) {
        const part = all.slice(start, start + chunk)
        const size = bucket(part.length)
        const values: Array<Value> = [organisation]
        for (let i = 0; i < size; i++) values.push(part[Math.min(i, part.length - 1)]!)
        returned(yield bind(which(String(size)), values))
      }
    }
  }
  return {
    nextMeeting: (touched: Touched, changes: Changes) =>
      run(nextMeeting, touched, (rows) => changes.patch("mentorships", rows)),
    sharing: function* (touched: Touched): Steps<void> {
      yield* run(sharedSummaries, touched)
      yield* run(sharedTasks, touched)
    }
  }
}

export const prepare = (context: Context): Prepared => {
  const { db, tables: names } = context
  const s = tables.map((t) => statements(db, t, names[t.name]!))
  const refresh = refreshes(db, names)
  // Nearly every event reads its mentorship's row: kept from batch to batch.
  const kept = new RowCache(["mentorships"], 4_096)
  const { apply, part, finish } = folding(s, kept, {
    pending: () => ({ meetings: new Map() as Touched, sharing: new Map() as Touched }),
    want,
    fold: (changes, e, touched) => fold(changes, e, touched.meetings, touched.sharing),
    after: function* (changes, touched) {
      yield* refresh.nextMeeting(touched.meetings, changes)
      yield* refresh.sharing(touched.sharing)
    }
  })
  return withParts(
    {
      create: tables.map((t) => createStatements(db, t, names[t.name]!).table),
      indexes: tables.flatMap((t) => createStatements(db, t, names[t.name]!).indexes),
      apply
    },
    { part, finish }
  )
}

const roles = ["mentee", "mentor", "supervisor"] as const

/** Declares the rows an event reads. */
const want = (changes: Changes, e: EventStore.RecordedEvent): void => {
  const ev = e.event
  if (!("mentorshipId" in ev) || ev._tag === "MentorsAssigned" || ev._tag === "MentorsReleased") return
  const org = e.organisation
  const id = ev.mentorshipId
  if (ev._tag !== "MentoringRequested") changes.want("mentorships", [org, id])
  switch (ev._tag) {
    case "MeetingHeld":
    case "MeetingCancelled":
      changes.want("meetings", [org, id, ev.meetingId])
      return
    case "SummaryAmended":
    case "SummaryFinalised":
      changes.want("summaries", [org, id, ev.meetingId])
      return
    case "TaskCompleted":
      changes.want("tasks", [org, id, ev.taskId])
      changes.want("task_assignees", [org, id, ev.taskId, ev.actor.personId])
      return
    case "FollowUpHeld":
    case "MentorshipWithdrawn":
      changes.want("follow_ups", [org, id])
      return
    case "PersonalDataErased":
      for (const role of roles) changes.want("participants", [org, id, role, ev.personId])
      return
  }
}

/** Folds one event into the rows. Total: an event that does not fit leaves the rows as they are. */
const fold = (
  changes: Changes,
  e: EventStore.RecordedEvent,
  meetingsTouched: Touched,
  sharingTouched: Touched
): void => {
  const ev = e.event as Events.MentorshipEvent
  const org = e.organisation
  const at = iso(ev.occurredAt)

  if (ev._tag === "MentoringRequested") {
    const row: Record = {
      organisation: org,
      mentorship_id: ev.mentorshipId,
      programme_id: ev.programmeId,
      template_id: ev.template.id,
      template_name: ev.template.name,
      phase: "requested",
      mentees: ev.menteeIds.length,
      mentors: 0,
      requested_at: at,
      matched_at: null,
      opening_at: null,
      agreement_at: null,
      planned_meetings: null,
      cadence_days: null,
      first_meeting_at: null,
      last_meeting_at: null,
      meetings_held: 0,
      meetings_scheduled: 0,
      meetings_cancelled: 0,
      next_meeting_at: null,
      next_meeting_due: null,
      tasks_assigned: 0,
      tasks_completed: 0,
      evaluation_at: null,
      closing_at: null,
      report_at: null,
      follow_up_due: null,
      follow_up_held_at: null,
      completed_at: null,
      withdrawn_at: null,
      withdrawal_reason: null,
      outcome: null,
      erasures: 0,
      last_event_at: at,
      version: e.version
    }
    changes.put("mentorships", row)
    changes.add("programme_statistics", [org, ev.programmeId, ev.template.id, "requested"], [1])
    for (const mentee of ev.menteeIds) {
      changes.put("participants", participant(org, ev.mentorshipId, "mentee", mentee, at))
    }
    if (ev.supervisorId !== null) {
      changes.put("participants", participant(org, ev.mentorshipId, "supervisor", ev.supervisorId, at))
    }
    return
  }

  const id = ev.mentorshipId
  const row = changes.get("mentorships", [org, id])
  if (row === undefined) return
  /** Changes the mentorship row (in place), counting a new phase in the statistics. */
  const update = (patch: Record) => {
    const before = row.phase ?? null
    Object.assign(row, patch)
    row.last_event_at = at
    row.version = e.version
    const phase = row.phase ?? null
    if (phase !== before) {
      const programme = row.programme_id ?? null
      const template = row.template_id ?? null
      changes.add("programme_statistics", [org, programme, template, before], [-1])
      changes.add("programme_statistics", [org, programme, template, phase], [1])
    }
    row.next_meeting_due = nextDue(row)
    changes.put("mentorships", row)
  }

  /** The event's change to the mentorship row (undefined: none). */
  const patchOf = (): Record | undefined => {
    switch (ev._tag) {
      case "MentorMatched":
        for (const mentor of ev.mentorIds)
          changes.put("participants", participant(org, id, "mentor", mentor, at))
        return { phase: "matched", mentors: ev.mentorIds.length, matched_at: at }
      case "OpeningDiscussionHeld":
        return { phase: "opening", opening_at: at }
      case "AgreementSigned":
        return {
          phase: "agreement",
          agreement_at: at,
          planned_meetings: ev.plannedMeetings,
          cadence_days: ev.cadenceDays
        }
      case "MeetingScheduled":
        touch(meetingsTouched, org, id)
        changes.put("meetings", {
          organisation: org,
          mentorship_id: id,
          meeting_id: ev.meetingId,
          status: "scheduled",
          modality: ev.modality,
          scheduled_at: at,
          scheduled_for: iso(ev.scheduledFor),
          held_at: null,
          number: null,
          duration_minutes: null,
          planning: null,
          cancelled_at: null,
          cancellation_reason: null
        })
        return { meetings_scheduled: (row.meetings_scheduled as number) + 1 }
      case "MeetingHeld": {
        touch(meetingsTouched, org, id)
        const before = changes.get("meetings", [org, id, ev.meetingId])
        const held = (row.meetings_held as number) + 1
        changes.put("meetings", {
          organisation: org,
          mentorship_id: id,
          meeting_id: ev.meetingId,
          status: "held",
          modality: ev.modality,
          scheduled_at: before?.scheduled_at ?? null,
          scheduled_for: before?.scheduled_for ?? null,
          held_at: at,
          number: held,
          duration_minutes: ev.durationMinutes,
          planning: ev.planning ? 1 : 0,
          cancelled_at: null,
          cancellation_reason: null
        })
        const first = row.first_meeting_at as string | null
        const last = row.last_meeting_at as string | null
        return {
          phase: row.phase === "agreement" ? "meetings" : (row.phase ?? null),
          meetings_held: held,
          meetings_scheduled: (row.meetings_scheduled as number) - (before?.status === "scheduled" ? 1 : 0),
          first_meeting_at: first === null || at < first ? at : first,
          last_meeting_at: last === null || at > last ? at : last
        }
      }
      case "MeetingCancelled": {
        const before = changes.get("meetings", [org, id, ev.meetingId])
        if (before === undefined) return {}
        touch(meetingsTouched, org, id)
        changes.put("meetings", {
          ...before,
          status: "cancelled",
          cancelled_at: at,
          cancellation_reason: ev.reason
        })
        return {
          meetings_scheduled: (row.meetings_scheduled as number) - (before.status === "scheduled" ? 1 : 0),
          meetings_cancelled: (row.meetings_cancelled as number) + 1
        }
      }
      case "SummaryDrafted":
        touch(sharingTouched, org, id)
        changes.put("summaries", {
          organisation: org,
          mentorship_id: id,
          meeting_id: ev.meetingId,
          status: "drafted",
          drafted_by: ev.actor.personId,
          drafted_at: at,
          text: ev.text,
          text_event_id: e.eventId,
          amendments: 0,
          last_amended_at: null,
          finalised_at: null,
          shared: 0,
          amendments_shared: 0
        })
        return {}
      case "SummaryAmended": {
        const summary = changes.get("summaries", [org, id, ev.meetingId])
        if (summary !== undefined) {
          touch(sharingTouched, org, id)
          changes.put("summaries", {
            ...summary,
            amendments: (summary.amendments as number) + 1,
            last_amended_at: at
          })
          changes.put("summary_amendments", {
            organisation: org,
            mentorship_id: id,
            meeting_id: ev.meetingId,
            version: e.version,
            mentee_id: ev.actor.personId,
            amended_at: at,
            text: ev.text,
            event_id: e.eventId
          })
        }
        return {}
      }
      case "SummaryFinalised": {
        const summary = changes.get("summaries", [org, id, ev.meetingId])
        if (summary !== undefined)
          changes.put("summaries", { ...summary, status: "finalised", finalised_at: at })
        return {}
      }
      case "TaskAssigned":
        touch(sharingTouched, org, id)
        changes.put("tasks", {
          organisation: org,
          mentorship_id: id,
          task_id: ev.taskId,
          assigned_by: ev.actor.personId,
          assigned_at: at,
          due_on: ev.dueOn === null ? null : iso(ev.dueOn),
          description: ev.description,
          description_event_id: e.eventId,
          assignees: ev.assigneeIds.length,
          completions: 0,
          completed_at: null,
          shared: 0
        })
        for (const mentee of ev.assigneeIds) {
          changes.put("task_assignees", {
            organisation: org,
            mentorship_id: id,
            task_id: ev.taskId,
            mentee_id: mentee,
            completed_at: null,
            reflection: null,
            reflection_event_id: null
          })
        }
        return { tasks_assigned: (row.tasks_assigned as number) + 1 }
      case "TaskCompleted": {
        const task = changes.get("tasks", [org, id, ev.taskId])
        const assignee = changes.get("task_assignees", [org, id, ev.taskId, ev.actor.personId])
        if (task === undefined || assignee === undefined || assignee.completed_at !== null) return {}
        changes.put("task_assignees", {
          ...assignee,
          completed_at: at,
          reflection: ev.reflection,
          reflection_event_id: e.eventId
        })
        const completions = (task.completions as number) + 1
        const done = completions >= (task.assignees as number)
        changes.put("tasks", { ...task, completions, completed_at: done ? at : null })
        return done ? { tasks_completed: (row.tasks_completed as number) + 1 } : {}
      }
      case "ConsentGiven":
        touch(sharingTouched, org, id)
        changes.put("consents", {
          organisation: org,
          mentorship_id: id,
          item_kind: ev.item.kind,
          item_id: ev.item.id,
          mentee_id: ev.actor.personId,
          given_at: at
        })
        return {}
      case "ConsentRevoked":
        touch(sharingTouched, org, id)
        changes.remove("consents", [org, id, ev.item.kind, ev.item.id, ev.actor.personId])
        return {}
      case "EvaluationHeld":
        return { phase: "evaluation", evaluation_at: at }
      case "ClosingDiscussionHeld":
        return { phase: "closing", closing_at: at }
      case "ReportDelivered":
        return { report_at: at }
      case "FollowUpScheduled":
        changes.put("follow_ups", {
          organisation: org,
          mentorship_id: id,
          status: "scheduled",
          scheduled_by: ev.actor.personId,
          scheduled_at: at,
          due_on: iso(ev.dueOn),
          held_at: null,
          notes: null,
          notes_event_id: null
        })
        return { phase: "follow-up", follow_up_due: iso(ev.dueOn) }
      case "FollowUpHeld": {
        const followUp = changes.get("follow_ups", [org, id])
        if (followUp !== undefined)
          changes.put("follow_ups", {
            ...followUp,
            status: "held",
            held_at: at,
            notes: ev.notes,
            notes_event_id: e.eventId
          })
        return { follow_up_due: null, follow_up_held_at: at }
      }
      case "MentorshipCompleted":
        return { phase: "completed", completed_at: at, outcome: "completed" }
      case "MentorshipWithdrawn": {
        const followUp = changes.get("follow_ups", [org, id])
        if (followUp !== undefined && followUp.status === "scheduled") {
          changes.put("follow_ups", { ...followUp, status: "cancelled" })
        }
        return {
          phase: "withdrawn",
          withdrawn_at: at,
          withdrawal_reason: ev.reason,
          outcome: "withdrawn",
          follow_up_due: null
        }
      }
      case "PersonalDataErased":
        for (const role of roles) {
          const p = changes.get("participants", [org, id, role, ev.personId])
          if (p !== undefined && p.erased_at === null) changes.put("participants", { ...p, erased_at: at })
        }
        return { erasures: (row.erasures as number) + 1 }
      case "SelfAssessmentSubmitted":
      case "ObservationRecorded":
        return {}
    }
  }
  const patch = patchOf()
  if (patch !== undefined) update(patch)
}

const participant = (
  organisation: string,
  mentorshipId: string,
  role: string,
  personId: string,
  since: string
): Record => ({
  organisation,
  mentorship_id: mentorshipId,
  role,
  person_id: personId,
  since,
  erased_at: null
})

export const projection: Projection = {
  name,
  version,
  tables: tables.map((t) => t.name),
  eventTypes,
  prepare
}
