/**
 * The school system over HTTP, end to end: the server runs on an ephemeral
 * port on a fresh SQLite file, and every step is a real request.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { openSchoolSystem, type SchoolSystem } from "../src/app.js"

const sample = readFileSync(fileURLToPath(new URL("../data/hr-export.csv", import.meta.url)), "utf8")

let dir: string
let system: SchoolSystem
let base: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "school-system-"))
  system = await openSchoolSystem({ filename: join(dir, "school.sqlite") })
  base = await system.listen(0)
})
afterAll(async () => {
  await system?.close()
  rmSync(dir, { recursive: true, force: true })
})

type Json = any
interface Reply {
  readonly status: number
  readonly body: Json
}

const call = async (
  method: string,
  path: string,
  options: {
    as?: readonly [string, string]
    json?: unknown
    text?: string
    headers?: Record<string, string>
  } = {}
): Promise<Reply> => {
  const headers: Record<string, string> = { ...options.headers }
  if (options.as !== undefined) {
    headers["x-person-id"] = options.as[0]
    headers["x-role"] = options.as[1]
  }
  let body: string | undefined
  if (options.json !== undefined) {
    headers["content-type"] = "application/json"
    body = JSON.stringify(options.json)
  } else if (options.text !== undefined) {
    headers["content-type"] = "text/csv"
    body = options.text
  }
  const response = await fetch(`${base}${path}`, { method, headers, ...(body === undefined ? {} : { body }) })
  expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8")
  return { status: response.status, body: await response.json() }
}
const importCsv = (text: string) =>
  call("POST", "/people/import", { text, headers: { "x-role": "hr-integration" } })

/** Person ids by employee number, filled by the import. */
const ids: Record<string, string> = {}
const as = (employee: string, role: string) => [ids[employee]!, role] as const
const coordinator = () => as("E1001", "coordinator")
const antti = () => as("E1010", "supervisor")
const leena = () => as("E1020", "mentor")
const jukka = () => as("E1021", "mentor")
const aleksi = () => as("E1030", "mentee")
const mai = () => as("E1031", "mentee")
const tiina = () => as("E1040", "coordinator")

describe("importing people from the HR export", () => {
  it("refuses a broken export with every problem by line and column, and imports none of it", async () => {
    const broken = [
      "\uFEFFemployee_number;first_name;last_name;email;roles;line_manager",
      "E2001;Maija;Meikäläinen;maija@example.fi;mentor;",
      "E2002;;Virtanen;virtanen@example.fi;mentee;E2001",
      "E2003;Ville;Valo;not-an-address;mentee|janitor;E9999",
      "E2001;Maija;Duplicate;maija2@example.fi;mentor;",
      "E2004;Too;Few;fields@example.fi",
      'E2005;"Anna ""Annie""";Östman;anna@example.fi;mentee;E2005'
    ].join("\r\n")
    const reply = await importCsv(broken)
    expect(reply.status).toBe(422)
    expect(reply.body.error).toBe("InvalidHrExport")
    expect(reply.body.message).toContain("nothing was imported")
    const problems = reply.body.problems.map((p: Json) => `${p.line} ${p.column ?? "-"}: ${p.message}`)
    expect(problems).toEqual([
      "3 first_name: first_name is empty",
      '4 email: "not-an-address" is not an e-mail address',
      '4 roles: unknown role "janitor": use mentor, mentee, supervisor, coordinator, support-team, analyst',
      "4 line_manager: line_manager E9999 is neither in this file nor in the directory",
      "5 employee_number: employee_number E2001 is also on line 2",
      "6 -: expected 6 fields as in the header, found 4",
      "7 line_manager: a person cannot be their own line manager"
    ])
    expect(reply.body.problems[1].employeeNumber).toBe("E2003")
  })

  it("names a missing column, an unclosed quote and an empty file", async () => {
    const missing = await importCsv("employee_number,first_name,last_name,roles\nE1,A,B,mentor\n")
    expect(missing.status).toBe(422)
    expect(missing.body.problems).toEqual([
      { line: 1, column: "email", message: "required column email is missing" }
    ])

    const unclosed = await importCsv(
      'employee_number,first_name,last_name,email,roles\nE1,"Aino,Virtanen,a@example.fi,mentor\nE2,B,C,b@example.fi,mentee\n'
    )
    expect(unclosed.status).toBe(422)
    expect(unclosed.body.problems).toEqual([{ line: 2, message: "line 2: a quoted field is never closed" }])

    const stray = await importCsv(
      'employee_number,first_name,last_name,email,roles\nE1,Ai"no,V,a@example.fi,mentor\n'
    )
    expect(stray.body.problems[0].message).toContain("a quote inside an unquoted field")

    expect((await importCsv("")).body.problems).toEqual([{ line: 1, message: "the file is empty" }])
    expect((await importCsv("\uFEFF")).status).toBe(422)
  })

  it("imports the sample export: BOM, quoted commas and quotes, names in Finnish, Swedish and beyond", async () => {
    const reply = await importCsv(sample)
    expect(reply.status).toBe(200)
    // nothing from the refused files came in: all fourteen are new
    expect(reply.body).toMatchObject({ imported: 14, created: 14, ignoredColumns: ["cost_centre"] })
    for (const person of reply.body.people) ids[person.employeeNumber] = person.id
    const people = (await call("GET", "/people", { as: coordinator() })).body
    expect(people).toHaveLength(14)
    const chiara = people.find((p: Json) => p.employeeNumber === "E1033")
    expect(chiara).toMatchObject({
      firstName: "Chiara",
      school: "Puolala School, Turku",
      title: 'Teacher of Italian ("lettorato")',
      lineManagerId: ids.E1011
    })
    expect(people.find((p: Json) => p.employeeNumber === "E1001").lastName).toBe("Mäkelä")
  })

  it("re-imports by employee number: ids stay, fields are updated (a semicolon export as Excel writes it)", async () => {
    const update = [
      "employee_number;first_name;last_name;email;school;title;roles;line_manager",
      "E1034;Amir;Haddad;amir.haddad@edu.example.fi;Katedralskolan i Åbo;Lärare i fysik och kemi;mentee;E1022"
    ].join("\n")
    const reply = await importCsv(update)
    expect(reply.status).toBe(200)
    expect(reply.body).toMatchObject({ imported: 1, created: 0 })
    expect(reply.body.people[0].id).toBe(ids.E1034)
  })
})

