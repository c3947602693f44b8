/**
 * `mentor-ledger show`: one mentorship at a point in time, as a role may
 * see it.
 *
 * `--as-of` travels by the time things happened (`occurredAt`): what had
 * happened by then. `--as-known-at` travels by the time the store learnt
 * of them (`recordedAt`): what the system knew then. Both together: what
 * the system knew then of what had happened by the other date. The
 * content is revealed by the core's `Privacy` for the viewer: plaintext
 * where `Visibility` allows it, a marker where it is withheld or erased.
 * Analysts never see content, and see person ids only as pseudonyms (with
 * a key) or not at all.
 *
 * @since 0.1.0
 */
import { Ledger, Privacy, Roles } from "@mentor-ledger/core"
import * as Effect from "effect/Effect"
import { parse, parseChoice, parseDate, parseUuid, storeHelp, storeOptions } from "../args.js"
import { CliFailure, UsageError } from "../errors.js"
import { type Io, println } from "../io.js"
import { runOnStore } from "../run.js"
import * as Pseudonyms from "../pseudonyms.js"
import { describeTarget, resolveTarget } from "../store.js"

/** @since 0.1.0 @category help */
export const help = `Usage: mentor-ledger show <mentorship-id> [--as-of <date>] [--as-known-at <date>]
                          [--as <role> [--viewer <person-id>]] [--json]

A mentorship's state and events at a point in time, redacted for a role.

Options:
  --as-of <date>         what had happened by then (by the time events occurred)
  --as-known-at <date>   what the system knew then (by the time events were recorded)
                         A date alone (2026-03-01) means the end of that day, UTC;
                         or give a date-time: 2026-03-01T12:00Z.
  --as <role>            mentor, mentee, supervisor, coordinator, support-team or analyst
                         (default: analyst: process facts only, ids pseudonymised)
  --viewer <person-id>   who looks (default for mentor, mentee, supervisor: the
                         mentorship's first person in that role)
  --key <secret>         the analyst's pseudonymisation key (or --key-file, or
                         $MENTOR_LEDGER_KEY); without it analysts see no person ids
  --key-file <file>
  --organisation <id>    the organisation (tenant) (default: default)
  --json                 print JSON instead of text
${storeHelp}

Opens the store read-only: nothing is ever written.`

const options = {
  ...storeOptions,
  "as-of": { type: "string" },
  "as-known-at": { type: "string" },
  as: { type: "string" },
  viewer: { type: "string" },
  key: { type: "string" },
  "key-file": { type: "string" },
  organisation: { type: "string" },
  json: { type: "boolean" }
} as const

const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi
const placeholder = "00000000-0000-4000-8000-000000000000"

const stamp = (d: Date) => d.toISOString().replace("T", " ").slice(0, 16)

/** Process facts of an event: every field but the tag, actor, time and content; ids masked. */
const factsOf = (
  event: Record<string, unknown>,
  contentPaths: ReadonlySet<string>,
  mask: (s: string) => string
) => {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(event)) {
    if (k === "_tag" || k === "actor" || k === "occurredAt" || k === "mentorshipId" || contentPaths.has(k))
      continue
    out[k] = plain(k, v, mask)
  }
  return out
}

const plain = (key: string, value: unknown, mask: (s: string) => string): unknown => {
  if (value instanceof Date) return value.toISOString()
  if (key === "template" && typeof value === "object" && value !== null && "id" in value)
    return (value as { id: string }).id
  if (key === "programmeId" && typeof value === "string") return value
  if (typeof value === "string") return value.replace(uuid, (id) => mask(id))
  if (Array.isArray(value)) return value.map((v) => plain(key, v, mask))
  if (typeof value === "object" && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(k, v, mask)]))
  return value
}

const disclosure = (value: Privacy.Disclosure): unknown =>
  Privacy.isDisclosed(value) ? value : Privacy.isErased(value) ? { erased: true } : { withheld: value.reason }

const disclosureText = (value: Privacy.Disclosure): string =>
  Privacy.isDisclosed(value)
    ? JSON.stringify(value)
    : Privacy.isErased(value)
      ? "[erased]"
      : `[withheld: ${value.reason}]`

