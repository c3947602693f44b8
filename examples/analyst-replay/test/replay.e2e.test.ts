/**
 * The analyst's replay, statistics and exports:
 * - on a small log written here through the ledger, whose answers are known
 *   by hand (and computed again, independently, from the events);
 * - on the CLI's demo programme, where the statistics must equal what the
 *   test computes itself from the read-only event stream (`readAll`);
 * - the XES export validates against the IEEE 1849 XML Schema (libxml2) and
 *   the OCEL 2.0 export against the OCEL 2.0 JSON schema (ajv), and it is
 *   closed (every relationship names an object it lists);
 * - the source database is byte for byte unchanged.
 */
import { execFile } from "node:child_process"
import { createHash } from "node:crypto"
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Writable } from "node:stream"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { Cli } from "@mentor-ledger/cli"
import { Ajv } from "ajv"
import addFormats from "ajv-formats"
import { createLedger, EventJournal, Ids, type MentorLedger, Template } from "@mentor-ledger/core"
import { SqliteReadModels } from "@mentor-ledger/sqlite"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { validateXML } from "xmllint-wasm"
import { replay } from "../src/replay.js"
import {
  type FirstMeetingWait,
  type MeetingCadence,
  meetingCadence,
  timeToFirstMeeting
} from "../src/statistics.js"

const root = fileURLToPath(new URL("../../..", import.meta.url))
const main = fileURLToPath(new URL("../src/main.ts", import.meta.url))
// The IEEE 1849-2016 XML Schema and the OCEL 2.0 JSON schema the CLI's own tests validate against
// (vendored there: neither can be downloaded here).
const fixtures = join(root, "packages/cli/test/fixtures")
const xsd = readFileSync(join(fixtures, "xes-ieee-1849-2016.xsd"), "utf8")
const ajv = new Ajv({ allErrors: true, strict: false })
;(addFormats as unknown as (a: Ajv) => void)(ajv)
const validateOcel = ajv.compile(JSON.parse(readFileSync(join(fixtures, "ocel20-schema-json.json"), "utf8")))
const dir = mkdtempSync(join(tmpdir(), "mentor-ledger-analyst-replay-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const key = "a-study-key-for-the-example-0123456789"
const sha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex")

/** Runs a `mentor-ledger` command in this process. */
const cli = async (argv: ReadonlyArray<string>) => {
  let stdout = ""
  let stderr = ""
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk, _encoding, done) {
        append(String(chunk))
        done()
      }
    })
  const code = await Cli.run(argv, {
    stdout: sink((s) => (stdout += s)),
    stderr: sink((s) => (stderr += s)),
    env: {}
  })
  return { code, stdout, stderr }
}

// ---------------------------------------------------------------------------
// The statistics, computed again from the events alone (no read model, no SQL)
// ---------------------------------------------------------------------------

const quantile7 = (values: ReadonlyArray<number>, q: number): number | null => {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  const h = (sorted.length - 1) * q
  const lo = Math.floor(h)
  return sorted[lo]! + (h - lo) * (sorted[Math.min(lo + 1, sorted.length - 1)]! - sorted[lo]!)
}

