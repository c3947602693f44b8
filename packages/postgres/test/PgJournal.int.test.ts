import { EventJournal, Ids } from "@mentor-ledger/core"
import { Dialect, Journal, Migrations } from "@mentor-ledger/sql"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import { Kysely, PostgresDialect, sql } from "kysely"
import pg from "pg"
import { describe, expect, it } from "vitest"
import { PgJournal } from "../src/index.js"
import {
  applicationName,
  batch,
  event,
  eventId,
  eventually,
  expectStoreError,
  failure,
  fresh,
  holdAppends,
  listening,
  open,
  run,
  storedRows,
  waiting
} from "./fixtures.js"
import { dropSchema, onServer, query, schemaName, serverUrl, withClient } from "./server.js"

/** A kysely instance of its own on the test server (ended with `destroy`). */
const kysely = () =>
  new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: serverUrl() }) }) })

onServer("PgJournal", () => {
  // -------------------------------------------------------------------------
  // Opening
  // -------------------------------------------------------------------------

  describe("opening", () => {
    it("plans every execution of its prepared statements for its values, keeping the URL's own options", async () => {
      await run(
        Effect.gen(function* () {
          const setting = (journal: PgJournal.PgEventJournal, name: string) =>
            Effect.promise(() =>
              sql<Record<string, string>>`select current_setting(${name}) as value`.execute(journal.db)
            ).pipe(Effect.map((r) => r.rows[0]!.value))
          const journal = yield* fresh()
          // a generic plan made while the events table was empty would scan it whole ever after
          expect(yield* setting(journal, "plan_cache_mode")).toBe("force_custom_plan")
          const url = new URL(serverUrl())
          url.searchParams.set("options", "-c default_transaction_read_only=on -c work_mem=8MB")
          const readonly = yield* PgJournal.make({ url: url.toString(), schema: journal.schema })
          expect(yield* setting(readonly, "plan_cache_mode")).toBe("force_custom_plan")
          expect(yield* setting(readonly, "default_transaction_read_only")).toBe("on")
          expect(yield* setting(readonly, "work_mem")).toBe("8MB")
          // the URL's own setting wins over ours
          url.searchParams.set("options", "-c plan_cache_mode=auto")
          const theirs = yield* PgJournal.make({ url: url.toString(), schema: journal.schema })
          expect(yield* setting(theirs, "plan_cache_mode")).toBe("auto")
        })
      )
    })

    it("creates a missing schema and its tables: jsonb payloads, timestamptz instants, an identity position", async () => {
      const schema = schemaName()
      try {
        await run(
          Effect.gen(function* () {
            const journal = yield* open(schema)
            yield* journal.append([batch("s-1", 0, 1, 2)])
          })
        )
        const tables = await query<{ table_name: string }>(
          "select table_name from information_schema.tables where table_schema = $1 order by table_name",
          [schema]
        )
        expect(tables.map((t) => t.table_name)).toEqual([
          "ml_events",
          "ml_keys",
          "ml_meta",
          "ml_migration",
          "ml_migration_lock"
        ])
        const columns = await query<{ column_name: string; data_type: string; is_identity: string }>(
          "select column_name, data_type, is_identity from information_schema.columns where table_schema = $1 and table_name = 'ml_events' order by ordinal_position",
          [schema]
        )
        expect(columns.map((c) => [c.column_name, c.data_type])).toEqual([
          ["position", "bigint"],
          ["transaction_id", "bigint"],
          ["organisation", "text"],
          ["stream", "text"],
          ["stream_type", "text"],
          ["version", "integer"],
          ["event_id", "text"],
          ["event_type", "text"],
          ["schema_version", "integer"],
          ["payload", "jsonb"],
          ["metadata", "jsonb"],
          ["occurred_at", "timestamp with time zone"],
          ["recorded_at", "timestamp with time zone"]
        ])
        expect(columns[0]!.is_identity).toBe("YES")
        const constraints = await query<{ conname: string }>(
          "select conname from pg_constraint where connamespace = $1::regnamespace and contype = 'u' order by conname",
          [schema]
        )
        expect(constraints.map((c) => c.conname)).toEqual([
          "ml_events_event_id_key",
          "ml_events_stream_version_key"
        ])
        // jsonb: the payload is queryable in SQL
        const payloads = await query(
          `select payload->>'n' as n, occurred_at from "${schema}".ml_events order by version`
        )
        expect(payloads).toEqual([
          { n: "1", occurred_at: event(1).occurredAt },
          { n: "2", occurred_at: event(2).occurredAt }
        ])
      } finally {
        await dropSchema(schema)
      }
    })

    it("keeps two schemas, and two prefixes in one schema, apart", async () => {
      const [first, second] = [schemaName(), schemaName()]
      try {
        await run(
          Effect.gen(function* () {
            const a = yield* open(first)
            const b = yield* open(second)
            const c = yield* open(first, { tablePrefix: "hr_ml_" })
            yield* a.append([batch("s-1", 0, 1, 2)])
            yield* b.append([batch("s-1", 0, 3)])
            yield* c.append([batch("s-1", 0, 4)])
            const ids = (journal: EventJournal.EventJournalService) =>
              Effect.map(journal.readAll({ after: EventJournal.start, limit: 10 }), (rows) =>
                rows.map((r) => r.eventId)
              )
            expect(yield* ids(a)).toEqual([eventId(1), eventId(2)])
            expect(yield* ids(b)).toEqual([eventId(3)])
            expect(yield* ids(c)).toEqual([eventId(4)])
            expect([a.channel, c.channel]).toEqual([`${first}.ml_events`, `${first}.hr_ml_events`])
          })
        )
        const tables = await query<{ table_name: string }>(
          "select table_name from information_schema.tables where table_schema = $1 order by table_name",
          [first]
        )
        expect(tables.map((t) => t.table_name)).toEqual([
          "hr_ml_events",
          "hr_ml_keys",
          "hr_ml_meta",
          "hr_ml_migration",
          "hr_ml_migration_lock",
          "ml_events",
          "ml_keys",
          "ml_meta",
          "ml_migration",
          "ml_migration_lock"
        ])
      } finally {
        await dropSchema(first)
        await dropSchema(second)
      }
    })

    it("sets each connection's lock timeout and application name", async () => {
      const settings = await run(
        Effect.gen(function* () {
          const journal = yield* fresh({ lockTimeout: 1234, applicationName: "ml-settings" })
          const show = (name: string) =>
            Effect.map(
              journal.executor.execute(sql.raw(`show ${name}`).compile(journal.db)),
              (rows) => rows[0]![name]
            )
          return {
            lock_timeout: yield* show("lock_timeout"),
            application_name: yield* show("application_name")
          }
        })
      )
      expect(settings).toEqual({ lock_timeout: "1234ms", application_name: "ml-settings" })
    })

    it("refuses an invalid schema or prefix, or a channel name PostgreSQL cannot hold, before connecting", async () => {
      // an unreachable URL: the options are checked before any connection
      const url = "postgres://postgres@127.0.0.1:1/none"
      for (const options of [
        { schema: "pg_catalog" },
        { schema: "1st" },
        { schema: 'a"; drop schema public; --' },
        { tablePrefix: "ml-" },
        { schema: "s".repeat(50), tablePrefix: "a_long_table_prefix_" }
      ]) {
        const error = await failure(PgJournal.make({ url, ...options }))
        expectStoreError(error, "Unknown")
        expect((error as Error).message).toMatch(/schema|prefix|channel/)
      }
    })

    it("opens with a Promise for code that does not run Effect; closing ends the pool", async () => {
      const schema = schemaName()
      try {
        const opened = await PgJournal.open({ url: serverUrl(), schema })
        await Effect.runPromise(opened.journal.append([batch("s-1", 0, 1)]))
        const version = await Effect.runPromise(
          Effect.provide(
            Effect.flatMap(EventJournal.EventJournal, (j) => j.streamVersion(Ids.defaultOrganisation, "s-1")),
            opened.layer
          )
        )
        expect(version).toBe(1)
        await opened.close()
        expect(opened.journal.pool.ended).toBe(true)
        expect(opened.journal.pool.totalCount).toBe(0)
      } finally {
        await dropSchema(schema)
      }
      await expect(PgJournal.open({ url: "postgres://postgres@127.0.0.1:1/none" })).rejects.toMatchObject({
        _tag: "StoreError",
        reason: "Unavailable"
      })
    })
  })

  // -------------------------------------------------------------------------
  // Migrations
  // -------------------------------------------------------------------------

  describe("migrations", () => {
    it("instances migrating a new schema at once migrate it once: the schema lock makes the others wait", async () => {
      const schema = schemaName()
      const instances = Array.from({ length: 6 }, kysely)
      try {
        const ran = await Promise.all(
          instances.map((db) =>
            Effect.runPromise(Migrations.migrate(db, { dialect: Dialect.postgres, schema }))
          )
        )
        expect(ran.flat().sort()).toEqual([...Migrations.names])
        const state = await Effect.runPromise(
          Migrations.state(instances[0]!, { dialect: Dialect.postgres, schema })
        )
        expect(state).toEqual({
          initialised: true,
          executed: Migrations.names,
          schemaVersion: Migrations.latestVersion
        })
        // and journals opened together all open
        await run(
          Effect.all(
            Array.from({ length: 4 }, () => open(schema)),
            { concurrency: "unbounded" }
          )
        )
      } finally {
        await Promise.all(instances.map((db) => db.destroy()))
        await dropSchema(schema)
      }
    })

    it.each(["0001_events", "0002_meta"])(
      "upgrades a schema at %s with rows in it to the latest, keeping the rows",
      async (step) => {
        const schema = schemaName()
        const db = kysely()
        try {
          const { error, results } = await Migrations.migrator(db, {
            dialect: Dialect.postgres,
            schema
          }).migrateTo(step)
          expect(error).toBeUndefined()
          expect(results?.map((r) => r.migrationName)).toEqual(
            Migrations.names.slice(0, Migrations.names.indexOf(step) + 1)
          )
          // rows as an older version of the library wrote them
          await query(
            `insert into "${schema}".ml_events (transaction_id, organisation, stream, stream_type, version, event_id, event_type, schema_version, payload, metadata, occurred_at, recorded_at)
             values (7, 'default', 's-1', 'Mentorship', 1, $1, 'MeetingCancelled', 1, '{"n":1}', '{}', '2025-03-01T09:00:00Z', '2025-03-03T08:00:00Z'),
                    (8, 'default', 's-2', 'Mentorship', 1, $2, 'MeetingCancelled', 1, '{"n":2}', '{}', '2025-03-01T09:00:00Z', '2025-03-03T08:00:00Z'),
                    (9, 'default', 's-1', 'Mentorship', 2, $3, 'MeetingCancelled', 1, '{"n":3}', '{}', '2025-03-01T09:00:00Z', '2025-03-03T08:00:00Z')`,
            [eventId(1), eventId(2), eventId(3)]
          )
          const before = await storedRows(schema)
          await run(
            Effect.gen(function* () {
              const journal = yield* open(schema)
              expect(
                (yield* journal.readStream(Ids.defaultOrganisation, "s-1")).map((e) => [e.eventId, e.version])
              ).toEqual([
                [eventId(1), 1],
                [eventId(3), 2]
              ])
              const log = yield* journal.readAll({
                after: EventJournal.start,
                limit: 10,
                organisation: Ids.defaultOrganisation
              })
              expect(log.map((e) => e.eventId)).toEqual([eventId(1), eventId(2), eventId(3)])
              // appends go on after the old rows, in the stream and in the log
              yield* journal.append([batch("s-1", 2, 4)])
              const [latest] = yield* journal.findEvents([eventId(4)])
              expect(latest!.version).toBe(3)
              expect(EventJournal.compare(log[2]!.position, latest!.position)).toBe(-1)
              expect(yield* Migrations.state(journal.db, { dialect: Dialect.postgres, schema })).toEqual({
                initialised: true,
                executed: Migrations.names,
                schemaVersion: Migrations.latestVersion
              })
            })
          )
          expect((await storedRows(schema)).slice(0, 3)).toEqual(before)
          const indexes = await query<{ indexname: string }>(
            "select indexname from pg_indexes where schemaname = $1 and tablename = 'ml_events' order by indexname",
            [schema]
          )
          expect(indexes.map((i) => i.indexname)).toEqual([
            "ml_events_event_id_key",
            "ml_events_log",
            "ml_events_organisation_log",
            "ml_events_pkey",
            "ml_events_stream_version_key"
          ])
        } finally {
          await db.destroy()
          await dropSchema(schema)
        }
      }
    )

    it("opening a current schema again runs nothing", async () => {
      const db = kysely()
      try {
        await run(
          Effect.gen(function* () {
            const journal = yield* fresh()
            const ran = yield* Migrations.migrate(db, { dialect: Dialect.postgres, schema: journal.schema })
            expect(ran).toEqual([])
          })
        )
      } finally {
        await db.destroy()
      }
    })
  })

  // -------------------------------------------------------------------------
  // Notifications
  // -------------------------------------------------------------------------

  describe("notifications", () => {
    it("a listener hears each committed append with its organisations, in commit order, and no rolled-back one", async () => {
      const schoolA = "school-a" as Ids.OrganisationId
      const schoolB = "school-b" as Ids.OrganisationId
      const heard = await run(
        Effect.gen(function* () {
          const journal = yield* fresh()
          // appends whose first event is 99 roll back after their insert (and NOTIFY)
          yield* journal.onAppend((rows) =>
            rows[0]!.eventId === eventId(99)
              ? Effect.fail(new EventJournal.StoreError({ reason: "Unknown", message: "rolled back" }))
              : Effect.void
          )
          const listener = yield* Effect.fork(
            Stream.runCollect(Stream.take(journal.notifications, 2)).pipe(Effect.map(Chunk.toArray))
          )
          yield* Effect.promise(() => listening(journal.channel))
          yield* journal.append([{ ...batch("s-1", 0, 1), organisation: schoolA }])
          expectStoreError(yield* Effect.flip(journal.append([batch("s-2", 0, 99)])), "Unknown")
          yield* journal.append([
            { ...batch("s-3", 0, 2), organisation: schoolB },
            batch("s-4", 0, 3),
            { ...batch("s-5", 0, 4), organisation: schoolB }
          ])
          return yield* Fiber.join(listener)
        })
      )
      expect(heard).toEqual([
        { organisations: [schoolA] },
        { organisations: [schoolB, Ids.defaultOrganisation] }
      ])
    })

    it("a journal opened with notify: false sends none", async () => {
      const heard = await run(
        Effect.gen(function* () {
          const loud = yield* fresh()
          const quiet = yield* open(loud.schema, { notify: false })
          const listener = yield* Effect.fork(
            Stream.runCollect(Stream.take(loud.notifications, 1)).pipe(Effect.map(Chunk.toArray))
          )
          yield* Effect.promise(() => listening(loud.channel))
          yield* quiet.append([{ ...batch("s-1", 0, 1), organisation: "quiet" as Ids.OrganisationId }])
          yield* loud.append([{ ...batch("s-2", 0, 2), organisation: "loud" as Ids.OrganisationId }])
          return yield* Fiber.join(listener)
        })
      )
      expect(heard).toEqual([{ organisations: ["loud"] }])
    })

    it("a listener whose connection is lost fails with StoreError Unavailable", async () => {
      const error = await failure(
        Effect.gen(function* () {
          const journal = yield* fresh()
          const listener = yield* Effect.fork(Stream.runDrain(journal.notifications))
          yield* Effect.promise(() => listening(journal.channel))
          yield* Effect.promise(() =>
            query("select pg_terminate_backend(pid) from pg_stat_activity where query = $1", [
              `listen "${journal.channel}"`
            ])
          )
          return yield* Fiber.join(listener)
        })
      )
      expectStoreError(error, "Unavailable")
    })
  })

  // -------------------------------------------------------------------------
  // Unique keys: PostgreSQL's own errors (SQLSTATE 23505), not the version check
  // -------------------------------------------------------------------------

  describe("unique keys", () => {
    it("sorts PostgreSQL's errors: 23505 by constraint name, the rest by SQLSTATE", async () => {
      await run(
        Effect.gen(function* () {
          const journal = yield* fresh()
          yield* journal.append([batch("s-1", 0, 1)])
          const caught = (statement: string) =>
            Effect.promise(() =>
              withClient(async (client) => {
                try {
                  await client.query(statement)
                } catch (error) {
                  return error
                }
                throw new Error(`no error from ${statement}`)
              })
            )
          const table = `"${journal.schema}".ml_events`
          const row = (version: number, id: string) =>
            `insert into ${table} (transaction_id, organisation, stream, stream_type, version, event_id, event_type, schema_version, payload, metadata, occurred_at, recorded_at)
             values (0, 'default', 's-1', 'Mentorship', ${version}, '${id}', 'T', 1, '{}', '{}', now(), now())`
          const classify = (error: unknown) => Dialect.postgres.classify(error, journal.tables)
          expect(classify(yield* caught(row(1, "other-id")))).toEqual({
            _tag: "UniqueViolation",
            key: "streamVersion"
          })
          expect(classify(yield* caught(row(2, eventId(1))))).toEqual({
            _tag: "UniqueViolation",
            key: "eventId"
          })
          expect(
            classify(
              yield* caught(
                `insert into "${journal.schema}".ml_meta (key, value) values ('schema_version', '9')`
              )
            )
          ).toEqual({ _tag: "UniqueViolation", key: "other" })
          expect(
            classify(
              yield* caught(
                `begin read only; insert into "${journal.schema}".ml_meta (key, value) values ('k', 'v')`
              )
            )
          ).toEqual({ _tag: "Failure", reason: "ReadOnly" })
          expect(classify(yield* caught("select * from nowhere"))).toEqual({
            _tag: "Failure",
            reason: "Unknown"
          })
        })
      )
    })

    it("without stream locks, an append that loses the race on (organisation, stream, version) gets StreamVersionMismatch", async () => {
      await run(
        Effect.gen(function* () {
          const first = yield* fresh()
          const name = applicationName()
          const second = yield* open(first.schema, { applicationName: name })
          const { streamLocks: _, ...unlockedDialect } = Dialect.postgres
          const unlocked = Journal.make(second.db, { dialect: unlockedDialect, schema: second.schema })
          yield* first.append([batch("s-1", 0, 1)])
          const held = yield* holdAppends(first)
          const winner = yield* Effect.fork(first.append([batch("s-1", 1, 2)]))
          yield* held.inside
          // the loser reads version 1 (the winner has not committed), inserts
          // version 2 and waits on the unique key for the winner's outcome
          const loser = yield* Effect.fork(Effect.either(unlocked.append([batch("s-1", "any", 3)])))
          yield* Effect.promise(() => eventually(async () => (await waiting(name)) > 0, "the loser waits"))
          yield* held.release
          yield* Fiber.join(winner)
          const lost = yield* Fiber.join(loser)
          expect(lost._tag).toBe("Left")
          expect(lost._tag === "Left" && lost.left).toEqual(
            new EventJournal.StreamVersionMismatch({
              organisation: Ids.defaultOrganisation,
              stream: "s-1",
              expected: "any",
              actual: 2
            })
          )
          expect(
            (yield* first.readStream(Ids.defaultOrganisation, "s-1")).map((e) => [e.version, e.eventId])
          ).toEqual([
            [1, eventId(1)],
            [2, eventId(2)]
          ])
        })
      )
    })

    it("with stream locks, the same race with expected any waits for the winner and lands after it", async () => {
      await run(
        Effect.gen(function* () {
          const first = yield* fresh()
          const name = applicationName()
          const second = yield* open(first.schema, { applicationName: name })
          const held = yield* holdAppends(first)
          const winner = yield* Effect.fork(first.append([batch("s-1", 0, 1)]))
          yield* held.inside
          const later = yield* Effect.fork(second.append([batch("s-1", "any", 2)]))
          yield* Effect.promise(() =>
            eventually(async () => (await waiting(name)) > 0, "the second waits for the stream lock")
          )
          yield* held.release
          yield* Fiber.join(winner)
          expect(yield* Fiber.join(later)).toEqual([
            { organisation: Ids.defaultOrganisation, stream: "s-1", firstVersion: 2, lastVersion: 2 }
          ])
        })
      )
    })

    it("an append that loses the race on event_id gets DuplicateEventId", async () => {
      await run(
        Effect.gen(function* () {
          const first = yield* fresh()
          const name = applicationName()
          const second = yield* open(first.schema, { applicationName: name })
          const held = yield* holdAppends(first)
          const winner = yield* Effect.fork(first.append([batch("s-1", 0, 1)]))
          yield* held.inside
          // another stream (no lock in common), the same event id
          const loser = yield* Effect.fork(Effect.either(second.append([batch("s-2", 0, 5, 1)])))
          yield* Effect.promise(() => eventually(async () => (await waiting(name)) > 0, "the loser waits"))
          yield* held.release
          yield* Fiber.join(winner)
          const lost = yield* Fiber.join(loser)
          expect(lost._tag === "Left" && lost.left).toEqual(
            new EventJournal.DuplicateEventId({ eventIds: [eventId(1)] })
          )
          expect(yield* second.streamVersion(Ids.defaultOrganisation, "s-2")).toBe(0)
        })
      )
    })
  })
})
