import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Ids } from "@mentor-ledger/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { afterAll, expect, it } from "vitest"
import { Directory, HrImportError, importStaff, layerDirectory } from "../src/People.js"

const dir = mkdtempSync(join(tmpdir(), "effect-app-people-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const file = (name: string, text: string) => {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}
const run = <A, E>(effect: Effect.Effect<A, E, Directory | Ids.IdGenerator>) =>
  Effect.runPromise(Effect.provide(effect, Layer.merge(layerDirectory, Ids.layerSequential())))

it("reads quoted fields, a byte-order mark, CRLF and extra columns, and gives every person an id", async () => {
  const path = file(
    "quoted.csv",
    "\uFEFFemployee_number,first_name,last_name,email,roles,line_manager,cost_centre\r\n" +
      'T1,Sanna,"Kallio-Öberg",sanna@example.fi,mentor | supervisor,T2,100\r\n' +
      'T2,"Ngozi ""Zizi""",Adeyemi,ngozi@example.fi,coordinator,,100\r\n'
  )
  const people = await run(importStaff(path))
  expect(people.map((p) => [p.name, p.roles, p.lineManager])).toEqual([
    ["Sanna Kallio-Öberg", ["mentor", "supervisor"], "T2"],
    ['Ngozi "Zizi" Adeyemi', ["coordinator"], null]
  ])
  expect(people.map((p) => p.id)).toEqual([Ids.sequentialId(1), Ids.sequentialId(2)])
})

it("fails with HrImportError listing every problem, and imports nothing", async () => {
  const path = file(
    "bad.csv",
    "employee_number,first_name,last_name,email,roles\nT1,Aino,Aalto,aino@example.fi,mentee\nT2,Bo,,bo@example,mentor\nT3,Cai,Chen,cai@example.fi\n"
  )
  const [error, size] = await run(
    Effect.gen(function* () {
      const error = yield* Effect.flip(importStaff(path))
      return [error, yield* (yield* Directory).size] as const
    })
  )
  expect(error).toBeInstanceOf(HrImportError)
  expect(error.problems).toEqual([
    { line: 3, message: "last_name: is empty" },
    { line: 3, message: "email: is not an e-mail address" },
    { line: 4, message: "4 fields, the header has 5" }
  ])
  expect(size).toBe(0)
})

it("names a missing column, an unclosed quote and a missing file", async () => {
  const missing = await run(
    Effect.flip(importStaff(file("cols.csv", "employee_number,first_name,last_name,roles\n")))
  )
  expect(missing.problems).toEqual([{ line: 1, message: "column email is missing" }])
  const unclosed = await run(
    Effect.flip(
      importStaff(
        file("quote.csv", 'employee_number,first_name,last_name,email,roles\nT1,"Aino,A,a@x.fi,mentee\n')
      )
    )
  )
  expect(unclosed.problems[0]!.message).toMatch(/quote/i)
  const nowhere = await run(Effect.flip(importStaff(join(dir, "nowhere.csv"))))
  expect(nowhere.problems[0]!.message).toContain("cannot read the file")
})
