/**
 * The demo programme as a deterministic plan: two programmes, five
 * templates (the four built-in ones and a programme's own), a trained mentor
 * pool, and dozens of mentorships, each played up to a target phase so that
 * every phase is present (a few are withdrawn). Each step is a real command
 * that the ledger checks against every rule when it is played (see
 * `run.ts`); nothing is written around the ledger.
 *
 * Times are bitemporal: each step has the time it happened (`occurredAt`)
 * and the time it is recorded (a few minutes later, and for some meetings
 * days later, as when a mentor logs meetings in a batch), so that
 * `show --as-known-at` has something to show.
 *
 * @since 0.1.0
 */
import { type Commands, Template } from "@mentor-ledger/core"
import * as Random from "./random.js"
import * as T from "./texts.js"

const day = 86_400_000
const minute = 60_000

/** The demo's "today": every event happened before it. @since 0.1.0 @category plan */
export const demoNow = new Date(Date.UTC(2026, 5, 1, 12, 0, 0))

/** A programme's own template (seed 000: vocational teachers, with a supervisor in the opening and closing discussions). @since 0.1.0 @category plan */
export const vocationalInduction: Template.ProcessTemplate = Template.ProcessTemplate.make({
  id: "vocational-teacher-induction",
  name: "Vocational teacher induction",
  steps: ["opening-discussion", "evaluation", "closing-discussion"],
  meetings: { min: 3, max: 8 },
  cadenceDays: { min: 14, max: 28 },
  followUpDelayDays: null,
  supervisorTakesPart: true,
  mentees: { min: 1, max: 1 },
  mentors: { min: 1, max: 1 },
  closingMinutes: 45
})

/** Who runs the mentorships while the plan plays: the mentors are chosen at match time. */
export interface Context {
  readonly mentorshipId: string
  readonly programmeId: string
  readonly menteeIds: ReadonlyArray<string>
  readonly supervisorId: string | null
  mentorIds: ReadonlyArray<string>
  /** How many mentors to match. */
  readonly mentorCount: number
}

/** One command of the plan. @since 0.1.0 @category plan */
export interface Step {
  readonly occurredAt: Date
  recordedAt: Date
  /** The mentorship the step belongs to (-1: programme setup). */
  readonly mentorship: number
  readonly index: number
  readonly kind: "command" | "match" | "release" | "erase"
  /** The command, built when it is played (it may need the matched mentors). */
  readonly command: (ctx: Context | undefined) => Commands.CommandInput
  /** For an erasure: the person. */
  readonly personId?: string
}

/** A programme of the demo. @since 0.1.0 @category plan */
export interface ProgrammePlan {
  readonly id: string
  readonly name: string
  readonly coordinatorId: string
  readonly mentors: ReadonlyArray<{
    readonly id: string
    readonly capacity: number
    readonly trained: boolean
  }>
  readonly templates: ReadonlyArray<Template.ProcessTemplate>
}

/** A mentorship of the demo. @since 0.1.0 @category plan */
export interface MentorshipPlan {
  readonly context: Context
  readonly programme: ProgrammePlan
  readonly template: Template.ProcessTemplate
  readonly target: Template.Phase
  readonly steps: ReadonlyArray<Step>
}

/** The whole plan. @since 0.1.0 @category plan */
export interface Plan {
  readonly seed: number
  readonly programmes: ReadonlyArray<ProgrammePlan>
  readonly mentorships: ReadonlyArray<MentorshipPlan>
  /** Every step, in the order it is played (by recording time). */
  readonly steps: ReadonlyArray<Step>
  /** The person whose data is erased at the end. */
  readonly erased: string | undefined
}

interface Draft {
  day: number
  phase: Template.Phase
  lagMinutes: number
  kind: Step["kind"]
  /** `at` turns a day offset of this mentorship into a date. */
  command: (ctx: Context, at: (day: number) => Date) => Commands.CommandInput
}

/** The phases a template can reach. */
const phasesOf = (t: Template.ProcessTemplate): ReadonlySet<Template.Phase> => {
  const has = (s: Template.Step) => Template.hasStep(t, s)
  const all: Array<Template.Phase> = [
    "requested",
    "matched",
    "agreement",
    "meetings",
    "completed",
    "withdrawn"
  ]
  if (has("opening-discussion")) all.push("opening")
  if (has("evaluation")) all.push("evaluation")
  if (has("closing-discussion")) all.push("closing")
  if (has("follow-up")) all.push("follow-up")
  return new Set(all)
}

