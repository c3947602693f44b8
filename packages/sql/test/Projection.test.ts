import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import {
  type CompiledQuery,
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler
} from "kysely"
import { describe, expect, it } from "vitest"
import { Dialect, type Executor, Journal, Projection, ReadModels, Tables } from "../src/index.js"
import { DriverError } from "../src/Executor.js"
import { bind, bucket, chunkSizes, maxRows, slot, template } from "../src/internal/compiled.js"
import { Changes, statements } from "../src/internal/rows.js"
import * as Run from "../src/internal/steps.js"

// What the projection runtime and the read models say in SQL, compiled
// without a database (the SQLite and PostgreSQL adapters run it for real).

const compiler = (name: "sqlite" | "postgres") =>
  new Kysely<any>({
    dialect: {
      createAdapter: () => (name === "postgres" ? new PostgresAdapter() : new SqliteAdapter()),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) =>
        name === "postgres" ? new PostgresIntrospector(db) : new SqliteIntrospector(db),
      createQueryCompiler: () =>
        name === "postgres" ? new PostgresQueryCompiler() : new SqliteQueryCompiler()
    }
  })

describe("Projection.define", () => {
  const prepare = () => ({ create: [], apply: function* () {} })

  it("accepts lower-case names, whole versions from 1 and distinct tables", () => {
    const p = Projection.define({ name: "meetings_per_day", version: 3, tables: ["days"], prepare })
    expect(p.name).toBe("meetings_per_day")
  })

  it.each([
    [{ name: "Mentorships", version: 1, tables: [] }, /projection name/],
    [{ name: "a-b", version: 1, tables: [] }, /projection name/],
    [{ name: "ok", version: 0, tables: [] }, /version/],
    [{ name: "ok", version: 1.5, tables: [] }, /version/],
    [{ name: "ok", version: 1, tables: ["x y"] }, /table name/],
    [{ name: "ok", version: 1, tables: ["t", "t"] }, /twice/]
  ])("refuses %j", (definition, message) => {
    expect(() => Projection.define({ ...definition, prepare })).toThrow(message)
    try {
      Projection.define({ ...definition, prepare })
    } catch (error) {
      expect(error).toMatchObject({ _tag: "ProjectionError", reason: "Definition" })
    }
  })

  it("names tables <prefix>rm_<table>_v<version>", () => {
    expect(Projection.tableName("ml_", "mentorships", 1)).toBe("ml_rm_mentorships_v1")
    expect(Projection.tableName("hr_ml_", "mentor_load", 12)).toBe("hr_ml_rm_mentor_load_v12")
  })

  it("refuses a runtime given the same version twice", async () => {
    const journal = Journal.make(compiler("sqlite"), { dialect: Dialect.sqlite })
    const error = await Effect.runPromise(
      Effect.flip(Projection.make(journal, [ReadModels.mentorships, ReadModels.mentorships]))
    )
    expect(error).toMatchObject({
      _tag: "ProjectionError",
      reason: "Definition",
      projection: "mentorships@1"
    })
  })
})

