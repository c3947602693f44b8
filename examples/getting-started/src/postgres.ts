/**
 * The PostgreSQL step of docs/getting-started.md: the same app on a
 * PostgreSQL database that several app instances share, with the same
 * read models and queries as on SQLite.
 *
 *   MENTOR_LEDGER_PG_URL=postgres://… pnpm --filter @mentor-ledger/example-getting-started start:postgres [schema]
 */
// #region postgres-imports
import { createLedger, Ids, Template } from "@mentor-ledger/core"
import { PgReadModels } from "@mentor-ledger/postgres"
// #endregion postgres-imports

const url = process.env.MENTOR_LEDGER_PG_URL ?? "postgres://localhost/mentoring"
const schema = process.argv[2] ?? "mentoring"
const coordinator = { personId: Ids.newId(), role: "coordinator" } as const
const programmeId = Ids.newId()
const mentorId = Ids.newId()

// #region postgres
const db = await PgReadModels.open({ url, schema, projections: "inline" })
const ledger = createLedger({ store: db.layer })
await ledger.execute({
  _tag: "LaunchProgramme",
  actor: coordinator,
  programmeId,
  name: "Headmasters as Mentors 2026",
  templates: [Template.headmastersAsMentors]
})
await ledger.execute({ _tag: "EnrolMentor", actor: coordinator, programmeId, mentorId, capacity: 2 })

const pool = await db.queries.mentorLoad(coordinator, programmeId)
console.log(`mentor pool in schema ${schema}: ${pool.map((m) => `${m.free} of ${m.capacity} places free`)}`)
await ledger.close()
await db.close() // ends the connection pool
// #endregion postgres
