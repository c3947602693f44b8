import { existsSync, statSync, readFileSync, writeFileSync } from "node:fs"
import { EventJournal, Ids } from "@mentor-ledger/core"
import { Dialect, type Executor, Journal, Migrations } from "@mentor-ledger/sql"
import Database from "better-sqlite3"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Scope from "effect/Scope"
import { Kysely, SqliteDialect, sql } from "kysely"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { SqliteJournal } from "../src/index.js"
import { makeTempDir } from "./tempFile.js"

// ---------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------

const eventId = (n: number) => `eeeeeeee-0000-7000-8000-${n.toString(16).padStart(12, "0")}`

const event = (n: number): EventJournal.EncodedEvent => ({
  eventId: eventId(n),
  eventType: "MeetingCancelled",
  schemaVersion: 1,
  payload: JSON.stringify({ n }),
  metadata: "{}",
  occurredAt: new Date(Date.UTC(2025, 2, 1, 9, 0, n)),
  recordedAt: new Date(Date.UTC(2025, 2, 3, 8, 0, n))
})

const batch = (
  stream: string,
  expected: number | "any",
  ...events: ReadonlyArray<number>
): EventJournal.StreamAppend => ({
  organisation: Ids.defaultOrganisation,
  stream,
  streamType: "Mentorship",
  expected,
  events: events.map(event)
})

const run = <A, E>(effect: Effect.Effect<A, E, Scope.Scope>): Promise<A> =>
  Effect.runPromise(Effect.scoped(effect))

/** The error an effect fails with (the test fails if it succeeds). */
const failure = async <A, E>(effect: Effect.Effect<A, E, Scope.Scope>): Promise<E> => {
  const exit = await Effect.runPromiseExit(Effect.scoped(effect))
  if (Exit.isSuccess(exit)) throw new Error(`expected a failure, got ${JSON.stringify(exit.value)}`)
  const failed = Cause.failureOption(exit.cause)
  if (failed._tag === "None") throw Cause.squash(exit.cause)
  return failed.value
}

const expectStoreError = (error: unknown, reason: EventJournal.StoreError["reason"]) => {
  expect(error).toBeInstanceOf(EventJournal.StoreError)
  expect((error as EventJournal.StoreError).reason, (error as Error).message).toBe(reason)
}

/** What is stored, read with a plain connection of its own. */
const storedRows = (filename: string, table = "ml_events") => {
  const database = new Database(filename, { readonly: true })
  try {
    return database
      .prepare(`select position, transaction_id, stream, version, event_id from ${table} order by position`)
      .all()
  } finally {
    database.close()
  }
}

const kyselyOn = (database: Database.Database) =>
  new Kysely<any>({ dialect: new SqliteDialect({ database }) })

let temp: ReturnType<typeof makeTempDir>
beforeEach(() => {
  temp = makeTempDir()
})
afterEach(() => {
  temp.remove()
})

/** A database with `n` events in stream "s-1", closed again. */
const seeded = async (n = 3) => {
  const filename = temp.file("ledger.db")
  await run(
    Effect.flatMap(SqliteJournal.make({ filename }), (journal) =>
      journal.append([batch("s-1", 0, ...Array.from({ length: n }, (_, i) => i + 1))])
    )
  )
  return filename
}

// ---------------------------------------------------------------------------
// Opening
// ---------------------------------------------------------------------------