describe("the HTTP surface", () => {
  it("answers 401 without sign-in headers, 403 for a role the person does not hold, 404 and 405 for wrong routes, 400 for bad JSON", async () => {
    expect((await call("GET", "/mentorships")).status).toBe(401)
    expect(
      (await call("GET", "/mentorships", { as: ["00000000-0000-7000-8000-000000000001", "mentor"] })).status
    ).toBe(401)
    const notHeld = await call("GET", "/mentorships", { as: as("E1030", "coordinator") })
    expect(notHeld).toMatchObject({ status: 403, body: { error: "RoleNotHeld" } })
    expect((await call("GET", "/nowhere", { as: coordinator() })).body.error).toBe("NotFound")
    expect((await call("DELETE", "/programmes", { as: coordinator() })).status).toBe(405)
    expect((await call("GET", "/mentorships/%E0%A4%A", { as: coordinator() })).body.error).toBe("BadRequest")
    const bad = await fetch(`${base}/programmes`, {
      method: "POST",
      headers: { "x-person-id": ids.E1001!, "x-role": "coordinator" },
      body: "{ not json"
    })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as Json).error).toBe("BadJson")
    expect((await call("POST", "/programmes", { as: coordinator(), json: [1, 2] })).body.error).toBe(
      "BadJson"
    )
    expect((await importCsv("x")).status).toBe(422)
    expect((await call("POST", "/people/import", { text: sample, as: coordinator() })).status).toBe(403)
    const huge = await importCsv(
      `employee_number,first_name,last_name,email,roles\n${"x".repeat(1024 * 1024)}`
    )
    expect(huge).toMatchObject({ status: 413, body: { error: "PayloadTooLarge" } })
  })
})

