/**
 * The school's staff directory: names, e-mail addresses and roles, kept by
 * the app in its own table (`school_people`) beside mentor-ledger's tables
 * in the same SQLite file.
 *
 * mentor-ledger never sees a name: it knows each person by a uuid, which
 * this directory gives every employee number once and keeps across
 * imports. Erasing a person deletes their row here too; the ledger's
 * process facts keep the uuid, which then points at nobody.
 */
import type { Roles } from "@mentor-ledger/core"
import { Ids } from "@mentor-ledger/core"
import Database from "better-sqlite3"
import type { HrPerson } from "./hrImport.js"

export interface Person {
  /** The person's id in mentor-ledger. */
  readonly id: string
  readonly employeeNumber: string
  readonly firstName: string
  readonly lastName: string
  readonly email: string
  readonly school: string
  readonly title: string
  readonly roles: ReadonlyArray<Roles.Role>
  /** The line manager's id (their supervisor), if any. */
  readonly lineManagerId: string | null
}

interface Row {
  id: string
  employee_number: string
  first_name: string
  last_name: string
  email: string
  school: string
  title: string
  roles: string
  line_manager_id: string | null
}

const toPerson = (row: Row): Person => ({
  id: row.id,
  employeeNumber: row.employee_number,
  firstName: row.first_name,
  lastName: row.last_name,
  email: row.email,
  school: row.school,
  title: row.title,
  roles: row.roles.split("|") as ReadonlyArray<Roles.Role>,
  lineManagerId: row.line_manager_id
})

export interface Directory {
  /** Imports an export in one transaction; returns each person with their id. */
  readonly importPeople: (
    people: ReadonlyArray<HrPerson>
  ) => ReadonlyArray<Person & { readonly created: boolean }>
  readonly byId: (id: string) => Person | undefined
  readonly hasEmployee: (employeeNumber: string) => boolean
  readonly list: () => ReadonlyArray<Person>
  /** Deletes a person's row (their name and address); their reports keep no dangling manager. */
  readonly remove: (id: string) => boolean
  readonly close: () => void
}

export const openDirectory = (filename: string): Directory => {
  const db = new Database(filename)
  db.pragma("journal_mode = WAL")
  db.pragma("busy_timeout = 5000")
  // A deleted name should not linger in free pages.
  db.pragma("secure_delete = ON")
  db.exec(`
    CREATE TABLE IF NOT EXISTS school_people (
      id TEXT PRIMARY KEY,
      employee_number TEXT NOT NULL UNIQUE,
      first_name TEXT NOT NULL,
      last_name TEXT NOT NULL,
      email TEXT NOT NULL,
      school TEXT NOT NULL,
      title TEXT NOT NULL,
      roles TEXT NOT NULL,
      line_manager_id TEXT
    )`)
  const byNumber = db.prepare<[string], Row>("SELECT * FROM school_people WHERE employee_number = ?")
  const byId = db.prepare<[string], Row>("SELECT * FROM school_people WHERE id = ?")
  const all = db.prepare<[], Row>(
    "SELECT * FROM school_people ORDER BY last_name, first_name, employee_number"
  )
  const upsert = db.prepare(`
    INSERT INTO school_people (id, employee_number, first_name, last_name, email, school, title, roles, line_manager_id)
    VALUES (@id, @employeeNumber, @firstName, @lastName, @email, @school, @title, @roles, NULL)
    ON CONFLICT (employee_number) DO UPDATE SET
      first_name = excluded.first_name, last_name = excluded.last_name, email = excluded.email,
      school = excluded.school, title = excluded.title, roles = excluded.roles`)
  const setManager = db.prepare("UPDATE school_people SET line_manager_id = ? WHERE employee_number = ?")
  const remove = db.prepare("DELETE FROM school_people WHERE id = ?")
  const unlink = db.prepare("UPDATE school_people SET line_manager_id = NULL WHERE line_manager_id = ?")

  const importPeople = db.transaction((people: ReadonlyArray<HrPerson>) => {
    const created = new Set<string>()
    for (const p of people) {
      if (byNumber.get(p.employeeNumber) === undefined) created.add(p.employeeNumber)
      upsert.run({ ...p, id: Ids.newId(), roles: p.roles.join("|") })
    }
    // Every row exists now, so a manager later in the file is found too.
    for (const p of people)
      setManager.run(p.lineManager === null ? null : byNumber.get(p.lineManager)!.id, p.employeeNumber)
    return people.map((p) => ({
      ...toPerson(byNumber.get(p.employeeNumber)!),
      created: created.has(p.employeeNumber)
    }))
  })

  return {
    importPeople: (people) => importPeople(people),
    byId: (id) => {
      const row = byId.get(id)
      return row === undefined ? undefined : toPerson(row)
    },
    hasEmployee: (n) => byNumber.get(n) !== undefined,
    list: () => all.all().map(toPerson),
    remove: db.transaction((id: string) => {
      unlink.run(id)
      return remove.run(id).changes > 0
    }),
    close: () => db.close()
  }
}