/**
 * The target phases, handed out in turn to the mentorships (templates
 * interleaved): completed and running ones most, a withdrawal in every
 * twelve. A template that cannot reach a phase takes the next one.
 */
const cycle: ReadonlyArray<Template.Phase> = [
  "completed",
  "meetings",
  "requested",
  "withdrawn",
  "matched",
  "agreement",
  "follow-up",
  "evaluation",
  "opening",
  "closing",
  "completed",
  "meetings"
]

const person = (actor: string, role: "mentor" | "mentee" | "supervisor" | "coordinator") => ({
  personId: actor,
  role
})

/** The steps of one mentorship from request to completion, in causal order, with day offsets. */
const draftMentorship = (
  rng: Random.Random,
  template: Template.ProcessTemplate,
  programme: ProgrammePlan,
  ctx: Context
): Array<Draft> => {
  const has = (s: Template.Step) => Template.hasStep(template, s)
  const drafts: Array<Draft> = []
  let t = 0
  let phase: Template.Phase = "requested"
  const quick = () => rng.int(5, 90)
  const add = (
    at: number,
    kind: Step["kind"],
    command: Draft["command"],
    next?: Template.Phase,
    lag = quick()
  ) => {
    // Office hours: from 07:00 UTC, a few hours into the day.
    t = Math.max(t, at + rng.int(0, 7) / 24 + rng.int(0, 59) / 1440)
    if (next !== undefined) phase = next
    drafts.push({ day: t, phase, lagMinutes: lag, kind, command })
  }
  const mentor = (c: Context) => person(c.mentorIds[0]!, "mentor")
  const mentee = (c: Context, i = 0) => person(c.menteeIds[i % c.menteeIds.length]!, "mentee")
  const base = (c: Context) => ({ mentorshipId: c.mentorshipId })
  const coordinator = person(programme.coordinatorId, "coordinator")
  const requestActor =
    template.id === "headmasters-as-mentors" && ctx.supervisorId !== null
      ? person(ctx.supervisorId, "supervisor")
      : template.id === "early-career-induction" || template.id === "vocational-teacher-induction"
        ? person(ctx.menteeIds[0]!, "mentee")
        : coordinator

  add(0, "command", (c) => ({
    _tag: "RequestMentoring",
    actor: requestActor,
    ...base(c),
    programmeId: c.programmeId,
    templateId: template.id,
    menteeIds: [...c.menteeIds],
    supervisorId: c.supervisorId
  }))
  add(
    t + rng.int(2, 10),
    "match",
    (c) => ({
      _tag: "MatchMentor",
      actor: coordinator,
      ...base(c),
      mentorIds: [...c.mentorIds]
    }),
    "matched"
  )
  if (has("opening-discussion"))
    add(
      t + rng.int(4, 12),
      "command",
      (c) => ({
        _tag: "HoldOpeningDiscussion",
        actor: mentor(c),
        ...base(c),
        participantIds: [
          ...c.mentorIds,
          ...c.menteeIds,
          ...(template.supervisorTakesPart && c.supervisorId !== null ? [c.supervisorId] : [])
        ],
        expectations: rng.pick(T.expectations)
      }),
      "opening"
    )
  if (has("self-assessment"))
    ctx.menteeIds.forEach((_, i) => {
      const [s, w, o, th] = [
        rng.pick(T.strengths),
        rng.pick(T.weaknesses),
        rng.pick(T.opportunities),
        rng.pick(T.threats)
      ]
      add(t + rng.int(1, 4), "command", (c) => ({
        _tag: "SubmitSelfAssessment",
        actor: mentee(c, i),
        ...base(c),
        strengths: s,
        weaknesses: w,
        opportunities: o,
        threats: th
      }))
    })
  const planned = rng.int(template.meetings.min, Math.min(template.meetings.max, template.meetings.min + 4))
  const cadence = rng.int(template.cadenceDays.min, template.cadenceDays.max)
  const goals = [rng.pick(T.goals), rng.pick(T.goals)].filter((g, i, all) => all.indexOf(g) === i)
  const topics = [rng.pick(T.topics)]
  add(
    t + rng.int(3, 10),
    "command",
    (c) => ({
      _tag: "SignAgreement",
      actor: mentee(c),
      ...base(c),
      goals,
      topics,
      plannedMeetings: planned,
      cadenceDays: cadence,
      confidentiality: true,
      signatories: [...c.mentorIds, ...c.menteeIds]
    }),
    "agreement"
  )
  const consented: Array<{ kind: "summary" | "evaluation"; id: string }> = []
  let meetingAt = t + rng.int(3, 10)
  for (let i = 0; i < planned; i++) {
    const meetingId = rng.uuid()
    const modality = rng.pick(["in-person", "in-person", "video", "phone"] as const)
    if (rng.chance(0.08)) {
      // Scheduled, then cancelled; held another day without scheduling.
      const cancelled = rng.uuid()
      const planned = meetingAt
      add(meetingAt - rng.int(4, 7), "command", (c, at) => ({
        _tag: "ScheduleMeeting",
        actor: mentor(c),
        ...base(c),
        meetingId: cancelled,
        scheduledFor: at(planned),
        modality
      }))
      add(meetingAt - 1, "command", (c) => ({
        _tag: "CancelMeeting",
        actor: mentee(c),
        ...base(c),
        meetingId: cancelled,
        reason: rng.pick(["mentor-unavailable", "mentee-unavailable", "rescheduled", "other"] as const)
      }))
      meetingAt += rng.int(2, 4)
    } else if (rng.chance(0.6)) {
      const planned = meetingAt
      add(meetingAt - rng.int(2, 6), "command", (c, at) => ({
        _tag: "ScheduleMeeting",
        actor: mentor(c),
        ...base(c),
        meetingId,
        scheduledFor: at(planned),
        modality
      }))
    }
    // Some meetings are logged days after they were held.
    const lag = rng.chance(0.3) ? rng.int(1, 5) * 24 * 60 + rng.int(0, 600) : quick()
    const duration = i === 0 ? rng.int(90, 180) : rng.pick([45, 60, 60, 75, 90])
    add(
      meetingAt,
      "command",
      (c) => ({
        _tag: "HoldMeeting",
        actor: mentor(c),
        ...base(c),
        meetingId,
        modality,
        durationMinutes: duration,
        planning: i === 0
      }),
      "meetings",
      lag
    )
    const summary = rng.pick(T.summaries)
    add(t + rng.int(0, 1) + 0.2, "command", (c) => ({
      _tag: "DraftSummary",
      actor: mentor(c),
      ...base(c),
      meetingId,
      text: summary
    }))
    if (rng.chance(0.35)) {
      const text = rng.pick(T.amendments)
      add(t + 1, "command", (c) => ({ _tag: "AmendSummary", actor: mentee(c), ...base(c), meetingId, text }))
    }
    if (rng.chance(0.45)) {
      for (let m = 0; m < ctx.menteeIds.length; m++)
        add(t + 0.1, "command", (c) => ({
          _tag: "GiveConsent",
          actor: mentee(c, m),
          ...base(c),
          item: { kind: "summary", id: meetingId }
        }))
      consented.push({ kind: "summary", id: meetingId })
    }
    if (rng.chance(0.8))
      add(t + 1, "command", (c) => ({ _tag: "FinaliseSummary", actor: mentor(c), ...base(c), meetingId }))
    if (has("observation") && i === 1) {
      const note = rng.pick(T.observations)
      const observationId = rng.uuid()
      add(t + 0.5, "command", (c) => ({
        _tag: "RecordObservation",
        actor: mentor(c),
        ...base(c),
        observationId,
        note
      }))
    }
    if (i < planned - 1 && rng.chance(0.4)) {
      const taskId = rng.uuid()
      const description = rng.pick(T.tasks)
      const due = meetingAt + cadence
      add(t + 0.1, "command", (c, at) => ({
        _tag: "AssignTask",
        actor: mentor(c),
        ...base(c),
        taskId,
        assigneeIds: [c.menteeIds[0]!],
        description,
        dueOn: at(due)
      }))
      if (rng.chance(0.8)) {
        const reflection = rng.pick(T.reflections)
        add(t + rng.int(1, Math.max(1, cadence - 2)), "command", (c) => ({
          _tag: "CompleteTask",
          actor: mentee(c),
          ...base(c),
          taskId,
          reflection
        }))
      }
    }
    meetingAt = Math.max(t + 1, meetingAt + cadence + rng.int(-2, 3))
  }
  if (has("evaluation")) {
    const summary = rng.pick(T.evaluations)
    add(
      t + rng.int(5, 14),
      "command",
      (c) => ({
        _tag: "HoldEvaluation",
        actor: mentor(c),
        ...base(c),
        participantIds: [...c.mentorIds, ...c.menteeIds],
        processSummary: summary
      }),
      "evaluation"
    )
    if (rng.chance(0.5)) {
      for (let m = 0; m < ctx.menteeIds.length; m++)
        add(t + 1, "command", (c) => ({
          _tag: "GiveConsent",
          actor: mentee(c, m),
          ...base(c),
          item: { kind: "evaluation", id: c.mentorshipId }
        }))
      consented.push({ kind: "evaluation", id: "" })
    }
  }
  if (has("closing-discussion")) {
    const minutes = Math.max(template.closingMinutes, rng.int(60, 120))
    add(
      t + rng.int(5, 14),
      "command",
      (c) => ({
        _tag: "HoldClosingDiscussion",
        actor: mentor(c),
        ...base(c),
        participantIds: [
          c.mentorIds[0]!,
          ...c.menteeIds,
          ...(template.supervisorTakesPart && c.supervisorId !== null ? [c.supervisorId] : [])
        ],
        durationMinutes: minutes
      }),
      "closing"
    )
  }
  if (has("report")) {
    const text = rng.pick(T.reports)
    add(t + rng.int(2, 10), "command", (c) => ({
      _tag: "DeliverReport",
      actor: mentor(c),
      ...base(c),
      recipientId: c.supervisorId!,
      citedItems: consented.map((i) => ({
        kind: i.kind,
        id: i.kind === "evaluation" ? c.mentorshipId : i.id
      })),
      text
    }))
  }
  if (has("follow-up")) {
    add(
      t + rng.int(1, 3),
      "command",
      (c) => ({ _tag: "ScheduleFollowUp", actor: mentor(c), ...base(c) }),
      "follow-up"
    )
    const notes = rng.pick(T.followUps)
    add(t + (template.followUpDelayDays ?? 0) + rng.int(-10, 20), "command", (c) => ({
      _tag: "HoldFollowUp",
      actor: mentor(c),
      ...base(c),
      notes
    }))
  }
  add(
    t + rng.int(2, 10),
    "release",
    (c) => ({ _tag: "CompleteMentorship", actor: mentor(c), ...base(c) }),
    "completed"
  )
  return drafts
}