describe("a programme from request to completion", () => {
  let programmeId: string
  let mentorshipId: string
  const meetings: Array<string> = []

  it("launches a programme and builds its mentor pool", async () => {
    const unknown = await call("POST", "/programmes", {
      as: coordinator(),
      json: { name: "Induction 2026", templates: ["early-career-induction", "tea-and-biscuits"] }
    })
    expect(unknown).toMatchObject({ status: 422, body: { error: "UnknownTemplate" } })
    expect(
      (await call("POST", "/programmes", { as: leena(), json: { name: "x", templates: [] } })).status
    ).toBe(403)

    const launched = await call("POST", "/programmes", {
      as: coordinator(),
      json: { name: "Turku new-teacher induction 2026", templates: ["early-career-induction"] }
    })
    expect(launched.status).toBe(201)
    expect(launched.body.recorded).toEqual(["ProgrammeLaunched"])
    programmeId = launched.body.programmeId

    const notAMentor = await call("POST", `/programmes/${programmeId}/mentors`, {
      as: coordinator(),
      json: { mentorId: ids.E1030, capacity: 2 }
    })
    expect(notAMentor).toMatchObject({ status: 422, body: { error: "NotInRole", field: "mentorId" } })
    for (const mentor of ["E1020", "E1021"]) {
      const enrolled = await call("POST", `/programmes/${programmeId}/mentors`, {
        as: coordinator(),
        json: { mentorId: ids[mentor], capacity: 2 }
      })
      expect(enrolled.body.recorded).toEqual(["MentorEnrolled"])
    }
    // a second coordinator for this programme (she must be one in the HR export)
    const notACoordinator = await call("POST", `/programmes/${programmeId}/coordinators`, {
      as: coordinator(),
      json: { coordinatorId: ids.E1020 }
    })
    expect(notACoordinator).toMatchObject({
      status: 422,
      body: { error: "NotInRole", field: "coordinatorId" }
    })
    const appointed = await call("POST", `/programmes/${programmeId}/coordinators`, {
      as: coordinator(),
      json: { coordinatorId: ids.E1040 }
    })
    expect(appointed.body.recorded).toEqual(["CoordinatorAppointed"])
    const pool = await call("GET", `/programmes/${programmeId}/mentors`, { as: coordinator() })
    expect(pool.body.map((m: Json) => [m.name, m.trained])).toEqual(
      expect.arrayContaining([
        ["Leena Korhonen", false],
        ["Jukka Nieminen", false]
      ])
    )
    // a mentor sees only their own row of the pool; a mentee none
    expect((await call("GET", `/programmes/${programmeId}/mentors`, { as: leena() })).body).toHaveLength(1)
    expect((await call("GET", `/programmes/${programmeId}/mentors`, { as: aleksi() })).body).toEqual([])
  })

  it("takes a mentee's request, with their line manager as the supervisor", async () => {
    const requested = await call("POST", `/programmes/${programmeId}/requests`, {
      as: aleksi(),
      json: { templateId: "early-career-induction" }
    })
    expect(requested.status).toBe(201)
    expect(requested.body).toMatchObject({ recorded: ["MentoringRequested"], phase: "requested" })
    mentorshipId = requested.body.mentorshipId
    const [mine] = (await call("GET", "/mentorships", { as: aleksi() })).body
    expect(mine.participants.map((p: Json) => [p.role, p.name])).toEqual(
      expect.arrayContaining([
        ["mentee", "Aleksi Laine"],
        ["supervisor", "Antti Heikkinen"]
      ])
    )
  })

  it("refuses to match an untrained mentor (409), and matches once the training is recorded", async () => {
    const untrained = await call("POST", `/mentorships/${mentorshipId}/match`, {
      as: coordinator(),
      json: { mentorIds: [ids.E1020] }
    })
    expect(untrained.status).toBe(409)
    expect(untrained.body).toMatchObject({
      error: "RuleViolation",
      rule: "mentor-untrained",
      phase: "requested"
    })
    expect(untrained.body.message).toContain(ids.E1020)

    // a mentee cannot match themself a mentor
    const byMentee = await call("POST", `/mentorships/${mentorshipId}/match`, {
      as: aleksi(),
      json: { mentorIds: [ids.E1020] }
    })
    expect(byMentee).toMatchObject({ status: 403, body: { rule: "role-not-permitted" } })

    for (const mentor of ["E1020", "E1021"])
      expect(
        (
          await call("POST", `/programmes/${programmeId}/mentors/${ids[mentor]}/training`, {
            as: coordinator(),
            json: { course: "Mentoring new teachers (5 ECTS), University of Turku" }
          })
        ).body.recorded
      ).toEqual(["MentorTrainingCompleted"])
    const matched = await call("POST", `/mentorships/${mentorshipId}/match`, {
      as: coordinator(),
      json: { mentorIds: [ids.E1020] }
    })
    expect(matched.body).toMatchObject({ recorded: ["MentorMatched", "MentorsAssigned"], phase: "matched" })
  })

  it("signs the agreement after the mentee's self-assessment", async () => {
    const agreement = {
      goals: ["Classroom management in a class of 26", "Working with guardians"],
      topics: ["Wilma messages", "Differentiation"],
      plannedMeetings: 6,
      cadenceDays: 14,
      confidentiality: true,
      signatories: [ids.E1020, ids.E1030]
    }
    const early = await call("POST", `/mentorships/${mentorshipId}/agreement`, {
      as: aleksi(),
      json: agreement
    })
    expect(early).toMatchObject({ status: 409, body: { rule: "self-assessment-required" } })
    const swot = await call("POST", `/mentorships/${mentorshipId}/self-assessment`, {
      as: aleksi(),
      json: {
        strengths: "Enthusiasm, digital skills",
        weaknesses: "Evenings go to planning",
        opportunities: "A supportive team",
        threats: "Exhaustion in the first autumn"
      }
    })
    expect(swot.body.recorded).toEqual(["SelfAssessmentSubmitted"])
    const signed = await call("POST", `/mentorships/${mentorshipId}/agreement`, {
      as: aleksi(),
      json: agreement
    })
    expect(signed.body).toMatchObject({ recorded: ["AgreementSigned"], phase: "agreement" })
  })

  it("records meetings and summaries; a field that does not fit is a 422 naming it", async () => {
    const invalid = await call("POST", `/mentorships/${mentorshipId}/meetings`, {
      as: leena(),
      json: { modality: "in-person", durationMinutes: 0 }
    })
    expect(invalid.status).toBe(422)
    expect(invalid.body).toMatchObject({
      error: "InvalidCommand",
      command: "HoldMeeting",
      path: "durationMinutes"
    })
    const spoof = await call("POST", `/mentorships/${mentorshipId}/meetings`, {
      as: leena(),
      json: { modality: "video", durationMinutes: 45, actor: { personId: ids.E1001, role: "coordinator" } }
    })
    expect(spoof).toMatchObject({ status: 400, body: { error: "BadRequest" } })
    const typo = await call("POST", `/mentorships/${mentorshipId}/meetings`, {
      as: leena(),
      json: { modality: "video", durationMinute: 45 }
    })
    expect(typo).toMatchObject({ status: 422, body: { error: "InvalidCommand", command: "HoldMeeting" } })

    for (let n = 1; n <= 4; n++) {
      const held = await call("POST", `/mentorships/${mentorshipId}/meetings`, {
        as: n === 3 ? aleksi() : leena(),
        json: {
          modality: n === 2 ? "video" : "in-person",
          durationMinutes: 60,
          occurredAt: `2026-09-0${n}T14:00:00Z`
        }
      })
      expect(held.status).toBe(201)
      expect(held.body.phase).toBe("meetings")
      meetings.push(held.body.meetingId)
      const drafted = await call(
        "POST",
        `/mentorships/${mentorshipId}/meetings/${held.body.meetingId}/summary`,
        {
          as: leena(),
          json: {
            text: `Meeting ${n}: we talked about ${n === 2 ? "a difficult guardian" : "lesson pacing"}.`
          }
        }
      )
      expect(drafted.body.recorded).toEqual(["SummaryDrafted"])
    }
    // a retry with the id the client chose records nothing twice
    const retried = await call("POST", `/mentorships/${mentorshipId}/meetings`, {
      as: leena(),
      json: { meetingId: meetings[3], modality: "in-person", durationMinutes: 60 }
    })
    expect(retried).toMatchObject({ status: 409, body: { error: "RuleViolation" } })
    const amended = await call(
      "POST",
      `/mentorships/${mentorshipId}/meetings/${meetings[0]}/summary/amendments`,
      {
        as: aleksi(),
        json: { text: "I would add: the pacing improved after week 2." }
      }
    )
    expect(amended.body.recorded).toEqual(["SummaryAmended"])
    const final = await call("POST", `/mentorships/${mentorshipId}/meetings/${meetings[0]}/summary/final`, {
      as: aleksi(),
      json: {}
    })
    expect(final.body.recorded).toEqual(["SummaryFinalised"])
    const late = await call(
      "POST",
      `/mentorships/${mentorshipId}/meetings/${meetings[0]}/summary/amendments`,
      {
        as: aleksi(),
        json: { text: "Too late" }
      }
    )
    expect(late).toMatchObject({ status: 409, body: { rule: "summary-finalised" } })
    const unknownMeeting = await call(
      "POST",
      `/mentorships/${mentorshipId}/meetings/00000000-0000-7000-8000-0000000000ff/summary`,
      { as: leena(), json: { text: "?" } }
    )
    // A meeting the path names and the mentorship does not have: not found (Rules.category).
    expect(unknownMeeting).toMatchObject({
      status: 404,
      body: { error: "RuleViolation", category: "not-found", rule: "unknown-meeting" }
    })

    const consent = await call("POST", `/mentorships/${mentorshipId}/consents`, {
      as: aleksi(),
      json: { item: { kind: "summary", id: meetings[1] } }
    })
    expect(consent.body.recorded).toEqual(["ConsentGiven"])

    // a between-meeting task: its description is content, like a summary
    const task = await call("POST", `/mentorships/${mentorshipId}/tasks`, {
      as: leena(),
      json: { assigneeIds: [ids.E1030], description: "Try exit tickets in two lessons", dueOn: "2026-09-20" }
    })
    expect(task.status).toBe(201)
    const completed = await call(
      "POST",
      `/mentorships/${mentorshipId}/tasks/${task.body.taskId}/completion`,
      {
        as: aleksi(),
        json: { reflection: "The quiet pupils wrote the most." }
      }
    )
    expect(completed.body.recorded).toEqual(["TaskCompleted"])
  })

  it("shows each role what it may see: the supervisor only the shared summary, the coordinator no content", async () => {
    const view = async (who: readonly [string, string]) =>
      (await call("GET", `/mentorships/${mentorshipId}`, { as: who })).body
    const mentee = await view(aleksi())
    expect(mentee.summaries.map((s: Json) => s.text)).toEqual([
      "Meeting 1: we talked about lesson pacing.",
      "Meeting 2: we talked about a difficult guardian.",
      "Meeting 3: we talked about lesson pacing.",
      "Meeting 4: we talked about lesson pacing."
    ])
    expect(mentee.summaries.map((s: Json) => s.shared)).toEqual([false, true, false, false])
    expect(mentee.summaries[0].amendments[0].text).toBe("I would add: the pacing improved after week 2.")
    expect(mentee.mentorship).toMatchObject({ phase: "meetings", meetingsHeld: 4 })

    const mentor = await view(leena())
    expect(mentor.summaries.map((s: Json) => s.text)).toEqual(mentee.summaries.map((s: Json) => s.text))

    const supervisor = await view(antti())
    expect(supervisor.mentorship.meetingsHeld).toBe(4)
    expect(supervisor.meetings).toHaveLength(4)
    expect(supervisor.summaries.map((s: Json) => s.text)).toEqual([
      undefined,
      "Meeting 2: we talked about a difficult guardian.",
      undefined,
      undefined
    ])
    expect(supervisor.summaries[0].amendments[0].text).toBeUndefined()
    expect(JSON.stringify(supervisor)).not.toContain("lesson pacing")

    const coordinatorView = await view(coordinator())
    expect(coordinatorView.summaries.every((s: Json) => !("text" in s))).toBe(true)
    expect(coordinatorView.mentorship.participants.map((p: Json) => p.name)).toContain("Leena Korhonen")

    // a mentor outside the mentorship does not see it at all
    expect((await call("GET", `/mentorships/${mentorshipId}`, { as: jukka() })).status).toBe(404)
    expect((await call("GET", "/mentorships", { as: jukka() })).body).toEqual([])

    // tasks: the mentee reads the description and his reflection; the supervisor neither (not shared)
    expect(mentee.tasks[0]).toMatchObject({
      description: "Try exit tickets in two lessons",
      assignees: [{ reflection: "The quiet pupils wrote the most." }]
    })
    expect(supervisor.tasks[0].description).toBeUndefined()
    expect(supervisor.tasks[0].assignees[0].reflection).toBeUndefined()
    expect(supervisor.tasks[0].completedAt).not.toBeNull()

    // the appointed coordinator sees the programme's mentorships, with process facts only
    const [seenByTiina] = (await call("GET", "/mentorships", { as: tiina() })).body
    expect(seenByTiina).toMatchObject({ mentorshipId, meetingsHeld: 4 })
    // the support team sees every mentorship of the organisation, and no content
    const support = (await call("GET", `/mentorships/${mentorshipId}`, { as: as("E1040", "support-team") }))
      .body
    expect(support.summaries).toHaveLength(4)
    expect(JSON.stringify(support)).not.toContain("Meeting 2")
    expect((await call("GET", `/mentorships/${mentorshipId}/history`, { as: jukka() })).status).toBe(404)

    // the history says why content is missing
    const history = (await call("GET", `/mentorships/${mentorshipId}/history`, { as: antti() })).body
    const summaries = history.filter((e: Json) => e.type === "SummaryDrafted").map((e: Json) => e.content[0])
    expect(summaries[0]).toEqual({ path: "text", kind: "summary", withheld: "not-shared" })
    expect(summaries[1]).toMatchObject({ text: "Meeting 2: we talked about a difficult guardian." })
    const swot = history.find((e: Json) => e.type === "SelfAssessmentSubmitted")
    expect(swot.by.name).toBe("Aleksi Laine")
    expect(swot.content.every((c: Json) => c.withheld === "not-shared")).toBe(true)
  })

  it("counts it in the programme's statistics and completes it; nothing is recorded after completion", async () => {
    const stats = await call("GET", `/programmes/${programmeId}/statistics`, { as: coordinator() })
    expect(stats.body).toEqual([
      expect.objectContaining({
        templateId: "early-career-induction",
        total: 1,
        running: 1,
        phases: { meetings: 1 }
      })
    ])
    const done = await call("POST", `/mentorships/${mentorshipId}/completion`, { as: leena(), json: {} })
    expect(done.body).toMatchObject({
      recorded: ["MentorshipCompleted", "MentorsReleased"],
      phase: "completed"
    })
    const after = await call("POST", `/mentorships/${mentorshipId}/meetings`, {
      as: leena(),
      json: { modality: "phone", durationMinutes: 30 }
    })
    expect(after).toMatchObject({ status: 409, body: { error: "RuleViolation", rule: "mentorship-closed" } })
  })

  it("lets a mentee withdraw, with a reason category", async () => {
    const requested = await call("POST", `/programmes/${programmeId}/requests`, {
      as: mai(),
      json: { templateId: "early-career-induction" }
    })
    const id = requested.body.mentorshipId
    await call("POST", `/mentorships/${id}/match`, { as: coordinator(), json: { mentorIds: [ids.E1021] } })
    const freeText = await call("POST", `/mentorships/${id}/withdrawal`, {
      as: mai(),
      json: { reason: "my reasons are my own" }
    })
    expect(freeText).toMatchObject({ status: 422, body: { error: "InvalidCommand", path: "reason" } })
    const withdrawn = await call("POST", `/mentorships/${id}/withdrawal`, {
      as: mai(),
      json: { reason: "change-of-job" }
    })
    expect(withdrawn.body).toMatchObject({
      recorded: ["MentorshipWithdrawn", "MentorsReleased"],
      phase: "withdrawn"
    })
    const [row] = (await call("GET", "/mentorships", { as: as("E1011", "supervisor") })).body
    expect(row).toMatchObject({ outcome: "withdrawn", withdrawalReason: "change-of-job" })
  })

  it("keeps a mentor's capacity when three matches arrive at once: two win, one is refused", async () => {
    // Jukka has capacity 2 and no open mentorship (Mai's was withdrawn)
    const requests = await Promise.all(
      ["E1032", "E1033", "E1034"].map((mentee) =>
        call("POST", `/programmes/${programmeId}/requests`, {
          as: as(mentee, "mentee"),
          json: { templateId: "early-career-induction" }
        })
      )
    )
    expect(requests.map((r) => r.status)).toEqual([201, 201, 201])
    const matches = await Promise.all(
      requests.map((r) =>
        call("POST", `/mentorships/${r.body.mentorshipId}/match`, {
          as: coordinator(),
          json: { mentorIds: [ids.E1021] }
        })
      )
    )
    expect(matches.map((r) => r.status).sort()).toEqual([200, 200, 409])
    expect(matches.find((r) => r.status === 409)!.body.rule).toBe("mentor-over-capacity")
    const [jukkaLoad] = (await call("GET", `/programmes/${programmeId}/mentors`, { as: jukka() })).body
    expect(jukkaLoad).toMatchObject({ capacity: 2, assigned: 2, free: 0 })
  })

  it("erases a person on request: the views then show them as erased, and their content is gone for everyone", async () => {
    const byOther = await call("DELETE", `/people/${ids.E1030}`, { as: leena() })
    expect(byOther).toMatchObject({ status: 403, body: { error: "RoleNotPermitted" } })

    const erased = await call("DELETE", `/people/${ids.E1030}`, { as: aleksi() })
    expect(erased.status).toBe(200)
    expect(erased.body).toMatchObject({ recordedIn: [mentorshipId], removedFromDirectory: true })
    // gone from the directory: the stand-in sign-in no longer knows him
    expect((await call("GET", "/mentorships", { as: aleksi() })).status).toBe(401)

    const mentor = (await call("GET", `/mentorships/${mentorshipId}`, { as: leena() })).body
    const him = mentor.mentorship.participants.find((p: Json) => p.personId === ids.E1030)
    expect(him).toMatchObject({ role: "mentee", erased: true, name: null })
    // process facts remain, content is gone
    expect(mentor.mentorship).toMatchObject({ phase: "completed", meetingsHeld: 4 })
    expect(mentor.summaries).toHaveLength(4)
    expect(mentor.summaries.every((s: Json) => s.text === undefined)).toBe(true)
    const history = (await call("GET", `/mentorships/${mentorshipId}/history`, { as: leena() })).body
    expect(history.at(-1)).toMatchObject({ type: "PersonalDataErased" })
    const content = history.flatMap((e: Json) => e.content)
    expect(content.length).toBeGreaterThan(10)
    expect(content.every((c: Json) => c.erased === true)).toBe(true)
    const supervisor = (await call("GET", `/mentorships/${mentorshipId}`, { as: antti() })).body
    expect(JSON.stringify(supervisor)).not.toContain("difficult guardian")

    // erasing again is harmless, and a coordinator may erase someone from their programme
    const again = await call("DELETE", `/people/${ids.E1031}`, { as: coordinator() })
    expect(again.body).toMatchObject({ recordedIn: [expect.any(String)], removedFromDirectory: true })
    const people = (await call("GET", "/people", { as: coordinator() })).body
    expect(people.map((p: Json) => p.employeeNumber)).not.toContain("E1030")
    expect(people).toHaveLength(12)

    // the HR system still lists them: a new import gives them new ids; the old ones stay erased
    const again2 = await importCsv(sample)
    expect(again2.body).toMatchObject({ imported: 14, created: 2 })
    const back = again2.body.people.find((p: Json) => p.employeeNumber === "E1030")
    expect(back.id).not.toBe(ids.E1030)
    expect((await call("GET", "/mentorships", { as: [back.id, "mentee"] })).body).toEqual([])
  })
})

