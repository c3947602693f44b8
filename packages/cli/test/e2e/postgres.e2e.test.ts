/**
 * The built `mentor-ledger` binary against PostgreSQL (MENTOR_LEDGER_PG_URL,
 * as `scripts/postgres.sh start` exports it), in a fresh schema dropped
 * afterwards. Skipped, with the reason in the test name, when no server is
 * given; in CI (CI=true) a missing server fails instead.
 */
import { randomBytes } from "node:crypto"
import { EventStore, Events, Ids, Template } from "@mentor-ledger/core"
import * as Effect from "effect/Effect"
import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as Plan from "../../src/demo/plan.js"
import { runOnStore } from "../../src/run.js"
import { resolveTarget } from "../../src/store.js"
import { cli, demoTexts, key, tempDir } from "../support.js"
import { mentorLedger } from "./bin.js"

const url = process.env.MENTOR_LEDGER_PG_URL?.trim() || undefined
const missing =
  'MENTOR_LEDGER_PG_URL is not set; start a server with: eval "$(bash scripts/postgres.sh start)"'

describe("PostgreSQL in CI", () => {
  it.runIf(process.env.CI === "true")("is available (CI must run the PostgreSQL tests)", () => {
    expect(url, missing).toBeDefined()
  })
})

const schema = `ml_cli_${randomBytes(5).toString("hex")}`
const query = async (text: string) => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query(text)).rows
  } finally {
    await client.end()
  }
}
/** What the events table holds: a change to any row changes it. */
const checksum = async () =>
  (
    await query(
      `select count(*)::int as n, coalesce(md5(string_agg(event_id || payload::text || recorded_at::text, ',' order by position)), '') as sum from "${schema}".ml_events`
    )
  )[0]

describe.skipIf(url === undefined)(
  url === undefined
    ? `mentor-ledger (built) on PostgreSQL [skipped: ${missing}]`
    : "mentor-ledger (built) on PostgreSQL",
  () => {
    const dir = tempDir()
    const plan = Plan.make(2026, 12)
    const someone = plan.mentorships.find((m) => m.target === "meetings")!.context.mentorshipId
    const env = () => ({ MENTOR_LEDGER_DB: url!, MENTOR_LEDGER_KEY: key })

    beforeAll(async () => {
      const ran = await mentorLedger(["demo", "--schema", schema, "--mentorships", "12"], env())
      expect(ran.code, ran.stderr).toBe(0)
      expect(ran.stdout).toMatch(
        /^Demo written to postgres:\/\/127\.0\.0\.1:\d+\/\w+ \(schema ml_cli_\w+\) \(seed 2026/
      )
      expect(ran.stdout).not.toContain("postgres@")
    }, 60_000)

    afterAll(async () => {
      await query(`drop schema if exists "${schema}" cascade`)
    })

    it("read-only commands write nothing: the events are unchanged", async () => {
      const before = await checksum()
      expect(before.n).toBeGreaterThan(100)
      const runs = await Promise.all([
        mentorLedger(
          ["show", someone, "--schema", schema, "--as", "mentor", "--json", "--as-known-at", "2026-06-01"],
          env()
        ),
        mentorLedger(["export", "--schema", schema, "--format", "xes"], env()),
        mentorLedger(["export", "--schema", schema, "--format", "ocel2"], env()),
        mentorLedger(["export", "--schema", schema, "--format", "csv", "--as-known-at", "2026-03-01"], env()),
        mentorLedger(["stats", "--schema", schema, "--json"], env())
      ])
      for (const r of runs) expect(r.code, r.stderr).toBe(0)
      expect(await checksum()).toEqual(before)
      const [mentor, xes, ocel, , stats] = runs
      expect(JSON.parse(mentor!.stdout).state.phase).toBe("meetings")
      expect(xes!.stdout.split("<trace>").length - 1).toBe(12)
      expect(JSON.parse(ocel!.stdout).events.length).toBe(before.n)
      expect(JSON.parse(stats!.stdout).total.mentorships).toBe(12)
      for (const t of demoTexts) {
        expect(xes!.stdout).not.toContain(t)
        expect(ocel!.stdout).not.toContain(t)
      }
    })

    it("exports the same pseudonymised log as SQLite does for the same demo", async () => {
      // The SQLite side runs in this process: only the PostgreSQL side is under test here.
      const file = `${dir}/same.db`
      expect((await cli(["demo", "--db", file, "--mentorships", "12", "--skip-read-models"])).code).toBe(0)
      const fromSqlite = await cli(["export", "--db", file, "--format", "ndjson", "--key", key])
      const fromPg = await mentorLedger(["export", "--schema", schema, "--format", "ndjson"], env())
      expect(fromPg.stdout).toBe(fromSqlite.stdout)
    })

    it("its read-only connections refuse any write", async () => {
      const target = resolveTarget({ db: url!, schema }, {})
      const write = Effect.flatMap(EventStore.EventStore, (store) =>
        store.append(EventStore.programmeStream(Ids.newId()), [
          {
            _tag: "ProgrammeLaunched",
            actor: { personId: Ids.PersonId.make(Ids.newId()), role: "coordinator" },
            occurredAt: new Date(),
            programmeId: Ids.ProgrammeId.make(Ids.newId()),
            name: "Not written",
            templates: [Template.earlyCareerInduction]
          } satisfies Events.Event
        ])
      )
      await expect(runOnStore(target, { readonly: true }, write)).rejects.toThrow(/ReadOnly: .*read-only/)
    })

    it("rebuilds and replays the read models", async () => {
      const rebuild = await mentorLedger(["rebuild", "--schema", schema, "--batch-size", "100"], env())
      expect(rebuild.code, rebuild.stderr).toBe(0)
      expect(rebuild.stdout).toMatch(/^rebuilt mentorships, programmes from [\d,]+ events/)
      const replay = await mentorLedger(["replay", "--schema", schema], env())
      expect(replay.code, replay.stderr).toBe(0)
      expect(replay.stdout).toMatch(/^replayed 0 new events/)
      const tables = await query(
        `select table_name from information_schema.tables where table_schema = '${schema}' and table_name like 'ml_rm_%'`
      )
      expect(tables.length).toBeGreaterThan(3)
    })

    it("fails with one line on bad input", async () => {
      const u = new URL(url!)
      const wrongDb = `${u.protocol}//${u.username}@${u.host}/no_such_database_here`
      const cases: Array<[Array<string>, Record<string, string>, number, RegExp]> = [
        [["stats", "--schema", "ml_cli_nothing_here"], env(), 1, /holds no mentor-ledger events/],
        [
          ["stats", "--db", wrongDb],
          {},
          1,
          /^mentor-ledger stats: cannot open postgres:\/\/[^@\s]+\/no_such_database_here: .*no_such_database_here/
        ],
        [["demo", "--schema", schema, "--mentorships", "5"], env(), 1, /holds events already/],
        [["rebuild", "--schema", "ml_cli_nothing_here"], env(), 1, /holds no mentor-ledger events/]
      ]
      const runs = await Promise.all(cases.map(([argv, e]) => mentorLedger(argv, e)))
      runs.forEach((r, i) => {
        const [argv, , code, message] = cases[i]!
        expect(r.code, argv.join(" ")).toBe(code)
        expect(r.stderr, argv.join(" ")).toMatch(message)
        expect(r.stderr.trimEnd().split("\n"), argv.join(" ")).toHaveLength(1)
      })
      // Nothing was created by the refused rebuild.
      expect(
        await query(`select 1 from information_schema.schemata where schema_name = 'ml_cli_nothing_here'`)
      ).toEqual([])
    })
  }
)
