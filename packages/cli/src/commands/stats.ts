/**
 * `mentor-ledger stats`: phase durations, meetings, time to agreement,
 * completion and withdrawal rates and overdue follow-ups, per programme and
 * template; a table on the terminal, JSON, or an HTML report with charts.
 *
 * @since 0.1.0
 */
import { writeFileSync } from "node:fs"
import { parse, parseDate, storeHelp, storeOptions } from "../args.js"
import { eprintln, type Io, println } from "../io.js"
import { runOnStore } from "../run.js"
import { compute, type Group, type Summary, timedPhases } from "../stats/compute.js"
import * as Html from "../stats/html.js"
import { describeTarget, resolveTarget } from "../store.js"
import { render, thousands } from "../table.js"

/** @since 0.1.0 @category help */
export const help = `Usage: mentor-ledger stats [--as-of <date>] [--html <report.html>] [--json]

Statistics of the mentoring processes, per programme and template:
  - mentorships now in each phase; completed, withdrawn, running
  - completion and withdrawal rates (of the mentorships that ended),
    and the phases withdrawals left from
  - days spent in each phase (median and 90th percentile)
  - meetings per mentorship (median and 90th percentile)
  - days from request to signed agreement (median and 90th percentile)
  - follow-up visits overdue (due before the reference date, not held)
Process facts only: no content and no person data is read.

Options:
  --as-of <date>         only what had happened by then, and overdue as of then
                         (default: now)
  --html <file>          also write an HTML report with charts (self-contained)
  --json                 print the statistics as JSON instead of tables
  --organisation <id>    only this organisation (tenant) (default: all)
${storeHelp}

Opens the store read-only: nothing is ever written.`

const options = {
  ...storeOptions,
  "as-of": { type: "string" },
  html: { type: "string" },
  json: { type: "boolean" },
  organisation: { type: "string" }
} as const

const cell = (s: Summary | undefined, digits = 0) =>
  s === undefined || s.median === null ? "" : `${s.median.toFixed(digits)}/${s.p90!.toFixed(digits)}`
const pct = (x: number | null) => (x === null ? "" : `${Math.round(x * 100)}%`)

/** @since 0.1.0 @category commands */
export const stats = async (argv: ReadonlyArray<string>, io: Io): Promise<number> => {
  const { values } = parse("stats", argv, options)
  if (values.help) {
    println(io, help)
    return 0
  }
  const asOf = values["as-of"] === undefined ? new Date() : parseDate("--as-of", values["as-of"])
  const target = resolveTarget(values, io.env)
  const result = await runOnStore(
    target,
    { readonly: true },
    compute({ asOf, ...(values.organisation === undefined ? {} : { organisation: values.organisation }) })
  )
  if (values.html !== undefined) {
    writeFileSync(values.html, Html.render(result, { source: describeTarget(target) }))
    eprintln(io, `wrote the report to ${values.html}`)
  }
  if (values.json) {
    println(io, JSON.stringify(result, null, 2))
    return 0
  }
  const rows = [...result.groups, result.total]
  const name = (g: Group) => (g.template === "*" ? "all" : g.template)
  println(
    io,
    `Statistics as of ${result.asOf} (${result.total.mentorships} mentorships, ${thousands(result.events)} events)`
  )
  for (const g of result.groups.filter(
    (g, i, all) => all.findIndex((x) => x.programme === g.programme) === i
  ))
    println(io, `  programme ${g.programme}: ${g.programmeName ?? "?"}`)
  println(io)
  println(
    io,
    render(
      [
        "template",
        "n",
        "running",
        "done",
        "withdrawn",
        "completion",
        "withdrawal",
        "meetings",
        "req→agr d",
        "overdue"
      ],
      rows.map((g) => [
        name(g),
        String(g.mentorships),
        String(g.running),
        String(g.completed),
        String(g.withdrawn),
        pct(g.completionRate),
        pct(g.withdrawalRate),
        cell(g.meetings, 1),
        cell(g.requestToAgreement, 1),
        String(g.followUpsOverdue)
      ])
    )
  )
  println(io)
  println(io, "Days in each phase (median/p90):")
  println(
    io,
    render(
      ["template", ...timedPhases],
      rows.map((g) => [name(g), ...timedPhases.map((p) => cell(g.phaseDays[p], 1))])
    )
  )
  println(io)
  println(
    io,
    "meetings: held per mentorship after the agreement (median/p90); req→agr d: days from request to agreement (median/p90)"
  )
  return 0
}