const fromEvents = async (ledger: MentorLedger) => {
  const programmes = new Map<string, string>()
  const mentorships = new Map<
    string,
    {
      programmeId: string
      template: Template.ProcessTemplate
      requested: number
      meetings: Array<number>
      ended?: string
    }
  >()
  for await (const { event } of ledger.readAll({ batchSize: 100 })) {
    if (event._tag === "ProgrammeLaunched") programmes.set(event.programmeId, event.name)
    else if (event._tag === "MentoringRequested")
      mentorships.set(event.mentorshipId, {
        programmeId: event.programmeId,
        template: event.template,
        requested: event.occurredAt.getTime(),
        meetings: []
      })
    else if (event._tag === "MeetingHeld")
      mentorships.get(event.mentorshipId)!.meetings.push(event.occurredAt.getTime())
    else if (event._tag === "MentorshipWithdrawn") mentorships.get(event.mentorshipId)!.ended = "withdrawn"
    else if (event._tag === "MentorshipCompleted") mentorships.get(event.mentorshipId)!.ended = "completed"
  }
  const days = (ms: number) => ms / 86_400_000
  const waits = new Map<string, Array<typeof mentorships extends Map<string, infer V> ? V : never>>()
  const cadences = new Map<string, Array<number>>()
  for (const m of mentorships.values()) {
    const k = `${m.programmeId}/${m.template.id}`
    waits.set(k, [...(waits.get(k) ?? []), m])
    const held = [...m.meetings].sort((a, b) => a - b)
    for (let i = 1; i < held.length; i++)
      cadences.set(m.template.id, [...(cadences.get(m.template.id) ?? []), days(held[i]! - held[i - 1]!)])
  }
  const wait: Array<FirstMeetingWait> = [...waits.values()].map((ms) => {
    const met = ms
      .filter((m) => m.meetings.length > 0)
      .map((m) => days(Math.min(...m.meetings) - m.requested))
    return {
      programmeId: ms[0]!.programmeId,
      programme: programmes.get(ms[0]!.programmeId)!,
      templateId: ms[0]!.template.id,
      requested: ms.length,
      met: met.length,
      waiting: ms.filter((m) => m.meetings.length === 0 && m.ended === undefined).length,
      withdrawnBeforeMeeting: ms.filter((m) => m.meetings.length === 0 && m.ended === "withdrawn").length,
      medianDays: quantile7(met, 0.5),
      p90Days: quantile7(met, 0.9)
    }
  })
  const cadence: Array<MeetingCadence> = [...cadences.entries()].map(([templateId, gaps]) => {
    const t = [...mentorships.values()].find((m) => m.template.id === templateId)!.template
    const { min, max } = t.cadenceDays
    return {
      templateId,
      cadenceDays: { min, max },
      mentorships: [...mentorships.values()].filter(
        (m) => m.template.id === templateId && m.meetings.length > 1
      ).length,
      gaps: gaps.length,
      medianGapDays: quantile7(gaps, 0.5),
      p90GapDays: quantile7(gaps, 0.9),
      sooner: gaps.filter((g) => g < min).length,
      within: gaps.filter((g) => g >= min && g <= max).length,
      later: gaps.filter((g) => g > max).length
    }
  })
  const byKey = <A extends { templateId: string }>(
    a: A & { programme?: string },
    b: A & { programme?: string }
  ) => (a.programme ?? "").localeCompare(b.programme ?? "") || a.templateId.localeCompare(b.templateId)
  return { wait: wait.sort(byKey), cadence: cadence.sort(byKey) }
}

/** The statistics of a replay, rounded so that floating-point sums compare. */
const rounded = <A extends object>(rows: ReadonlyArray<A>) =>
  rows.map((row) =>
    Object.fromEntries(
      Object.entries(row).map(([k, v]) => [k, typeof v === "number" ? Math.round(v * 1e6) / 1e6 : v])
    )
  )

/** Opens a database read-only, with a ledger for `readAll`. */
const readOnly = async (filename: string) => {
  const store = await SqliteReadModels.open({ filename, readonly: true, readModels: [] })
  const ledger = createLedger({ store: store.layer })
  return {
    ledger,
    close: async () => {
      await ledger.close()
      await store.close()
    }
  }
}

// ---------------------------------------------------------------------------
// A small log with known answers
// ---------------------------------------------------------------------------

const day = (n: number) => new Date(Date.UTC(2026, 0, 5, 9, 0, 0) + n * 86_400_000)
const id = Ids.sequentialId

