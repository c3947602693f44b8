import { EventJournal, Ids } from "@mentor-ledger/core"
import * as Effect from "effect/Effect"
import {
  type CompiledQuery,
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler
} from "kysely"
import { describe, expect, it } from "vitest"
import { Dialect, type Executor, Journal, Migrations, Tables } from "../src/index.js"

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

const generated = Dialect.postgres

describe("Tables", () => {
  it("prefixes every name, and refuses prefixes that are not plain identifiers", () => {
    expect(Tables.make("hr_").events).toBe("hr_events")
    expect(Tables.make().migrationLock).toBe("ml_migration_lock")
    for (const bad of ["", "1ml_", "ml-", 'ml"', "a".repeat(32)])
      expect(() => Tables.make(bad)).toThrow(/prefix/)
  })

  it("carries a schema when given one, and refuses schemas that are not plain identifiers or are PostgreSQL's", () => {
    expect(Tables.make("ml_", "mentoring")).toMatchObject({ schema: "mentoring", events: "ml_events" })
    expect("schema" in Tables.make()).toBe(false)
    expect(Tables.make("ml_", "s".repeat(63)).schema).toHaveLength(63)
    for (const bad of ["", "1st", "a-b", 'a"b', "pg_catalog", "PG_x", "s".repeat(64)])
      expect(() => Tables.make("ml_", bad)).toThrow(/schema/)
  })
})

describe("Dialect.postgres", () => {
  it("gives advisory-lock keys per schema and prefix: stable, 64-bit, different for different names", () => {
    const tables = Tables.make("ml_", "public")
    const key = Dialect.advisoryKey(tables, "stream", "default", "s-1")
    expect(key).toBe(Dialect.advisoryKey(Tables.make("ml_", "public"), "stream", "default", "s-1"))
    expect(BigInt.asIntN(64, key)).toBe(key)
    const others = [
      Dialect.advisoryKey(tables, "stream", "default", "s-2"),
      Dialect.advisoryKey(tables, "stream", "defaults-1"),
      Dialect.advisoryKey(Tables.make("hr_", "public"), "stream", "default", "s-1"),
      Dialect.advisoryKey(Tables.make("ml_", "other"), "stream", "default", "s-1"),
      Dialect.advisoryKey(tables, "migrations")
    ]
    expect(new Set([key, ...others]).size).toBe(6)
  })

  it("locks each stream of an append once, in one order whatever the order of the batches", () => {
    const tables = Tables.make("ml_", "public")
    const { keys } = Dialect.postgres.streamLocks!
    const a = { organisation: "default", stream: "a" }
    const b = { organisation: "default", stream: "b" }
    const ab = keys(tables, [a, b, a]) as ReadonlyArray<string>
    expect(ab).toHaveLength(2)
    expect(keys(tables, [b, a])).toEqual(ab)
    expect([...ab].map(BigInt)).toEqual([...ab].map(BigInt).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)))
  })

  it("sorts errors by SQLSTATE, unique violations by constraint name, lost connections as Unavailable", () => {
    const tables = Tables.make("ml_", "public")
    const classify = (cause: unknown) => Dialect.postgres.classify(cause, tables)
    expect(classify({ code: "23505", constraint: "ml_events_stream_version_key" })).toEqual({
      _tag: "UniqueViolation",
      key: "streamVersion"
    })
    expect(classify({ code: "23505", constraint: "ml_events_event_id_key" })).toEqual({
      _tag: "UniqueViolation",
      key: "eventId"
    })
    expect(classify({ code: "23505", constraint: "hr_events_event_id_key" })).toEqual({
      _tag: "UniqueViolation",
      key: "other"
    })
    const reasons: ReadonlyArray<readonly [unknown, string]> = [
      [{ code: "25006" }, "ReadOnly"],
      [{ code: "55P03" }, "Locked"],
      [{ code: "40P01" }, "Locked"],
      [{ code: "57P01" }, "Unavailable"],
      [{ code: "08006" }, "Unavailable"],
      [{ code: "3D000" }, "Unavailable"],
      [{ code: "28P01" }, "Unavailable"],
      [{ code: "53300" }, "Unavailable"],
      [{ code: "XX001" }, "Corrupt"],
      [{ code: "ECONNREFUSED" }, "Unavailable"],
      [Object.assign(new AggregateError([{ code: "ECONNREFUSED" }]), {}), "Unavailable"],
      [new Error("Connection terminated unexpectedly"), "Unavailable"],
      [new Error("timeout exceeded when trying to connect"), "Unavailable"],
      [new Error("Client has encountered a connection error and is not queryable"), "Unavailable"],
      [{ code: "42P01" }, "Unknown"],
      [new Error("something else"), "Unknown"],
      ["text", "Unknown"]
    ]
    for (const [cause, reason] of reasons)
      expect(classify(cause), JSON.stringify(cause)).toEqual({ _tag: "Failure", reason })
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
      'update "hr_meta" set "value" = $1 where "key" = $2',
      'create table "hr_keys" ("organisation" text not null, "subject" text not null, "material" bytea, "wrapping" text, "created_at" timestamptz, "erased_at" timestamptz, constraint "hr_keys_pkey" primary key ("organisation", "subject"))',
      'update "hr_meta" set "value" = $1 where "key" = $2'
    ])
  })
})