/** @since 0.1.0 @category commands */
export const show = async (argv: ReadonlyArray<string>, io: Io): Promise<number> => {
  const { values, positionals } = parse("show", argv, options, true)
  if (values.help) {
    println(io, help)
    return 0
  }
  if (positionals.length === 0)
    throw new UsageError("give the mentorship's id (see: mentor-ledger show --help)")
  if (positionals.length > 1) throw new UsageError(`one mentorship at a time; got ${positionals.join(" ")}`)
  const mentorshipId = parseUuid("mentorship", positionals[0]!)
  const occurredUntil = values["as-of"] === undefined ? undefined : parseDate("--as-of", values["as-of"])
  const recordedUntil =
    values["as-known-at"] === undefined ? undefined : parseDate("--as-known-at", values["as-known-at"])
  const role = parseChoice("--as", values.as ?? "analyst", Roles.roles)
  if (values.viewer !== undefined && !["mentor", "mentee", "supervisor"].includes(role))
    throw new UsageError(
      `--viewer: a ${role} sees no content whoever they are; --viewer is for mentor, mentee or supervisor`
    )
  const viewerGiven = values.viewer === undefined ? undefined : parseUuid("--viewer", values.viewer)
  const key = Pseudonyms.resolveKey(values, io.env)
  const pseudonymise = key === undefined ? undefined : Pseudonyms.make(key)
  const mask =
    role !== "analyst"
      ? (id: string) => id
      : pseudonymise === undefined
        ? () => "(hidden)"
        : (id: string) => `~${pseudonymise(id)}`
  const target = resolveTarget(values, io.env)
  const organisation = values.organisation ?? "default"
  const asOf = {
    ...(occurredUntil === undefined ? {} : { occurredUntil }),
    ...(recordedUntil === undefined ? {} : { recordedUntil })
  }

  const program = Effect.gen(function* () {
    const ledger = yield* Ledger.make({ organisation: organisation as any })
    const now = yield* ledger.mentorship(mentorshipId)
    if (now.state._tag === "Empty")
      return yield* Effect.fail(
        new CliFailure(
          `no mentorship ${mentorshipId} in ${describeTarget(target)} (organisation ${organisation})`
        )
      )
    const then = yield* ledger.mentorship(mentorshipId, asOf)
    if (then.state._tag === "Empty")
      return yield* Effect.fail(
        new CliFailure(
          `mentorship ${mentorshipId} ${recordedUntil !== undefined ? "was not known to the system yet" : "had not been requested yet"} at that time`
        )
      )
    const current = now.state
    const personId =
      viewerGiven ??
      (role === "mentor"
        ? current.mentorIds[0]
        : role === "mentee"
          ? current.menteeIds[0]
          : role === "supervisor"
            ? (current.supervisorId ?? undefined)
            : placeholder)
    if (personId === undefined)
      return yield* Effect.fail(
        new CliFailure(`the mentorship has no ${role} to view it as; give --viewer <person-id>`)
      )
    const history = yield* ledger.history(
      mentorshipId,
      { personId, role, organisation: organisation as any },
      asOf
    )
    const programme = yield* ledger.programme(then.state.programmeId)
    return { state: then.state, version: then.version, history, personId, programme: programme.state }
  })
  const result = await runOnStore(target, { readonly: true }, program)
  const s = result.state
  const viewer = {
    role,
    ...(["mentor", "mentee", "supervisor"].includes(role) ? { personId: result.personId } : {})
  }
  const events = result.history.map((r: Privacy.Revealed) => {
    const content = Privacy.contentOf(r.event)
    const paths = new Set(Privacy.contentFieldsOf(r.event._tag).map((f) => f.path.split(".")[0]!))
    return {
      version: r.version,
      type: r.event._tag,
      occurredAt: r.event.occurredAt.toISOString(),
      recordedAt: r.recordedAt.toISOString(),
      actor: { role: r.event.actor.role, personId: mask(r.event.actor.personId) },
      facts: factsOf(r.event as unknown as Record<string, unknown>, paths, mask),
      content: Object.fromEntries(content.map((c) => [c.path, disclosure(c.value)])),
      contentText: content.map((c) => `${c.path}: ${disclosureText(c.value)}`)
    }
  })
  const programmeName = result.programme._tag === "Empty" ? null : result.programme.name
  const state = {
    mentorshipId: role === "analyst" ? mask(s.id) : s.id,
    programmeId: s.programmeId,
    programme: programmeName,
    template: s.template.id,
    phase: s.phase,
    version: result.version,
    requestedAt: s.requestedAt.toISOString(),
    mentees: s.menteeIds.map(mask),
    mentors: s.mentorIds.map(mask),
    supervisor: s.supervisorId === null ? null : mask(s.supervisorId),
    meetingsHeld: s.meetingsHeld,
    lastMeetingAt: s.lastMeetingAt?.toISOString() ?? null,
    tasks: s.tasks.size,
    tasksCompleted: [...s.tasks.values()].filter((t) => t.completedBy.length >= t.assigneeIds.length).length,
    evaluationHeld: s.evaluationHeld,
    reportDelivered: s.reportDelivered,
    followUp: s.followUp,
    followUpDue: s.followUpDue?.toISOString() ?? null,
    erased: [...s.erased].map(mask)
  }
  if (values.json) {
    println(
      io,
      JSON.stringify(
        {
          asOf: {
            occurredUntil: occurredUntil?.toISOString() ?? null,
            recordedUntil: recordedUntil?.toISOString() ?? null
          },
          viewer,
          state,
          events: events.map(({ contentText: _, ...e }) => e)
        },
        null,
        2
      )
    )
    return 0
  }
  const when = [
    occurredUntil === undefined ? undefined : `as of ${occurredUntil.toISOString()} (occurred)`,
    recordedUntil === undefined ? undefined : `as known at ${recordedUntil.toISOString()} (recorded)`
  ].filter((x) => x !== undefined)
  println(io, `Mentorship ${state.mentorshipId}`)
  println(
    io,
    `  ${when.length === 0 ? "now (every event recorded)" : when.join(", ")}; viewed as ${role}${viewer.personId === undefined ? "" : ` ${viewer.personId}`}`
  )
  println(io, `  programme   ${programmeName ?? s.programmeId} (${s.programmeId})`)
  println(io, `  template    ${s.template.id}`)
  println(io, `  phase       ${s.phase}`)
  println(io, `  requested   ${stamp(s.requestedAt)}`)
  println(io, `  mentees     ${state.mentees.join(", ") || "-"}`)
  println(io, `  mentors     ${state.mentors.join(", ") || "-"}`)
  println(io, `  supervisor  ${state.supervisor ?? "-"}`)
  println(
    io,
    `  meetings    ${s.meetingsHeld} held${s.lastMeetingAt === null ? "" : `, last ${stamp(s.lastMeetingAt)}`}`
  )
  println(io, `  tasks       ${state.tasksCompleted}/${state.tasks} completed`)
  if (s.followUp !== "none")
    println(io, `  follow-up   ${s.followUp}${s.followUpDue === null ? "" : `, due ${stamp(s.followUpDue)}`}`)
  if (state.erased.length > 0) println(io, `  erased      ${state.erased.join(", ")}`)
  println(io)
  println(io, `Events (${events.length}), by the time they occurred [recorded]:`)
  for (const e of [...events].sort(
    (a, b) => a.occurredAt.localeCompare(b.occurredAt) || a.version - b.version
  )) {
    const late =
      new Date(e.recordedAt).getTime() - new Date(e.occurredAt).getTime() > 86_400_000
        ? ` [recorded ${stamp(new Date(e.recordedAt))}]`
        : ""
    const facts = Object.entries(e.facts)
      .map(
        ([k, v]) =>
          `${k}=${Array.isArray(v) ? v.join("|") : typeof v === "object" ? JSON.stringify(v) : String(v)}`
      )
      .join(" ")
    println(
      io,
      `  ${stamp(new Date(e.occurredAt))}  #${String(e.version).padEnd(3)} ${e.type} by ${e.actor.role} ${e.actor.personId}${late}`
    )
    if (facts.length > 0) println(io, `        ${facts}`)
    for (const line of e.contentText) println(io, `        ${line}`)
  }
  if (role === "analyst" && pseudonymise === undefined)
    println(io, "\n(person ids hidden: give --key for stable pseudonyms)")
  return 0
}
