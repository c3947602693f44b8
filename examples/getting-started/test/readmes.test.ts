import { randomBytes } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createLedger, Ids, Template } from "@mentor-ledger/core"
import { SqliteReadModels } from "@mentor-ledger/sqlite"
import pg from "pg"
import { describe, expect, it } from "vitest"
import { sqliteJournal } from "../src/journals.js"
import { postgresJournal } from "../src/pgJournal.js"
import { cli, core } from "../src/readmes.js"

describe("the package READMEs' examples", () => {
  it("core: a command, then a refusal that names its rule", async () => {
    expect(await core()).toMatch(/^mentorship-not-found: /)
  })

  it("cli: the stats command as a library call, on an SQLite file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mentor-ledger-readmes-"))
    try {
      const filename = join(dir, "mentoring.sqlite")
      const db = await SqliteReadModels.open({ filename })
      const ledger = createLedger({ store: db.layer })
      await ledger.execute({
        _tag: "LaunchProgramme",
        actor: { personId: Ids.newId(), role: "coordinator" },
        programmeId: Ids.newId(),
        name: "Early-career induction 2026",
        templates: [Template.earlyCareerInduction]
      })
      await ledger.close()
      await db.close()
      const { code, output } = await cli(filename)
      expect(code).toBe(0)
      expect(JSON.parse(output)).toMatchObject({
        events: 1,
        total: { programmeName: "all programmes", mentorships: 0 }
      })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)

  it("sqlite: the journal alone, as a layer and with Promises, on one file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mentor-ledger-readmes-"))
    try {
      // one event written through the Promise form, seen by both
      expect(await sqliteJournal(join(dir, "journal.sqlite"))).toEqual([1, 1])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  const url = process.env.MENTOR_LEDGER_PG_URL?.trim() || undefined
  it.skipIf(url === undefined)(
    url === undefined
      ? "postgres: the journal alone [skipped: MENTOR_LEDGER_PG_URL is not set]"
      : "postgres: the journal alone, as a layer and with Promises, in a schema of its own",
    async () => {
      const schema = `ml_readmes_${randomBytes(6).toString("hex")}`
      try {
        expect(await postgresJournal(url!, schema)).toEqual([1])
      } finally {
        const client = new pg.Client({ connectionString: url })
        await client.connect()
        await client.query(`drop schema if exists "${schema}" cascade`)
        await client.end()
      }
    },
    60_000
  )
})
