/**
 * Whole mentorship histories for W6 (rebuild): generated, realistic, and
 * valid, played through the core's deciders by the test kit's walks.
 *
 * Each history is one mentorship under one of the built-in templates, from
 * the request to its end (completed, or now and then withdrawn), in its own
 * programme (launched, its mentors enrolled and trained, assigned at the
 * match and released at the end). The walk mostly moves the process on or
 * does what the phase allows (meetings, summaries, amendments, tasks,
 * consents, observations); one step in fifty may be any accepted command,
 * a withdrawal or an erasure among them. Mentees are new people in every
 * history; mentors, coordinators and supervisors come from pools, as in a
 * region's schools. Everything is seeded: every run writes the same log.
 *
 * The histories are laid out in the log as many mentorships progressing at
 * once leave it: `window` histories at a time, their events interleaved in
 * a seeded random order (each stream's own order kept).
 */
import type { Events, Ids } from "@mentor-ledger/core"
import { Template } from "@mentor-ledger/core"
import { Programme } from "@mentor-ledger/core"
import * as Either from "effect/Either"
// The test kit's generators, without its vitest-based suites (its main entry
// refuses to load outside vitest).
import { Histories } from "@mentor-ledger/testing/generators"
import { random } from "./Fixtures.js"

const hex = (n: number) => n.toString(16).padStart(12, "0")
const uuid = (kind: string, n: number) =>
  `${kind}-${hex(n).slice(0, 4)}-7${hex(n).slice(4, 7)}-9000-${hex(n)}`

const person = (n: number) => uuid("0193b7d0", n) as Ids.PersonId

/** The people of history `n`: its own programme, mentorship and mentees; pooled mentors and staff. */
const castOf = (n: number): Histories.Cast => ({
  programmeId: uuid("0193b7d1", n) as Ids.ProgrammeId,
  mentorshipId: uuid("0193b7d2", n) as Ids.MentorshipId,
  coordinator: person(1_000 + (n % 50)),
  supervisor: person(2_000 + (n % 400)),
  mentors: [0, 1, 2].map((k) => person(10_000 + ((n * 3 + k) % 1_500))),
  mentees: Array.from({ length: 12 }, (_, k) => person(100_000 + n * 12 + k)),
  outsider: person(99)
})

/** One recorded event and the stream it belongs to. */
export interface Recorded {
  readonly stream: "programme" | "mentorship"
  /** The history's number. */
  readonly history: number
  readonly event: Events.Event
}

/** The events of history `n`, in the order they were recorded: the programme's set-up, then the mentorship. */
export const wholeHistory = (n: number): Array<Recorded> => {
  const next = random(7_919 * (n + 1))
  const template = Template.builtIn[n % Template.builtIn.length]!
  const cast = castOf(n)
  const choices: Array<Histories.Choice> = Array.from({ length: 160 }, () => {
    const r = next()
    return {
      mode: r < 0.02 ? "any" : r < 0.4 ? "progress" : "allowed",
      index: Math.floor(next() * 1000)
    }
  })
  const out: Array<Recorded> = []
  // the programme: launched with the template, the cast's mentors enrolled and trained
  let programme = Programme.initialState
  for (const command of Histories.setupCommands(template, cast)) {
    const decided = Programme.decide(command, programme)
    if (Either.isLeft(decided))
      throw new Error(`history ${n}: the set-up was refused: ${decided.left.message}`)
    for (const event of decided.right) {
      programme = Programme.evolve(programme, event)
      out.push({ stream: "programme", history: n, event })
    }
  }
  for (const step of Histories.walk(template, choices, { cast, refusals: false })) {
    if (Either.isLeft(step.result)) continue
    for (const event of step.result.right) out.push({ stream: "mentorship", history: n, event })
    for (const event of step.pool) out.push({ stream: "programme", history: n, event })
    const after = step.after
    if (after._tag === "Active" && (after.phase === "completed" || after.phase === "withdrawn")) break
  }
  return out
}

/**
 * The log of W6: `total` events exactly, history after history, `window`
 * histories interleaved at a time; handed out in chunks of about `chunk`
 * events so that the whole log is never in memory.
 */
export function* rebuildLog(
  total: number,
  options: { readonly window?: number; readonly chunk?: number } = {}
): Generator<ReadonlyArray<Recorded>> {
  const window = options.window ?? 1_000
  const chunk = options.chunk ?? 5_000
  let written = 0
  let n = 0
  const order = random(31_337)
  while (written < total) {
    const group: Array<Array<Recorded>> = []
    let size = 0
    for (let k = 0; k < window && written + size < total; k++, n++) {
      const h = wholeHistory(n)
      // the last history is cut where the log reaches its size: a mentorship still under way
      const take = Math.min(h.length, total - written - size)
      group.push(h.slice(0, take))
      size += take
    }
    // interleave: repeatedly take the next event of a random history of the window
    const cursors = group.map(() => 0)
    const open = group.map((_, i) => i)
    let out: Array<Recorded> = []
    while (open.length > 0) {
      const pick = Math.floor(order() * open.length)
      const h = open[pick]!
      out.push(group[h]![cursors[h]!]!)
      cursors[h]!++
      if (cursors[h] === group[h]!.length) {
        open[pick] = open[open.length - 1]!
        open.pop()
      }
      if (out.length >= chunk) {
        yield out
        out = []
      }
    }
    if (out.length > 0) yield out
    written += size
  }
}