/**
 * Student placements (expected cadence 5–14 days):
 * - A: requested day 0, meetings on days 10, 31, 17, 33 (logged in that order) → waited 10; gaps 7, 14, 2
 * - B: requested day 0, meetings on days 25, then 20 (logged late) → waited 20; gap 5
 * - C: requested day 5, meetings on days 45 and 75 → waited 40; gap 30
 * - D: requested day 3, withdrawn day 8 before any meeting
 * - E: requested day 50, matched, no meeting yet
 * Early-career induction: F requested day 0, first meeting day 15.
 */
const writeKnownLog = async (filename: string) => {
  const db = await SqliteReadModels.open({ filename, projections: "inline" })
  const ledger = createLedger({ store: db.layer })
  const coordinator = { personId: id(1), role: "coordinator" } as const
  const programmeId = id(2)
  await ledger.execute({
    _tag: "LaunchProgramme",
    actor: coordinator,
    occurredAt: day(-10),
    programmeId,
    name: "Placements and induction, Turku",
    templates: [Template.studentPlacement, Template.earlyCareerInduction]
  })
  const mentors = [id(10), id(11), id(12)]
  for (const mentorId of mentors) {
    await ledger.execute({ _tag: "EnrolMentor", actor: coordinator, programmeId, mentorId, capacity: 3 })
    await ledger.execute({
      _tag: "RecordMentorTraining",
      actor: coordinator,
      programmeId,
      mentorId,
      course: "Mentor training"
    })
  }
  const play = async (
    n: number,
    template: Template.ProcessTemplate,
    requested: number,
    meetings: ReadonlyArray<number>,
    end?: { readonly withdrawnOn: number }
  ) => {
    const mentorshipId = id(100 + n)
    const mentee = id(200 + n)
    const mentor = mentors[n % mentors.length]!
    await ledger.execute({
      _tag: "RequestMentoring",
      actor: coordinator,
      occurredAt: day(requested),
      mentorshipId,
      programmeId,
      templateId: template.id,
      menteeIds: [mentee],
      supervisorId: null
    })
    if (end !== undefined) {
      await ledger.execute({
        _tag: "WithdrawMentorship",
        actor: coordinator,
        occurredAt: day(end.withdrawnOn),
        mentorshipId,
        reason: "change-of-job"
      })
      return
    }
    await ledger.execute({
      _tag: "MatchMentor",
      actor: coordinator,
      occurredAt: day(requested + 1),
      mentorshipId,
      mentorIds: [mentor]
    })
    if (meetings.length === 0) return
    if (Template.hasStep(template, "self-assessment"))
      await ledger.execute({
        _tag: "SubmitSelfAssessment",
        actor: { personId: mentee, role: "mentee" },
        occurredAt: day(requested + 2),
        mentorshipId,
        strengths: "s",
        weaknesses: "w",
        opportunities: "o",
        threats: "t"
      })
    await ledger.execute({
      _tag: "SignAgreement",
      actor: { personId: mentor, role: "mentor" },
      occurredAt: day(requested + 3),
      mentorshipId,
      goals: ["Confidence in the group"],
      topics: [],
      plannedMeetings: template.meetings.min,
      cadenceDays: template.cadenceDays.min,
      confidentiality: true,
      signatories: [mentor, mentee]
    })
    for (const [i, d] of meetings.entries())
      await ledger.execute({
        _tag: "HoldMeeting",
        actor: { personId: mentor, role: "mentor" },
        occurredAt: day(d),
        mentorshipId,
        meetingId: id(1000 + n * 10 + i),
        modality: "in-person",
        durationMinutes: 60
      })
  }
  await play(0, Template.studentPlacement, 0, [10, 31, 17, 33])
  await play(1, Template.studentPlacement, 0, [25, 20])
  await play(2, Template.studentPlacement, 5, [45, 75])
  await play(3, Template.studentPlacement, 3, [], { withdrawnOn: 8 })
  await play(4, Template.studentPlacement, 50, [])
  await play(5, Template.earlyCareerInduction, 0, [15])
  await ledger.close()
  await db.close()
}

