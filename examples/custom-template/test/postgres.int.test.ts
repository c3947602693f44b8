/**
 * The programme's template and read model are written once: the same
 * story on PostgreSQL gives the same refusals and the same rows as on
 * SQLite. Skipped, saying why, without a test server
 * (`eval "$(bash scripts/postgres.sh start)"`); CI always has one.
 */
import { randomBytes } from "node:crypto"
import { createLedger } from "@mentor-ledger/core"
import { PgReadModels } from "@mentor-ledger/postgres"
import { ReadModels } from "@mentor-ledger/sql"
import { SqliteReadModels } from "@mentor-ledger/sqlite"
import { sql } from "kysely"
import { describe, expect, it } from "vitest"
import { circles, circlesWithoutMeeting, readCircles } from "../src/circles.js"
import { asOf, playCircles } from "../src/story.js"

const url = process.env.MENTOR_LEDGER_PG_URL?.trim() || undefined
const skipped =
  url === undefined
    ? ' [skipped: MENTOR_LEDGER_PG_URL is not set; eval "$(bash scripts/postgres.sh start)"]'
    : ""

/** Plays the story on a store; returns what was refused and the read model, as plain values. */
const playOn = async (db: SqliteReadModels.OpenStore | PgReadModels.OpenStore) => {
  const ledger = createLedger({ store: db.layer })
  try {
    const lines = await playCircles(ledger)
    return {
      refused: lines.filter((l) => l.kind === "refused").map((l) => [l.command, l.error?.at]),
      model: await readCircles(db.journal.db),
      quiet: (await circlesWithoutMeeting(db.journal.db, asOf)).map((c) => c.mentorship_id)
    }
  } finally {
    await ledger.close()
  }
}

describe.skipIf(url === undefined)(`the circle template and read model on PostgreSQL${skipped}`, () => {
  it("give the same refusals and rows as on SQLite", async () => {
    const onSqlite = await SqliteReadModels.open({
      filename: ":memory:",
      projections: "inline",
      readModels: [...ReadModels.projections, circles]
    })
    const expected = await playOn(onSqlite).finally(() => onSqlite.close())

    const schema = `ml_example_circles_${randomBytes(6).toString("hex")}`
    const onPostgres = await PgReadModels.open({
      url: url!,
      schema,
      projections: "inline",
      readModels: [...ReadModels.projections, circles]
    })
    try {
      const actual = await playOn(onPostgres)
      expect(actual.refused).toEqual(expected.refused)
      expect(actual.model).toEqual(expected.model)
      expect(actual.quiet).toEqual(expected.quiet)
      expect(actual.model.circles).toHaveLength(2)
    } finally {
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(onPostgres.journal.db)
      await onPostgres.close()
    }
  })
})
