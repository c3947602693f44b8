/**
 * The code shown in docs/storage.md and the SQLite README: each
 * `// #region name` block below runs here, and the test at the end checks
 * that the docs show it as it is.
 */
import { readFileSync } from "node:fs"
import { createLedger, Ids, Template } from "@mentor-ledger/core"
import { Projection, Queries, ReadModels } from "@mentor-ledger/sql"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
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

const coordinatorId = Ids.sequentialId(10)
const programmeId = Ids.sequentialId(1)
const launch = {
  _tag: "LaunchProgramme",
  actor: { personId: coordinatorId, role: "coordinator" },
  programmeId,
  name: "Headmasters as Mentors 2026",
  templates: [Template.headmastersAsMentors]
} as const

describe("docs/storage.md", () => {
  it("quick start: a ledger on an SQLite file, with its read models kept inline", async () => {
    const filename = temp.file("mentoring.db")
    // #region quick-start
    const db = await SqliteReadModels.open({ filename, projections: "inline" })
    const ledger = createLedger({ store: db.layer })
    await ledger.execute(launch)
    const programmes = await db.queries.programmeStatistics({ personId: coordinatorId, role: "coordinator" })
    await ledger.close()
    await db.close()
    // #endregion quick-start
    expect(programmes).toEqual([])
  })

  it("effect: the same as a layer", async () => {
    const filename = temp.file("mentoring.db")
    // #region effect
    const store = SqliteReadModels.layer({ filename, projections: "inline" }).pipe(
      Layer.provide(Ids.layerUuidV7)
    )
    const program = Effect.gen(function* () {
      const queries = yield* Queries.Queries
      return yield* queries.mentorshipsFor({ personId: coordinatorId, role: "support-team" })
    })
    const mentorships = await Effect.runPromise(Effect.provide(program, store))
    // #endregion effect
    expect(mentorships).toEqual([])
  })

  it("versions: a new version built beside the current one, then switched to", async () => {
    const filename = temp.file("mentoring.db")
    const db = await SqliteReadModels.open({ filename })
    const ledger = createLedger({ store: db.layer })
    await ledger.execute(launch)
    // #region versions
    // The changed projection: same name, next version, its own tables.
    const mentorshipsV2: Projection.Projection = { ...ReadModels.mentorships, version: 2 }
    const worker = Projection.toPromise(
      await Effect.runPromise(
        Projection.make(db.journal, [ReadModels.mentorships, mentorshipsV2, ReadModels.programmes])
      )
    )
    await worker.setup() // creates ml_rm_*_v2; queries keep reading v1
    await worker.catchUp({ only: ["mentorships@2"] }) // in batches, while v1 serves
    await worker.activate("mentorships", 2) // queries read v2 from now on
    await worker.drop("mentorships", 1) // the old tables go
    // #endregion versions
    const status = await worker.status()
    expect(status.filter((s) => s.current).map((s) => `${s.name}@${s.version}`)).toEqual([
      "mentorships@2",
      "programmes@1"
    ])
    await ledger.close()
    await db.close()
  })

  it("custom: a projection of one's own", async () => {
    const filename = temp.file("mentoring.db")
    // #region custom
    const meetingsPerDay = Projection.define({
      name: "meetings_per_day",
      version: 1,
      tables: ["days"],
      eventTypes: ["MeetingHeld"],
      prepare: ({ db, tables }) => ({
        create: [
          db.schema
            .createTable(tables.days!)
            .ifNotExists()
            .addColumn("day", "text", (c) => c.primaryKey())
            .addColumn("meetings", "integer", (c) => c.notNull())
            .compile()
        ],
        apply: function* (events) {
          for (const e of events) {
            const day = e.event.occurredAt.toISOString().slice(0, 10)
            yield db
              .insertInto(tables.days!)
              .values({ day, meetings: 1 })
              .onConflict((oc) =>
                oc.column("day").doUpdateSet((eb) => ({ meetings: eb("meetings", "+", 1) }))
              )
              .compile()
          }
        }
      })
    })
    const db = await SqliteReadModels.open({
      filename,
      readModels: [...ReadModels.projections, meetingsPerDay]
    })
    // #endregion custom
    const status = await db.projections.status()
    expect(status.map((s) => s.name)).toContain("meetings_per_day")
    await db.close()
  })

  it("shows each region as it is", () => {
    const source = readFileSync(new URL(import.meta.url), "utf8")
    const regions = new Map<string, string>()
    for (const [, name, body] of source.matchAll(/\/\/ #region (\S+)\n([\s\S]*?)\n\s*\/\/ #endregion \1/g)) {
      const lines = body!.split("\n")
      const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length))
      regions.set(name!, lines.map((l) => l.slice(indent)).join("\n"))
    }
    expect([...regions.keys()]).toEqual(["quick-start", "effect", "versions", "custom"])
    const docs = readFileSync(new URL("../../../docs/storage.md", import.meta.url), "utf8")
    for (const [name, code] of regions) {
      expect(docs, `docs/storage.md shows region ${name}`).toContain(
        `// Source: packages/sqlite/test/Storage.docs.int.test.ts#region ${name}\n${code}\n`
      )
    }
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8")
    expect(readme).toContain(regions.get("quick-start"))
  })
})
