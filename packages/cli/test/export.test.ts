/**
 * The exports, against the published schemas with real validators:
 * - XES against the IEEE 1849-2016 XML Schema, with libxml2 (xmllint-wasm:
 *   libxml2's xmllint compiled to WebAssembly, from npm, so CI needs no
 *   system package);
 * - OCEL 2.0 JSON against the OCEL 2.0 JSON schema, with ajv.
 * Neither schema can be downloaded here: both are vendored in
 * test/fixtures, written out from the published specifications as
 * faithfully as we could (see the comment at the top of each file).
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { Ajv } from "ajv"
import addFormats from "ajv-formats"
import { beforeAll, describe, expect, it } from "vitest"
import { validateXML } from "xmllint-wasm"
import { columns } from "../src/export/facts.js"
import * as Pseudonyms from "../src/pseudonyms.js"
import { cli, demoFile, demoTexts, key, tempDir } from "./support.js"

const fixtures = join(import.meta.dirname, "fixtures")
const xsd = readFileSync(join(fixtures, "xes-ieee-1849-2016.xsd"), "utf8")
const ocelSchema = JSON.parse(readFileSync(join(fixtures, "ocel20-schema-json.json"), "utf8"))

const validateXes = (xml: string) =>
  validateXML({
    xml: [{ fileName: "export.xes", contents: xml }],
    schema: [{ fileName: "xes-ieee-1849-2016.xsd", contents: xsd }],
    maxMemoryPages: 4096
  })

const ajv = new Ajv({ allErrors: true, strict: false })
;(addFormats as unknown as (a: Ajv) => void)(ajv)
const validateOcel = ajv.compile(ocelSchema)

const dir = tempDir()
let db = ""
const exported: Record<string, string> = {}

beforeAll(async () => {
  db = await demoFile(dir, 16)
  for (const format of ["ndjson", "csv", "xes", "ocel2"]) {
    const out = join(dir, `export.${format}`)
    const ran = await cli(["export", "--db", db, "--format", format, "--key", key, "--out", out])
    expect(ran.code, ran.stderr).toBe(0)
    expect(ran.stderr).toMatch(new RegExp(`^exported [\\d,]+ events.* as ${format} to `))
    exported[format] = readFileSync(out, "utf8")
  }
})

describe("XES (IEEE 1849)", () => {
  it("validates against the IEEE 1849-2016 XML Schema", async () => {
    const result = await validateXes(exported.xes!)
    expect(result.errors).toEqual([])
    expect(result.valid).toBe(true)
  })

  it("the validator is real: it rejects a broken log", async () => {
    const broken = exported.xes!.replace(
      '<string key="concept:name" value="MentoringRequested"/>',
      '<string value="x"/>'
    )
    expect((await validateXes(broken)).valid).toBe(false)
    expect((await validateXes(exported.xes!.replace('xes.version="1849.2016"', ""))).valid).toBe(false)
  })

  it("has one trace per mentorship, with the standard keys on every event", () => {
    const xes = exported.xes!
    const traces = xes.split("<trace>").length - 1
    const requested = xes.split('value="MentoringRequested"').length - 1
    expect(traces).toBe(16)
    expect(requested).toBe(16)
    const events = xes.split("<event>").slice(1)
    for (const e of events) {
      expect(e).toMatch(/<string key="concept:name" value="[A-Za-z]+"\/>/)
      expect(e).toMatch(/<date key="time:timestamp" value="\d{4}-\d\d-\d\dT[\d:.]+Z"\/>/)
      expect(e).toContain('<string key="lifecycle:transition" value="complete"/>')
      expect(e).toMatch(/<string key="org:role" value="(mentor|mentee|supervisor|coordinator)"\/>/)
    }
    // In each trace, events are in the order they happened.
    for (const trace of xes.split("<trace>").slice(1)) {
      const times = [...trace.matchAll(/key="time:timestamp" value="([^"]+)"/g)].map((m) => m[1]!)
      expect([...times].sort()).toEqual(times)
    }
  })
})

describe("OCEL 2.0", () => {
  it("validates against the OCEL 2.0 JSON schema", () => {
    const log = JSON.parse(exported.ocel2!)
    const valid = validateOcel(log)
    expect(validateOcel.errors ?? []).toEqual([])
    expect(valid).toBe(true)
  })

  it("the validator is real: it rejects a broken log", () => {
    const log = JSON.parse(exported.ocel2!)
    delete log.events[0].time
    expect(validateOcel(log)).toBe(false)
    expect(validateOcel({ ...JSON.parse(exported.ocel2!), objects: undefined })).toBe(false)
  })

  it("relates events to mentorship, mentor, mentee, programme and meeting objects by qualifiers", () => {
    const log = JSON.parse(exported.ocel2!) as {
      objectTypes: Array<{ name: string }>
      eventTypes: Array<{ name: string; attributes: Array<{ name: string; type: string }> }>
      objects: Array<{
        id: string
        type: string
        relationships?: Array<{ objectId: string; qualifier: string }>
      }>
      events: Array<{
        id: string
        type: string
        relationships: Array<{ objectId: string; qualifier: string }>
      }>
    }
    const types = new Set(log.objects.map((o) => o.type))
    for (const t of ["mentorship", "mentor", "mentee", "programme", "meeting"]) expect(types).toContain(t)
    const ids = new Set(log.objects.map((o) => o.id))
    // Every relationship points at a listed object, and ids are unique.
    expect(ids.size).toBe(log.objects.length)
    for (const e of log.events) for (const r of e.relationships) expect(ids).toContain(r.objectId)
    for (const o of log.objects) for (const r of o.relationships ?? []) expect(ids).toContain(r.objectId)
    const held = log.events.find((e) => e.type === "MeetingHeld")!
    const qualifiers = held.relationships.map((r) => `${r.objectId.split(":")[0]}/${r.qualifier}`)
    expect(qualifiers).toEqual(
      expect.arrayContaining([
        "mentorship/mentorship",
        "programme/programme",
        "meeting/meeting",
        "mentor/actor"
      ])
    )
    const requested = log.events.find((e) => e.type === "MentoringRequested")!
    expect(requested.relationships.map((r) => r.qualifier)).toEqual(
      expect.arrayContaining(["mentee", "supervisor"])
    )
    const matched = log.events.find((e) => e.type === "MentorMatched")!
    expect(matched.relationships.map((r) => r.qualifier)).toContain("mentor")
    // Declared event types carry the attributes their events use.
    const heldType = log.eventTypes.find((t) => t.name === "MeetingHeld")!
    expect(heldType.attributes).toEqual(
      expect.arrayContaining([
        { name: "durationMinutes", type: "integer" },
        { name: "modality", type: "string" },
        { name: "planning", type: "boolean" }
      ])
    )
    const meeting = log.objects.find((o) => o.type === "meeting")!
    expect(meeting.relationships?.[0]?.qualifier).toBe("meeting of")
  })
})

describe("NDJSON and CSV", () => {
  it("write one record per event, in log order", () => {
    const lines = exported
      .ndjson!.trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l))
    const rows = exported.csv!.trimEnd().split("\r\n")
    expect(rows[0]).toBe(columns.join(","))
    expect(rows.length - 1).toBe(lines.length)
    expect(lines[0].type).toBe("ProgrammeLaunched")
    const times = lines.map((l) => l.recordedAt as string)
    expect([...times].sort()).toEqual(times)
    for (const l of lines) {
      expect(Object.keys(l).every((k) => (columns as ReadonlyArray<string>).includes(k))).toBe(true)
      if (l.stream === "mentorship") expect(l.phase).toMatch(/^[a-z-]+$/)
    }
  })
})

describe("pseudonymisation and content", () => {
  it("never exports content, nor a raw id", () => {
    for (const [format, text] of Object.entries(exported)) {
      for (const t of demoTexts) expect(text, `${format} leaks "${t}"`).not.toContain(t)
      // No uuid at all, except the programmes' (organisational) ids.
      const uuids = new Set(text.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g) ?? [])
      expect(uuids.size, format).toBeLessThanOrEqual(2)
    }
  })

  it("gives the same pseudonyms for the same key, other ones for another key", async () => {
    const again = await cli(["export", "--db", db, "--format", "ndjson"], { MENTOR_LEDGER_KEY: key })
    expect(again.stdout).toBe(exported.ndjson)
    const other = await cli(["export", "--db", db, "--format", "ndjson", "--key", `${key}-other`])
    expect(other.code).toBe(0)
    const a = exported.ndjson!.split("\n")[0]!
    const b = other.stdout.split("\n")[0]!
    expect(JSON.parse(a).actor).not.toBe(JSON.parse(b).actor)
    expect(JSON.parse(a).type).toBe(JSON.parse(b).type)
    expect(Pseudonyms.make(key)("ABCDEF00-0000-4000-8000-000000000000")).toBe(
      Pseudonyms.make(key)("abcdef00-0000-4000-8000-000000000000")
    )
    expect(Pseudonyms.make(key)("x")).toMatch(/^[0-9a-f]{16}$/)
  })

  it("reads the key from a file", async () => {
    const file = join(dir, "study.key")
    const { writeFileSync } = await import("node:fs")
    writeFileSync(file, `${key}\n`)
    const ran = await cli(["export", "--db", db, "--format", "ndjson", "--key-file", file])
    expect(ran.stdout).toBe(exported.ndjson)
  })
})

describe("time travel", () => {
  it("exports what had happened by --as-of, and what was known at --as-known-at", async () => {
    const all = exported
      .ndjson!.trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l))
    const times = all.map((l) => l.occurredAt as string).sort()
    const middle = times[Math.floor(times.length / 2)]!
    const asOf = await cli(["export", "--db", db, "--format", "ndjson", "--key", key, "--as-of", middle])
    const before = asOf.stdout
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l))
    expect(before.length).toBe(all.filter((l) => l.occurredAt <= middle).length)
    const known = await cli([
      "export",
      "--db",
      db,
      "--format",
      "ndjson",
      "--key",
      key,
      "--as-known-at",
      middle
    ])
    const knownThen = known.stdout
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l))
    expect(knownThen.length).toBe(all.filter((l) => l.recordedAt <= middle).length)
    // Meetings logged days late: known later than they happened.
    expect(knownThen.length).toBeLessThan(before.length)
  })
})
