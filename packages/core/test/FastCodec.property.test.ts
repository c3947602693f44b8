/**
 * The compiled event codecs (the event store's fast path) against Effect
 * Schema: for every event type, valid events encode and decode to exactly
 * what Effect Schema gives, and a mutated input is refused by both or
 * accepted by both with the same output.
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as SchemaAST from "effect/SchemaAST"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { Commands, EventStore, Events, Ids, Template } from "@mentor-ledger/core"
import { Arbitraries } from "@mentor-ledger/testing"
import { compile, Fail } from "../src/internal/fastCodec.js"

const types = Events.eventTypes

const codecs = (type: Events.EventType) => {
  const schema = Events.catalogue.get(type)!.schema as Schema.Schema<any, any>
  return {
    fastDecode: compile(schema.ast, "decode")!,
    fastEncode: compile(schema.ast, "encode")!,
    decode: Schema.decodeUnknownEither(schema),
    encode: Schema.encodeUnknownEither(schema)
  }
}

/** Every path to a value inside a JSON-like tree (Dates are leaves). */
const paths = (value: unknown, at: ReadonlyArray<string | number> = []): Array<Array<string | number>> => {
  const out: Array<Array<string | number>> = [[...at]]
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) out.push(...paths(v, [...at, i]))
  } else if (typeof value === "object" && value !== null && !(value instanceof Date))
    for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...at, k]))
  return out
}

const clone = (value: unknown): unknown =>
  value instanceof Date
    ? new Date(value.getTime())
    : Array.isArray(value)
      ? value.map(clone)
      : typeof value === "object" && value !== null
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clone(v)]))
        : value

const remove = Symbol("remove")

/** Replaces (or removes) the value at `path`; the root itself is replaced. */
const mutate = (value: unknown, path: ReadonlyArray<string | number>, replacement: unknown): unknown => {
  if (path.length === 0) return replacement === remove ? undefined : replacement
  const copy = clone(value) as Record<string | number, unknown>
  let parent = copy
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>
  const last = path[path.length - 1]!
  if (replacement === remove) {
    if (Array.isArray(parent)) parent.splice(Number(last), 1)
    else delete parent[last]
  } else parent[last] = replacement
  return copy
}

const replacement: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(remove),
  fc.string({ maxLength: 4 }),
  fc.uuid(),
  fc.constant("0190f5a2-2f4b-7c1d-8e3f-4a5b6c7d8e9G"),
  fc.constant("2026-13-45T00:00:00.000Z"),
  fc.constant("2026-01-05T09:00:00.000Z"),
  fc.constant(new Date("2026-01-05T09:00:00.000Z")),
  fc.constant(new Date(Number.NaN)),
  fc.integer({ min: -3, max: 200 }),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.constant({}),
  fc.constant([]),
  fc.constant("x".repeat(20_001)),
  fc.constantFrom("mentor", "mentee", "video", "phone", "in-person", "summary", "meeting", "Empty")
)

const sameVerdict = (fast: unknown, effect: Either.Either<unknown, unknown>) => {
  if (Either.isLeft(effect)) expect(fast).toBe(Fail)
  else expect(fast).toEqual(effect.right)
}

describe("compiled event codecs agree with Effect Schema", () => {
  it("every event type compiles, both ways", () => {
    for (const type of types) {
      const schema = Events.catalogue.get(type)!.schema
      expect(compile(schema.ast, "decode"), type).toBeDefined()
      expect(compile(schema.ast, "encode"), type).toBeDefined()
    }
  })

  for (const type of types) {
    const { fastDecode, fastEncode, decode, encode } = codecs(type)

    it(`${type}: valid events encode and decode as Effect Schema does`, () => {
      fc.assert(
        fc.property(Arbitraries.events[type] as fc.Arbitrary<unknown>, (event) => {
          const encoded = encode(event)
          expect(Either.isRight(encoded)).toBe(true)
          expect(fastEncode(event)).toEqual(Either.getOrThrow(encoded))
          const stored = JSON.parse(JSON.stringify(Either.getOrThrow(encoded)))
          const decoded = decode(stored)
          expect(Either.isRight(decoded)).toBe(true)
          expect(fastDecode(stored)).toEqual(Either.getOrThrow(decoded))
        }),
        { numRuns: 30 }
      )
    })

    it(`${type}: a mutated input is refused by both, or accepted by both alike`, () => {
      fc.assert(
        fc.property(
          (Arbitraries.events[type] as fc.Arbitrary<unknown>).chain((event) =>
            fc.record({
              event: fc.constant(event),
              path: fc.constantFrom(...paths(event)),
              storedPath: fc.constantFrom(
                ...paths(JSON.parse(JSON.stringify(Either.getOrThrow(encode(event)))))
              ),
              value: replacement
            })
          ),
          ({ event, path, storedPath, value }) => {
            // encoding a mutated event
            const typed = mutate(event, path, value)
            sameVerdict(fastEncode(typed), encode(typed))
            // decoding a mutated stored payload
            const stored = mutate(
              JSON.parse(JSON.stringify(Either.getOrThrow(encode(event)))),
              storedPath,
              value
            )
            sameVerdict(fastDecode(stored), decode(stored))
          }
        ),
        { numRuns: 60 }
      )
    })
  }
})