describe("a small log with known answers", () => {
  const source = join(dir, "known.sqlite")
  let wait: ReadonlyArray<FirstMeetingWait>
  let cadence: ReadonlyArray<MeetingCadence>
  let before: string
  beforeAll(async () => {
    await writeKnownLog(source)
    before = sha256(source)
    const replayed = await replay(source, join(dir, "known-work.sqlite"), 1)
    try {
      expect(replayed.batches).toBeGreaterThan(1) // small batches: the replay spans several transactions
      wait = await timeToFirstMeeting(replayed.store.journal.db)
      cadence = await meetingCadence(replayed.store.journal.db)
    } finally {
      await replayed.store.close()
    }
  })

  it("days from request to first meeting, per programme and template", () => {
    expect(wait.map(({ programmeId: _, ...w }) => w)).toEqual([
      {
        programme: "Placements and induction, Turku",
        templateId: "early-career-induction",
        requested: 1,
        met: 1,
        waiting: 0,
        withdrawnBeforeMeeting: 0,
        medianDays: 15,
        p90Days: 15
      },
      {
        programme: "Placements and induction, Turku",
        templateId: "student-placement",
        requested: 5,
        met: 3,
        waiting: 1,
        withdrawnBeforeMeeting: 1,
        // waits 10, 20, 40: the median is 20; the 90th percentile is 20 + 0.8 × (40 − 20)
        medianDays: 20,
        p90Days: 36
      }
    ])
  })

  it("days between meetings, by when they happened, against the template's cadence", () => {
    expect(cadence).toEqual([
      {
        templateId: "student-placement",
        cadenceDays: { min: 5, max: 14 },
        mentorships: 3,
        // gaps 2, 5, 7, 14, 30: the median is 7; the 90th percentile is 14 + 0.6 × (30 − 14)
        gaps: 5,
        medianGapDays: 7,
        p90GapDays: expect.closeTo(23.6, 10),
        sooner: 1,
        within: 3,
        later: 1
      }
    ])
  })

  it("the same as computed from the events alone, read-only", async () => {
    const { ledger, close } = await readOnly(source)
    try {
      const independent = await fromEvents(ledger)
      expect(rounded(wait)).toEqual(rounded(independent.wait))
      expect(rounded(cadence)).toEqual(rounded(independent.cadence))
    } finally {
      await close()
    }
    expect(sha256(source)).toBe(before)
  })
})

// ---------------------------------------------------------------------------
// The CLI's demo programme
// ---------------------------------------------------------------------------