describe("a headmaster's mentorship: report to the supervisor and a follow-up visit", () => {
  it("runs from the opening discussion to the follow-up, and the supervisor reads the report but not the notes", async () => {
    const kaisa = as("E1012", "mentee")
    const anttiMentor = as("E1010", "mentor")
    const pekka = as("E1002", "supervisor")
    const ok = async (path: string, who: readonly [string, string], json: unknown = {}) => {
      const reply = await call("POST", path, { as: who, json })
      expect(reply.status, JSON.stringify(reply.body)).toBeLessThan(300)
      return reply.body
    }
    const { programmeId } = await ok("/programmes", coordinator(), {
      name: "Headmasters as Mentors, Turku region 2026",
      templates: ["headmasters-as-mentors"]
    })
    await ok(`/programmes/${programmeId}/mentors`, coordinator(), { mentorId: ids.E1010, capacity: 1 })
    await ok(`/programmes/${programmeId}/mentors/${ids.E1010}/training`, coordinator(), {
      course: "Mentor training for school leaders"
    })
    const { mentorshipId } = await ok(`/programmes/${programmeId}/requests`, kaisa, {
      templateId: "headmasters-as-mentors"
    })
    const m = `/mentorships/${mentorshipId}`
    await ok(`${m}/match`, coordinator(), { mentorIds: [ids.E1010] })
    await ok(`${m}/opening-discussion`, anttiMentor, {
      participantIds: [ids.E1010, ids.E1012, ids.E1002],
      expectations: "Lead the merger of two school buildings calmly."
    })
    await ok(`${m}/self-assessment`, kaisa, {
      strengths: "Trusted by staff",
      weaknesses: "Delegation",
      opportunities: "A new building",
      threats: "Budget cuts"
    })
    await ok(`${m}/agreement`, kaisa, {
      goals: ["A shared vision for the merged school"],
      topics: ["Change leadership"],
      plannedMeetings: 6,
      cadenceDays: 14,
      confidentiality: true,
      signatories: [ids.E1010, ids.E1012]
    })
    const meetings: Array<string> = []
    for (let n = 1; n <= 6; n++) {
      const { meetingId } = await ok(`${m}/meetings`, anttiMentor, {
        modality: "in-person",
        durationMinutes: 90
      })
      meetings.push(meetingId)
      await ok(`${m}/meetings/${meetingId}/summary`, anttiMentor, { text: `Headmaster meeting ${n}` })
    }
    await ok(`${m}/consents`, kaisa, { item: { kind: "summary", id: meetings[2] } })
    await ok(`${m}/evaluation`, anttiMentor, {
      participantIds: [ids.E1010, ids.E1012],
      processSummary: "The vision is written down and shared."
    })
    const short = await call("POST", `${m}/closing-discussion`, {
      as: anttiMentor,
      json: { participantIds: [ids.E1010, ids.E1012, ids.E1002], durationMinutes: 30 }
    })
    // Shorter than the template's closingMinutes: the command's own value is at fault.
    expect(short).toMatchObject({ status: 422, body: { category: "invalid", rule: "closing-too-short" } })
    await ok(`${m}/closing-discussion`, anttiMentor, {
      participantIds: [ids.E1010, ids.E1012, ids.E1002],
      durationMinutes: 75
    })
    const unconsented = await call("POST", `${m}/report`, {
      as: anttiMentor,
      json: { recipientId: ids.E1002, citedItems: [{ kind: "summary", id: meetings[0] }], text: "Report" }
    })
    expect(unconsented).toMatchObject({ status: 409, body: { rule: "report-cites-unconsented" } })
    await ok(`${m}/report`, anttiMentor, {
      recipientId: ids.E1002,
      citedItems: [{ kind: "summary", id: meetings[2] }],
      text: "Runosmäki's leadership has a plan for the merger."
    })
    const followUp = await ok(`${m}/follow-up`, anttiMentor, { dueOn: "2027-03-01" })
    expect(followUp.phase).toBe("follow-up")

    const due = (await call("GET", "/follow-ups/due?asOf=2027-03-02", { as: pekka })).body
    expect(due).toEqual([expect.objectContaining({ mentorshipId, status: "scheduled" })])
    expect((await call("GET", "/follow-ups/due?asOf=someday", { as: pekka })).status).toBe(400)

    await ok(`${m}/follow-up/held`, anttiMentor, {
      notes: "The merged staff room works; keep the Friday briefings."
    })
    const done = await ok(`${m}/completion`, coordinator())
    expect(done.phase).toBe("completed")

    const seen = (await call("GET", `/mentorships/${mentorshipId}/history`, { as: pekka })).body
    const content = (type: string) => seen.find((e: Json) => e.type === type).content
    expect(content("ReportDelivered")).toEqual([
      { path: "text", kind: "report", text: "Runosmäki's leadership has a plan for the merger." }
    ])
    expect(content("FollowUpHeld")).toEqual([{ path: "notes", kind: "follow-up", withheld: "not-shared" }])
    const view = (await call("GET", `/mentorships/${mentorshipId}`, { as: pekka })).body
    expect(view.followUp).toMatchObject({ status: "held" })
    expect(view.followUp.notes).toBeUndefined()
    expect(view.summaries.filter((s: Json) => s.text !== undefined).map((s: Json) => s.text)).toEqual([
      "Headmaster meeting 3"
    ])
    const mentee = (await call("GET", `/mentorships/${mentorshipId}`, { as: kaisa })).body
    expect(mentee.followUp.notes).toBe("The merged staff room works; keep the Friday briefings.")

    // Tiina coordinates the induction programme only: she neither sees this mentorship nor may erase its mentee
    expect((await call("GET", `/mentorships/${mentorshipId}`, { as: tiina() })).status).toBe(404)
    const refused = await call("DELETE", `/people/${ids.E1012}`, { as: tiina() })
    expect(refused.status).toBe(403)
    expect(refused.body).toMatchObject({ error: "RuleViolation", rule: "not-a-participant" })
    // nothing changed: Kaisa is still in the directory and her content still reads
    expect((await call("GET", "/mentorships", { as: kaisa })).status).toBe(200)
    const still = (await call("GET", `/mentorships/${mentorshipId}`, { as: anttiMentor })).body
    expect(still.summaries[0].text).toBe("Headmaster meeting 1")
  })
})