describe("a table another projection owns", () => {
  const prepare = () => ({ create: [], apply: function* () {} })
  const journal = (tablePrefix?: string) =>
    Journal.make(compiler("sqlite"), {
      dialect: Dialect.sqlite,
      ...(tablePrefix === undefined ? {} : { tablePrefix })
    })
  const refusal = (projections: ReadonlyArray<Projection.Projection>, tablePrefix?: string) =>
    Effect.runPromise(Effect.flip(Projection.make(journal(tablePrefix), projections)))

  it("is refused when a projection's table is one of the library's read models', naming the table and its owner", async () => {
    const analyst = Projection.define({
      name: "analyst",
      version: 1,
      tables: ["waits", "mentorships"],
      prepare
    })
    const error = await refusal([analyst])
    expect(error).toBeInstanceOf(Projection.ProjectionError)
    expect(error).toMatchObject({
      _tag: "ProjectionError",
      reason: "Definition",
      projection: "analyst@1",
      table: "ml_rm_mentorships_v1",
      owner: "mentorships@1"
    })
    expect(error.message).toContain("ml_rm_mentorships_v1")
    expect(error.message).toContain("mentor-ledger's read model mentorships@1")
    // The same under another prefix, and through the Promise form.
    await expect(
      Projection.makePromise(journal("hr_"), [ReadModels.programmes, analyst])
    ).rejects.toMatchObject({ reason: "Definition", table: "hr_rm_mentorships_v1", owner: "mentorships@1" })
  })

  it("is refused for every table of every read model of the library, at its version", async () => {
    for (const library of ReadModels.projections)
      for (const table of library.tables) {
        const mine = Projection.define({ name: "mine", version: library.version, tables: [table], prepare })
        expect(await refusal([mine])).toMatchObject({
          table: Projection.tableName("ml_", table, library.version),
          owner: `${library.name}@${library.version}`
        })
      }
  })

  it("is refused between two projections of one runtime: the first owns it", async () => {
    const a = Projection.define({ name: "a", version: 2, tables: ["days"], prepare })
    const b = Projection.define({ name: "b", version: 2, tables: ["weeks", "days"], prepare })
    expect(await refusal([a, b])).toMatchObject({ projection: "b@2", table: "ml_rm_days_v2", owner: "a@2" })
  })

  it("is refused for two long names that PostgreSQL would cut to the same 63 characters", async () => {
    const prefix = `${"p".repeat(30)}_`
    const long = "a".repeat(39)
    const a = Projection.define({ name: "a", version: 1, tables: [`${long}x`], prepare })
    const b = Projection.define({ name: "b", version: 1, tables: [`${long}y`], prepare })
    const error = await refusal([a, b], prefix)
    expect(error).toMatchObject({ projection: "b@1", table: `${prefix}rm_${long}y_v1`, owner: "a@1" })
    expect(error.message).toContain("first 63 characters")
    // Long names that differ within the first 63 characters are distinct tables.
    const c = Projection.define({ name: "c", version: 1, tables: [`x${long}`], prepare })
    await Effect.runPromise(Projection.make(journal(prefix), [a, c]))
  })

  it("is refused for a projection with a library read model's name and version but other tables", async () => {
    const fake = Projection.define({ name: "programmes", version: 1, tables: ["programmes"], prepare })
    const error = await refusal([fake])
    expect(error).toMatchObject({ reason: "Definition", projection: "programmes@1", owner: "programmes@1" })
    expect(error.message).toContain("share its checkpoint")
  })

  it("leaves alone the library's read models, their next versions and tables of other names or versions", async () => {
    const mentorshipsV2: Projection.Projection = { ...ReadModels.mentorships, version: 2 }
    const mine = Projection.define({ name: "mine", version: 2, tables: ["mentorships", "waits"], prepare })
    const waits = Projection.define({ name: "waits", version: 1, tables: ["waits"], prepare })
    const runtime = await Effect.runPromise(
      Projection.make(journal(), [...ReadModels.projections, mentorshipsV2, waits])
    )
    expect(runtime.projections).toHaveLength(4)
    // A version the library does not define is free (a later version of the library would refuse it here).
    await Effect.runPromise(Projection.make(journal(), [mine]))
    // The same read model twice is still the error it was.
    expect(await refusal([ReadModels.mentorships, ReadModels.mentorships])).toMatchObject({
      projection: "mentorships@1",
      message: "mentorships@1 is given twice"
    })
  })

  it("gives an invalid name its own error first", async () => {
    const bad = { name: "Bad", version: 1, tables: ["mentorships"], prepare }
    expect(await refusal([bad])).toMatchObject({
      reason: "Definition",
      message: expect.stringMatching(/name/)
    })
    expect((await refusal([bad])).table).toBeUndefined()
  })
})