describe("the event store's codec with the fast path", () => {
  it("decodeRow gives the stored event back, and names the field of a bad one", () => {
    fc.assert(
      fc.property(Arbitraries.event, (event) => {
        const row = Either.getOrThrow(EventStore.encodeEvent(event, Ids.sequentialId(1), new Date(0)))
        const stored = {
          ...row,
          organisation: Ids.defaultOrganisation,
          stream: "s",
          streamType: "Mentorship",
          version: 1,
          position: { transaction: 1n, sequence: 1n }
        }
        const read = Either.getOrThrow(EventStore.decodeRow(stored))
        const schema = Events.catalogue.get(event._tag)!.schema as Schema.Schema<any, any>
        const expected = Schema.decodeUnknownEither(schema)({ ...JSON.parse(row.payload), _tag: event._tag })
        expect(read.event).toEqual(Either.getOrThrow(expected))
        expect(read.metadata).toEqual({})
        const broken = EventStore.decodeRow({
          ...stored,
          payload: JSON.stringify({ ...JSON.parse(row.payload), occurredAt: "not a date" })
        })
        expect(Either.isLeft(broken) && broken.left.path).toBe("occurredAt")
      }),
      { numRuns: 100 }
    )
  })
})

describe("compiled command decoders agree with Effect Schema (onExcessProperty: error)", () => {
  const options = { errors: "all", onExcessProperty: "error" } as const
  const Tpl = Template.ProcessTemplate.annotations({
    arbitrary: () => () => Arbitraries.processTemplate as never
  })
  const members = [
    ...Commands.ProgrammeCommand.members,
    ...Commands.MentorshipCommand.members
  ] as ReadonlyArray<Schema.Schema<any, any>>
  for (const member of members) {
    const tag = (
      SchemaAST.getPropertySignatures(member.ast).find((p) => p.name === "_tag")!.type as SchemaAST.Literal
    ).literal as string
    const fields = (member as unknown as { fields: Record<string, Schema.Schema.All> }).fields
    const forArbitrary: Schema.Schema<any, any> =
      "templates" in fields
        ? Schema.Struct({ ...fields, templates: Schema.Array(Tpl) } as never)
        : "template" in fields
          ? Schema.Struct({ ...fields, template: Tpl } as never)
          : member
    const fast = compile(member.ast, "decode", { excess: "error" })!
    const decode = Schema.decodeUnknownEither(member)
    const encode = Schema.encodeSync(member)

    it(`${tag}: valid input (dates as strings or Dates), and mutated input, decode alike`, () => {
      expect(fast).toBeDefined()
      fc.assert(
        fc.property(
          (Arbitraries.fromSchema(forArbitrary) as fc.Arbitrary<Record<string, unknown>>).chain((command) => {
            const input = encode(command) as Record<string, unknown>
            return fc.record({
              command: fc.constant(command),
              input: fc.constant(input),
              path: fc.constantFrom(...paths(input)),
              value: replacement,
              extra: fc.boolean()
            })
          }),
          ({ command, input, path, value, extra }) => {
            sameVerdict(fast(input), decode(input, options))
            sameVerdict(fast(command), decode(command, options))
            const mutated = mutate(input, path, value) as Record<string, unknown>
            const tried =
              extra && typeof mutated === "object" && mutated !== null ? { ...mutated, extra: 1 } : mutated
            sameVerdict(fast(tried), decode(tried, options))
          }
        ),
        { numRuns: 40 }
      )
    })
  }
})

describe("sealing on append", () => {
  it("never changes the caller's event: content is sealed in the store's own copy", async () => {
    const layer = EventStore.layerMemory.pipe(Layer.provide(Ids.layerSequential(1)))
    await fc.assert(
      fc.asyncProperty(Arbitraries.event, async (event) => {
        const before = structuredClone(event)
        const mentorshipId = (event as { readonly mentorshipId?: string }).mentorshipId
        const stream =
          mentorshipId === undefined
            ? EventStore.programmeStream(Ids.sequentialId(7))
            : EventStore.mentorshipStream(mentorshipId)
        await Effect.runPromise(
          Effect.flatMap(EventStore.EventStore, (store) => Effect.either(store.append(stream, [event]))).pipe(
            Effect.provide(layer)
          )
        )
        expect(event).toEqual(before)
      }),
      { numRuns: 100 }
    )
  })
})
