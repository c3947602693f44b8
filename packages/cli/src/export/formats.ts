/**
 * The export formats, written as the log is read: NDJSON and CSV (one line
 * per event, in log order), XES (IEEE 1849: one trace per mentorship) and
 * OCEL 2.0 JSON (events with qualified relationships to mentorship, mentor,
 * mentee, supervisor, programme and meeting objects).
 *
 * Memory: NDJSON, CSV and XES hold one batch of events (XES: one
 * mentorship's events) at a time, plus the {@link Tracker} (a few hundred
 * bytes per mentorship). OCEL 2.0 writes its events as they are read, but
 * must list its objects at the end: it keeps every object's id, type,
 * attribute changes and relationships, so its memory is bounded by the
 * number of objects (mentorships, people, meetings, programmes), not by
 * the number of events.
 *
 * @since 0.1.0
 */
import { EventStore, Events } from "@mentor-ledger/core"
import { Journal } from "@mentor-ledger/sql"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { Output } from "../output.js"
import type { Pseudonymise } from "../pseudonyms.js"
import { columns, type Fact, factOf, type Link, linksOf, Tracker } from "./facts.js"

/** @since 0.1.0 @category models */
export type Format = "ndjson" | "csv" | "xes" | "ocel2"

/** @since 0.1.0 @category models */
export const formats: ReadonlyArray<Format> = ["ndjson", "csv", "xes", "ocel2"]

/** @since 0.1.0 @category models */
export interface ExportOptions {
  readonly format: Format
  readonly pseudonymise: Pseudonymise
  readonly output: Output
  /** Only this organisation's events (default: all). */
  readonly organisation?: string
  /** Only what had happened by then (by `occurredAt`). */
  readonly occurredUntil?: Date
  /** Only what the store had recorded by then. */
  readonly recordedUntil?: Date
  /** Events read per batch (default 1,000). */
  readonly batchSize?: number
}

/** What an export wrote. @since 0.1.0 @category models */
export interface Exported {
  readonly events: number
  /** XES: traces; OCEL: objects; otherwise 0. */
  readonly containers: number
}

const included = (options: ExportOptions) => (r: EventStore.RecordedEvent) =>
  (options.occurredUntil === undefined || r.event.occurredAt.getTime() <= options.occurredUntil.getTime()) &&
  (options.recordedUntil === undefined || r.recordedAt.getTime() <= options.recordedUntil.getTime())

const write = (output: Output, text: string) => Effect.promise(() => output.write(text))

/** The global log, in order, in batches, filtered by the time-travel options. */
const log = (options: ExportOptions) =>
  Stream.unwrap(
    Effect.map(EventStore.EventStore, (store) =>
      store
        .readAll({
          batchSize: options.batchSize ?? 1000,
          ...(options.organisation === undefined ? {} : { organisation: options.organisation as any })
        })
        .pipe(Stream.filter(included(options)))
    )
  )

const withoutNulls = (fact: Fact): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const k of columns) if (fact[k] !== null) out[k] = fact[k]
  return out
}

const ndjson = (options: ExportOptions) =>
  Effect.gen(function* () {
    const tracker = new Tracker()
    let events = 0
    yield* Stream.runForEachChunk(log(options), (chunk) => {
      let text = ""
      for (const r of chunk) {
        text += `${JSON.stringify(withoutNulls(factOf(r, tracker, options.pseudonymise)))}\n`
        events++
      }
      return write(options.output, text)
    })
    return { events, containers: 0 }
  })

const csvCell = (value: unknown): string => {
  if (value === null || value === undefined) return ""
  if (typeof value !== "string") return String(value)
  // Spreadsheets run cells that start with these as formulas.
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
}

const csv = (options: ExportOptions) =>
  Effect.gen(function* () {
    const tracker = new Tracker()
    let events = 0
    yield* write(options.output, `${columns.join(",")}\r\n`)
    yield* Stream.runForEachChunk(log(options), (chunk) => {
      let text = ""
      for (const r of chunk) {
        const fact = factOf(r, tracker, options.pseudonymise)
        text += `${columns.map((c) => csvCell(fact[c])).join(",")}\r\n`
        events++
      }
      return write(options.output, text)
    })
    return { events, containers: 0 }
  })

// ---------------------------------------------------------------------------
// XES
// ---------------------------------------------------------------------------

/** XML attribute value escaping. @since 0.1.0 @category xes */
export const xmlEscape = (value: string): string =>
  value
    // characters XML 1.0 does not allow
    // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters removed
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;")
    .replace(/\r/g, "&#13;")
    .replace(/\n/g, "&#10;")
    .replace(/\t/g, "&#9;")

