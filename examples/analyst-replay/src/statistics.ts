/**
 * Two statistics the library does not ship, from the analyst's read model
 * (`waits.ts`):
 *
 * - **time to first meeting**: days from the request to the first meeting
 *   held, per programme and template: how many were requested, how many have
 *   met, how many are still waiting and how many were withdrawn before any
 *   meeting; the median and the 90th percentile of the wait;
 * - **meeting cadence**: per template, the days between one meeting and the
 *   next in each mentorship (by when they happened), their median, and the
 *   share that fell within the template's `cadenceDays` range (the template
 *   says what it expects; the ledger never enforces it, since life happens).
 *
 * Percentiles interpolate between the closest ranks (R's type 7, numpy's
 * default), as `mentor-ledger stats` does: `Statistics.summarise` from
 * `@mentor-ledger/cli`.
 */
import { Statistics } from "@mentor-ledger/cli"
import { type Kysely, sql } from "kysely"
import { waitsTables } from "./waits.js"

const day = 86_400_000
const days = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / day

/** The wait for a first meeting in one programme under one template. */
export interface FirstMeetingWait {
  readonly programmeId: string
  readonly programme: string
  readonly templateId: string
  /** Mentorships requested. */
  readonly requested: number
  /** Those that held a meeting: the wait is measured for them. */
  readonly met: number
  /** Those without a meeting yet, still running (their wait is not over: left out of the median). */
  readonly waiting: number
  /** Those withdrawn before any meeting. */
  readonly withdrawnBeforeMeeting: number
  readonly medianDays: number | null
  readonly p90Days: number | null
}

/** How regularly the mentorships under one template met. */
export interface MeetingCadence {
  readonly templateId: string
  /** The template's expected days between meetings. */
  readonly cadenceDays: { readonly min: number; readonly max: number }
  /** Mentorships with at least two meetings. */
  readonly mentorships: number
  /** Gaps between one meeting and the next. */
  readonly gaps: number
  readonly medianGapDays: number | null
  readonly p90GapDays: number | null
  /** Gaps shorter than the template's minimum, within its range, longer than its maximum. */
  readonly sooner: number
  readonly within: number
  readonly later: number
}

interface WaitRow {
  readonly mentorship_id: string
  readonly programme_id: string
  readonly programme: string | null
  readonly template_id: string
  readonly requested_at: string
  readonly first_meeting_at: string | null
  readonly ended: string | null
}

/** Days from request to first meeting, per programme and template (sorted by programme name, then template). */
export const timeToFirstMeeting = async (db: Kysely<any>): Promise<ReadonlyArray<FirstMeetingWait>> => {
  const rows = (await db
    .selectFrom(`${waitsTables.waits} as w`)
    .leftJoin(`${waitsTables.programmes} as p`, "p.programme_id", "w.programme_id")
    .select([
      "w.mentorship_id",
      "w.programme_id",
      "p.name as programme",
      "w.template_id",
      "w.requested_at",
      "w.first_meeting_at",
      "w.ended"
    ])
    .execute()) as ReadonlyArray<WaitRow>
  const groups = new Map<string, { first: WaitRow; rows: Array<WaitRow> }>()
  for (const row of rows) {
    const key = `${row.programme_id}\u0000${row.template_id}`
    const group = groups.get(key)
    if (group === undefined) groups.set(key, { first: row, rows: [row] })
    else group.rows.push(row)
  }
  return [...groups.values()]
    .map(({ first, rows }): FirstMeetingWait => {
      const met = rows.filter((r) => r.first_meeting_at !== null)
      const summary = Statistics.summarise(met.map((r) => days(r.requested_at, r.first_meeting_at!)))
      return {
        programmeId: first.programme_id,
        programme: first.programme ?? first.programme_id,
        templateId: first.template_id,
        requested: rows.length,
        met: met.length,
        waiting: rows.filter((r) => r.first_meeting_at === null && r.ended === null).length,
        withdrawnBeforeMeeting: rows.filter((r) => r.first_meeting_at === null && r.ended === "withdrawn")
          .length,
        medianDays: summary.median,
        p90Days: summary.p90
      }
    })
    .sort((a, b) => a.programme.localeCompare(b.programme) || a.templateId.localeCompare(b.templateId))
}

interface GapRow {
  readonly mentorship_id: string
  readonly template_id: string
  readonly cadence_min: number
  readonly cadence_max: number
  readonly held_at: string
  readonly previous: string | null
}

/** The days between consecutive meetings, per template (sorted by template). */
export const meetingCadence = async (db: Kysely<any>): Promise<ReadonlyArray<MeetingCadence>> => {
  // #region gaps
  // Each meeting with the one before it in the same mentorship, by when they happened.
  const rows = (await db
    .selectFrom(`${waitsTables.meetings} as m`)
    .innerJoin(`${waitsTables.waits} as w`, "w.mentorship_id", "m.mentorship_id")
    .select([
      "m.mentorship_id",
      "w.template_id",
      "w.cadence_min",
      "w.cadence_max",
      "m.held_at",
      sql<
        string | null
      >`lag(m.held_at) over (partition by m.mentorship_id order by m.held_at, m.meeting_id)`.as("previous")
    ])
    .execute()) as ReadonlyArray<GapRow>
  // #endregion gaps
  const groups = new Map<string, { first: GapRow; gaps: Array<number>; mentorships: Set<string> }>()
  for (const row of rows) {
    if (row.previous === null) continue
    const key = `${row.template_id}\u0000${row.cadence_min}\u0000${row.cadence_max}`
    const group = groups.get(key) ?? { first: row, gaps: [], mentorships: new Set<string>() }
    groups.set(key, group)
    group.gaps.push(days(row.previous, row.held_at))
    group.mentorships.add(row.mentorship_id)
  }
  return [...groups.values()]
    .map(({ first, gaps, mentorships }): MeetingCadence => {
      const summary = Statistics.summarise(gaps)
      const { cadence_min: min, cadence_max: max } = first
      return {
        templateId: first.template_id,
        cadenceDays: { min, max },
        mentorships: mentorships.size,
        gaps: gaps.length,
        medianGapDays: summary.median,
        p90GapDays: summary.p90,
        sooner: gaps.filter((g) => g < min).length,
        within: gaps.filter((g) => g >= min && g <= max).length,
        later: gaps.filter((g) => g > max).length
      }
    })
    .sort((a, b) => a.templateId.localeCompare(b.templateId))
}
