/**
 * The statistics as one self-contained HTML page: tables with every number,
 * and charts drawn by Chart.js, whose UMD build is read from node_modules
 * when the report is made and inlined, so the page works offline and
 * without any server.
 *
 * @since 0.1.0
 */
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import type { Template } from "@mentor-ledger/core"
import { type Group, type Statistics, type Summary, timedPhases } from "./compute.js"

/** The Chart.js UMD build, as text. @since 0.1.0 @category html */
export const chartJs = (): string => {
  const require = createRequire(typeof __filename === "string" ? __filename : import.meta.url)
  const main = require.resolve("chart.js")
  return readFileSync(join(dirname(main), "chart.umd.min.js"), "utf8")
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")

const days = (s: Summary | undefined) =>
  s === undefined || s.median === null ? "–" : `${s.median.toFixed(1)} / ${s.p90!.toFixed(1)}`
const pct = (x: number | null) => (x === null ? "–" : `${Math.round(x * 100)} %`)
const label = (g: Group) =>
  g.template === "*"
    ? "all programmes"
    : `${g.template}${g.programmeName === null ? "" : ` · ${g.programmeName}`}`

const phaseColours: Record<string, string> = {
  requested: "#9ecae1",
  matched: "#6baed6",
  opening: "#4292c6",
  agreement: "#2171b5",
  meetings: "#08519c",
  evaluation: "#74c476",
  closing: "#31a354",
  "follow-up": "#006d2c",
  completed: "#636363",
  withdrawn: "#e6550d"
}
const palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]

/**
 * The report.
 * @since 0.1.0
 * @category html
 */
