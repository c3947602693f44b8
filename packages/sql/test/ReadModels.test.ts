import { readFileSync } from "node:fs"
import { Events } from "@mentor-ledger/core"
import { describe, expect, it } from "vitest"
import { ReadModels } from "../src/index.js"

const tables = [...ReadModels.tables.mentorships, ...ReadModels.tables.programmes]

describe("the read models", () => {
  it("read every event type, each in one projection", () => {
    const read = ReadModels.projections.flatMap((p) => p.eventTypes ?? [])
    expect([...read].sort()).toEqual([...Events.eventTypes].sort())
  })

  it("name their tables as the projections declare them", () => {
    expect(ReadModels.mentorships.tables).toEqual(ReadModels.tables.mentorships.map((t) => t.name))
    expect(ReadModels.programmes.tables).toEqual(ReadModels.tables.programmes.map((t) => t.name))
  })

  it.each(tables.map((t) => [t.name, t] as const))("%s: keys and indexes name its columns", (_, table) => {
    const columns = table.columns.map((c) => c.name)
    expect(new Set(columns).size).toBe(columns.length)
    for (const k of table.key) expect(columns).toContain(k)
    for (const index of table.indexes) for (const c of index.columns) expect(columns).toContain(c)
    expect(columns[0]).toBe("organisation")
    if (table.counters) expect(columns.slice(0, table.key.length)).toEqual(table.key)
    // content may be absent (a task not yet completed has no reflection)
    for (const c of table.columns.filter((c) => c.content)) expect(c.nullable).toBe(true)
  })

  it("are all described in docs/storage.md, column by column", () => {
    const docs = readFileSync(new URL("../../../docs/storage.md", import.meta.url), "utf8")
    for (const table of tables) {
      const heading = docs.indexOf(`#### \`${table.name}\``)
      expect(heading, `docs/storage.md describes ${table.name}`).toBeGreaterThan(0)
      const next = docs.indexOf("\n#", heading + 1)
      const section = docs.slice(heading, next < 0 ? undefined : next)
      for (const column of table.columns) {
        expect(section, `docs/storage.md describes ${table.name}.${column.name}`).toContain(
          `| \`${column.name}\` | ${column.type} |`
        )
        if (column.content)
          expect(section).toContain(`| \`${column.name}\` | ${column.type} | yes | **content**`)
      }
    }
  })
})
