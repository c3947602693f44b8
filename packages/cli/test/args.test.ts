import { describe, expect, it } from "vitest"
import { parseDate, parseUuid } from "../src/args.js"
import { UsageError } from "../src/errors.js"
import { resolveTarget } from "../src/store.js"
import { cli } from "./support.js"

describe("dates", () => {
  it("reads a date as the end of that day, UTC", () => {
    expect(parseDate("--as-of", "2026-03-01").toISOString()).toBe("2026-03-01T23:59:59.999Z")
  })
  it("reads ISO date-times, with or without an offset", () => {
    expect(parseDate("--as-of", "2026-03-01T12:00Z").toISOString()).toBe("2026-03-01T12:00:00.000Z")
    expect(parseDate("--as-of", "2026-03-01T12:00:30").toISOString()).toBe("2026-03-01T12:00:30.000Z")
    expect(parseDate("--as-of", "2026-03-01T14:00+02:00").toISOString()).toBe("2026-03-01T12:00:00.000Z")
    expect(parseDate("--as-of", "2026-03-01T14:00:00.5+0200").toISOString()).toBe("2026-03-01T12:00:00.500Z")
  })
  it.each(["yesterday", "2026-02-30", "2026-13-01", "2026-03-01T25:00", "01.03.2026", "", "2026-3-1"])(
    "refuses %j with a usage error",
    (value) => {
      expect(() => parseDate("--as-of", value)).toThrow(UsageError)
    }
  )
})

describe("targets", () => {
  it("takes --db, then MENTOR_LEDGER_DB, then the fallback", () => {
    expect(resolveTarget({ db: "a.db" }, { MENTOR_LEDGER_DB: "b.db" })).toEqual({
      _tag: "Sqlite",
      filename: "a.db"
    })
    expect(resolveTarget({}, { MENTOR_LEDGER_DB: "b.db" })).toEqual({ _tag: "Sqlite", filename: "b.db" })
    expect(resolveTarget({}, {}, "c.db")).toEqual({ _tag: "Sqlite", filename: "c.db" })
    expect(() => resolveTarget({}, {})).toThrow(/no database: give --db/)
  })
  it("reads postgres URLs with a schema and a prefix", () => {
    expect(
      resolveTarget({ db: "postgres://u:p@127.0.0.1:5432/x", schema: "study", "table-prefix": "ml_" }, {})
    ).toEqual({
      _tag: "Postgres",
      url: "postgres://u:p@127.0.0.1:5432/x",
      schema: "study",
      tablePrefix: "ml_"
    })
  })
  it.each([
    ["mysql://h/db", /unsupported URL scheme "mysql:\/\/"/],
    ["postgres://", /names no host/],
    ["postgres://host", /names no database/],
    ["postgres://host:notaport/db", /not a valid postgres:\/\/ URL/]
  ])("refuses %s", (db, message) => {
    expect(() => resolveTarget({ db }, {})).toThrow(message)
  })
  it("refuses a schema for SQLite and bad names", () => {
    expect(() => resolveTarget({ db: "a.db", schema: "s" }, {})).toThrow(/PostgreSQL only/)
    expect(() => resolveTarget({ db: "postgres://h/d", schema: "a b" }, {})).toThrow(
      /not a valid PostgreSQL schema/
    )
    expect(() => resolveTarget({ db: "a.db", "table-prefix": "X;" }, {})).toThrow(/not a valid prefix/)
  })
})

describe("the command line", () => {
  it("prints help for the command and every subcommand", async () => {
    const top = await cli(["--help"])
    expect(top.code).toBe(0)
    expect(top.stdout).toContain("Usage: mentor-ledger <command>")
    for (const command of ["demo", "show", "export", "stats", "rebuild", "replay"]) {
      const ran = await cli([command, "--help"])
      expect(ran.code, command).toBe(0)
      expect(ran.stdout, command).toContain(`Usage: mentor-ledger ${command}`)
      expect(ran.stdout, command).toContain("--db")
      expect((await cli(["help", command])).stdout).toBe(ran.stdout)
    }
  })

  it.each([
    [["frobnicate"], 2, /^mentor-ledger: unknown command "frobnicate"/],
    [["show"], 2, /^mentor-ledger show: give the mentorship's id/],
    [["show", "not-a-uuid", "--db", "x.db"], 2, /mentorship: "not-a-uuid" is not a uuid/],
    [["show", "--bogus"], 2, /^mentor-ledger show: Unknown option '--bogus'/],
    [["export", "--db", "x.db"], 2, /give --format ndjson\|csv\|xes\|ocel2/],
    [
      ["export", "--format", "pdf", "--db", "x.db"],
      2,
      /--format: "pdf" is not one of ndjson, csv, xes, ocel2/
    ],
    [["export", "--format", "csv", "--db", "x.db"], 2, /needs the analyst's pseudonymisation key/],
    [["export", "--format", "csv", "--db", "x.db", "--key", "short"], 2, /key is too short/],
    [["stats", "--as-of", "soon", "--db", "x.db"], 2, /--as-of: "soon" is not a date/],
    [["stats", "--db", "mysql://h/d"], 2, /unsupported URL scheme/],
    [["stats"], 2, /no database: give --db/],
    [["stats", "--db", "/nonexistent/dir/missing.db"], 1, /no database at \/nonexistent\/dir\/missing.db/],
    [["rebuild", "--db", "/nonexistent/missing.db"], 1, /no database at/],
    [["rebuild", "--projection", "nope", "--db", "x.db"], 2, /unknown read model "nope"/],
    [["demo", "--mentorships", "lots"], 2, /--mentorships: "lots" is not a whole number/]
  ])("%j fails with one line", async (argv, code, message) => {
    const ran = await cli(argv)
    expect(ran.code).toBe(code)
    expect(ran.stdout).toBe("")
    expect(ran.stderr).toMatch(message)
    expect(ran.stderr.trimEnd().split("\n")).toHaveLength(1)
    expect(ran.stderr).not.toMatch(/\n\s+at /)
  })

  it("says when a file is not a mentor-ledger database", async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import("node:fs")
    const { join } = await import("node:path")
    const { tmpdir } = await import("node:os")
    const dir = mkdtempSync(join(tmpdir(), "mentor-ledger-args-"))
    try {
      writeFileSync(
        join(dir, "notes.txt"),
        "not a database at all, just some text that is long enough\n".repeat(20)
      )
      const ran = await cli(["stats", "--db", join(dir, "notes.txt")])
      expect(ran.code).toBe(1)
      expect(ran.stderr).toMatch(/^mentor-ledger stats: .*notes\.txt is not a mentor-ledger database: /)
      expect(ran.stderr.trimEnd().split("\n")).toHaveLength(1)
      // An SQLite file of another application: rebuild refuses it, and creates no table in it.
      const Database = (await import("better-sqlite3")).default
      const other = new Database(join(dir, "other.db"))
      other.exec("create table notes (text)")
      other.close()
      const rebuild = await cli(["rebuild", "--db", join(dir, "other.db")])
      expect(rebuild.code).toBe(1)
      expect(rebuild.stderr).toMatch(/other\.db holds no mentor-ledger events \(no ml_events table\)/)
      const after = new Database(join(dir, "other.db"), { readonly: true })
      expect(after.prepare("select name from sqlite_master where type = 'table'").all()).toEqual([
        { name: "notes" }
      ])
      after.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it("checks uuids", () => {
    expect(parseUuid("mentorship", " 0190AB12-0000-7000-8000-000000000001 ")).toBe(
      "0190ab12-0000-7000-8000-000000000001"
    )
  })
})
