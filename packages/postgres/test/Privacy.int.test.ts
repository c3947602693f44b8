import { createLedger, Ids, Template } from "@mentor-ledger/core"
import { expect, it } from "vitest"
import { PgJournal } from "../src/index.js"
import { dropSchema, onServer, query, schemaName, serverUrl } from "./server.js"

const n = (i: number) => Ids.sequentialId(i)
const secrets = ["pg-SWOT-strength-71aa", "pg-goal-93bb", "pg-summary-12cc", "pg-amend-45dd"]

/** Every text column of every row of the schema's tables, cast to text and searched. */
const scan = async (schema: string): Promise<ReadonlyArray<string>> => {
  const tables = await query<{ table_name: string }>(
    "select table_name from information_schema.tables where table_schema = $1",
    [schema]
  )
  const found: Array<string> = []
  for (const { table_name } of tables) {
    const rows = await query<{ row: string }>(`select t::text as row from "${schema}"."${table_name}" t`)
    for (const { row } of rows)
      for (const s of secrets) if (row.includes(s)) found.push(`${table_name}: ${s}`)
  }
  return found
}

onServer("PostgreSQL holds no plaintext content", () => {
  it("no table holds content, before or after erasure; the log and the counts survive", async () => {
    const [url, schema] = [serverUrl(), schemaName()]
    const opened = await PgJournal.open({ url, schema })
    const ledger = createLedger({ store: opened.layer })
    const coordinator = { personId: n(1), role: "coordinator" } as const
    const mentor = { personId: n(2), role: "mentor" } as const
    const mentee = { personId: n(3), role: "mentee" } as const
    try {
      await ledger.execute({
        _tag: "LaunchProgramme",
        actor: coordinator,
        programmeId: n(10),
        name: "Induction",
        templates: [Template.earlyCareerInduction]
      })
      await ledger.execute({
        _tag: "EnrolMentor",
        actor: coordinator,
        programmeId: n(10),
        mentorId: n(2),
        capacity: 3
      })
      await ledger.execute({
        _tag: "RecordMentorTraining",
        actor: coordinator,
        programmeId: n(10),
        mentorId: n(2),
        course: "Mentor training"
      })
      await ledger.execute({
        _tag: "RequestMentoring",
        actor: mentee,
        mentorshipId: n(20),
        programmeId: n(10),
        templateId: "early-career-induction",
        menteeIds: [n(3)],
        supervisorId: null
      })
      await ledger.execute({
        _tag: "MatchMentor",
        actor: coordinator,
        mentorshipId: n(20),
        mentorIds: [n(2)]
      })
      await ledger.execute({
        _tag: "SubmitSelfAssessment",
        actor: mentee,
        mentorshipId: n(20),
        strengths: secrets[0]!,
        weaknesses: "w",
        opportunities: "o",
        threats: "t"
      })
      await ledger.execute({
        _tag: "SignAgreement",
        actor: mentee,
        mentorshipId: n(20),
        goals: [secrets[1]!],
        topics: ["t"],
        plannedMeetings: 6,
        cadenceDays: 14,
        confidentiality: true,
        signatories: [n(2), n(3)]
      })
      await ledger.execute({
        _tag: "HoldMeeting",
        actor: mentor,
        mentorshipId: n(20),
        meetingId: n(30),
        modality: "phone",
        durationMinutes: 45
      })
      await ledger.execute({
        _tag: "DraftSummary",
        actor: mentor,
        mentorshipId: n(20),
        meetingId: n(30),
        text: secrets[2]!
      })
      await ledger.execute({
        _tag: "AmendSummary",
        actor: mentee,
        mentorshipId: n(20),
        meetingId: n(30),
        text: secrets[3]!
      })
      expect(await scan(schema)).toEqual([])
      // The mentor reads the summary in clear through the API while the keys exist.
      const before = await ledger.history(n(20), mentor)
      expect(JSON.stringify(before.map((e) => e.event))).toContain(secrets[2])

      await ledger.erase(n(3))
      expect(await scan(schema)).toEqual([])
      const keys = await query<{ subject: string; material: Buffer | null; erased_at: Date | null }>(
        `select subject, material, erased_at from "${schema}".ml_keys where subject = $1`,
        [`person:${n(3)}`]
      )
      expect(keys).toHaveLength(1)
      expect(keys[0]!.material).toBeNull()
      expect(keys[0]!.erased_at).not.toBeNull()
      const after = await ledger.history(n(20), mentor)
      const text = JSON.stringify(after.map((e) => e.event))
      for (const s of secrets) expect(text).not.toContain(s)
      const state = await ledger.mentorship(n(20))
      expect(state.state._tag === "Active" && state.state.meetingsHeld).toBe(1)
    } finally {
      await ledger.close()
      await opened.close()
      await dropSchema(schema)
    }
  })
})
