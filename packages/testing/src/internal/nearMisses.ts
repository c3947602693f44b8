/**
 * Near misses: commands one step away from an allowed one, each breaking
 * exactly one named rule. Most are made by changing one field of a
 * command the model allows (a role, a participant list, a cited item);
 * the rest are commands that would be allowed in a nearby state (a
 * meeting before the agreement, a report before the closing discussion).
 * Every near miss is checked against the reference model before it is
 * offered, so a generator slip cannot pass for a decider bug.
 */
import { Ids, type Mentorship, type Roles, type Rules } from "@mentor-ledger/core"
import { candidates, day, deliberate, freshId, items } from "./candidates.js"
import { type Model, permissions, shared, verdict } from "./process.js"

type Command = Mentorship.Command

export interface NearMiss {
  readonly rule: Rules.Rule
  readonly command: Command
  /** The allowed command it was changed from; null when it is the state that makes it wrong. */
  readonly original: Command | null
  /** What makes it wrong, in words. */
  readonly change: string
}

/** The rules a command allowed elsewhere breaks in this state, when the state is all that is wrong. */
const stateRules: ReadonlyArray<Rules.Rule> = [
  "mentorship-not-found",
  "mentorship-exists",
  "mentorship-closed",
  "phase-order",
  "step-not-in-template",
  "meeting-limit",
  "self-assessment-required",
  "minimum-meetings",
  "report-required",
  "follow-up-required",
  "summary-exists",
  "summary-missing",
  "summary-finalised",
  "task-completed",
  "consent-unchanged",
  "already-erased"
]

/** The rules a near miss changes a field of an allowed command to break. */
const fieldRules: ReadonlyArray<Rules.Rule> = [
  "role-not-permitted",
  "not-a-participant",
  "already-erased",
  "group-size",
  "supervisor-is-mentee",
  "participants-missing",
  "self-mentoring",
  "mentor-is-supervisor",
  "person-not-involved",
  "closing-too-short",
  "signatures-missing",
  "confidentiality-commitment",
  "meeting-limit",
  "duplicate-id",
  "meeting-not-open",
  "unknown-meeting",
  "meeting-not-held",
  "unknown-task",
  "unknown-item",
  "report-recipient",
  "report-cites-unconsented",
  "date-order"
]

/** Every rule a near miss can break. */
export const breakable: ReadonlyArray<Rules.Rule> = [...new Set([...stateRules, ...fieldRules])]

const explain = (rule: Rules.Rule, m: Model, command: Command): string => {
  switch (rule) {
    case "phase-order":
      return (command._tag === "HoldMeeting" || command._tag === "ScheduleMeeting") &&
        (m.phase === "matched" || m.phase === "opening")
        ? `a meeting in phase ${m.phase}, before the agreement`
        : `${command._tag} in phase ${m.phase}`
    case "step-not-in-template":
      return `${command._tag}: template ${m.template.id} has no such step`
    case "meeting-limit":
      return `a meeting over the template's limit of ${m.template.meetings.max}`
    case "minimum-meetings":
      return `${command._tag} after ${m.held} of at least ${m.template.meetings.min} meetings`
    case "mentorship-closed":
      return `${command._tag} after the mentorship was ${m.phase}`
    case "mentorship-not-found":
      return "a command for a mentorship never requested"
    case "follow-up-required":
      return "completing before the follow-up visit"
    case "report-required":
      return `${command._tag} before the report`
    case "self-assessment-required":
      return "signing before every mentee's self-assessment is in"
    case "summary-exists":
      return "a second summary of the meeting"
    case "summary-missing":
      return "the meeting has no summary yet"
    case "mentorship-exists":
      return "a second request for the same mentorship"
    case "summary-finalised":
      return "the summary is final"
    case "task-completed":
      return "the task was completed already"
    case "consent-unchanged":
      return command._tag === "GiveConsent" ? "consent was given already" : "there is no consent to revoke"
    case "already-erased":
      return "the actor's data was erased"
    default:
      return `${command._tag} when ${rule}`
  }
}

const wrongRoleFor = (allowed: ReadonlyArray<Roles.Role>): Roles.Role =>
  (["supervisor", "mentee", "mentor", "coordinator", "support-team", "analyst"] as const).find(
    (r) => !allowed.includes(r)
  )!

