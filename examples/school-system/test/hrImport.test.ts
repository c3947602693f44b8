/**
 * The CSV reader and the export's checks, without the server.
 */
import { describe, expect, it } from "vitest"
import { CsvSyntaxError, parseCsv } from "../src/csv.js"
import { readHrExport } from "../src/hrImport.js"

describe("parseCsv", () => {
  it("reads quoted delimiters, doubled quotes and line breaks, and keeps the line each record starts on", () => {
    const text = 'a,b,c\r\n1,"two, too","say ""hi"""\r\n2,"multi\r\nline\nfield",x\n\n3,,\n'
    expect(parseCsv(text)).toEqual([
      { line: 1, fields: ["a", "b", "c"] },
      { line: 2, fields: ["1", "two, too", 'say "hi"'] },
      { line: 3, fields: ["2", "multi\r\nline\nfield", "x"] },
      { line: 7, fields: ["3", "", ""] }
    ])
  })

  it("drops a byte-order mark, takes ';' from the header, and reads a last line without a newline", () => {
    expect(parseCsv("\uFEFFnimi;rooli\rAino;mentor")).toEqual([
      { line: 1, fields: ["nimi", "rooli"] },
      { line: 2, fields: ["Aino", "mentor"] }
    ])
    expect(parseCsv('x\n""')).toEqual([
      { line: 1, fields: ["x"] },
      { line: 2, fields: [""] }
    ])
  })

  it("names the line of a syntax error", () => {
    const error = (text: string) => {
      try {
        parseCsv(text)
      } catch (e) {
        if (e instanceof CsvSyntaxError) return [e.line, e.message]
      }
      return undefined
    }
    expect(error('a,b\n1,"open\n\n')).toEqual([2, "line 2: a quoted field is never closed"])
    expect(error('a,b\n1,"x"y\n')).toEqual([2, 'line 2: text after the closing quote of a field: "y"'])
    expect(error('a,b\nsmall "quote",2\n')?.[0]).toBe(2)
  })
})

describe("readHrExport", () => {
  const header = "employee_number,first_name,last_name,email,roles"
  it("refuses duplicate and unnamed columns, and a file with a header only", () => {
    const dup = readHrExport(`${header},email,\nE1,A,B,a@x.fi,mentor,a@x.fi,\n`, () => false)
    expect(dup).toEqual({
      _tag: "Invalid",
      problems: [
        { line: 1, column: "email", message: "column email appears twice" },
        { line: 1, message: "a column has no name" }
      ]
    })
    expect(readHrExport(`${header}\n`, () => false)).toEqual({
      _tag: "Invalid",
      problems: [{ line: 1, message: "the file has no people in it" }]
    })
  })

  it("accepts a line manager from the directory, columns in any order and any case, roles in any case", () => {
    const read = readHrExport(
      "ROLES,Email,employee_number,last_name,first_name,line_manager\nMentee | MENTOR,Ä@x.fi,E7,Öhman,Åsa,E1\n",
      (n) => n === "E1"
    )
    expect(read).toEqual({
      _tag: "Valid",
      ignoredColumns: [],
      people: [
        {
          employeeNumber: "E7",
          firstName: "Åsa",
          lastName: "Öhman",
          email: "ä@x.fi",
          school: "",
          title: "",
          roles: ["mentee", "mentor"],
          lineManager: "E1"
        }
      ]
    })
  })
})