describe("Migrations in a schema", () => {
  it("create the tables in the schema, under an advisory lock of the schema and prefix", async () => {
    const statements: Array<string> = []
    const db = postgres((s) => statements.push(s))
    // as the Migrator runs them: on a kysely instance bound to the schema
    for (const step of Object.values(Migrations.all({ dialect: generated, schema: "mentoring" })))
      await step.up(db.withSchema("mentoring"))
    expect(statements[0]).toContain('create table "mentoring"."ml_events"')
    expect(statements).toContain(
      'create index "ml_events_log" on "mentoring"."ml_events" ("transaction_id", "position")'
    )
    expect(Dialect.postgres.migrationLock!(Tables.make("ml_", "mentoring")).compile(db).sql).toBe(
      `select pg_advisory_xact_lock((${Dialect.advisoryKey(Tables.make("ml_", "mentoring"), "migrations")})::bigint)`
    )
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
    // before anything else, the append locks its streams
    expect(queries[0]!.sql).toBe("select pg_advisory_xact_lock(k) from unnest(cast($1 as bigint[])) as k")
    expect(queries[0]!.parameters).toEqual([
      [String(Dialect.advisoryKey(Tables.make(), "stream", "default", "s"))]
    ])
  })

  it("reads the global log only below the oldest running transaction, and everything in the schema", async () => {
    const queries: Array<CompiledQuery> = []
    const recording: Executor.Executor = {
      execute: (query) => {
        queries.push(query)
        return Effect.succeed([])
      },
      transaction: (use) => use(recording)
    }
    const journal = Journal.make(postgres(), { dialect: generated, executor: recording, schema: "mentoring" })
    await Effect.runPromise(journal.readAll({ after: { transaction: 5n, sequence: 7n }, limit: 10 }))
    await Effect.runPromise(journal.readStream(Ids.defaultOrganisation, "s"))
    expect(queries[0]!.sql).toContain('from "mentoring"."ml_events"')
    expect(queries[0]!.sql).toContain(
      'where ("transaction_id", "position") > ($1, $2) and "transaction_id" < pg_snapshot_xmin(pg_current_snapshot())::text::bigint order by "transaction_id", "position" limit $3'
    )
    expect(queries[0]!.parameters).toEqual([5n, 7n, 10])
    expect(queries[0]!.sql).toContain('cast("payload" as text) as "payload"')
    // a stream read needs no horizon: the version lock orders a stream's writers
    expect(queries[1]!.sql).toContain('from "mentoring"."ml_events"')
    expect(queries[1]!.sql).not.toContain("pg_snapshot_xmin")
  })
})
