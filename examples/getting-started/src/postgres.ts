/**
 * The PostgreSQL step of docs/getting-started.md: the same ledger on a
 * PostgreSQL database shared by several app instances.
 *
 *   MENTOR_LEDGER_PG_URL=postgres://… pnpm --filter @mentor-ledger/example-getting-started start:postgres [schema]
 */
import { createLedger, Ids, Template } from "@mentor-ledger/core"
import { PgJournal } from "@mentor-ledger/postgres"

const url = process.env.MENTOR_LEDGER_PG_URL ?? "postgres://localhost/mentoring"
const schema = process.argv[2] ?? "mentoring"
const coordinator = { personId: Ids.newId(), role: "coordinator" } as const
const programmeId = Ids.newId()

// #region postgres
const ledger = createLedger({ store: PgJournal.layerJournal({ url, schema }) })
await ledger.execute({
  _tag: "LaunchProgramme",
  actor: coordinator,
  programmeId,
  name: "Headmasters as Mentors 2026",
  templates: [Template.headmastersAsMentors]
})
const { version } = await ledger.programme(programmeId)
console.log(`programme at version ${version} in schema ${schema}`)
await ledger.close() // ends the connection pool
// #endregion postgres
