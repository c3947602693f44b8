import { EventJournal, Ids } from "@mentor-ledger/core"
import * as Effect from "effect/Effect"
import {
  type CompiledQuery,
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  sql
} from "kysely"
import { describe, expect, it } from "vitest"
import { type Dialect, type Executor, Journal, Migrations, Tables } from "../src/index.js"

// What the journal and the migrations say in PostgreSQL's SQL, compiled
// without a server: the PostgreSQL adapter will run them for real.

const postgres = (log?: (sql: string) => void) =>
  new Kysely<any>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler()
    },
    ...(log === undefined ? {} : { log: (event) => log(event.query.sql) })
  })

const generated: Dialect.Dialect = {
  name: "postgres",
  positions: { _tag: "Generated", transactionId: sql`pg_current_xact_id()::text::bigint` },
  classify: () => ({ _tag: "Failure", reason: "Unknown" })
}

describe("Tables", () => {
  it("prefixes every name, and refuses prefixes that are not plain identifiers", () => {
    expect(Tables.make("hr_").events).toBe("hr_events")
    expect(Tables.make().migrationLock).toBe("ml_migration_lock")
    for (const bad of ["", "1ml_", "ml-", 'ml"', "a".repeat(32)])
      expect(() => Tables.make(bad)).toThrow(/prefix/)
  })
})

describe("Migrations", () => {
  it("are named in order, one step per file", () => {
    expect(Object.keys(Migrations.all({ dialect: generated }))).toEqual(Migrations.names)
    expect(Migrations.latestVersion).toBe(Migrations.names.length)
  })

  it("create PostgreSQL's events table with an identity position and jsonb payload", async () => {
    const statements: Array<string> = []
    const db = postgres((s) => statements.push(s))
    for (const step of Object.values(Migrations.all({ dialect: generated, tablePrefix: "hr_" })))
      await step.up(db)
    expect(statements[0]).toContain(
      'create table "hr_events" ("position" bigint generated always as identity primary key'
    )
    expect(statements[0]).toContain('"payload" jsonb not null')
    expect(statements[0]).toContain(
      'constraint "hr_events_stream_version_key" unique ("organisation", "stream", "version")'
    )
    expect(statements.slice(1)).toEqual([
      'create index "hr_events_log" on "hr_events" ("transaction_id", "position")',
      'create table "hr_meta" ("key" text primary key, "value" text not null)',
      'insert into "hr_meta" ("key", "value") values ($1, $2)',
      'create index "hr_events_organisation_log" on "hr_events" ("organisation", "transaction_id", "position")',
      'update "hr_meta" set "value" = $1 where "key" = $2'
    ])
  })
})

describe("Journal", () => {
  it("lets the database number the rows when positions are Generated, binding every other column", async () => {
    const queries: Array<CompiledQuery> = []
    const recording: Executor.Executor = {
      execute: (query) => {
        queries.push(query)
        return Effect.succeed(
          query.sql.startsWith("insert")
            ? [
                { position: "41", transaction_id: "900" },
                { position: "42", transaction_id: "900" }
              ]
            : [{ version: 0 }]
        )
      },
      transaction: (use) => use(recording)
    }
    const journal = Journal.make(postgres(), { dialect: generated, executor: recording })
    const seen: Array<ReadonlyArray<EventJournal.StoredEvent>> = []
    const event = (n: number): EventJournal.EncodedEvent => ({
      eventId: `e-${n}`,
      eventType: "MeetingCancelled",
      schemaVersion: 1,
      payload: "{}",
      metadata: "{}",
      occurredAt: new Date(0),
      recordedAt: new Date(1000)
    })
    const appended = await Effect.runPromise(
      Effect.scoped(
        Effect.zipRight(
          journal.onAppend((rows) => Effect.sync(() => seen.push(rows))),
          journal.append([
            {
              organisation: Ids.defaultOrganisation,
              stream: "s",
              streamType: "Mentorship",
              expected: 0,
              events: [event(1), event(2)]
            }
          ])
        )
      )
    )
    expect(appended).toEqual([{ organisation: "default", stream: "s", firstVersion: 1, lastVersion: 2 }])
    const insert = queries.find((q) => q.sql.startsWith("insert"))!
    expect(insert.sql).toContain('"transaction_id", "organisation"')
    expect(insert.sql).toContain("(pg_current_xact_id()::text::bigint, $1, $2, $3, $4, $5")
    expect(insert.sql).toMatch(/returning "position", "transaction_id"$/)
    expect(insert.parameters).toEqual([
      ...["default", "s", "Mentorship", 1, "e-1", "MeetingCancelled", 1, "{}", "{}"],
      ...[new Date(0).toISOString(), new Date(1000).toISOString()],
      ...["default", "s", "Mentorship", 2, "e-2", "MeetingCancelled", 1, "{}", "{}"],
      ...[new Date(0).toISOString(), new Date(1000).toISOString()]
    ])
    expect(seen[0]!.map((r) => r.position)).toEqual([
      { transaction: 900n, sequence: 41n },
      { transaction: 900n, sequence: 42n }
    ])
  })
})