const dateFields = new Set<keyof Fact>(["recordedAt", "scheduledFor", "dueOn"])
/** Fact fields that are not event attributes in XES and OCEL (they are the trace, objects or standard keys). */
const structural = new Set<keyof Fact>([
  "event",
  "type",
  "organisation",
  "stream",
  "mentorship",
  "programme",
  "programmeName",
  "occurredAt",
  "actor",
  "actorRole",
  "meeting",
  "person"
])

const xesAttribute = (key: string, value: unknown, date: boolean): string => {
  if (typeof value === "number") return `<int key="${key}" value="${value}"/>`
  if (typeof value === "boolean") return `<boolean key="${key}" value="${value}"/>`
  if (date) return `<date key="${key}" value="${xmlEscape(String(value))}"/>`
  return `<string key="${key}" value="${xmlEscape(String(value))}"/>`
}

const xesEvent = (fact: Fact): string => {
  const parts = [
    `<string key="concept:name" value="${fact.type}"/>`,
    `<date key="time:timestamp" value="${fact.occurredAt}"/>`,
    `<string key="lifecycle:transition" value="complete"/>`,
    `<string key="org:role" value="${xmlEscape(fact.actorRole)}"/>`,
    `<string key="org:resource" value="${xmlEscape(fact.actor)}"/>`
  ]
  if (fact.meeting !== null) parts.push(`<string key="meeting" value="${fact.meeting}"/>`)
  if (fact.person !== null) parts.push(`<string key="person" value="${fact.person}"/>`)
  for (const key of columns) {
    if (structural.has(key)) continue
    const value = fact[key]
    if (value !== null) parts.push(xesAttribute(key, value, dateFields.has(key)))
  }
  return `\t\t<event>\n\t\t\t${parts.join("\n\t\t\t")}\n\t\t</event>\n`
}

const xesHeader = (exportedAt: Date) => `<?xml version="1.0" encoding="UTF-8"?>
<!-- A pseudonymised process log exported by mentor-ledger: process facts only, no content. -->
<!-- One trace per mentorship; ids are HMAC-SHA256 pseudonyms under the analyst's key. -->
<log xes.version="1849.2016" xmlns="http://www.xes-standard.org/">
\t<extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
\t<extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
\t<extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext"/>
\t<extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>
\t<global scope="trace">
\t\t<string key="concept:name" value="__INVALID__"/>
\t</global>
\t<global scope="event">
\t\t<string key="concept:name" value="__INVALID__"/>
\t\t<date key="time:timestamp" value="1970-01-01T00:00:00.000Z"/>
\t\t<string key="lifecycle:transition" value="complete"/>
\t\t<string key="org:role" value="UNKNOWN"/>
\t\t<string key="org:resource" value="UNKNOWN"/>
\t</global>
\t<classifier name="Activity" keys="concept:name"/>
\t<classifier name="Activity_and_role" keys="concept:name org:role"/>
\t<string key="concept:name" value="mentor-ledger process log"/>
\t<string key="pseudonymisation" value="HMAC-SHA256, 64 bits"/>
\t<date key="exportedAt" value="${exportedAt.toISOString()}"/>
`

/** Mentorship streams in the order they began: [organisation, mentorship id]. */
const mentorshipStreams = (organisation: string | undefined) =>
  Effect.gen(function* () {
    const journal = yield* Journal.SqlJournal
    const { db, tables } = journal
    let query = db
      .selectFrom(tables.events)
      .select(["organisation", "stream"])
      .select((eb) => eb.fn.min("position").as("first"))
      .where("stream_type", "=", "Mentorship")
      .groupBy(["organisation", "stream"])
      .orderBy("first")
    if (organisation !== undefined) query = query.where("organisation", "=", organisation)
    const rows = yield* Effect.promise(() => query.execute())
    const prefix = "mentorship-"
    return rows
      .map((r) => ({ organisation: String(r.organisation), stream: String(r.stream) }))
      .filter((r) => r.stream.startsWith(prefix))
      .map((r) => ({ organisation: r.organisation, id: r.stream.slice(prefix.length) }))
  })

/** Programme streams: [organisation, programme id]. */
const programmeStreams = (organisation: string | undefined) =>
  Effect.gen(function* () {
    const journal = yield* Journal.SqlJournal
    const { db, tables } = journal
    let query = db
      .selectFrom(tables.events)
      .select(["organisation", "stream"])
      .where("stream_type", "=", "Programme")
      .where("version", "=", 1)
    if (organisation !== undefined) query = query.where("organisation", "=", organisation)
    const rows = yield* Effect.promise(() => query.execute())
    const prefix = "programme-"
    return rows
      .map((r) => ({ organisation: String(r.organisation), stream: String(r.stream) }))
      .filter((r) => r.stream.startsWith(prefix))
      .map((r) => ({ organisation: r.organisation, id: r.stream.slice(prefix.length) }))
  })

