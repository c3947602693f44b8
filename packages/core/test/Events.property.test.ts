import { Either } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { EventStore, Events, Ids } from "@mentor-ledger/core"
import { Histories } from "@mentor-ledger/testing"

const { choices: choicesArb, template: templateArb, walk } = Histories

const row = (
  encoded: ReturnType<typeof encode>,
  overrides: Partial<{ schemaVersion: number; payload: string }> = {}
) => ({
  ...encoded,
  ...overrides,
  organisation: Ids.defaultOrganisation,
  stream: "mentorship-x",
  streamType: "Mentorship",
  version: 1,
  position: { transaction: 1n, sequence: 1n }
})
const encode = (event: Events.Event) => {
  const encoded = EventStore.encodeEvent(event, Ids.sequentialId(1), new Date(0))
  if (Either.isLeft(encoded)) throw encoded.left
  return encoded.right
}
const decode = (r: ReturnType<typeof row>) => {
  const decoded = EventStore.decodeRow(r)
  if (Either.isLeft(decoded)) throw decoded.left
  return decoded.right.event
}

const historyArb = fc
  .record({ template: templateArb, choices: choicesArb })
  .map(({ template, choices }) =>
    walk(template, choices).flatMap((s) => (Either.isRight(s.result) ? s.result.right : []))
  )

describe("event codec properties", () => {
  it("every event of a random history round-trips through encode and decode", () => {
    fc.assert(
      fc.property(historyArb, (events) => {
        for (const event of events) expect(decode(row(encode(event)))).toEqual(event)
      })
    )
  })

  it("a MeetingHeld stored at version 1 is upcast to an in-person meeting of 60 minutes", () => {
    fc.assert(
      fc.property(historyArb, (events) => {
        for (const event of events) {
          if (event._tag !== "MeetingHeld") continue
          const current = encode(event)
          const { modality: _m, durationMinutes: _d, ...v1 } = JSON.parse(current.payload)
          const upcast = decode(row(current, { schemaVersion: 1, payload: JSON.stringify(v1) }))
          expect(upcast).toEqual({ ...event, modality: "in-person", durationMinutes: 60 })
        }
      })
    )
  })

  it("an AgreementSigned stored at version 1 (goals as one text) is upcast to a list of goals", () => {
    const goal = fc.stringMatching(/^[A-Za-z][A-Za-z ]{0,30}[A-Za-z]$/)
    fc.assert(
      fc.property(historyArb, fc.array(goal, { minLength: 1, maxLength: 5 }), (events, goals) => {
        for (const event of events) {
          if (event._tag !== "AgreementSigned") continue
          const v1 = { ...JSON.parse(encode(event).payload), goals: goals.join("\n") }
          const upcast = decode(row(encode(event), { schemaVersion: 1, payload: JSON.stringify(v1) }))
          expect(upcast).toEqual({ ...event, goals })
        }
      })
    )
  })

  it("the catalogue knows every event type the deciders emit, at its current version", () => {
    expect(Events.eventTypes).toHaveLength(31)
    expect(Events.catalogue.get("MeetingHeld")?.version).toBe(2)
    expect(Events.catalogue.get("AgreementSigned")?.version).toBe(2)
  })
})
