import { EventStore, Events, Ids, Template } from "@mentor-ledger/core"
import { Arbitraries } from "@mentor-ledger/testing"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { assertProperty } from "../src/internal/properties.js"
import { templateCandidate } from "../src/internal/templates.js"

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

describe("Arbitraries", () => {
  it("makes ids the core's id schemas accept", () =>
    assertProperty(
      fc.property(
        fc.record({
          person: Arbitraries.personId,
          mentorship: Arbitraries.mentorshipId,
          programme: Arbitraries.programmeId,
          meeting: Arbitraries.meetingId,
          task: Arbitraries.taskId,
          observation: Arbitraries.observationId,
          event: Arbitraries.eventId,
          organisation: Arbitraries.organisationId
        }),
        (ids) => {
          expect(ids.person).toMatch(uuidPattern)
          expect(Schema.is(Ids.PersonId)(ids.person)).toBe(true)
          expect(Schema.is(Ids.MentorshipId)(ids.mentorship)).toBe(true)
          expect(Schema.is(Ids.ProgrammeId)(ids.programme)).toBe(true)
          expect(Schema.is(Ids.MeetingId)(ids.meeting)).toBe(true)
          expect(Schema.is(Ids.TaskId)(ids.task)).toBe(true)
          expect(Schema.is(Ids.ObservationId)(ids.observation)).toBe(true)
          expect(Schema.is(Ids.EventId)(ids.event)).toBe(true)
          expect(Schema.is(Ids.OrganisationId)(ids.organisation)).toBe(true)
        }
      ),
      100
    ))

  it("makes actors and process templates the schemas accept", () =>
    assertProperty(
      fc.property(Arbitraries.actor, Arbitraries.processTemplate, (actor, template) => {
        expect(Schema.decodeUnknownEither(Schema.typeSchema(Template.ProcessTemplate))(template)).toEqual(
          Either.right(template)
        )
        expect(Schema.is(Events.ProgrammeLaunched.fields.actor)(actor)).toBe(true)
      }),
      200
    ))

  it("builds templates that follow every rule of the template schema, without filtering", () =>
    assertProperty(
      fc.property(templateCandidate, (template) => {
        const result = Schema.decodeUnknownEither(Schema.typeSchema(Template.ProcessTemplate))(template, {
          errors: "all"
        })
        if (Either.isLeft(result)) throw new Error(`a template rule is not built in: ${result.left.message}`)
      }),
      200
    ))

  it("covers the template rules, not only the easy cases", () => {
    const templates = fc.sample(Arbitraries.processTemplate, { numRuns: 500, seed: 42 })
    const has = (step: Template.Step) => templates.filter((t) => Template.hasStep(t, step)).length
    expect(has("follow-up")).toBeGreaterThan(50)
    expect(templates.filter((t) => t.supervisorTakesPart).length).toBeGreaterThan(50)
    expect(templates.filter((t) => t.steps.length === 0).length).toBeGreaterThan(0)
  })

  it("has an arbitrary for every event type of the catalogue", () => {
    expect(Object.keys(Arbitraries.events).sort()).toEqual([...Events.eventTypes].sort())
    const types = new Set(fc.sample(Arbitraries.event, { numRuns: 600, seed: 7 }).map((e) => e._tag))
    expect([...types].sort()).toEqual([...Events.eventTypes].sort())
  })

  describe("every event type round-trips through encodeEvent and decodeRow", () => {
    for (const type of Events.eventTypes) {
      it(type, () =>
        assertProperty(
          fc.property(
            Arbitraries.events[type] as fc.Arbitrary<Events.Event>,
            Arbitraries.eventId,
            Arbitraries.storableDate,
            Arbitraries.metadata,
            (event, eventId, recordedAt, metadata) => {
              const encoded = Either.getOrThrow(EventStore.encodeEvent(event, eventId, recordedAt, metadata))
              expect(encoded).toMatchObject({
                eventId,
                eventType: type,
                schemaVersion: Events.catalogue.get(type)!.version,
                occurredAt: event.occurredAt,
                recordedAt
              })
              expect(JSON.parse(encoded.payload)).not.toHaveProperty("_tag")
              const decoded = EventStore.decodeRow({
                ...encoded,
                organisation: Ids.defaultOrganisation,
                stream: "mentorship-x",
                streamType: Events.catalogue.get(type)!.stream,
                version: 1,
                position: { transaction: 1n, sequence: 1n }
              })
              if (Either.isLeft(decoded)) throw decoded.left
              expect(decoded.right.event).toEqual(event)
              expect(decoded.right.metadata).toEqual(metadata)
              expect(decoded.right.storedSchemaVersion).toBe(encoded.schemaVersion)
            }
          ),
          50
        )
      )
    }
  })

  it("makes encoded events the store can decode", () =>
    assertProperty(
      fc.property(Arbitraries.encodedEvent, (encoded) => {
        const decoded = EventStore.decodeRow({
          ...encoded,
          organisation: Ids.defaultOrganisation,
          stream: "s",
          streamType: "Mentorship",
          version: 1,
          position: { transaction: 1n, sequence: 1n }
        })
        expect(Either.isRight(decoded)).toBe(true)
      }),
      100
    ))
})