describe("opening", () => {
  it("opens in WAL mode with synchronous = NORMAL, a busy timeout and foreign keys", async () => {
    const filename = temp.file("ledger.db")
    const pragmas = await run(
      Effect.gen(function* () {
        const journal = yield* SqliteJournal.make({ filename, busyTimeout: 1234 })
        const read = (name: string) =>
          Effect.map(
            journal.executor.execute(sql.raw(`pragma ${name}`).compile(journal.db)),
            (rows) => Object.values(rows[0]!)[0]
          )
        return {
          journal_mode: yield* read("journal_mode"),
          synchronous: yield* read("synchronous"),
          busy_timeout: yield* read("busy_timeout"),
          foreign_keys: yield* read("foreign_keys"),
          wal_autocheckpoint: yield* read("wal_autocheckpoint")
        }
      })
    )
    // synchronous: 1 is NORMAL
    expect(pragmas).toEqual({
      journal_mode: "wal",
      synchronous: 1,
      busy_timeout: 1234,
      foreign_keys: 1,
      wal_autocheckpoint: 10_000
    })
    // WAL is a property of the file: another connection sees it too
    const other = new Database(filename)
    expect(other.pragma("journal_mode", { simple: true })).toBe("wal")
    other.close()
  })

  it("creates the schema under the table prefix, and two prefixes share a file independently", async () => {
    const filename = temp.file("ledger.db")
    await run(
      Effect.gen(function* () {
        const a = yield* SqliteJournal.make({ filename })
        const b = yield* SqliteJournal.make({ filename, tablePrefix: "hr_ml_" })
        yield* a.append([batch("s-1", 0, 1, 2)])
        yield* b.append([batch("s-1", 0, 3)])
        expect((yield* a.readStream(Ids.defaultOrganisation, "s-1")).map((e) => e.eventId)).toEqual([
          eventId(1),
          eventId(2)
        ])
        expect((yield* b.readStream(Ids.defaultOrganisation, "s-1")).map((e) => e.eventId)).toEqual([
          eventId(3)
        ])
      })
    )
    const database = new Database(filename, { readonly: true })
    const tables = database
      .prepare(
        "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name"
      )
      .all()
      .map((r) => (r as { name: string }).name)
    database.close()
    expect(tables).toEqual([
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
  })

  it("checkpoints the write-ahead log after checkpointPages pages", async () => {
    const filename = temp.file("ledger.db")
    const pages = await run(
      Effect.gen(function* () {
        const journal = yield* SqliteJournal.make({ filename, checkpointPages: 20 })
        const rows = yield* journal.executor.execute(sql.raw("pragma wal_autocheckpoint").compile(journal.db))
        // past 20 pages, a commit copies the log into the file and the log starts over
        for (let n = 0; n < 200; n++) yield* journal.append([batch(`s-${n}`, 0, 1000 + n)])
        // the log never held much more than 20 frames of 4 KiB (the commit that crossed
        // the mark adds its own); unchecked, 200 commits of several pages would fill megabytes
        expect(statSync(`${filename}-wal`).size).toBeLessThan(40 * 4120)
        return Object.values(rows[0]!)[0]
      })
    )
    expect(pages).toBe(20)
    const database = new Database(filename, { readonly: true })
    expect(database.prepare("select count(*) as n from ml_events").get()).toEqual({ n: 200 })
    database.close()
  })

  it("refuses an invalid checkpointPages with a StoreError before opening the file", async () => {
    for (const checkpointPages of [-1, 1.5, Number.NaN]) {
      const filename = temp.file(`bad-${checkpointPages}.db`)
      const error = await failure(SqliteJournal.make({ filename, checkpointPages }))
      expectStoreError(error, "Unknown")
      expect((error as EventJournal.StoreError).message).toContain("checkpointPages")
      expect(existsSync(filename)).toBe(false)
    }
  })

  it("refuses an invalid table prefix with a StoreError", async () => {
    expectStoreError(
      await failure(SqliteJournal.make({ filename: temp.file("x.db"), tablePrefix: "ml; drop" })),
      "Unknown"
    )
  })

  it("opens with a Promise for code that does not run Effect, and closes the file", async () => {
    const filename = temp.file("ledger.db")
    const opened = await SqliteJournal.open({ filename })
    await Effect.runPromise(opened.journal.append([batch("s-1", 0, 1)]))
    const version = await Effect.runPromise(
      Effect.provide(
        Effect.flatMap(EventJournal.EventJournal, (j) => j.streamVersion(Ids.defaultOrganisation, "s-1")),
        opened.layer
      )
    )
    expect(version).toBe(1)
    await opened.close()
    // closed: the WAL was checkpointed and removed
    expect(existsSync(`${filename}-wal`)).toBe(false)
    await expect(
      SqliteJournal.open({ filename: temp.file("missing.db"), readonly: true })
    ).rejects.toMatchObject({
      _tag: "StoreError",
      reason: "Unavailable"
    })
  })
})

// ---------------------------------------------------------------------------
// Unique keys
// ---------------------------------------------------------------------------

describe("unique keys", () => {
  it("sorts SQLite's unique-constraint errors by key", () => {
    const database = new Database(":memory:")
    const db = kyselyOn(database)
    const caught = (statement: string) => {
      try {
        database.exec(statement)
      } catch (error) {
        return error
      }
      throw new Error("no error")
    }
    return run(
      Effect.gen(function* () {
        yield* Migrations.migrate(db, { dialect: Dialect.sqlite })
        const tables = (yield* SqliteJournalOn(db)).tables
        const row = (version: number, id: string) =>
          `insert into ml_events (transaction_id, organisation, stream, stream_type, version, event_id, event_type, schema_version, payload, metadata, occurred_at, recorded_at)
           values (0, 'default', 's', 'Mentorship', ${version}, '${id}', 'T', 1, '{}', '{}', '', '')`
        database.exec(row(1, "a"))
        expect(Dialect.sqlite.classify(caught(row(1, "b")), tables)).toEqual({
          _tag: "UniqueViolation",
          key: "streamVersion"
        })
        expect(Dialect.sqlite.classify(caught(row(2, "a")), tables)).toEqual({
          _tag: "UniqueViolation",
          key: "eventId"
        })
        expect(Dialect.sqlite.classify(caught("select * from nowhere"), tables)).toEqual({
          _tag: "Failure",
          reason: "Unknown"
        })
      }).pipe(Effect.ensuring(Effect.sync(() => database.close())))
    )
  })

  it("maps a reused event id to DuplicateEventId and writes nothing of the append", async () => {
    const filename = await seeded(2)
    const error = await failure(
      Effect.flatMap(SqliteJournal.make({ filename }), (journal) =>
        // the first batch is fine; the second reuses event 2 in another stream
        journal.append([batch("s-2", 0, 10, 11), batch("s-3", 0, 12, 2)])
      )
    )
    expect(error).toBeInstanceOf(EventJournal.DuplicateEventId)
    expect((error as EventJournal.DuplicateEventId).eventIds).toEqual([eventId(2)])
    expect(storedRows(filename).map((r) => (r as { event_id: string }).event_id)).toEqual([
      eventId(1),
      eventId(2)
    ])
  })

  it("maps the (organisation, stream, version) key to StreamVersionMismatch with the actual version", async () => {
    // A concurrent writer that took the version between the journal's read
    // and its insert (what PostgreSQL's read-committed allows) is simulated
    // by an executor whose version reads of s-1 are stale: the unique key refuses
    // the insert, and the journal reports the version read afresh.
    const filename = await seeded(3)
    const staleInside = (tx: Executor.Executor): Executor.Executor => ({
      execute: (query) =>
        query.sql.includes("max(version)") && query.parameters.includes("s-1")
          ? Effect.succeed([{ version: 1 }])
          : tx.execute(query),
      transaction: (use) => use(staleInside(tx))
    })
    const stale = (executor: Executor.Executor): Executor.Executor => ({
      execute: executor.execute,
      transaction: (use) => executor.transaction((tx) => use(staleInside(tx)))
    })
    const error = await failure(
      Effect.gen(function* () {
        const open = yield* SqliteJournal.make({ filename })
        const journal = Journal.make(open.db, { dialect: Dialect.sqlite, executor: stale(open.executor) })
        return yield* journal.append([batch("s-2", 0, 20), batch("s-1", 1, 21, 22)])
      })
    )
    expect(error).toEqual(
      new EventJournal.StreamVersionMismatch({
        organisation: Ids.defaultOrganisation,
        stream: "s-1",
        expected: 1,
        actual: 3
      })
    )
    expect(storedRows(filename)).toHaveLength(3)
  })
})

/** The SQL journal of a migrated kysely instance (default prefix). */
const SqliteJournalOn = (db: Kysely<any>) => Effect.sync(() => Journal.make(db, { dialect: Dialect.sqlite }))

// ---------------------------------------------------------------------------
// Inline hooks
// ---------------------------------------------------------------------------

describe("append hooks", () => {
  it("run inside the append's transaction with the stored rows; a failing hook rolls the append back", async () => {
    const filename = temp.file("ledger.db")
    await run(
      Effect.gen(function* () {
        const journal = yield* SqliteJournal.make({ filename })
        yield* journal.executor.execute(
          sql`create table read_model (event_id text, position integer)`.compile(journal.db)
        )
        const seen: Array<ReadonlyArray<EventJournal.StoredEvent>> = []
        let failing = false
        yield* journal.onAppend((rows, tx) =>
          Effect.gen(function* () {
            seen.push(rows)
            for (const row of rows) {
              yield* tx
                .execute(
                  journal.db
                    .insertInto("read_model")
                    .values({ event_id: row.eventId, position: Number(row.position.sequence) })
                    .compile()
                )
                .pipe(Effect.orDie)
            }
            // an async step, as a hook doing I/O would have
            yield* Effect.sleep(1)
            if (failing)
              yield* new EventJournal.StoreError({ reason: "Unknown", message: "projection failed" })
          })
        )
        yield* journal.append([batch("s-1", 0, 1, 2), batch("s-2", 0, 3)])
        expect(seen).toHaveLength(1)
        expect(
          seen[0]!.map((r) => [r.eventId, r.stream, r.version, r.position.sequence, r.position.transaction])
        ).toEqual([
          [eventId(1), "s-1", 1, 1n, 1n],
          [eventId(2), "s-1", 2, 2n, 2n],
          [eventId(3), "s-2", 1, 3n, 3n]
        ])
        // the rows the hook got are the rows stored
        expect(
          (yield* journal.readAll({ after: EventJournal.start, limit: 10 })).map((r) => r.position)
        ).toEqual(seen[0]!.map((r) => r.position))
        failing = true
        const error = yield* Effect.flip(journal.append([batch("s-1", 2, 4)]))
        expect(error).toMatchObject({ _tag: "StoreError", message: "projection failed" })
        expect(yield* journal.streamVersion(Ids.defaultOrganisation, "s-1")).toBe(2)
        const model = yield* journal.executor.execute(
          sql`select event_id from read_model`.compile(journal.db)
        )
        expect(model.map((r) => r.event_id)).toEqual([eventId(1), eventId(2), eventId(3)])
      })
    )
  })
})

describe("isolation on the one connection", () => {
  it("a read waits for an append whose hook suspends, and never sees rows that are rolled back", async () => {
    const filename = temp.file("ledger.db")
    await run(
      Effect.gen(function* () {
        const journal = yield* SqliteJournal.make({ filename })
        yield* journal.onAppend(() =>
          Effect.zipRight(
            Effect.sleep(20),
            Effect.fail(new EventJournal.StoreError({ reason: "Unknown", message: "projection failed" }))
          )
        )
        const [appended, read] = yield* Effect.all(
          [
            Effect.either(journal.append([batch("s-1", 0, 1)])),
            // starts while the append's transaction is open
            Effect.zipRight(Effect.sleep(5), journal.readStream(Ids.defaultOrganisation, "s-1"))
          ],
          { concurrency: "unbounded" }
        )
        expect(appended._tag).toBe("Left")
        expect(read).toEqual([])
      })
    )
  })
})

// ---------------------------------------------------------------------------
// Migrations
// ---------------------------------------------------------------------------

describe("migrations", () => {
  it.each(["0001_events", "0002_meta"])(
    "upgrades a database at %s with rows in it to the latest schema, keeping the rows",
    async (step) => {
      const filename = temp.file("ledger.db")
      // A database as an older version of the library left it.
      const database = new Database(filename)
      database.pragma("journal_mode = WAL")
      const db = kyselyOn(database)
      const { error, results } = await Migrations.migrator(db, { dialect: Dialect.sqlite }).migrateTo(step)
      expect(error).toBeUndefined()
      expect(results?.map((r) => r.migrationName)).toEqual(
        Migrations.names.slice(0, Migrations.names.indexOf(step) + 1)
      )
      const insert = database.prepare(
        `insert into ml_events (position, transaction_id, organisation, stream, stream_type, version, event_id, event_type, schema_version, payload, metadata, occurred_at, recorded_at)
         values (?, ?, 'default', ?, 'Mentorship', ?, ?, 'MeetingCancelled', 1, '{"n":0}', '{}', '2025-03-01T09:00:00.000Z', '2025-03-03T08:00:00.000Z')`
      )
      insert.run(1, 1, "s-1", 1, eventId(1))
      insert.run(2, 2, "s-2", 1, eventId(2))
      insert.run(3, 3, "s-1", 2, eventId(3))
      database.close()
      const before = storedRows(filename)

      await run(
        Effect.gen(function* () {
          const journal = yield* SqliteJournal.make({ filename })
          expect(
            (yield* journal.readStream(Ids.defaultOrganisation, "s-1")).map((e) => [e.eventId, e.version])
          ).toEqual([
            [eventId(1), 1],
            [eventId(3), 2]
          ])
          expect(
            (yield* journal.readAll({
              after: EventJournal.start,
              limit: 10,
              organisation: Ids.defaultOrganisation
            })).map((e) => e.position.sequence)
          ).toEqual([1n, 2n, 3n])
          // appends go on where the old rows end
          yield* journal.append([batch("s-1", 2, 4)])
          const [latest] = yield* journal.findEvents([eventId(4)])
          expect([latest!.version, latest!.position]).toEqual([3, { transaction: 4n, sequence: 4n }])
          const state = yield* Migrations.state(journal.db, { dialect: Dialect.sqlite })
          expect(state).toEqual({
            initialised: true,
            executed: Migrations.names,
            schemaVersion: Migrations.latestVersion
          })
        })
      )
      expect(storedRows(filename).slice(0, 3)).toEqual(before)
      const check = new Database(filename, { readonly: true })
      expect(
        check
          .prepare(
            "select name from sqlite_master where type = 'index' and name = 'ml_events_organisation_log'"
          )
          .get()
      ).toBeDefined()
      check.close()
    }
  )

  it("opening a current database again runs nothing", async () => {
    const filename = await seeded(1)
    const database = new Database(filename)
    const ran = await Effect.runPromise(Migrations.migrate(kyselyOn(database), { dialect: Dialect.sqlite }))
    database.close()
    expect(ran).toEqual([])
  })
})

// ---------------------------------------------------------------------------
// Faults: each a typed StoreError, none losing or changing a stored row
// ---------------------------------------------------------------------------

describe("faults", () => {
  it("a missing file opened read-only, or with create: false, is Unavailable and is not created", async () => {
    const filename = temp.file("missing.db")
    expectStoreError(await failure(SqliteJournal.make({ filename, readonly: true })), "Unavailable")
    expectStoreError(await failure(SqliteJournal.make({ filename, create: false })), "Unavailable")
    expect(existsSync(filename)).toBe(false)
  })

  it("a read-only connection reads, and refuses appends with ReadOnly", async () => {
    // Tests run as root, which file modes do not stop: SQLite's read-only
    // open flag is what refuses the writes here.
    const filename = await seeded(3)
    const before = storedRows(filename)
    await run(
      Effect.gen(function* () {
        const journal = yield* SqliteJournal.make({ filename, readonly: true })
        expect(yield* journal.streamVersion(Ids.defaultOrganisation, "s-1")).toBe(3)
        expect(yield* journal.readStream(Ids.defaultOrganisation, "s-1")).toHaveLength(3)
        expectStoreError(yield* Effect.flip(journal.append([batch("s-1", 3, 9)])), "ReadOnly")
        expectStoreError(yield* Effect.flip(journal.append([batch("s-2", "any", 10)])), "ReadOnly")
      })
    )
    expect(storedRows(filename)).toEqual(before)
  })

  it("a connection with PRAGMA query_only refuses appends with ReadOnly", async () => {
    const filename = await seeded(2)
    await run(
      Effect.gen(function* () {
        const journal = yield* SqliteJournal.make({ filename })
        yield* journal.executor.execute(sql`pragma query_only = 1`.compile(journal.db))
        expectStoreError(yield* Effect.flip(journal.append([batch("s-1", 2, 9)])), "ReadOnly")
        expect(yield* journal.streamVersion(Ids.defaultOrganisation, "s-1")).toBe(2)
      })
    )
    expect(storedRows(filename)).toHaveLength(2)
  })

  it("a read-only open of a database without the schema, or at an older one, is Unavailable", async () => {
    const empty = temp.file("empty.db")
    new Database(empty).close()
    expectStoreError(await failure(SqliteJournal.make({ filename: empty, readonly: true })), "Unavailable")
    const old = temp.file("old.db")
    const database = new Database(old)
    await Migrations.migrator(kyselyOn(database), { dialect: Dialect.sqlite }).migrateTo("0002_meta")
    database.close()
    const error = await failure(SqliteJournal.make({ filename: old, readonly: true }))
    expectStoreError(error, "Unavailable")
    expect((error as Error).message).toContain("0003_organisation_log")
  })

  it("a write lock held past the busy timeout is Locked, for appends and for opening", async () => {
    const filename = await seeded(2)
    const before = storedRows(filename)
    const holder = new Database(filename)
    try {
      await run(
        Effect.gen(function* () {
          const journal = yield* SqliteJournal.make({ filename, busyTimeout: 50 })
          holder.exec("begin exclusive")
          const started = Date.now()
          const error = yield* Effect.flip(journal.append([batch("s-1", 2, 9)]))
          expectStoreError(error, "Locked")
          expect(Date.now() - started).toBeGreaterThanOrEqual(40)
          // opening runs migrations under the write lock, so it waits too
          expectStoreError(yield* Effect.flip(SqliteJournal.make({ filename, busyTimeout: 50 })), "Locked")
          holder.exec("rollback")
          // once the lock is released the same journal appends again
          yield* journal.append([batch("s-1", 2, 9)])
          expect(yield* journal.streamVersion(Ids.defaultOrganisation, "s-1")).toBe(3)
        })
      )
    } finally {
      holder.close()
    }
    expect(storedRows(filename).slice(0, 2)).toEqual(before)
  })

  it("a file that is not an SQLite database is Corrupt, and is left as it was", async () => {
    const filename = temp.file("notes.db")
    const garbage = Buffer.from("these are my meeting notes, not a database\n".repeat(200))
    writeFileSync(filename, garbage)
    expectStoreError(await failure(SqliteJournal.make({ filename })), "Corrupt")
    expectStoreError(await failure(SqliteJournal.make({ filename, readonly: true })), "Corrupt")
    expect(readFileSync(filename).equals(garbage)).toBe(true)
  })

  it("a database whose meta says a newer schema version is SchemaTooNew, and is left as it was", async () => {
    const filename = await seeded(2)
    const database = new Database(filename)
    database.prepare("update ml_meta set value = '99' where key = 'schema_version'").run()
    database.close()
    const before = storedRows(filename)
    for (const readonly of [false, true]) {
      const error = await failure(SqliteJournal.make({ filename, readonly }))
      expectStoreError(error, "SchemaTooNew")
      expect((error as Error).message).toContain("newer version of mentor-ledger")
    }
    expect(storedRows(filename)).toEqual(before)
    const check = new Database(filename, { readonly: true })
    expect(check.prepare("select value from ml_meta where key = 'schema_version'").get()).toEqual({
      value: "99"
    })
    check.close()
  })

  it("a database with a migration this version does not know is SchemaTooNew", async () => {
    const filename = await seeded(2)
    const database = new Database(filename)
    database
      .prepare("insert into ml_migration (name, timestamp) values ('0099_future', ?)")
      .run(new Date().toISOString())
    database.close()
    const before = storedRows(filename)
    expectStoreError(await failure(SqliteJournal.make({ filename })), "SchemaTooNew")
    expect(storedRows(filename)).toEqual(before)
  })

  it("a stored row that is not a valid row is Corrupt when read", async () => {
    const filename = await seeded(2)
    const database = new Database(filename)
    database.prepare("update ml_events set occurred_at = 'yesterday' where version = 2").run()
    database.close()
    const error = await failure(
      Effect.flatMap(SqliteJournal.make({ filename }), (journal) =>
        journal.readStream(Ids.defaultOrganisation, "s-1")
      )
    )
    expectStoreError(error, "Corrupt")
  })
})
