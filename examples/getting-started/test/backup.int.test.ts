import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createLedger, Ids, Template } from "@mentor-ledger/core"
import { SqliteReadModels } from "@mentor-ledger/sqlite"
import Database from "better-sqlite3"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { backup, snapshot } from "../src/backup.js"

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "mentor-ledger-backup-"))
})
afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

describe("docs/operations.md: SQLite backups", () => {
  it("copies a database that is open for writing, with what is still only in its WAL file", async () => {
    const filename = join(dir, "live.sqlite")
    const db = await SqliteReadModels.open({ filename, projections: "inline" })
    const ledger = createLedger({ store: db.layer })
    const coordinator = { personId: Ids.newId(), role: "coordinator" } as const
    try {
      for (let n = 0; n < 3; n++)
        await ledger.execute({
          _tag: "LaunchProgramme",
          actor: coordinator,
          programmeId: Ids.newId(),
          name: `Programme ${n + 1}`,
          templates: [Template.earlyCareerInduction]
        })
      // The writer is still open: its last commits may be in live.sqlite-wal only.
      await backup(filename, join(dir, "online.sqlite"))
      snapshot(filename, join(dir, "vacuumed.sqlite"))
    } finally {
      await ledger.close()
      await db.close()
    }

    for (const copy of ["online.sqlite", "vacuumed.sqlite"]) {
      const file = new Database(join(dir, copy), { readonly: true })
      expect(file.pragma("integrity_check", { simple: true }), copy).toBe("ok")
      expect(file.prepare("select count(*) as n from ml_events").get(), copy).toEqual({ n: 3 })
      expect(file.prepare("select count(*) as n from ml_rm_programmes_v1").get(), copy).toEqual({ n: 3 })
      file.close()
      // A restored copy opens as a store, its read models current, and takes new commands.
      const restored = await SqliteReadModels.open({ filename: join(dir, copy), projections: "inline" })
      const status = await restored.projections.status()
      expect(status.length, copy).toBeGreaterThan(0)
      expect(
        status.every((s) => s.state === "live"),
        copy
      ).toBe(true)
      const again = createLedger({ store: restored.layer })
      await again.execute({
        _tag: "LaunchProgramme",
        actor: coordinator,
        programmeId: Ids.newId(),
        name: "After the restore",
        templates: [Template.earlyCareerInduction]
      })
      await again.close()
      await restored.close()
      const reopened = new Database(join(dir, copy), { readonly: true })
      expect(reopened.prepare("select count(*) as n from ml_rm_programmes_v1").get(), copy).toEqual({ n: 4 })
      reopened.close()
    }
  }, 60_000)

  it("refuses to overwrite a snapshot that exists (VACUUM INTO), and a missing source", async () => {
    const filename = join(dir, "a.sqlite")
    const db = await SqliteReadModels.open({ filename })
    await db.close()
    snapshot(filename, join(dir, "b.sqlite"))
    expect(() => snapshot(filename, join(dir, "b.sqlite"))).toThrow(/output file already exists/)
    await expect(backup(join(dir, "missing.sqlite"), join(dir, "c.sqlite"))).rejects.toThrow()
  })
})
