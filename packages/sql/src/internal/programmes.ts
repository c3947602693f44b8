import type { EventStore, Events } from "@mentor-ledger/core"
import type { Context, Prepared, Projection } from "../Projection.js"
import {
  type Changes,
  createStatements,
  folding,
  type Record,
  RowCache,
  statements,
  type Table
} from "./rows.js"
import { withParts } from "./steps.js"
import * as T from "./tables.js"

// The programmes projection: programmes, their coordinators and the mentor
// pool's load, from the programme streams.

export const name = "programmes"
export const version = 1

export const tables: ReadonlyArray<Table> = [T.programmes, T.coordinators, T.mentorLoad]

export const eventTypes: ReadonlyArray<Events.EventType> = [
  "ProgrammeLaunched",
  "CoordinatorAppointed",
  "TemplateDefined",
  "MentorEnrolled",
  "MentorTrainingCompleted",
  "MentorsAssigned",
  "MentorsReleased"
]

export const prepare = (context: Context): Prepared => {
  const { db, tables: names } = context
  const s = tables.map((t) => statements(db, t, names[t.name]!))
  const kept = new RowCache(["programmes", "mentor_load"], 8_192)
  const { apply, part, finish } = folding(s, kept, {
    pending: () => undefined,
    want,
    fold: (changes, e) => fold(changes, e)
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

const want = (changes: Changes, e: EventStore.RecordedEvent): void => {
  const ev = e.event as Events.ProgrammeEvent
  const org = e.organisation
  switch (ev._tag) {
    case "TemplateDefined":
      changes.want("programmes", [org, ev.programmeId])
      return
    case "MentorEnrolled":
      changes.want("programmes", [org, ev.programmeId])
      return
    case "MentorTrainingCompleted":
      changes.want("mentor_load", [org, ev.programmeId, ev.mentorId])
      return
    case "MentorsAssigned":
    case "MentorsReleased":
      for (const mentor of ev.mentorIds) changes.want("mentor_load", [org, ev.programmeId, mentor])
      return
  }
}

const load = (row: Record, assigned: number): Record => ({
  ...row,
  assigned,
  free: Math.max(0, (row.capacity as number) - assigned)
})

const fold = (changes: Changes, e: EventStore.RecordedEvent): void => {
  const ev = e.event as Events.ProgrammeEvent
  const org = e.organisation
  const at = ev.occurredAt.toISOString()
  const coordinator = (personId: string): Record => ({
    organisation: org,
    programme_id: ev.programmeId,
    person_id: personId,
    since: at
  })
  switch (ev._tag) {
    case "ProgrammeLaunched":
      changes.put("programmes", {
        organisation: org,
        programme_id: ev.programmeId,
        name: ev.name,
        launched_at: at,
        templates: ev.templates.length,
        mentors: 0
      })
      changes.put("coordinators", coordinator(ev.actor.personId))
      return
    case "CoordinatorAppointed":
      changes.put("coordinators", coordinator(ev.coordinatorId))
      return
    case "TemplateDefined": {
      const p = changes.get("programmes", [org, ev.programmeId])
      if (p !== undefined) changes.put("programmes", { ...p, templates: (p.templates as number) + 1 })
      return
    }
    case "MentorEnrolled": {
      const p = changes.get("programmes", [org, ev.programmeId])
      if (p !== undefined) changes.put("programmes", { ...p, mentors: (p.mentors as number) + 1 })
      changes.put("mentor_load", {
        organisation: org,
        programme_id: ev.programmeId,
        mentor_id: ev.mentorId,
        capacity: ev.capacity,
        assigned: 0,
        free: ev.capacity,
        courses: 0,
        enrolled_at: at,
        last_trained_at: null
      })
      return
    }
    case "MentorTrainingCompleted": {
      const m = changes.get("mentor_load", [org, ev.programmeId, ev.mentorId])
      if (m !== undefined) {
        changes.put("mentor_load", { ...m, courses: (m.courses as number) + 1, last_trained_at: at })
      }
      return
    }
    case "MentorsAssigned":
    case "MentorsReleased":
      for (const mentor of ev.mentorIds) {
        const m = changes.get("mentor_load", [org, ev.programmeId, mentor])
        if (m === undefined) continue
        const assigned = (m.assigned as number) + (ev._tag === "MentorsAssigned" ? 1 : -1)
        changes.put("mentor_load", load(m, Math.max(0, assigned)))
      }
      return
  }
}

export const projection: Projection = {
  name,
  version,
  tables: tables.map((t) => t.name),
  eventTypes,
  prepare
}