describe("the read models' SQL", () => {
  it("creates every table for PostgreSQL and SQLite alike, idempotently, under the prefix", () => {
    for (const name of ["sqlite", "postgres"] as const) {
      const db = compiler(name)
      const tables = Object.fromEntries(
        ReadModels.mentorships.tables.map((t) => [t, Projection.tableName("hr_", t, 1)])
      )
      const prepared = ReadModels.mentorships.prepare({
        db,
        dialect: name === "sqlite" ? Dialect.sqlite : Dialect.postgres,
        tables
      })
      const creates = prepared.create.map((q) => q.sql)
      expect(creates.every((s) => s.includes("if not exists"))).toBe(true)
      expect(creates.filter((s) => s.startsWith("create table"))).toHaveLength(
        ReadModels.mentorships.tables.length
      )
      expect(creates[0]).toContain(
        'create table if not exists "hr_rm_mentorships_v1" ("organisation" text not null, "mentorship_id" text not null'
      )
      expect(creates[0]).toContain(
        'constraint "hr_rm_mentorships_v1_pk" primary key ("organisation", "mentorship_id")'
      )
    }
  })

  it("upserts rows with one multi-row statement, and loads them by key with a row-value IN", () => {
    const db = compiler("postgres")
    const [meetings] = ReadModels.tables.mentorships.filter((t) => t.name === "meetings")
    const s = statements(db, meetings!, "ml_rm_meetings_v1")
    const upsert = s.upsert(2).query.sql
    expect(upsert).toMatch(
      /^insert into "ml_rm_meetings_v1" \("organisation", "mentorship_id", "meeting_id", "status"/
    )
    expect(upsert).toContain(
      'on conflict ("organisation", "mentorship_id", "meeting_id") do update set "status" = "excluded"."status"'
    )
    expect(s.upsert(2).query.parameters).toHaveLength(2 * meetings!.columns.length)
    expect(s.select(2).query.sql).toContain(
      'where ("organisation", "mentorship_id", "meeting_id") in (values ($1, $2, $3), ($4, $5, $6))'
    )
    const [statistics] = ReadModels.tables.mentorships.filter((t) => t.name === "programme_statistics")
    expect(statements(db, statistics!, "ml_rm_programme_statistics_v1").increment(1).query.sql).toContain(
      'do update set "mentorships" = "ml_rm_programme_statistics_v1"."mentorships" + "excluded"."mentorships"'
    )
  })

  it("keeps a batch's changes in memory and writes each row once, whatever the number of events", () => {
    const db = compiler("sqlite")
    const [meetings, statistics] = ["meetings", "programme_statistics"].map(
      (n) => ReadModels.tables.mentorships.find((t) => t.name === n)!
    )
    const changes = new Changes([
      statements(db, meetings!, "meetings"),
      statements(db, statistics!, "statistics")
    ])
    const row = (id: string, status: string) => ({
      organisation: "o",
      mentorship_id: "m",
      meeting_id: id,
      status,
      modality: "video",
      scheduled_at: null,
      scheduled_for: null,
      held_at: null,
      number: null,
      duration_minutes: null,
      planning: null,
      cancelled_at: null,
      cancellation_reason: null
    })
    changes.put("meetings", row("a", "scheduled"))
    changes.put("meetings", row("a", "held"))
    changes.put("meetings", row("b", "scheduled"))
    changes.remove("meetings", ["o", "m", "b"])
    changes.add("programme_statistics", ["o", "p", "t", "requested"], [1])
    changes.add("programme_statistics", ["o", "p", "t", "requested"], [-1])
    expect(changes.get("meetings", ["o", "m", "a"])!.status).toBe("held")
    expect(changes.get("meetings", ["o", "m", "b"])).toBeUndefined()
    expect(() => changes.get("meetings", ["o", "m", "c"])).toThrow(/not wanted/)
    const queries: Array<CompiledQuery> = []
    const again = new Changes([
      statements(db, meetings!, "meetings"),
      statements(db, statistics!, "statistics")
    ])
    again.put("meetings", row("a", "held"))
    again.add("programme_statistics", ["o", "p", "t", "requested"], [1])
    again.add("programme_statistics", ["o", "p", "t", "requested"], [-1])
    Run.runSync(again.flush(), (q) => {
      queries.push(q)
      return []
    })
    // one upsert for the meeting; the counter is written even at zero, so
    // that small and large batches leave the same rows
    expect(queries.map((q) => q.sql.slice(0, 30))).toEqual([
      'insert into "meetings" ("organ',
      'insert into "statistics" ("org'
    ])
    expect(queries[1]!.parameters).toEqual(["o", "p", "t", "requested", 0])
  })
})

describe("compiled statements", () => {
  it("bind values into the compiled order, keeping kysely's own constants", () => {
    const db = compiler("postgres")
    const t = template(
      db
        .selectFrom("t")
        .selectAll()
        .where("a", "=", slot(1))
        .where("b", "=", "constant")
        .where("c", "=", slot(0))
        .compile()
    )
    expect(bind(t, ["zero", "one"]).parameters).toEqual(["one", "constant", "zero"])
  })

  it("split rows into few chunk sizes: powers of two, largest first", () => {
    expect(chunkSizes(0, 64)).toEqual([])
    expect(chunkSizes(70, 64)).toEqual([64, 4, 2])
    expect(chunkSizes(200, 64)).toEqual([64, 64, 64, 8])
    expect(bucket(1)).toBe(1)
    expect(bucket(129)).toBe(256)
    expect(maxRows(36)).toBe(64)
    expect(maxRows(5000)).toBe(1)
  })
})

describe("steps", () => {
  it("run the same generator synchronously, or through Effect, and surface a thrown driver error", async () => {
    function* steps(): Run.Steps<number> {
      const a = yield { sql: "a", parameters: [], query: {} as never, queryId: {} as never }
      const b = yield { sql: "b", parameters: [], query: {} as never, queryId: {} as never }
      return a.length + b.length
    }
    const execute = (q: CompiledQuery) => (q.sql === "a" ? [{}] : [{}, {}])
    expect(Run.runSync(steps(), execute)).toBe(3)
    const executor = {
      execute: (q: CompiledQuery) => Effect.succeed(execute(q)),
      transaction: () => Effect.die("unused")
    }
    expect(await Effect.runPromise(Run.runEffect(steps, executor, (e) => e))).toBe(3)
    const failing = {
      execute: () => Effect.fail(new DriverError({ cause: "boom" })),
      transaction: () => Effect.die("unused")
    }
    const error = await Effect.runPromise(Effect.flip(Run.runEffect(steps, failing, (e) => e)))
    expect(error).toMatchObject({ _tag: "DriverError", cause: "boom" })
  })
})

describe("projection locks", () => {
  const recordingJournal = (dialect: Dialect.Dialect) => {
    const queries: Array<CompiledQuery> = []
    const recording: Executor.Executor = {
      execute: (query) => {
        queries.push(query)
        // the registry holds one checkpoint, at the start of the log
        return Effect.succeed(
          query.sql.includes("rm_checkpoints") && query.sql.startsWith("select")
            ? [
                {
                  projection: "empty",
                  version: 1,
                  transaction_id: 0,
                  sequence: 0,
                  state: "building",
                  tables: "{}",
                  updated_at: ""
                }
              ]
            : query.sql.startsWith("update")
              ? [{ projection: "empty" }]
              : []
        )
      },
      transaction: (use) => use(recording)
    }
    const journal = Journal.make(compiler(dialect.name), {
      dialect,
      executor: recording,
      schema: "mentoring"
    })
    return { journal, queries }
  }
  const empty = Projection.define({
    name: "empty",
    version: 1,
    tables: [],
    prepare: () => ({ create: [], apply: function* () {} })
  })

  it("on PostgreSQL: every batch first takes the writers' lock of the schema and prefix, and plans its statements for their values", async () => {
    const { journal, queries } = recordingJournal(Dialect.postgres)
    const runtime = await Effect.runPromise(Projection.make(journal, [empty]))
    await Effect.runPromise(runtime.catchUp())
    const tables = Tables.make("ml_", "mentoring")
    expect(queries[0]!.sql).toBe(
      `select pg_advisory_xact_lock((${Dialect.advisoryKey(tables, "projections")})::bigint)`
    )
    // for this transaction only: no generic plan made while the tables were small
    expect(queries[1]!.sql).toBe("set local plan_cache_mode = force_custom_plan")
    expect(queries[2]!.sql).toContain('from "mentoring"."ml_rm_checkpoints"')
  })

  it("on PostgreSQL: ownership locks per projection version, never waiting, and who holds them from pg_locks", () => {
    const locks = Dialect.postgres.projectionLocks!
    const tables = Tables.make("ml_", "mentoring")
    const key = locks.key(tables, "mentorships@1")
    expect(key).toBe(Dialect.advisoryKey(tables, "projection", "mentorships@1"))
    expect(locks.key(tables, "mentorships@2")).not.toBe(key)
    expect(locks.key(Tables.make("hr_", "mentoring"), "mentorships@1")).not.toBe(key)
    const db = compiler("postgres")
    const tryLock = locks.tryLock(key).compile(db)
    expect(tryLock.sql).toBe("select pg_try_advisory_lock($1::bigint) as acquired")
    expect(tryLock.parameters).toEqual([String(key)])
    expect(locks.join(key).compile(db).sql).toBe("select pg_advisory_lock_shared($1::bigint)")
    const holders = locks.holders([key]).compile(db)
    expect(holders.sql).toContain("from pg_locks l join pg_stat_activity a")
    expect(holders.parameters).toEqual([[String(key)]])
  })

  it("on SQLite: none (one writer at a time); batches take no lock", async () => {
    expect(Dialect.sqlite.projectionLocks).toBeUndefined()
    const { journal, queries } = recordingJournal(Dialect.sqlite)
    const runtime = await Effect.runPromise(Projection.make(journal, [empty]))
    await Effect.runPromise(runtime.catchUp())
    expect(queries[0]!.sql).toContain("rm_checkpoints")
    expect(await Effect.runPromise(runtime.owners)).toEqual([])
  })
})

describe("workers", () => {
  it("coalesce wake-ups: a burst of hints is one or two passes, not one per hint", async () => {
    const queries: Array<CompiledQuery> = []
    const recording: Executor.Executor = {
      execute: (query) => {
        queries.push(query)
        return Effect.succeed(
          query.sql.includes("rm_checkpoints") && query.sql.startsWith("select")
            ? [
                {
                  projection: "empty",
                  version: 1,
                  transaction_id: 0,
                  sequence: 0,
                  state: "live",
                  tables: "{}",
                  updated_at: ""
                }
              ]
            : []
        )
      },
      transaction: (use) => use(recording)
    }
    const journal = Journal.make(compiler("sqlite"), { dialect: Dialect.sqlite, executor: recording })
    const empty = Projection.define({
      name: "empty",
      version: 1,
      tables: [],
      prepare: () => ({ create: [], apply: function* () {} })
    })
    const runtime = await Effect.runPromise(Projection.make(journal, [empty]))
    const passes = () =>
      queries.filter((q) => q.sql.startsWith("select") && q.sql.includes("rm_checkpoints")).length
    const worker = Projection.toPromise(runtime).startWorker({
      pollInterval: "1 hour",
      wakeUp: Stream.range(1, 1000)
    })
    // the first pass, then the burst: at most one more pass for all of it
    for (let i = 0; i < 50 && passes() < 2; i++) await new Promise((resolve) => setTimeout(resolve, 10))
    await new Promise((resolve) => setTimeout(resolve, 100))
    await worker.stop()
    expect(passes()).toBeGreaterThanOrEqual(1)
    expect(passes()).toBeLessThanOrEqual(3)
  })
})
