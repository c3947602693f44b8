/**
 * Whatever the event, its exported facts hold no content and no raw id:
 * every event type of the catalogue, generated from its schema by the test
 * kit, with its content fields replaced by sentinels.
 */
import { type EventStore, Events, Ids, Privacy } from "@mentor-ledger/core"
import { Arbitraries } from "@mentor-ledger/testing"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { columns, factOf, linksOf, Tracker } from "../src/export/facts.js"
import * as Pseudonyms from "../src/pseudonyms.js"

const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi

/** The event with every content field replaced by a sentinel that must never be exported. */
const withSentinels = (event: Events.Event): Events.Event => {
  const copy: any = { ...event }
  let n = 0
  for (const field of Privacy.contentFieldsOf(event._tag)) {
    const [name, each] = field.path.split(".")
    if (each === "*") copy[name!] = (copy[name!] as Array<string>).map(() => `SECRET-${n++}`)
    else copy[name!] = `SECRET-${n++}`
  }
  return copy
}

const recorded = (event: Events.Event, streamType: string): EventStore.RecordedEvent => ({
  eventId: Ids.newId(),
  organisation: Ids.defaultOrganisation,
  stream: `${streamType.toLowerCase()}-x`,
  streamType,
  version: 1,
  position: { transaction: 0n, sequence: 1n },
  recordedAt: new Date(Date.UTC(2026, 0, 1)),
  storedSchemaVersion: 1,
  metadata: {},
  event
})

const streamOf = (type: Events.EventType) => Events.catalogue.get(type)!.stream

describe("process facts", () => {
  it("no content field of any event type is a column, except lists exported as their length", () => {
    const names = new Set<string>(columns)
    const counted = new Set<string>()
    for (const type of Events.eventTypes)
      for (const f of Privacy.contentFieldsOf(type)) {
        const name = f.path.split(".")[0]!
        if (!names.has(name)) continue
        // A list of content (goals, topics) goes out as a count, never as its items.
        expect(f.path, `${type}.${f.path}`).toBe(`${name}.*`)
        counted.add(name)
      }
    expect([...counted].sort()).toEqual(["goals", "topics"])
  })

  it("hold no content and no raw person, mentorship, meeting or task id, for any event", () => {
    const p = Pseudonyms.make("property-test-key-0123456789")
    fc.assert(
      fc.property(fc.array(Arbitraries.event, { minLength: 1, maxLength: 6 }), (events) => {
        const tracker = new Tracker()
        // A request first, so that the later events of its mentorship have a track.
        for (const raw of events) {
          const event = withSentinels(raw)
          const r = recorded(event, streamOf(event._tag))
          const fact = factOf(r, tracker, p)
          const links = linksOf(r, tracker, p)
          const text = JSON.stringify({ fact, links })
          expect(text).not.toContain("SECRET-")
          const allowed = new Set<string>("programmeId" in event ? [event.programmeId.toLowerCase()] : [])
          const track =
            "mentorshipId" in event ? tracker.mentorship(r.organisation, event.mentorshipId) : undefined
          if (track !== undefined) allowed.add(track.programme.toLowerCase())
          for (const id of text.match(uuid) ?? [])
            expect(allowed.has(id.toLowerCase()), `${event._tag} leaks ${id}`).toBe(true)
          for (const name of ["goals", "topics"] as const)
            expect(fact[name] === null || typeof fact[name] === "number").toBe(true)
          expect(fact.type).toBe(event._tag)
          expect(fact.actor).toBe(p(event.actor.personId))
        }
      }),
      { numRuns: 300 }
    )
  })
})