const xes = (options: ExportOptions) =>
  Effect.gen(function* () {
    const store = yield* EventStore.EventStore
    const keep = included(options)
    const tracker = new Tracker()
    // Programme names first (each programme's first event).
    for (const ref of yield* programmeStreams(options.organisation)) {
      const first = yield* store.readStream(EventStore.programmeStream(ref.id, ref.organisation as any), {
        toVersion: 1
      })
      for (const r of first) if (keep(r)) tracker.observe(r)
    }
    yield* write(options.output, xesHeader(new Date()))
    let events = 0
    let traces = 0
    for (const ref of yield* mentorshipStreams(options.organisation)) {
      const recorded = (yield* store.readStream(
        EventStore.mentorshipStream(ref.id, ref.organisation as any)
      )).filter(keep)
      if (recorded.length === 0) continue
      const facts = recorded.map((r) => factOf(r, tracker, options.pseudonymise))
      const track = tracker.mentorship(ref.organisation, ref.id)
      // Events in the order they happened (some are recorded days later); ties in log order.
      const ordered = facts
        .map((f, i) => ({ f, i }))
        .sort((a, b) => a.f.occurredAt.localeCompare(b.f.occurredAt) || a.i - b.i)
      const first = facts[0]!
      let text = "\t<trace>\n"
      text += `\t\t<string key="concept:name" value="${first.mentorship ?? options.pseudonymise(ref.id)}"/>\n`
      if (first.programme !== null)
        text += `\t\t<string key="programme" value="${xmlEscape(first.programme)}"/>\n`
      if (first.programmeName !== null)
        text += `\t\t<string key="programmeName" value="${xmlEscape(first.programmeName)}"/>\n`
      if (track !== undefined) {
        text += `\t\t<string key="template" value="${xmlEscape(track.template)}"/>\n`
        text += `\t\t<string key="phase" value="${track.phase}"/>\n`
        text += `\t\t<int key="meetingsHeld" value="${track.meetingsHeld}"/>\n`
        text += `\t\t<int key="mentees" value="${track.mentees.length}"/>\n`
        text += `\t\t<int key="mentors" value="${track.mentors.length}"/>\n`
      }
      for (const { f } of ordered) text += xesEvent(f)
      text += "\t</trace>\n"
      yield* write(options.output, text)
      // This mentorship is done: keep nothing of it.
      tracker.mentorships.delete(Tracker.key(ref.organisation, ref.id))
      events += recorded.length
      traces++
    }
    yield* write(options.output, "</log>\n")
    return { events, containers: traces }
  })

// ---------------------------------------------------------------------------
// OCEL 2.0
// ---------------------------------------------------------------------------

type OcelType = "integer" | "float" | "boolean" | "time" | "string"

interface OcelObject {
  readonly type: string
  readonly attributes: Array<{ readonly name: string; readonly value: string; readonly time: string }>
  readonly relationships: Array<{ readonly objectId: string; readonly qualifier: string }>
  readonly seen: Set<string>
  readonly last: Map<string, string>
}

/** The object types and their attributes. @since 0.1.0 @category ocel */
export const objectTypes: ReadonlyArray<{
  readonly name: string
  readonly attributes: ReadonlyArray<{ name: string; type: OcelType }>
}> = [
  {
    name: "mentorship",
    attributes: [
      { name: "template", type: "string" },
      { name: "phase", type: "string" }
    ]
  },
  { name: "programme", attributes: [{ name: "name", type: "string" }] },
  { name: "mentor", attributes: [] },
  { name: "mentee", attributes: [] },
  { name: "supervisor", attributes: [] },
  { name: "coordinator", attributes: [] },
  {
    name: "meeting",
    attributes: [
      { name: "status", type: "string" },
      { name: "modality", type: "string" }
    ]
  }
]

const ocelId = (link: { readonly type: string; readonly id: string }) => `${link.type}:${link.id}`

const ocelValueType = (key: keyof Fact, value: unknown): OcelType =>
  dateFields.has(key)
    ? "time"
    : typeof value === "number"
      ? "integer"
      : typeof value === "boolean"
        ? "boolean"
        : "string"

class Objects {
  readonly all = new Map<string, OcelObject>()

  get(link: { readonly type: string; readonly id: string }): OcelObject {
    const id = ocelId(link)
    let o = this.all.get(id)
    if (o === undefined) {
      o = { type: link.type, attributes: [], relationships: [], seen: new Set(), last: new Map() }
      this.all.set(id, o)
    }
    return o
  }

  /** Records an attribute value from `time` on, when it changed. */
  set(o: OcelObject, name: string, value: string | null | undefined, time: string) {
    if (value === null || value === undefined || o.last.get(name) === value) return
    o.last.set(name, value)
    o.attributes.push({ name, value, time })
  }

