/**
 * Statistics of mentoring processes, from the event log alone: per
 * programme and template, how long each phase takes (median and 90th
 * percentile), how many meetings pairs hold, how long from request to
 * agreement, how many complete or withdraw (and from which phase), and how
 * many follow-up visits are overdue.
 *
 * The log is read once, in batches; memory holds one small record per
 * mentorship. No person data is read or shown: only process facts.
 *
 * Percentiles interpolate linearly between the closest ranks (the method
 * of R's default type 7 and numpy's default), in days.
 *
 * @since 0.1.0
 */
import { EventStore, Template } from "@mentor-ledger/core"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"

const dayMs = 86_400_000

/** What the statistics remember of one mentorship. @since 0.1.0 @category models */
export interface Record_ {
  readonly programme: string
  readonly template: string
  phase: Template.Phase
  readonly requestedAt: number
  /** When each phase was entered (ms), by phase. */
  readonly entered: Partial<Record<Template.Phase, number>>
  meetingsHeld: number
  followUpDue: number | null
  followUpHeld: boolean
  withdrawnFrom: Template.Phase | null
  withdrawalReason: string | null
}

/** A distribution summary, in days (or meetings). @since 0.1.0 @category models */
export interface Summary {
  readonly n: number
  readonly median: number | null
  readonly p90: number | null
  readonly mean: number | null
}

/** The statistics of one programme and template. @since 0.1.0 @category models */
export interface Group {
  readonly programme: string
  readonly programmeName: string | null
  readonly template: string
  readonly mentorships: number
  readonly running: number
  readonly completed: number
  readonly withdrawn: number
  /** completed / (completed + withdrawn); null before any ended. */
  readonly completionRate: number | null
  /** withdrawn / (completed + withdrawn). */
  readonly withdrawalRate: number | null
  /** Mentorships now in each phase. */
  readonly phases: Partial<Record<Template.Phase, number>>
  /** Days spent in each phase, by mentorships that left it. */
  readonly phaseDays: Partial<Record<Template.Phase, Summary>>
  /** Meetings held, by mentorships that signed an agreement. */
  readonly meetings: Summary
  /** Meetings held, by completed mentorships. */
  readonly meetingsCompleted: Summary
  /** Days from the request to the signed agreement. */
  readonly requestToAgreement: Summary
  /** Withdrawals by the phase they left from. */
  readonly withdrawnFrom: Partial<Record<Template.Phase, number>>
  readonly withdrawalReasons: Readonly<Record<string, number>>
  /** Follow-up visits due before the reference date and not held. */
  readonly followUpsOverdue: number
}

/** @since 0.1.0 @category models */
export interface Statistics {
  /** The reference date (`--as-of`, or now). */
  readonly asOf: string
  readonly events: number
  readonly groups: ReadonlyArray<Group>
  /** Every mentorship together. */
  readonly total: Group
}

/** The q-quantile (0..1) of sorted numbers, interpolated. @since 0.1.0 @category math */
export const quantile = (sorted: ReadonlyArray<number>, q: number): number | null => {
  if (sorted.length === 0) return null
  const h = (sorted.length - 1) * q
  const lo = Math.floor(h)
  const hi = Math.ceil(h)
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!)
}

/** @since 0.1.0 @category math */
export const summarise = (values: ReadonlyArray<number>): Summary => {
  const sorted = [...values].sort((a, b) => a - b)
  return {
    n: sorted.length,
    median: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    mean: sorted.length === 0 ? null : sorted.reduce((a, b) => a + b, 0) / sorted.length
  }
}

/** The phases a duration is measured for (not the terminal ones). @since 0.1.0 @category models */
export const timedPhases: ReadonlyArray<Template.Phase> = [
  "requested",
  "matched",
  "opening",
  "agreement",
  "meetings",
  "evaluation",
  "closing",
  "follow-up"
]

/** Folds the log into one record per mentorship. @since 0.1.0 @category fold */
export class Collector {
  readonly mentorships = new Map<string, Record_>()
  readonly programmeNames = new Map<string, string>()
  events = 0

  add(recorded: EventStore.RecordedEvent): void {
    this.events++
    const e = recorded.event
    const at = e.occurredAt.getTime()
    if (e._tag === "ProgrammeLaunched")
      this.programmeNames.set(`${recorded.organisation}\u0000${e.programmeId}`, e.name)
    if (recorded.streamType !== "Mentorship" || !("mentorshipId" in e)) return
    const key = `${recorded.organisation}\u0000${e.mentorshipId.toLowerCase()}`
    if (e._tag === "MentoringRequested") {
      this.mentorships.set(key, {
        programme: `${recorded.organisation}\u0000${e.programmeId}`,
        template: e.template.id,
        phase: "requested",
        requestedAt: at,
        entered: { requested: at },
        meetingsHeld: 0,
        followUpDue: null,
        followUpHeld: false,
        withdrawnFrom: null,
        withdrawalReason: null
      })
      return
    }
    const r = this.mentorships.get(key)
    if (r === undefined) return
    const enter = (phase: Template.Phase) => {
      r.phase = phase
      ;(r.entered as Record<string, number>)[phase] ??= at
    }
    switch (e._tag) {
      case "MentorMatched":
        enter("matched")
        break
      case "OpeningDiscussionHeld":
        enter("opening")
        break
      case "AgreementSigned":
        enter("agreement")
        break
      case "MeetingHeld":
        r.meetingsHeld++
        if (r.phase === "agreement") enter("meetings")
        break
      case "EvaluationHeld":
        enter("evaluation")
        break
      case "ClosingDiscussionHeld":
        enter("closing")
        break
      case "FollowUpScheduled":
        enter("follow-up")
        r.followUpDue = e.dueOn.getTime()
        break
      case "FollowUpHeld":
        r.followUpHeld = true
        break
      case "MentorshipCompleted":
        enter("completed")
        break
      case "MentorshipWithdrawn":
        r.withdrawnFrom = r.phase
        r.withdrawalReason = e.reason
        enter("withdrawn")
        break
      default:
        break
    }
  }

