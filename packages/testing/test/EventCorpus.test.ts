/**
 * The event-schema compatibility corpus: a stored row of every event type
 * at every schema version (corpus/<EventType>@<version>.json, written once
 * by scripts/corpus.ts), each decoded through `EventStore.decodeRow` and
 * compared with the event it must read as. A change to an event schema
 * that would break reading stored events fails here; so does an event type
 * or a schema version without a row.
 */
import { readdirSync, readFileSync } from "node:fs"
import { EventStore, Events, Ids } from "@mentor-ledger/core"
import * as Either from "effect/Either"
import { describe, expect, it } from "vitest"

const dir = new URL("../corpus/", import.meta.url)
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".json"))
  .sort()

interface Entry {
  readonly eventType: string
  readonly schemaVersion: number
  readonly payload: Record<string, unknown>
  readonly decoded: unknown
}

/** The expected event: `{ "$date": iso }` back to a Date. */
const revive = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(revive)
    : value !== null && typeof value === "object"
      ? "$date" in value
        ? new Date((value as { $date: string }).$date)
        : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revive(v)]))
      : value

const read = (file: string): Entry => JSON.parse(readFileSync(new URL(file, dir), "utf8"))

describe("event corpus", () => {
  it("holds a row of every event type of the catalogue at every schema version", () => {
    const expected = [...Events.catalogue.values()].flatMap((def) =>
      Array.from({ length: def.version }, (_, v) => `${def.type}@${v + 1}.json`)
    )
    const missing = expected.filter((f) => !files.includes(f))
    expect(missing, "run `pnpm --filter @mentor-ledger/testing corpus` to add them").toEqual([])
  })

  describe.each(files)("%s", (file) => {
    it("decodes to the event stored beside it", () => {
      const entry = read(file)
      expect(file).toBe(`${entry.eventType}@${entry.schemaVersion}.json`)
      const decoded = EventStore.decodeRow({
        eventId: Ids.sequentialId(9000),
        eventType: entry.eventType,
        schemaVersion: entry.schemaVersion,
        payload: JSON.stringify(entry.payload),
        metadata: "{}",
        occurredAt: new Date(0),
        recordedAt: new Date(0),
        organisation: Ids.defaultOrganisation,
        stream: "corpus",
        streamType: Events.catalogue.get(entry.eventType as Events.EventType)?.stream ?? "Mentorship",
        version: 1,
        position: { transaction: 1n, sequence: 1n }
      })
      if (Either.isLeft(decoded))
        throw new Error(`${file} no longer decodes: ${decoded.left.path}: ${decoded.left.message}`)
      expect(decoded.right.event).toEqual(revive(entry.decoded))
      expect(decoded.right.storedSchemaVersion).toBe(entry.schemaVersion)
    })
  })
})
