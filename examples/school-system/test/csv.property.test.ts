/**
 * Whatever a spreadsheet writes, the reader gives back: any table of
 * strings (quotes, delimiters, line breaks, non-ASCII inside), written the
 * way RFC 4180 says, reads back field for field, on the right lines.
 */
import fc from "fast-check"
import { expect, it } from "vitest"
import { parseCsv } from "../src/csv.js"

const cell = fc.string({
  unit: fc.constantFrom("a", "Ä", "ö", " ", '"', ",", ";", "\n", "\r\n", "x", "1", "\u00e5")
})
const table = fc
  .integer({ min: 1, max: 4 })
  .chain((width) =>
    fc.array(fc.array(cell, { minLength: width, maxLength: width }), { minLength: 1, maxLength: 6 })
  )

const write = (rows: ReadonlyArray<ReadonlyArray<string>>, delimiter: string, newline: string) =>
  rows.map((row) => row.map((f) => `"${f.replaceAll('"', '""')}"`).join(delimiter)).join(newline)

it("reads back every table it is given, with either delimiter and either line ending", () => {
  fc.assert(
    fc.property(
      table,
      fc.constantFrom(",", ";"),
      fc.constantFrom("\n", "\r\n"),
      fc.boolean(),
      (rows, d, nl, bom) => {
        const text = (bom ? "\uFEFF" : "") + write(rows, d, nl) + nl
        expect(parseCsv(text).map((r) => r.fields)).toEqual(rows)
      }
    )
  )
})

it("gives each record the line it starts on", () => {
  fc.assert(
    fc.property(table, (rows) => {
      const noCr = rows.map((row) => row.map((f) => f.replaceAll("\r", "")))
      const records = parseCsv(write(noCr, ",", "\n"))
      let line = 1
      noCr.forEach((row, i) => {
        expect(records[i]!.line).toBe(line)
        line += 1 + row.join("").split("\n").length - 1
      })
    })
  )
})
