/**
 * The staff directory and the HR import, as Effect services and schemas.
 *
 * A row of the HR export is an Effect `Schema`: decoding it trims, checks
 * and splits the fields, and a bad row is a `ParseError` that names the
 * column. The tokenising is csv-parse's (quotes, BOM, CRLF); the import
 * is all or nothing: every row is decoded first, and a single bad row
 * fails the whole import with `HrImportError`, listing every problem.
 *
 * mentor-ledger knows people by uuid only; the names stay here.
 */
import { readFile } from "node:fs/promises"
import { Ids, Roles } from "@mentor-ledger/core"
import { CsvError, parse } from "csv-parse/sync"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"

/** One row of the export, as the HR system writes it. */
export const StaffRow = Schema.Struct({
  employee_number: Schema.Trim.pipe(
    Schema.pattern(/^[A-Za-z0-9_-]{1,32}$/, { message: () => "expected 1-32 letters, digits, '-' or '_'" })
  ),
  first_name: Schema.Trim.pipe(Schema.nonEmptyString({ message: () => "is empty" })),
  last_name: Schema.Trim.pipe(Schema.nonEmptyString({ message: () => "is empty" })),
  email: Schema.Trim.pipe(
    Schema.pattern(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, { message: () => "is not an e-mail address" })
  ),
  school: Schema.optionalWith(Schema.Trim, { default: () => "" }),
  roles: Schema.split("|").pipe(
    Schema.compose(
      Schema.Array(
        Schema.compose(
          Schema.Trim,
          Roles.Role.annotations({
            message: (issue) => ({
              message: `unknown role ${JSON.stringify(issue.actual)}: use ${Roles.roles.join(", ")}`,
              override: true
            })
          })
        )
      )
    ),
    Schema.minItems(1, { message: () => "give at least one role" })
  ),
  line_manager: Schema.optionalWith(Schema.Trim, { default: () => "" })
})
export type StaffRow = typeof StaffRow.Type

const requiredColumns = ["employee_number", "first_name", "last_name", "email", "roles"] as const

/** A person in the directory. */
export interface Person {
  readonly id: string
  readonly employeeNumber: string
  readonly name: string
  readonly email: string
  readonly school: string
  readonly roles: ReadonlyArray<Roles.Role>
  readonly lineManager: string | null
}

/** One problem in an export: the line of the file and what is wrong. */
export const Problem = Schema.Struct({ line: Schema.Number, message: Schema.String })

/** The export was refused as a whole; nothing of it was imported. */
export class HrImportError extends Schema.TaggedError<HrImportError>()("HrImportError", {
  file: Schema.String,
  problems: Schema.Array(Problem)
}) {}

/** The staff directory: the app's own record of people, by employee number. */
export class Directory extends Context.Tag("effect-app/Directory")<
  Directory,
  {
    readonly add: (people: ReadonlyArray<Person>) => Effect.Effect<void>
    readonly byEmployee: (employeeNumber: string) => Effect.Effect<Option.Option<Person>>
    readonly nameOf: (personId: string) => Effect.Effect<string>
    readonly remove: (personId: string) => Effect.Effect<void>
    readonly size: Effect.Effect<number>
  }
>() {}

/** The directory in memory (a real app keeps it in its own tables). */
export const layerDirectory: Layer.Layer<Directory> = Layer.effect(
  Directory,
  Effect.map(Ref.make(new Map<string, Person>()), (people) => ({
    add: (added) =>
      Ref.update(people, (map) => {
        const next = new Map(map)
        for (const person of added) next.set(person.employeeNumber, person)
        return next
      }),
    byEmployee: (n) => Effect.map(Ref.get(people), (map) => Option.fromNullable(map.get(n))),
    nameOf: (id) =>
      Effect.map(Ref.get(people), (map) => [...map.values()].find((p) => p.id === id)?.name ?? "(erased)"),
    remove: (id) => Ref.update(people, (map) => new Map([...map].filter(([, person]) => person.id !== id))),
    size: Effect.map(Ref.get(people), (map) => map.size)
  }))
)