export const render = (
  stats: Statistics,
  options: { readonly title?: string; readonly source?: string } = {}
): string => {
  const title = options.title ?? "Mentoring processes: statistics"
  const groups = stats.groups
  const labels = groups.map((g) => g.template)
  const phasesShown: ReadonlyArray<Template.Phase> = [...timedPhases, "completed", "withdrawn"].filter((p) =>
    groups.some((g) => (g.phases[p as Template.Phase] ?? 0) > 0)
  ) as ReadonlyArray<Template.Phase>
  const charts = {
    phases: {
      type: "bar",
      data: {
        labels,
        datasets: phasesShown.map((p) => ({
          label: p,
          data: groups.map((g) => g.phases[p] ?? 0),
          backgroundColor: phaseColours[p]
        }))
      },
      options: {
        animation: false,
        indexAxis: "y",
        plugins: { title: { display: true, text: "Mentorships by current phase" } },
        scales: { x: { stacked: true, title: { display: true, text: "mentorships" } }, y: { stacked: true } }
      }
    },
    durations: {
      type: "bar",
      data: {
        labels: timedPhases,
        datasets: groups.map((g, i) => ({
          label: g.template,
          data: timedPhases.map((p) => g.phaseDays[p]?.median ?? null),
          backgroundColor: palette[i % palette.length]
        }))
      },
      options: {
        animation: false,
        plugins: { title: { display: true, text: "Median days in each phase" } },
        scales: { y: { title: { display: true, text: "days" } } }
      }
    },
    outcomes: {
      type: "bar",
      data: {
        labels,
        datasets: [
          {
            label: "completed",
            data: groups.map((g) => g.completed),
            backgroundColor: phaseColours.completed
          },
          {
            label: "withdrawn",
            data: groups.map((g) => g.withdrawn),
            backgroundColor: phaseColours.withdrawn
          },
          { label: "running", data: groups.map((g) => g.running), backgroundColor: phaseColours.meetings }
        ]
      },
      options: {
        animation: false,
        plugins: { title: { display: true, text: "Outcomes" } },
        scales: { x: { stacked: true }, y: { stacked: true, title: { display: true, text: "mentorships" } } }
      }
    },
    meetings: {
      type: "bar",
      data: {
        labels,
        datasets: [
          { label: "median", data: groups.map((g) => g.meetings.median), backgroundColor: palette[0] },
          { label: "90th percentile", data: groups.map((g) => g.meetings.p90), backgroundColor: palette[1] }
        ]
      },
      options: {
        animation: false,
        plugins: { title: { display: true, text: "Meetings per mentorship (after the agreement)" } },
        scales: { y: { title: { display: true, text: "meetings" } } }
      }
    },
    agreement: {
      type: "bar",
      data: {
        labels,
        datasets: [
          {
            label: "median",
            data: groups.map((g) => g.requestToAgreement.median),
            backgroundColor: palette[2]
          },
          {
            label: "90th percentile",
            data: groups.map((g) => g.requestToAgreement.p90),
            backgroundColor: palette[3]
          }
        ]
      },
      options: {
        animation: false,
        plugins: { title: { display: true, text: "Days from request to agreement" } },
        scales: { y: { title: { display: true, text: "days" } } }
      }
    }
  }
  const rows = [...groups, stats.total]
  const summaryTable = `<table>
<thead><tr><th>template · programme</th><th>mentorships</th><th>running</th><th>completed</th><th>withdrawn</th><th>completion</th><th>withdrawal</th><th>meetings (median / p90)</th><th>request → agreement, days (median / p90)</th><th>follow-ups overdue</th></tr></thead>
<tbody>
${rows
  .map(
    (g) =>
      `<tr><td>${escapeHtml(label(g))}</td><td>${g.mentorships}</td><td>${g.running}</td><td>${g.completed}</td><td>${g.withdrawn}</td><td>${pct(g.completionRate)}</td><td>${pct(g.withdrawalRate)}</td><td>${g.meetings.median === null ? "–" : `${g.meetings.median.toFixed(1)} / ${g.meetings.p90!.toFixed(1)}`}</td><td>${days(g.requestToAgreement)}</td><td>${g.followUpsOverdue}</td></tr>`
  )
  .join("\n")}
</tbody></table>`
  const durationTable = `<table>
<thead><tr><th>template · programme</th>${timedPhases.map((p) => `<th>${p}</th>`).join("")}</tr></thead>
<tbody>
${rows.map((g) => `<tr><td>${escapeHtml(label(g))}</td>${timedPhases.map((p) => `<td>${days(g.phaseDays[p])}</td>`).join("")}</tr>`).join("\n")}
</tbody></table>`
  const withdrawals = `<table>
<thead><tr><th>template · programme</th><th>withdrawn from phase</th><th>reasons</th></tr></thead>
<tbody>
${rows
  .filter((g) => g.withdrawn > 0)
  .map(
    (g) =>
      `<tr><td>${escapeHtml(label(g))}</td><td>${Object.entries(g.withdrawnFrom)
        .map(([p, n]) => `${p}: ${n}`)
        .join(", ")}</td><td>${Object.entries(g.withdrawalReasons)
        .map(([p, n]) => `${escapeHtml(p)}: ${n}`)
        .join(", ")}</td></tr>`
  )
  .join("\n")}
</tbody></table>`
  // The data is JSON inside a script element: "<" is escaped so no text can close it.
  const data = JSON.stringify(charts).replace(/</g, "\\u003c")
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2rem auto; max-width: 1200px; padding: 0 1rem; color: #222; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
.meta { color: #555; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 1.5rem; }
.chart { position: relative; height: 320px; }
table { border-collapse: collapse; width: 100%; font-size: 0.85rem; margin-top: 0.5rem; }
th, td { border-bottom: 1px solid #ddd; padding: 0.3rem 0.5rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
tbody tr:last-child { font-weight: 600; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="meta">As of ${escapeHtml(stats.asOf)} · ${stats.total.mentorships} mentorships · ${stats.events} events${options.source === undefined ? "" : ` · ${escapeHtml(options.source)}`}. Process facts only: no content, no person data. Durations in days, median / 90th percentile.</p>
<div class="grid">
<div class="chart"><canvas id="phases"></canvas></div>
<div class="chart"><canvas id="outcomes"></canvas></div>
<div class="chart"><canvas id="durations"></canvas></div>
<div class="chart"><canvas id="meetings"></canvas></div>
<div class="chart"><canvas id="agreement"></canvas></div>
</div>
<h2>Summary</h2>
${summaryTable}
<h2>Days in each phase (median / p90)</h2>
${durationTable}
<h2>Withdrawals</h2>
${withdrawals}
<script>${chartJs()}</script>
<script>
const charts = ${data};
for (const [id, config] of Object.entries(charts)) {
  config.options.maintainAspectRatio = false;
  new Chart(document.getElementById(id), config);
}
document.body.dataset.rendered = "true";
</script>
</body>
</html>
`
}