/** Every near miss of a state, at most one per rule and command kind. */
export const nearMisses = (m: Model): ReadonlyArray<NearMiss> => {
  const i = m.attempts
  const out: Array<NearMiss> = []
  const seen = new Set<string>()
  const offer = (rule: Rules.Rule, command: Command, original: Command | null, change: string) => {
    if (!breakable.includes(rule)) throw new Error(`a near miss of ${rule}, which is not listed as breakable`)
    const key = `${rule}/${command._tag}/${original === null ? "state" : "field"}`
    if (seen.has(key)) return
    const v = verdict(m, command)
    if (v._tag === "Refused" && v.rule === rule) {
      seen.add(key)
      out.push({ rule, command, original, change })
    }
  }
  const fresh = (k: number) => freshId(i, k)
  const outsider = m.cast.outsider
  const all = candidates(m)

  // The state is what is wrong.
  if (m.phase === "none") {
    const meeting = candidates({ ...m, phase: "agreement" }).find((c) => c.kind === "hold-meeting")
    if (meeting !== undefined)
      offer("mentorship-not-found", meeting.command, null, "a meeting of a mentorship never requested")
  }
  for (const c of all) {
    if (deliberate.includes(c.kind)) continue
    const v = verdict(m, c.command)
    if (v._tag === "Refused" && stateRules.includes(v.rule))
      offer(v.rule, c.command, null, explain(v.rule, m, c.command))
  }

  // One field of an allowed command is wrong.
  for (const { command: c } of all) {
    if (verdict(m, c)._tag !== "Accepted") continue
    const by = (personId: Ids.PersonId, role: Roles.Role) => ({ ...c, actor: { personId, role } }) as Command
    if (c._tag !== "RequestMentoring" && c._tag !== "ErasePersonalData") {
      const wrong = wrongRoleFor(permissions[c._tag].roles)
      offer("role-not-permitted", by(c.actor.personId, wrong), c, `the actor claims the ${wrong} role`)
      if (c.actor.role !== "coordinator")
        offer(
          "not-a-participant",
          by(outsider, c.actor.role),
          c,
          `an outsider claims the ${c.actor.role} role`
        )
      const erased =
        c.actor.role === "mentor"
          ? m.mentors.find((p) => m.erased.has(p))
          : c.actor.role === "mentee"
            ? m.mentees.find((p) => m.erased.has(p))
            : undefined
      if (erased !== undefined)
        offer("already-erased", by(erased, c.actor.role), c, "the actor's data was erased")
    }
    switch (c._tag) {
      case "RequestMentoring":
        offer("role-not-permitted", by(c.actor.personId, "mentor"), c, "a mentor requests mentoring")
        offer(
          "group-size",
          { ...c, menteeIds: [c.menteeIds[0]!, ...c.menteeIds] },
          c,
          "a mentee is listed twice"
        )
        if (c.supervisorId !== null)
          offer(
            "supervisor-is-mentee",
            { ...c, supervisorId: c.menteeIds[0]! },
            c,
            "the supervisor is a mentee"
          )
        offer(
          "participants-missing",
          { ...c, supervisorId: null },
          c,
          "no supervisor, and the template needs one"
        )
        break
      case "MatchMentor":
        offer(
          "group-size",
          { ...c, mentorIds: [...c.mentorIds, c.mentorIds[0]!] },
          c,
          "a mentor is listed twice"
        )
        offer(
          "self-mentoring",
          { ...c, mentorIds: [m.mentees[0]!, ...c.mentorIds.slice(1)] },
          c,
          "a mentee as mentor"
        )
        if (m.supervisor !== null)
          offer(
            "mentor-is-supervisor",
            { ...c, mentorIds: [m.supervisor, ...c.mentorIds.slice(1)] },
            c,
            "the mentee's supervisor as mentor"
          )
        break
      case "HoldOpeningDiscussion":
      case "HoldClosingDiscussion":
      case "HoldEvaluation": {
        const first = m.mentees[0]
        offer(
          "participants-missing",
          { ...c, participantIds: c.participantIds.filter((p) => p !== first) },
          c,
          "a mentee is missing"
        )
        const stranger = c._tag === "HoldEvaluation" && m.supervisor !== null ? m.supervisor : outsider
        offer(
          "person-not-involved",
          { ...c, participantIds: [...c.participantIds, stranger] },
          c,
          stranger === outsider ? "an outsider takes part" : "the supervisor takes part in the co-evaluation"
        )
        if (c._tag === "HoldClosingDiscussion" && m.template.closingMinutes >= 2)
          offer(
            "closing-too-short",
            { ...c, durationMinutes: m.template.closingMinutes - 1 },
            c,
            `${m.template.closingMinutes - 1} minutes, ${m.template.closingMinutes} needed`
          )
        break
      }
      case "SignAgreement": {
        offer(
          "signatures-missing",
          { ...c, signatories: c.signatories.slice(0, -1) },
          c,
          "a party did not sign"
        )
        offer(
          "confidentiality-commitment",
          { ...c, confidentiality: false },
          c,
          "no confidentiality commitment"
        )
        const { min, max } = m.template.meetings
        if (max < 1000)
          offer(
            "meeting-limit",
            { ...c, plannedMeetings: max + 1 },
            c,
            `${max + 1} meetings planned, ${max} allowed`
          )
        else if (min >= 2)
          offer(
            "meeting-limit",
            { ...c, plannedMeetings: min - 1 },
            c,
            `${min - 1} meetings planned, ${min} needed`
          )
        offer(
          "person-not-involved",
          { ...c, signatories: [...c.signatories, outsider] },
          c,
          "an outsider signs"
        )
        break
      }
      case "ScheduleMeeting": {
        const existing = [...m.meetings.keys()][0]
        if (existing !== undefined)
          offer("duplicate-id", { ...c, meetingId: existing as Ids.MeetingId }, c, "the meeting id is taken")
        break
      }
      case "HoldMeeting": {
        const held = [...m.meetings.entries()].find(([, x]) => x.status !== "scheduled")?.[0]
        if (held !== undefined)
          offer(
            "meeting-not-open",
            { ...c, meetingId: held as Ids.MeetingId },
            c,
            "the meeting was held or cancelled"
          )
        break
      }
      case "RecordObservation": {
        const existing = [...m.observations][0]
        if (existing !== undefined)
          offer(
            "duplicate-id",
            { ...c, observationId: existing as Ids.ObservationId },
            c,
            "the observation id is taken"
          )
        break
      }
      case "CancelMeeting":
      case "DraftSummary":
      case "AmendSummary":
      case "FinaliseSummary":
        offer("unknown-meeting", { ...c, meetingId: fresh(8) as Ids.MeetingId }, c, "no such meeting")
        if (c._tag === "DraftSummary") {
          const scheduled = [...m.meetings.entries()].find(([, x]) => x.status !== "held")?.[0]
          if (scheduled !== undefined)
            offer(
              "meeting-not-held",
              { ...c, meetingId: scheduled as Ids.MeetingId },
              c,
              "the meeting was not held"
            )
        }
        break
      case "AssignTask": {
        const existing = [...m.tasks.keys()][0]
        if (existing !== undefined)
          offer("duplicate-id", { ...c, taskId: existing as Ids.TaskId }, c, "the task id is taken")
        offer("participants-missing", { ...c, assigneeIds: [] }, c, "nobody is assigned")
        offer("person-not-involved", { ...c, assigneeIds: [outsider] }, c, "assigned to an outsider")
        break
      }
      case "CompleteTask": {
        offer("unknown-task", { ...c, taskId: fresh(8) as Ids.TaskId }, c, "no such task")
        const other = m.mentees.find((p) => !m.tasks.get(c.taskId)!.assignees.includes(p) && !m.erased.has(p))
        if (other !== undefined)
          offer(
            "not-a-participant",
            by(other, "mentee"),
            c,
            "a mentee the task is not assigned to completes it"
          )
        break
      }
      case "GiveConsent":
        offer("unknown-item", { ...c, item: { kind: "task", id: fresh(8) } }, c, "no such item")
        break
      case "DeliverReport": {
        offer("report-recipient", { ...c, recipientId: m.mentees[0]! }, c, "the report goes to a mentee")
        offer(
          "unknown-item",
          { ...c, citedItems: [...c.citedItems, { kind: "task", id: fresh(8) }] },
          c,
          "cites no such item"
        )
        const unshared = items(m).find((it) => !shared(m, it.kind, it.id))
        if (unshared !== undefined)
          offer(
            "report-cites-unconsented",
            { ...c, citedItems: [...c.citedItems, unshared] },
            c,
            `cites ${unshared.kind} the mentee has not consented to share`
          )
        break
      }
      case "ScheduleFollowUp":
        offer("date-order", { ...c, dueOn: day(i - 1) }, c, "due before it was scheduled")
        break
      case "ErasePersonalData":
        offer("role-not-permitted", by(c.actor.personId, "mentor"), c, "a mentor erases someone else's data")
        offer("person-not-involved", { ...c, personId: outsider }, c, "the person takes no part")
        break
    }
  }
  return out
}