/** Cuts a mentorship's drafts at its target phase (withdrawn: somewhere before the end, then a withdrawal). */
const cut = (
  rng: Random.Random,
  drafts: Array<Draft>,
  target: Template.Phase,
  programme: ProgrammePlan
): { readonly kept: Array<Draft>; readonly atFollowUpStart: boolean } => {
  if (target === "withdrawn") {
    const open = drafts.findIndex((d) => d.phase === "completed")
    const at = rng.int(1, Math.max(1, open - 1))
    const kept = drafts.slice(0, at)
    const last = kept[kept.length - 1]!
    const matched = last.phase !== "requested"
    const role = matched
      ? rng.pick(["mentor", "mentee", "coordinator"] as const)
      : rng.pick(["mentee", "coordinator"] as const)
    const reason = rng.pick(["mentee-request", "mentor-request", "change-of-job", "leave", "other"] as const)
    kept.push({
      day: last.day + rng.int(3, 20),
      phase: "withdrawn",
      lagMinutes: rng.int(5, 90),
      kind: "release",
      command: (c) => ({
        _tag: "WithdrawMentorship",
        actor:
          role === "mentor"
            ? person(c.mentorIds[0]!, "mentor")
            : role === "mentee"
              ? person(c.menteeIds[0]!, "mentee")
              : person(programme.coordinatorId, "coordinator"),
        mentorshipId: c.mentorshipId,
        reason
      })
    })
    return { kept, atFollowUpStart: false }
  }
  const first = drafts.findIndex((d) => d.phase === target)
  let last = first
  while (last + 1 < drafts.length && drafts[last + 1]!.phase === target) last++
  // Within a long phase (meetings), stop anywhere; a one-step phase stops at it.
  // A follow-up is scheduled and not held yet (it is due, or overdue, at the demo's today).
  const at = target === "follow-up" ? first : rng.int(first, last)
  return { kept: drafts.slice(0, at + 1), atFollowUpStart: target === "follow-up" && at === first }
}