  relate(o: OcelObject, target: { readonly type: string; readonly id: string }, qualifier: string) {
    const objectId = ocelId(target)
    const key = `${objectId}\u0000${qualifier}`
    if (o.seen.has(key)) return
    o.seen.add(key)
    o.relationships.push({ objectId, qualifier })
  }
}

const ocel = (options: ExportOptions) =>
  Effect.gen(function* () {
    const tracker = new Tracker()
    const objects = new Objects()
    const eventAttributes = new Map<string, Map<string, OcelType>>()
    for (const type of Events.eventTypes) eventAttributes.set(type, new Map())
    let events = 0
    let separator = ""
    yield* write(options.output, '{\n"events": [\n')
    yield* Stream.runForEachChunk(log(options), (chunk) => {
      let text = ""
      for (const r of chunk) {
        const fact = factOf(r, tracker, options.pseudonymise)
        const links: ReadonlyArray<Link> = linksOf(r, tracker, options.pseudonymise)
        const declared = eventAttributes.get(fact.type)!
        const attributes: Array<{ name: string; value: string }> = []
        for (const key of columns) {
          if (structural.has(key)) continue
          const value = fact[key]
          if (value === null) continue
          declared.set(key, ocelValueType(key, value))
          attributes.push({ name: key, value: String(value) })
        }
        declared.set("actorRole", "string")
        attributes.push({ name: "actorRole", value: fact.actorRole })
        for (const link of links) objects.get(link)
        // Object attributes and object-to-object relationships, as they change.
        const time = fact.occurredAt
        const mentorship = links.find((l) => l.type === "mentorship")
        if (mentorship !== undefined && fact.stream === "mentorship") {
          const m = objects.get(mentorship)
          objects.set(m, "template", fact.template, time)
          objects.set(m, "phase", fact.phase, time)
          for (const l of links) {
            if (l.type === "programme") objects.relate(m, l, "part of")
            if (l.type === "mentee" && (l.qualifier === "mentee" || l.qualifier === "signatory"))
              objects.relate(m, l, "mentee")
            if (l.type === "mentor" && (l.qualifier === "mentor" || l.qualifier === "signatory"))
              objects.relate(m, l, "mentor")
            if (l.type === "supervisor" && l.qualifier === "supervisor") objects.relate(m, l, "supervisor")
          }
        }
        const meeting = links.find((l) => l.type === "meeting")
        if (meeting !== undefined) {
          const o = objects.get(meeting)
          if (mentorship !== undefined) objects.relate(o, mentorship, "meeting of")
          objects.set(o, "modality", fact.modality, time)
          const status =
            fact.type === "MeetingScheduled"
              ? "scheduled"
              : fact.type === "MeetingHeld"
                ? "held"
                : fact.type === "MeetingCancelled"
                  ? "cancelled"
                  : null
          objects.set(o, "status", status, time)
        }
        if (r.event._tag === "ProgrammeLaunched") {
          objects.set(objects.get({ type: "programme", id: r.event.programmeId }), "name", r.event.name, time)
        }
        const event = {
          id: `event:${fact.event}`,
          type: fact.type,
          time: fact.occurredAt,
          attributes,
          relationships: links.map((l) => ({ objectId: ocelId(l), qualifier: l.qualifier }))
        }
        text += `${separator}${JSON.stringify(event)}`
        separator = ",\n"
        events++
      }
      return write(options.output, text)
    })
    const eventTypes = [...eventAttributes].map(([name, attrs]) => ({
      name,
      attributes: [...attrs].map(([n, type]) => ({ name: n, type }))
    }))
    yield* write(
      options.output,
      `\n],\n"objectTypes": ${JSON.stringify(objectTypes)},\n"eventTypes": ${JSON.stringify(eventTypes)},\n"objects": [\n`
    )
    let text = ""
    let first = true
    for (const [id, o] of objects.all) {
      text += `${first ? "" : ",\n"}${JSON.stringify({ id, type: o.type, attributes: o.attributes, relationships: o.relationships })}`
      first = false
      if (text.length > 64 * 1024) {
        yield* write(options.output, text)
        text = ""
      }
    }
    yield* write(options.output, `${text}\n]\n}\n`)
    return { events, containers: objects.all.size }
  })

/**
 * Writes the log in a format; reads it in batches.
 * @since 0.1.0
 * @category export
 */
export const exportLog = (
  options: ExportOptions
): Effect.Effect<
  Exported,
  EventStore.EventDecodeError | EventStore.StoreError,
  EventStore.EventStore | Journal.SqlJournal
> => {
  switch (options.format) {
    case "ndjson":
      return ndjson(options)
    case "csv":
      return csv(options)
    case "xes":
      return xes(options)
    case "ocel2":
      return ocel(options)
  }
}
