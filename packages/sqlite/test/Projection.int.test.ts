/**
 * A projection of one's own on a database the library's read models live
 * in, each in its own runtime (the app keeps the read models inline; an
 * analyst or a worker runs another projection): a projection whose table
 * would be one of the library's is refused before anything is written.
 */
import { createLedger, Ids, Template } from "@mentor-ledger/core"
import { Projection, ReadModels } from "@mentor-ledger/sql"
import Database from "better-sqlite3"
import * as Effect from "effect/Effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { SqliteReadModels } from "../src/index.js"
import { makeTempDir } from "./tempFile.js"

let temp: ReturnType<typeof makeTempDir>
beforeEach(() => {
  temp = makeTempDir()
})
afterEach(() => {
  temp.remove()
})

/** A programme-per-row read model under a table name of our choosing. */
const programmesOfMyOwn = (table: string) =>
  Projection.define({
    name: "my_programmes",
    version: 1,
    tables: [table],
    eventTypes: ["ProgrammeLaunched"],
    prepare: ({ db, tables }) => ({
      create: [
        db.schema
          .createTable(tables[table]!)
          .ifNotExists()
          .addColumn("programme_id", "text", (c) => c.primaryKey())
          .addColumn("launched_by", "text", (c) => c.notNull())
          .compile()
      ],
      apply: function* (events) {
        for (const e of events)
          if (e.event._tag === "ProgrammeLaunched")
            yield db
              .insertInto(tables[table]!)
              .values({ programme_id: e.event.programmeId, launched_by: e.event.actor.personId })
              .onConflict((oc) => oc.column("programme_id").doNothing())
              .compile()
      }
    })
  })

/** Every table with its rows, as the file holds them. */
const snapshot = (filename: string) => {
  const database = new Database(filename, { readonly: true })
  try {
    const names = database
      .prepare("select name from sqlite_master where type = 'table' order by name")
      .all()
      .map((r) => (r as { name: string }).name)
    return Object.fromEntries(
      names.map((name) => [name, database.prepare(`select * from "${name}" order by 1`).all()])
    )
  } finally {
    database.close()
  }
}

describe("a projection whose table is one of the library's read models'", () => {
  it("is refused, naming the table and its owner, and nothing is written", async () => {
    const filename = temp.file("school.db")
    // The app: the library's read models, inline.
    const app = await SqliteReadModels.open({ filename, projections: "inline" })
    const ledger = createLedger({ store: app.layer })
    await ledger.execute({
      _tag: "LaunchProgramme",
      actor: { personId: Ids.newId(), role: "coordinator" },
      programmeId: Ids.newId(),
      name: "Induction 2026",
      templates: [Template.earlyCareerInduction]
    })
    await ledger.close()
    await app.close()
    const before = snapshot(filename)
    expect(before.ml_rm_programmes_v1).toHaveLength(1)

    // Another runtime on the same file, with a projection that names its table `programmes`.
    const worker = await SqliteReadModels.open({ filename, projections: "manual", readModels: [] })
    try {
      const clashing = programmesOfMyOwn("programmes")
      const refused = {
        _tag: "ProjectionError",
        reason: "Definition",
        projection: "my_programmes@1",
        table: "ml_rm_programmes_v1",
        owner: "programmes@1"
      }
      await expect(Projection.makePromise(worker.journal, [clashing])).rejects.toMatchObject(refused)
      const error = await Effect.runPromise(Effect.flip(Projection.make(worker.journal, [clashing])))
      expect(error).toMatchObject(refused)
      expect(error.message).toContain("mentor-ledger's read model programmes@1")
      // Opening a store with it beside the library's read models is refused the same way.
      await expect(
        SqliteReadModels.open({ filename, readModels: [...ReadModels.projections, clashing] })
      ).rejects.toMatchObject(refused)
      expect(snapshot(filename)).toEqual(before)

      // Under a name of its own, it is built beside the library's table, which keeps its rows.
      const mine = await Projection.makePromise(worker.journal, [programmesOfMyOwn("programmes_mine")])
      expect(await mine.rebuild()).toMatchObject({ events: 1 })
      const after = snapshot(filename)
      expect(after.ml_rm_programmes_mine_v1).toHaveLength(1)
      expect(after.ml_rm_programmes_v1).toEqual(before.ml_rm_programmes_v1)
    } finally {
      await worker.close()
    }
  })
})