/** How many mentorships of each template, for a total. */
const shares: ReadonlyArray<readonly [string, number]> = [
  ["headmasters-as-mentors", 14],
  ["early-career-induction", 12],
  ["student-placement", 8],
  ["peer-group-circle", 6],
  ["vocational-teacher-induction", 8]
]

/**
 * The demo plan for a seed and a number of mentorships.
 * @since 0.1.0
 * @category plan
 */
export const make = (seed: number, mentorships = 48): Plan => {
  const rng = Random.make(seed)
  const pool = (n: number, trained: number) =>
    Array.from({ length: n }, (_, i) => ({ id: rng.uuid(), capacity: rng.int(4, 6), trained: i < trained }))
  // Pools large enough for every mentorship running at once (capacity 4–6 each).
  const share = (id: string) => (shares.find(([t]) => t === id)![1] * mentorships) / 48
  const headmastersPool = Math.max(6, Math.ceil(share("headmasters-as-mentors") / 3))
  const networkPool = Math.max(
    10,
    Math.ceil((mentorships - share("headmasters-as-mentors") + share("peer-group-circle")) / 3)
  )
  const headmasters: ProgrammePlan = {
    id: rng.uuid(),
    name: "Headmasters as Mentors, south-west Finland 2025–2026",
    coordinatorId: rng.uuid(),
    mentors: pool(headmastersPool, headmastersPool),
    templates: [Template.headmastersAsMentors]
  }
  const network: ProgrammePlan = {
    id: rng.uuid(),
    name: "Early-childhood and vocational mentoring network 2025–2026",
    coordinatorId: rng.uuid(),
    mentors: pool(networkPool + 1, networkPool),
    templates: [
      Template.earlyCareerInduction,
      Template.studentPlacement,
      Template.peerGroupCircle,
      vocationalInduction
    ]
  }
  const secondCoordinator = rng.uuid()

  // Mentorships per template, in proportion (largest remainders), then interleaved.
  const weight = shares.reduce((n, [, k]) => n + k, 0)
  const exact = shares.map(([id, k]) => ({ id, exact: (k * mentorships) / weight }))
  const counts = new Map(exact.map((e) => [e.id, Math.floor(e.exact)]))
  let left = mentorships - [...counts.values()].reduce((a, b) => a + b, 0)
  for (const e of [...exact].sort((a, b) => (b.exact % 1) - (a.exact % 1))) {
    if (left-- <= 0) break
    counts.set(e.id, counts.get(e.id)! + 1)
  }
  const slots: Array<string> = []
  while (slots.length < mentorships)
    for (const [id] of shares)
      if ((counts.get(id) ?? 0) > slots.filter((s) => s === id).length && slots.length < mentorships)
        slots.push(id)

  // Each template's mentorships take the targets of the cycle in turn.
  const targets = slots.map((templateId, index) => {
    const template = (templateId === "headmasters-as-mentors" ? headmasters : network).templates.find(
      (t) => t.id === templateId
    )!
    const reachable = phasesOf(template)
    const k = slots.slice(0, index).filter((s) => s === templateId).length
    let turn = k % cycle.length
    while (!reachable.has(cycle[turn]!)) turn = (turn + 1) % cycle.length
    return cycle[turn]!
  })
  // Even a small demo has a withdrawal (and so an erasure).
  if (!targets.includes("withdrawn")) targets[Math.min(3, targets.length - 1)] = "withdrawn"

  const plans: Array<MentorshipPlan> = []
  let anyOverdue = false
  for (const [index, templateId] of slots.entries()) {
    const programme = templateId === "headmasters-as-mentors" ? headmasters : network
    const template = programme.templates.find((t) => t.id === templateId)!
    const target = targets[index]!
    {
      const menteeCount =
        template.mentees.min === template.mentees.max
          ? template.mentees.min
          : template.id === "headmasters-as-mentors"
            ? rng.int(1, 2)
            : rng.int(template.mentees.min, Math.min(template.mentees.max, template.mentees.min + 3))
      const context: Context = {
        mentorshipId: rng.uuid(),
        programmeId: programme.id,
        menteeIds: Array.from({ length: menteeCount }, () => rng.uuid()),
        supervisorId: rng.uuid(),
        mentorIds: [],
        mentorCount:
          template.mentors.max >= 2 && template.id === "peer-group-circle" && rng.chance(0.4)
            ? 2
            : template.mentors.min
      }
      const { kept: drafts, atFollowUpStart } = cut(
        rng,
        draftMentorship(rng, template, programme, context),
        target,
        programme
      )
      const span = drafts[drafts.length - 1]!.day
      // Some follow-ups were scheduled long enough ago to be overdue now (the first one always).
      const overdue = atFollowUpStart && (!anyOverdue || rng.chance(0.5))
      if (overdue) anyOverdue = true
      const slack = atFollowUpStart ? (overdue ? rng.int(190, 240) : rng.int(20, 150)) : rng.int(1, 25)
      const start = Math.floor((demoNow.getTime() - (span + slack) * day) / day) * day + 7 * 60 * minute
      let recorded = 0
      const steps = drafts.map((d, i): Step => {
        const occurredAt = new Date(start + d.day * day)
        recorded = Math.max(
          recorded,
          Math.min(demoNow.getTime(), occurredAt.getTime() + d.lagMinutes * minute)
        )
        return {
          occurredAt,
          recordedAt: new Date(recorded),
          mentorship: index,
          index: i,
          kind: d.kind,
          command: (c) =>
            ({ ...d.command(c!, (x) => new Date(start + x * day)), occurredAt }) as Commands.CommandInput
        }
      })
      plans.push({ context, programme, template, target, steps })
    }
  }

  // Programme setup, a month before the first request.
  const first = Math.min(...plans.map((p) => p.steps[0]!.occurredAt.getTime()))
  const setup: Array<Step> = []
  let at = first - 45 * day
  const setupStep = (command: Commands.CommandInput) => {
    at += 20 * minute
    const occurredAt = new Date(at)
    setup.push({
      occurredAt,
      recordedAt: new Date(at + 10 * minute),
      mentorship: -1,
      index: setup.length,
      kind: "command",
      command: () => ({ ...command, occurredAt }) as Commands.CommandInput
    })
  }
  for (const p of [headmasters, network]) {
    const coordinator = person(p.coordinatorId, "coordinator")
    setupStep({
      _tag: "LaunchProgramme",
      actor: coordinator,
      programmeId: p.id,
      name: p.name,
      templates: p === network ? p.templates.filter((t) => t !== vocationalInduction) : [...p.templates]
    })
    if (p === network) {
      setupStep({
        _tag: "DefineTemplate",
        actor: coordinator,
        programmeId: p.id,
        template: vocationalInduction
      })
      setupStep({
        _tag: "AppointCoordinator",
        actor: coordinator,
        programmeId: p.id,
        coordinatorId: secondCoordinator
      })
    }
    for (const m of p.mentors) {
      setupStep({
        _tag: "EnrolMentor",
        actor: coordinator,
        programmeId: p.id,
        mentorId: m.id,
        capacity: m.capacity
      })
      if (m.trained)
        setupStep({
          _tag: "RecordMentorTraining",
          actor: coordinator,
          programmeId: p.id,
          mentorId: m.id,
          course: p === headmasters ? "Mentor training for ECEC leaders" : "Mentor training for teachers"
        })
    }
  }

  const steps = [...setup, ...plans.flatMap((p) => p.steps)].sort(
    (a, b) =>
      a.recordedAt.getTime() - b.recordedAt.getTime() || a.mentorship - b.mentorship || a.index - b.index
  )
  const withdrawn = plans.find((p) => p.target === "withdrawn")
  return {
    seed,
    programmes: [headmasters, network],
    mentorships: plans,
    steps,
    erased: withdrawn?.context.menteeIds[0]
  }
}
