/**
 * Reads the HR system's staff export (CSV) into people for the directory.
 *
 * The export is all or nothing: every row is checked, every problem is
 * reported with its line and column, and if there is any, nothing is
 * imported. Columns may come in any order; columns we do not use (HR
 * exports carry many) are ignored and listed in the result.
 *
 * | column | required | meaning |
 * |---|---|---|
 * | `employee_number` | yes | the HR system's key, e.g. `E1042`; unique in the file |
 * | `first_name`, `last_name` | yes | |
 * | `email` | yes | |
 * | `school` | no | the unit the person works in |
 * | `title` | no | job title |
 * | `roles` | yes | mentoring roles, separated by `\|`: mentor, mentee, supervisor, coordinator, support-team, analyst |
 * | `line_manager` | no | the employee number of the person's supervisor (in this file or imported before) |
 */
import { Roles } from "@mentor-ledger/core"
import { CsvSyntaxError, parseCsv } from "./csv.js"

/** A person as the HR export describes them. */
export interface HrPerson {
  readonly employeeNumber: string
  readonly firstName: string
  readonly lastName: string
  readonly email: string
  readonly school: string
  readonly title: string
  readonly roles: ReadonlyArray<Roles.Role>
  /** The line manager's employee number. */
  readonly lineManager: string | null
}

/** One thing wrong with the export. */
export interface ImportProblem {
  /** The line of the file (1 is the header). */
  readonly line: number
  readonly employeeNumber?: string
  readonly column?: string
  readonly message: string
}

export type HrExport =
  | {
      readonly _tag: "Valid"
      readonly people: ReadonlyArray<HrPerson>
      readonly ignoredColumns: ReadonlyArray<string>
    }
  | { readonly _tag: "Invalid"; readonly problems: ReadonlyArray<ImportProblem> }

const required = ["employee_number", "first_name", "last_name", "email", "roles"] as const
const optional = ["school", "title", "line_manager"] as const
type Column = (typeof required)[number] | (typeof optional)[number]

const employeeNumber = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/
// Deliberately loose: one @, something on each side, a dot in the domain, no spaces.
const email = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

/**
 * Checks an export. `known` answers whether an employee number is in the
 * directory already (a line manager may have been imported before).
 */
export const readHrExport = (text: string, known: (employeeNumber: string) => boolean): HrExport => {
  let records: ReturnType<typeof parseCsv>
  try {
    records = parseCsv(text)
  } catch (error) {
    if (error instanceof CsvSyntaxError)
      return { _tag: "Invalid", problems: [{ line: error.line, message: error.message }] }
    throw error
  }
  const [header, ...rows] = records
  if (header === undefined) return { _tag: "Invalid", problems: [{ line: 1, message: "the file is empty" }] }

  const names = header.fields.map((name) => name.trim().toLowerCase())
  const problems: Array<ImportProblem> = []
  const seen = new Set<string>()
  for (const name of names) {
    if (name === "") problems.push({ line: header.line, message: "a column has no name" })
    else if (seen.has(name))
      problems.push({ line: header.line, column: name, message: `column ${name} appears twice` })
    seen.add(name)
  }
  for (const name of required)
    if (!names.includes(name))
      problems.push({ line: header.line, column: name, message: `required column ${name} is missing` })
  if (problems.length > 0) return { _tag: "Invalid", problems }
  if (rows.length === 0)
    return { _tag: "Invalid", problems: [{ line: header.line, message: "the file has no people in it" }] }

  const index = new Map(names.map((name, i) => [name, i]))
  const ignoredColumns = names.filter(
    (name) =>
      !(required as ReadonlyArray<string>).includes(name) &&
      !(optional as ReadonlyArray<string>).includes(name)
  )
  const lines = new Map<string, number>()
  const people: Array<HrPerson> = []

  for (const row of rows) {
    const get = (column: Column) => {
      const i = index.get(column)
      return i === undefined ? "" : (row.fields[i] ?? "").trim()
    }
    const number = get("employee_number")
    const problem = (column: Column | undefined, message: string) =>
      problems.push({
        line: row.line,
        ...(number === "" ? {} : { employeeNumber: number }),
        ...(column === undefined ? {} : { column }),
        message
      })
    if (row.fields.length !== names.length) {
      problem(undefined, `expected ${names.length} fields as in the header, found ${row.fields.length}`)
      continue
    }
    if (number === "") problem("employee_number", "employee_number is empty")
    else if (!employeeNumber.test(number))
      problem(
        "employee_number",
        `employee_number ${JSON.stringify(number)} is not 1-32 letters, digits, '-' or '_'`
      )
    else if (lines.has(number))
      problem("employee_number", `employee_number ${number} is also on line ${lines.get(number)}`)
    else lines.set(number, row.line)
    for (const column of ["first_name", "last_name"] as const)
      if (get(column) === "") problem(column, `${column} is empty`)
    if (!email.test(get("email")))
      problem("email", `${JSON.stringify(get("email"))} is not an e-mail address`)
    const roles = get("roles")
      .split("|")
      .map((r) => r.trim().toLowerCase())
      .filter((r) => r !== "")
    if (roles.length === 0) problem("roles", `roles is empty: give at least one of ${Roles.roles.join(", ")}`)
    for (const role of roles)
      if (!(Roles.roles as ReadonlyArray<string>).includes(role))
        problem("roles", `unknown role ${JSON.stringify(role)}: use ${Roles.roles.join(", ")}`)
    const manager = get("line_manager")
    if (manager !== "" && manager === number)
      problem("line_manager", "a person cannot be their own line manager")
    people.push({
      employeeNumber: number,
      firstName: get("first_name"),
      lastName: get("last_name"),
      email: get("email").toLowerCase(),
      school: get("school"),
      title: get("title"),
      roles: [...new Set(roles)] as ReadonlyArray<Roles.Role>,
      lineManager: manager === "" ? null : manager
    })
  }
  // Line managers may come later in the file than the people they manage.
  for (const person of people)
    if (person.lineManager !== null && !lines.has(person.lineManager) && !known(person.lineManager))
      problems.push({
        line: lines.get(person.employeeNumber) ?? header.line,
        employeeNumber: person.employeeNumber,
        column: "line_manager",
        message: `line_manager ${person.lineManager} is neither in this file nor in the directory`
      })

  if (problems.length > 0) return { _tag: "Invalid", problems: [...problems].sort((a, b) => a.line - b.line) }
  return { _tag: "Valid", people, ignoredColumns }
}
