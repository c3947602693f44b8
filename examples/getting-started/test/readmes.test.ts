import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createLedger, Ids, Template } from "@mentor-ledger/core"
import { SqliteReadModels } from "@mentor-ledger/sqlite"
import { describe, expect, it } from "vitest"
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
})
