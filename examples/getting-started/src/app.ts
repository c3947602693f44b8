/**
 * The app of docs/getting-started.md: mentor-ledger embedded in a program
 * of one's own, on an SQLite file. It records one mentorship from request
 * to the first meeting, shows what the mentor and the supervisor may read,
 * and erases the mentee.
 *
 *   pnpm --filter @mentor-ledger/example-getting-started start "$PWD/.tmp/mentoring.sqlite"
 *
 * The guide quotes the `// #region` blocks of this file; `pnpm docs:check`
 * fails when the guide and this file differ.
 */
import { mkdirSync } from "node:fs"
import { dirname, resolve } from "node:path"
// #region imports
import { createLedger, Ids, Rules, Template } from "@mentor-ledger/core"
import { SqliteReadModels } from "@mentor-ledger/sqlite"
// #endregion imports

const filename = resolve(process.argv[2] ?? "mentoring.sqlite")
mkdirSync(dirname(filename), { recursive: true })

// Your people and units have ids in your own system: mentor-ledger takes UUIDs.
const coordinatorId = Ids.newId()
const mentorId = Ids.newId()
const menteeId = Ids.newId()
const supervisorId = Ids.newId()
const programmeId = Ids.newId()
const mentorshipId = Ids.newId()
const meetingId = Ids.newId()

// #region open
const db = await SqliteReadModels.open({ filename, projections: "inline" })
const ledger = createLedger({ store: db.layer })
// #endregion open

// #region record
const coordinator = { personId: coordinatorId, role: "coordinator" } as const
const mentor = { personId: mentorId, role: "mentor" } as const
const mentee = { personId: menteeId, role: "mentee" } as const

await ledger.execute({
  _tag: "LaunchProgramme",
  actor: coordinator,
  programmeId,
  name: "Headmasters as Mentors 2026",
  templates: [Template.headmastersAsMentors]
})
await ledger.execute({ _tag: "EnrolMentor", actor: coordinator, programmeId, mentorId, capacity: 2 })
await ledger.execute({
  _tag: "RecordMentorTraining",
  actor: coordinator,
  programmeId,
  mentorId,
  course: "Mentor training for school leaders"
})
await ledger.execute({
  _tag: "RequestMentoring",
  actor: { personId: supervisorId, role: "supervisor" },
  mentorshipId,
  programmeId,
  templateId: "headmasters-as-mentors",
  menteeIds: [menteeId],
  supervisorId
})
await ledger.execute({ _tag: "MatchMentor", actor: coordinator, mentorshipId, mentorIds: [mentorId] })
// #endregion record

// #region refused
try {
  await ledger.execute({
    _tag: "HoldMeeting",
    actor: mentor,
    mentorshipId,
    meetingId,
    modality: "video",
    durationMinutes: 60
  })
} catch (error) {
  if (!(error instanceof Rules.RuleViolation)) throw error
  console.log(`refused: ${error.rule} in phase ${error.phase}`) // refused: phase-order in phase matched
}
// #endregion refused

// #region meeting
await ledger.execute({
  _tag: "HoldOpeningDiscussion",
  actor: mentor,
  mentorshipId,
  participantIds: [mentorId, menteeId, supervisorId],
  expectations: "Lead the change in the school calmly."
})
await ledger.execute({
  _tag: "SubmitSelfAssessment",
  actor: mentee,
  mentorshipId,
  strengths: "A committed staff",
  weaknesses: "Too little time for pedagogical leadership",
  opportunities: "A new curriculum",
  threats: "Staff turnover"
})
await ledger.execute({
  _tag: "SignAgreement",
  actor: mentee,
  mentorshipId,
  goals: ["Leading change in the school"],
  topics: ["Interactions and atmosphere"],
  plannedMeetings: 6,
  cadenceDays: 14,
  confidentiality: true,
  signatories: [mentorId, menteeId]
})
await ledger.execute({
  _tag: "HoldMeeting",
  actor: mentor,
  mentorshipId,
  meetingId,
  modality: "in-person",
  durationMinutes: 90
})
await ledger.execute({
  _tag: "DraftSummary",
  actor: mentor,
  mentorshipId,
  meetingId,
  text: "We mapped the week's routines."
})
// #endregion meeting

// #region read
const supervisor = { personId: supervisorId, role: "supervisor" } as const

const [mine] = await db.queries.mentorshipsFor(mentor)
console.log(`${mine?.templateName}: phase ${mine?.phase}, ${mine?.meetingsHeld} meeting(s) held`)

const forMentor = await db.queries.summaries(mentor, mentorshipId)
const forSupervisor = await db.queries.summaries(supervisor, mentorshipId)
console.log(`the mentor reads: ${forMentor[0]?.text}`) // the mentor reads: We mapped the week's routines.
console.log(`the supervisor reads: ${forSupervisor[0]?.text ?? "(not shared)"}`) // … (not shared)
// #endregion read

// #region consent
await ledger.execute({
  _tag: "GiveConsent",
  actor: mentee,
  mentorshipId,
  item: { kind: "summary", id: meetingId }
})
const [shared] = await db.queries.summaries(supervisor, mentorshipId)
console.log(`after consent, the supervisor reads: ${shared?.text}`)
// #endregion consent

// #region erase
const erasure = await ledger.erase(menteeId)
console.log(`erased in ${erasure.recordedIn.length} mentorship(s)`)

const [afterErasure] = await db.queries.summaries(mentor, mentorshipId)
console.log(`the mentor now reads: ${afterErasure?.text ?? "(erased)"}`) // the mentor now reads: (erased)
const [facts] = await db.queries.mentorshipsFor(mentor)
console.log(`the process facts stay: ${facts?.meetingsHeld} meeting(s) held`)
// #endregion erase

// #region close
await ledger.close()
await db.close()
// #endregion close