describe("the CLI's demo programme", () => {
  const source = join(dir, "demo.sqlite")
  const out = join(dir, "program")
  let before: string
  beforeAll(async () => {
    const demo = await cli(["demo", "--db", source, "--mentorships", "16", "--seed", "7"])
    expect(demo.code, demo.stderr).toBe(0)
    before = sha256(source)
  })

  it("the statistics of the replay equal those computed from the event stream", async () => {
    const replayed = await replay(source, join(dir, "demo-work.sqlite"))
    let wait: ReadonlyArray<FirstMeetingWait>
    let cadence: ReadonlyArray<MeetingCadence>
    try {
      wait = await timeToFirstMeeting(replayed.store.journal.db)
      cadence = await meetingCadence(replayed.store.journal.db)
    } finally {
      await replayed.store.close()
    }
    const { ledger, close } = await readOnly(source)
    try {
      const independent = await fromEvents(ledger)
      expect(rounded(wait)).toEqual(rounded(independent.wait))
      expect(rounded(cadence)).toEqual(rounded(independent.cadence))
      // Every mentorship is counted once, and the demo has meetings to measure.
      let requested = 0
      for await (const { event } of ledger.readAll()) if (event._tag === "MentoringRequested") requested++
      expect(wait.reduce((n, w) => n + w.requested, 0)).toBe(requested)
      expect(wait.some((w) => w.met > 0)).toBe(true)
      expect(cadence.some((c) => c.gaps > 0)).toBe(true)
    } finally {
      await close()
    }
    expect(sha256(source)).toBe(before)
  })

  it("the program replays, prints the statistics and exports XES and OCEL 2.0 that validate against their schemas", async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--conditions=source", "--import", "tsx", main, "--db", source, "--out", out, "--key", key],
      { cwd: root }
    )
    expect(stdout).toMatch(/Replayed [\d,]+ events of .* into the read model "waits"/)
    expect(stdout).toContain("Days from request to first meeting")
    expect(stdout).toContain("Days between meetings")
    expect(stdout).toMatch(/exported [\d,]+ events, 16 traces as xes/)
    expect(stdout).toMatch(/exported [\d,]+ events, [\d,]+ objects as ocel2/)
    expect(stdout).toContain("is unchanged (sha-256)")
    expect(sha256(source)).toBe(before)

    const xes = readFileSync(join(out, "mentoring.xes"), "utf8")
    const validated = await validateXML({
      xml: [{ fileName: "mentoring.xes", contents: xes }],
      schema: [{ fileName: "xes-ieee-1849-2016.xsd", contents: xsd }],
      maxMemoryPages: 4096
    })
    expect(validated.errors).toEqual([])
    expect(validated.valid).toBe(true)
    expect(xes.split("<trace>").length - 1).toBe(16)

    const ocelJson: unknown = JSON.parse(readFileSync(join(out, "mentoring.ocel.json"), "utf8"))
    expect(validateOcel(ocelJson), JSON.stringify(validateOcel.errors?.slice(0, 3))).toBe(true)
    const ocel = ocelJson as {
      objectTypes: ReadonlyArray<{ name: string }>
      eventTypes: ReadonlyArray<{ name: string }>
      objects: ReadonlyArray<{ id: string; type: string }>
      events: ReadonlyArray<{
        id: string
        type: string
        time: string
        relationships: ReadonlyArray<{ objectId: string }>
      }>
    }
    const objects = new Set(ocel.objects.map((o) => o.id))
    const eventTypes = new Set(ocel.eventTypes.map((t) => t.name))
    const objectTypes = new Set(ocel.objectTypes.map((t) => t.name))
    expect(ocel.objects.filter((o) => o.type === "mentorship")).toHaveLength(16)
    expect(ocel.objects.every((o) => objectTypes.has(o.type))).toBe(true)
    expect(ocel.events.every((e) => eventTypes.has(e.type) && !Number.isNaN(Date.parse(e.time)))).toBe(true)
    expect(ocel.events.every((e) => e.relationships.every((r) => objects.has(r.objectId)))).toBe(true)
    // Pseudonymised: no id of the source appears in the export.
    const { ledger, close } = await readOnly(source)
    try {
      for await (const { event } of ledger.readAll())
        if (event._tag === "MentoringRequested") {
          expect(xes).not.toContain(event.mentorshipId)
          expect(JSON.stringify(ocel)).not.toContain(event.menteeIds[0])
        }
    } finally {
      await close()
    }
  }, 60_000)
})

it("refuses to replay a file onto itself, and leaves it as it was", async () => {
  const source = join(dir, "self.sqlite")
  await writeKnownLog(source)
  const before = sha256(source)
  await expect(replay(source, source)).rejects.toThrow("must not be the source itself")
  expect(sha256(source)).toBe(before)
})

it("refuses a file that is not there with the store's typed error, and creates nothing", async () => {
  const missing = join(dir, "missing.sqlite")
  const error = await replay(missing, join(dir, "missing-work.sqlite")).catch((e: unknown) => e)
  expect(error).toBeInstanceOf(EventJournal.StoreError)
  expect((error as EventJournal.StoreError).reason).toBe("Unavailable")
  expect(existsSync(missing)).toBe(false)
  expect(existsSync(join(dir, "missing-work.sqlite"))).toBe(false)
})