  /** The statistics, grouped by programme and template. */
  result(asOf: Date): Statistics {
    const byGroup = new Map<string, Array<Record_>>()
    for (const r of this.mentorships.values()) {
      const key = `${r.programme}\u0001${r.template}`
      const list = byGroup.get(key) ?? []
      list.push(r)
      byGroup.set(key, list)
    }
    const groups = [...byGroup.values()]
      .map((records) => this.group(records, asOf))
      .sort(
        (a, b) =>
          (a.programmeName ?? a.programme).localeCompare(b.programmeName ?? b.programme) ||
          a.template.localeCompare(b.template)
      )
    const total = this.group([...this.mentorships.values()], asOf)
    return {
      asOf: asOf.toISOString(),
      events: this.events,
      groups,
      total: { ...total, programme: "*", programmeName: "all programmes", template: "*" }
    }
  }

  private group(records: ReadonlyArray<Record_>, asOf: Date): Group {
    const first = records[0]
    const programme = first?.programme ?? ""
    const count = (f: (r: Record_) => boolean) => records.filter(f).length
    const completed = count((r) => r.phase === "completed")
    const withdrawn = count((r) => r.phase === "withdrawn")
    const ended = completed + withdrawn
    const phases: Partial<Record<Template.Phase, number>> = {}
    for (const r of records) phases[r.phase] = (phases[r.phase] ?? 0) + 1
    const phaseDays: Partial<Record<Template.Phase, Summary>> = {}
    for (const phase of timedPhases) {
      const days: Array<number> = []
      for (const r of records) {
        const from = r.entered[phase]
        if (from === undefined) continue
        // Left the phase when the next phase it reached was entered.
        const order = [...timedPhases, "completed", "withdrawn"] as ReadonlyArray<Template.Phase>
        let to: number | undefined
        for (const later of order.slice(order.indexOf(phase) + 1)) {
          const t = r.entered[later]
          if (t !== undefined && (to === undefined || t < to)) to = t
        }
        if (to !== undefined) days.push((to - from) / dayMs)
      }
      if (days.length > 0) phaseDays[phase] = summarise(days)
    }
    const withdrawnFrom: Partial<Record<Template.Phase, number>> = {}
    const withdrawalReasons: Record<string, number> = {}
    for (const r of records)
      if (r.withdrawnFrom !== null) {
        withdrawnFrom[r.withdrawnFrom] = (withdrawnFrom[r.withdrawnFrom] ?? 0) + 1
        withdrawalReasons[r.withdrawalReason ?? "other"] =
          (withdrawalReasons[r.withdrawalReason ?? "other"] ?? 0) + 1
      }
    return {
      programme: programme.split("\u0000")[1] ?? programme,
      programmeName: this.programmeNames.get(programme) ?? null,
      template: first?.template ?? "",
      mentorships: records.length,
      running: records.length - ended,
      completed,
      withdrawn,
      completionRate: ended === 0 ? null : completed / ended,
      withdrawalRate: ended === 0 ? null : withdrawn / ended,
      phases,
      phaseDays,
      meetings: summarise(
        records.filter((r) => r.entered.agreement !== undefined).map((r) => r.meetingsHeld)
      ),
      meetingsCompleted: summarise(records.filter((r) => r.phase === "completed").map((r) => r.meetingsHeld)),
      requestToAgreement: summarise(
        records
          .filter((r) => r.entered.agreement !== undefined)
          .map((r) => (r.entered.agreement! - r.requestedAt) / dayMs)
      ),
      withdrawnFrom,
      withdrawalReasons,
      followUpsOverdue: count(
        (r) =>
          r.followUpDue !== null &&
          !r.followUpHeld &&
          r.phase !== "completed" &&
          r.phase !== "withdrawn" &&
          r.followUpDue < asOf.getTime()
      )
    }
  }
}

/**
 * Reads the log (what had happened by `asOf`) and computes the statistics.
 * @since 0.1.0
 * @category compute
 */
export const compute = (options: {
  readonly asOf: Date
  readonly organisation?: string
  readonly batchSize?: number
}) =>
  Effect.gen(function* () {
    const store = yield* EventStore.EventStore
    const collector = new Collector()
    const until = options.asOf.getTime()
    yield* Stream.runForEachChunk(
      store.readAll({
        batchSize: options.batchSize ?? 1000,
        ...(options.organisation === undefined ? {} : { organisation: options.organisation as any })
      }),
      (chunk) =>
        Effect.sync(() => {
          for (const r of chunk) if (r.event.occurredAt.getTime() <= until) collector.add(r)
        })
    )
    return collector.result(options.asOf)
  })