/** Reads, checks and imports an export; every person gets an id from the `IdGenerator`. */
export const importStaff = (
  file: string
): Effect.Effect<ReadonlyArray<Person>, HrImportError, Directory | Ids.IdGenerator> =>
  Effect.gen(function* () {
    const refuse = (problems: ReadonlyArray<{ line: number; message: string }>) =>
      Effect.fail(new HrImportError({ file, problems }))
    const text = yield* Effect.tryPromise(() => readFile(file, "utf8")).pipe(
      Effect.catchAll((cause) => refuse([{ line: 0, message: `cannot read the file: ${String(cause)}` }]))
    )
    const records = yield* Effect.try(
      () =>
        parse(text, {
          bom: true,
          info: true,
          skip_empty_lines: true,
          relax_column_count: true
        }) as unknown as Array<{
          record: Array<string>
          info: { lines: number }
        }>
    ).pipe(
      Effect.catchAll(({ error }) =>
        refuse([
          {
            line: error instanceof CsvError ? Number((error as CsvError & { lines?: number }).lines ?? 0) : 0,
            message: String((error as Error).message)
          }
        ])
      )
    )
    const [header, ...rows] = records
    if (header === undefined) return yield* refuse([{ line: 1, message: "the file is empty" }])
    const columns = header.record.map((c) => c.trim().toLowerCase())
    const missing = requiredColumns.filter((c) => !columns.includes(c))
    if (missing.length > 0)
      return yield* refuse(missing.map((c) => ({ line: 1, message: `column ${c} is missing` })))

    // Decode every row, keeping every problem, before anything is imported.
    const decode = Schema.decodeUnknownEither(StaffRow, { errors: "all" })
    const problems: Array<{ line: number; message: string }> = []
    const decoded: Array<{ line: number; row: StaffRow }> = []
    for (const { record, info } of rows) {
      if (record.length !== columns.length) {
        problems.push({
          line: info.lines,
          message: `${record.length} fields, the header has ${columns.length}`
        })
        continue
      }
      const result = decode(Object.fromEntries(columns.map((c, i) => [c, record[i]])))
      if (Either.isRight(result)) decoded.push({ line: info.lines, row: result.right })
      else
        for (const issue of ParseResult.ArrayFormatter.formatErrorSync(result.left))
          problems.push({
            line: info.lines,
            message: `${issue.path[0] ? String(issue.path[0]) : "row"}: ${issue.message}`
          })
    }
    // A line manager may come later in the file, or have been imported before.
    const directory = yield* Directory
    const cell = (name: string, record: ReadonlyArray<string>) => (record[columns.indexOf(name)] ?? "").trim()
    const inFile = new Set(rows.map(({ record }) => cell("employee_number", record)))
    for (const { record, info } of rows) {
      const manager = cell("line_manager", record)
      if (manager !== "" && !inFile.has(manager) && Option.isNone(yield* directory.byEmployee(manager)))
        problems.push({
          line: info.lines,
          message: `line_manager: ${manager} is neither in this file nor in the directory`
        })
    }
    // A stable sort: by line, then in the order found.
    if (problems.length > 0) return yield* refuse(problems.sort((a, b) => a.line - b.line))

    const ids = yield* Ids.IdGenerator
    const people: Array<Person> = []
    for (const { row } of decoded) {
      const known = yield* directory.byEmployee(row.employee_number)
      people.push({
        id: Option.isSome(known) ? known.value.id : yield* ids.next,
        employeeNumber: row.employee_number,
        name: `${row.first_name} ${row.last_name}`,
        email: row.email,
        school: row.school,
        roles: row.roles,
        lineManager: row.line_manager === "" ? null : row.line_manager
      })
    }
    yield* directory.add(people)
    return people
  })
