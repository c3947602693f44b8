/**
 * Readable one-line descriptions of commands and events, for
 * counterexamples: people by their part in the cast ("mentor 1",
 * "mentee 2"), meetings, tasks and observations numbered in order of
 * appearance, no uuids and no JSON.
 */
import type { Content, Roles } from "@mentor-ledger/core"
import * as fc from "fast-check"
import type { Cast } from "./process.js"

/** Names people and things consistently within one printed list. */
export class Naming {
  private readonly people = new Map<string, string>()
  private readonly things = new Map<string, Map<string, string>>()
  constructor(cast?: Cast) {
    if (cast === undefined) return
    this.people.set(cast.coordinator, "coordinator")
    this.people.set(cast.supervisor, "supervisor")
    this.people.set(cast.outsider, "outsider")
    for (const [i, p] of cast.mentors.entries()) this.people.set(p, `mentor ${i + 1}`)
    for (const [i, p] of cast.mentees.entries()) this.people.set(p, `mentee ${i + 1}`)
  }
  person(id: string): string {
    let name = this.people.get(id)
    if (name === undefined) {
      name = `person ${this.people.size + 1}`
      this.people.set(id, name)
    }
    return name
  }
  thing(kind: string, id: string): string {
    let ofKind = this.things.get(kind)
    if (ofKind === undefined) {
      ofKind = new Map()
      this.things.set(kind, ofKind)
    }
    let name = ofKind.get(id)
    if (name === undefined) {
      name = `${kind} ${ofKind.size + 1}`
      ofKind.set(id, name)
    }
    return name
  }
  actor(actor: Roles.Actor): string {
    const name = this.person(actor.personId)
    return name === actor.role || name.startsWith(`${actor.role} `) ? name : `${name} as ${actor.role}`
  }
  item(item: Content.ContentRef): string {
    switch (item.kind) {
      case "summary":
      case "amendment":
        return `${item.kind} of ${this.thing("meeting", item.id)}`
      case "self-assessment":
        return `self-assessment of ${this.person(item.id)}`
      case "observation":
      case "task":
        return this.thing(item.kind, item.id)
      case "evaluation":
        return "the evaluation"
    }
  }
}

const date = (d: unknown) => (d instanceof Date ? d.toISOString().slice(0, 10) : String(d))

/**
 * `HoldMeeting by mentee 1 (meeting 2, phone, 45 min)`: the tag, who, and
 * the fields that tell this command or event apart from its neighbours.
 */
export const describe = (
  value: { readonly _tag: string; readonly [key: string]: unknown },
  naming: Naming
): string => {
  const v = value as Record<string, any>
  const people = (ids: ReadonlyArray<string>) =>
    ids.length === 0 ? "nobody" : ids.map((p) => naming.person(p)).join(", ")
  const details: Array<string> = []
  if (v.template !== undefined) details.push(`template ${v.template.id}`)
  if (v.templates !== undefined) details.push(`templates ${v.templates.map((t: any) => t.id).join(", ")}`)
  if (v.menteeIds !== undefined) details.push(`mentees: ${people(v.menteeIds)}`)
  if (v.supervisorId !== undefined)
    details.push(v.supervisorId === null ? "no supervisor" : `supervisor: ${naming.person(v.supervisorId)}`)
  if (v.mentorIds !== undefined) details.push(`mentors: ${people(v.mentorIds)}`)
  if (v.coordinatorId !== undefined) details.push(naming.person(v.coordinatorId))
  if (v.mentorId !== undefined) details.push(naming.person(v.mentorId))
  if (v.capacity !== undefined) details.push(`capacity ${v.capacity}`)
  if (v.participantIds !== undefined) details.push(`with ${people(v.participantIds)}`)
  if (v.signatories !== undefined) details.push(`signed by ${people(v.signatories)}`)
  if (v.plannedMeetings !== undefined)
    details.push(`plans ${v.plannedMeetings} meeting${v.plannedMeetings === 1 ? "" : "s"}`)
  if (v.confidentiality === false) details.push("no confidentiality commitment")
  if (v.meetingId !== undefined) details.push(naming.thing("meeting", v.meetingId))
  if (v._tag === "MeetingScheduled" || v._tag === "ScheduleMeeting")
    details.push(`for ${date(v.scheduledFor)}`)
  if (v.modality !== undefined && v._tag !== "ScheduleMeeting" && v._tag !== "MeetingScheduled")
    details.push(v.modality)
  if (v.durationMinutes !== undefined) details.push(`${v.durationMinutes} min`)
  if (v.observationId !== undefined) details.push(naming.thing("observation", v.observationId))
  if (v.taskId !== undefined) details.push(naming.thing("task", v.taskId))
  if (v.assigneeIds !== undefined) details.push(`to ${people(v.assigneeIds)}`)
  if (v.item !== undefined) details.push(naming.item(v.item))
  if (v.recipientId !== undefined) details.push(`to ${naming.person(v.recipientId)}`)
  if (v.citedItems !== undefined)
    details.push(
      v.citedItems.length === 0
        ? "cites nothing"
        : `cites ${v.citedItems.map((i: Content.ContentRef) => naming.item(i)).join(", ")}`
    )
  if (v.dueOn instanceof Date && v.taskId === undefined) details.push(`due ${date(v.dueOn)}`)
  if (v.personId !== undefined) details.push(`of ${naming.person(v.personId)}`)
  if (v.reason !== undefined) details.push(v.reason)
  const by = v.actor === undefined ? "" : ` by ${naming.actor(v.actor)}`
  return `${v._tag}${by}${details.length === 0 ? "" : ` (${details.join(", ")})`}`
}

/** A numbered list, one line each, numbers right-aligned. */
export const numbered = (lines: ReadonlyArray<string>, from = 1): string => {
  const width = String(from + lines.length - 1).length
  return lines.map((line, k) => `${String(from + k).padStart(width)}. ${line}`).join("\n")
}

/**
 * Gives a value a printer that fast-check uses in counterexamples
 * (`fc.toStringMethod`). The method is not enumerable, so `toEqual` and
 * spreading ignore it.
 */
export const printable = <A extends object>(value: A, print: (value: A) => string): A => {
  Object.defineProperty(value, fc.toStringMethod, { value: () => print(value), enumerable: false })
  return value
}
