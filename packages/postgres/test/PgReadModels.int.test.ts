import { Mentorship, Programme } from "@mentor-ledger/core"
import { Projection, ReadModels } from "@mentor-ledger/sql"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import * as fc from "fast-check"
import { afterEach, expect, it } from "vitest"
import { PgJournal, PgReadModels } from "../src/index.js"
import { batch, listening } from "./fixtures.js"
import {
  checkpoints,
  counts,
  dropReadModels,
  dump,
  eventCount,
  openLedger,
  play,
  readModelTableNames,
  scenarios,
  settle
} from "./readModels.js"
import { dropSchema, onServer, query, schemaName, serverUrl } from "./server.js"

// The shared projection runtime and read models of @mentor-ledger/sql on a
// real PostgreSQL: tables in the journal's schema under its prefix.

const schemas: Array<string> = []
const newSchema = () => {
  const schema = schemaName()
  schemas.push(schema)
  return schema
}
afterEach(async () => {
  for (const schema of schemas.splice(0)) await dropSchema(schema)
})

onServer("inline, catch-up and rebuild on PostgreSQL", () => {
  it("give identical tables for random histories, and agree with the aggregates", async () => {
    await fc.assert(
      fc.asyncProperty(
        scenarios({ maxSteps: 30 }),
        fc.integer({ min: 1, max: 40 }),
        async (all, batchSize) => {
          const schema = newSchema()
          const prefix = "hr_ml_"
          // 1. inline: every command's events and read models in one transaction
          const inline = await openLedger(schema, { tablePrefix: prefix })
          await play(inline.ledger, all)
          for (const s of all) {
            const { state } = await inline.ledger.mentorship(s.cast.mentorshipId)
            const viewer = { personId: s.cast.coordinator, role: "coordinator" } as const
            const queried = await inline.store.queries.mentorship(viewer, s.cast.mentorshipId)
            if (state._tag === "Empty") {
              expect(queried).toBeUndefined()
              continue
            }
            expect(queried).toMatchObject({ phase: state.phase, meetingsHeld: state.meetingsHeld })
            const summaries = await inline.store.queries.summaries(viewer, s.cast.mentorshipId)
            for (const summary of summaries) {
              expect(summary.shared).toBe(
                Mentorship.isShared(state, { kind: "summary", id: summary.meetingId })
              )
            }
            const { state: pool } = await inline.ledger.programme(s.cast.programmeId)
            const load = await inline.store.queries.mentorLoad(viewer, s.cast.programmeId)
            if (pool._tag === "Active") {
              for (const m of load) expect(m.free).toBe(Programme.freeCapacity(pool, m.mentorId!))
            }
          }
          await inline.close()
          const fromInline = await dump(schema, { prefix })
          expect(Object.values(counts(fromInline)).some((n) => n > 0)).toBe(true)

          // 2. catch-up: the same log without read models, in random batches
          expect((await dropReadModels(schema, prefix)).length).toBeGreaterThan(0)
          const caughtUp = await PgReadModels.open({
            url: serverUrl(),
            schema,
            tablePrefix: prefix,
            projections: "manual",
            batchSize
          })
          await settle(schema, () => caughtUp.projections.catchUp({ batchSize }), prefix)
          await caughtUp.close()
          expect(await dump(schema, { prefix })).toEqual(fromInline)

          // 3. full rebuild in place, in one pass for both projections; in transactions of
          //    several batches, each folded into the same changes and written once
          const rebuilt = await PgReadModels.open({
            url: serverUrl(),
            schema,
            tablePrefix: prefix,
            projections: "manual",
            batchSize
          })
          await rebuilt.rebuild()
          await settle(schema, () => rebuilt.projections.catchUp(), prefix)
          await rebuilt.close()
          expect(await dump(schema, { prefix })).toEqual(fromInline)
          await dropSchema(schema)
        }
      ),
      { numRuns: 4 }
    )
  }, 120_000)

  it("keep every table in the journal's schema, under its prefix", async () => {
    const schema = newSchema()
    const [all] = fc.sample(scenarios({ maxSteps: 15 }), { numRuns: 1, seed: 41 })
    const app = await openLedger(schema, { tablePrefix: "hr_" })
    await play(app.ledger, all!)
    await app.close()
    const tables = await readModelTableNames(schema, "hr_")
    expect(tables).toContain("hr_rm_checkpoints")
    expect(tables).toContain("hr_rm_current")
    for (const t of [...ReadModels.tables.mentorships, ...ReadModels.tables.programmes])
      expect(tables).toContain(Projection.tableName("hr_", t.name, 1))
    // nothing outside the schema
    const elsewhere = await query(
      "select table_schema from information_schema.tables where table_name = 'hr_rm_checkpoints' and table_schema <> $1",
      [schema]
    )
    expect(elsewhere).toEqual([])
  })
})

onServer("catch-up on PostgreSQL", () => {
  it("keeps the read models up to date in a worker woken by NOTIFY, with no poll in between", async () => {
    const schema = newSchema()
    const [a, b] = fc.sample(scenarios({ maxSteps: 25 }), { numRuns: 2, seed: 42 })
    const source = await openLedger(schema, { projections: "manual", catchUpOnOpen: false })
    await play(source.ledger, a!)
    // a worker that would poll once an hour: only a notification can wake it
    const worker = await PgReadModels.open({
      url: serverUrl(),
      schema,
      projections: "catch-up",
      pollInterval: "1 hour",
      batchSize: 7,
      instance: "notified-worker"
    })
    expect(Object.values(await checkpoints(schema)).map((c) => c.behind)).toEqual([0, 0])
    // once it listens, only a notification can wake it
    await listening(worker.journal.channel)
    await play(source.ledger, b!)
    const total = await eventCount(schema)
    await eventuallyTrue(async () =>
      Object.values(await checkpoints(schema)).every((c) => c.behind === 0 && c.state === "live")
    )
    expect(await worker.projections.owners()).toEqual([
      { projection: "mentorships@1", instance: "notified-worker", pid: expect.any(Number) },
      { projection: "programmes@1", instance: "notified-worker", pid: expect.any(Number) }
    ])
    await worker.close()
    await source.close()
    expect(await eventCount(schema)).toBe(total)
    const caughtUp = await dump(schema)
    const rebuilt = await PgReadModels.open({ url: serverUrl(), schema, projections: "manual" })
    await rebuilt.rebuild()
    await settle(schema, () => rebuilt.projections.catchUp())
    expect(await rebuilt.projections.owners()).toEqual([])
    await rebuilt.close()
    expect(await dump(schema)).toEqual(caughtUp)
  }, 30_000)
})

onServer("catch-up workers: cut sessions, subsets of projections, pools", () => {
  it("a worker whose sessions are cut takes its projections again on a new session and catches up", async () => {
    const schema = newSchema()
    const [a, b] = fc.sample(scenarios({ maxSteps: 20 }), { numRuns: 2, seed: 44 })
    const source = await openLedger(schema, { projections: "manual", catchUpOnOpen: false })
    await play(source.ledger, a!)
    const owned: Array<ReadonlyArray<string>> = []
    const worker = await PgReadModels.open({
      url: serverUrl(),
      schema,
      projections: "catch-up",
      pollInterval: "100 millis",
      applicationName: "ml-test-cut-worker",
      instance: "ml-test-cut-worker",
      onOwnership: (o) => owned.push(o)
    })
    await eventuallyTrue(async () => (await worker.projections.owners()).length === 2)
    // the server ends every session of the worker: its locks go with them
    await query(
      "select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1 and pid <> pg_backend_pid()",
      ["ml-test-cut-worker"]
    )
    await play(source.ledger, b!)
    await eventuallyTrue(async () =>
      Object.values(await checkpoints(schema)).every((c) => c.behind === 0 && c.state === "live")
    )
    await eventuallyTrue(
      async () =>
        (await worker.projections.owners()).filter((o) => o.instance === "ml-test-cut-worker").length === 2
    )
    // it noticed: it gave up what it thought it owned, then took it again
    expect(owned.some((o) => o.length === 0)).toBe(true)
    expect(owned[owned.length - 1]).toEqual(["mentorships@1", "programmes@1"])
    await worker.close()
    await source.close()
    const caughtUp = await dump(schema)
    const rebuilt = await PgReadModels.open({ url: serverUrl(), schema, projections: "manual" })
    await rebuilt.rebuild()
    await settle(schema, () => rebuilt.projections.catchUp())
    await rebuilt.close()
    expect(await dump(schema)).toEqual(caughtUp)
  }, 40_000)

  it("with a worker of one projection beside a worker of all, every projection has an owner", async () => {
    const schema = newSchema()
    const open = (instance: string, readModels: ReadonlyArray<Projection.Projection>) =>
      PgReadModels.open({
        url: serverUrl(),
        schema,
        projections: "catch-up",
        pollInterval: "100 millis",
        instance,
        readModels
      })
    const some = await open("ml-test-some", [ReadModels.mentorships])
    await eventuallyTrue(async () => (await some.projections.owners()).length === 1)
    const all = await open("ml-test-all", ReadModels.projections)
    await eventuallyTrue(async () => (await all.projections.owners()).length === 2)
    expect((await all.projections.owners()).map((o) => `${o.projection} ${o.instance}`)).toEqual([
      "mentorships@1 ml-test-some",
      "programmes@1 ml-test-all"
    ])
    await some.close()
    await eventuallyTrue(async () =>
      (await all.projections.owners()).every((o) => o.instance === "ml-test-all")
    )
    await all.close()
  }, 30_000)

  it("with maxProjections, a worker leaves the other projections to other instances", async () => {
    const schema = newSchema()
    const one = await PgReadModels.open({
      url: serverUrl(),
      schema,
      projections: "catch-up",
      pollInterval: "100 millis",
      instance: "ml-test-one",
      maxProjections: 1
    })
    await eventuallyTrue(async () => (await one.projections.owners()).length === 1)
    // a few more passes: it takes no second one
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect((await one.projections.owners()).map((o) => `${o.projection} ${o.instance}`)).toEqual([
      "mentorships@1 ml-test-one"
    ])
    const other = await PgReadModels.open({
      url: serverUrl(),
      schema,
      projections: "catch-up",
      pollInterval: "100 millis",
      instance: "ml-test-other"
    })
    await eventuallyTrue(async () => (await other.projections.owners()).length === 2)
    expect((await other.projections.owners()).map((o) => `${o.projection} ${o.instance}`)).toEqual([
      "mentorships@1 ml-test-one",
      "programmes@1 ml-test-other"
    ])
    await other.close()
    await one.close()
  }, 30_000)

  it("is refused with a pool of one connection (the worker holds one for its locks)", async () => {
    const schema = newSchema()
    const error = await PgReadModels.open({
      url: serverUrl(),
      schema,
      projections: "catch-up",
      maxConnections: 1
    }).then(
      () => undefined,
      (e: unknown) => e
    )
    expect(error).toMatchObject({ _tag: "StoreError", message: expect.stringContaining("maxConnections") })
    // refused before anything was created
    expect(await query("select 1 from information_schema.schemata where schema_name = $1", [schema])).toEqual(
      []
    )
  })
})

onServer("versions on PostgreSQL", () => {
  const v2: Projection.Projection = { ...ReadModels.mentorships, version: 2 }
  const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)

  it("build a new version beside the current one, switch to it, and drop the old one", async () => {
    const schema = newSchema()
    const [a, b, c] = fc.sample(scenarios({ maxSteps: 20 }), { numRuns: 3, seed: 43 })
    const app = await openLedger(schema)
    await play(app.ledger, a!)
    const runtime = await run(
      Projection.make(app.store.journal, [ReadModels.mentorships, v2, ReadModels.programmes])
    )
    const worker = Projection.toPromise(runtime)
    await worker.setup()
    await worker.catchUp({ only: ["mentorships@2"], batchSize: 4, maxBatches: 2 })
    let status = await worker.status()
    expect(status.find((s) => s.name === "mentorships" && s.version === 2)).toMatchObject({
      state: "building",
      current: false
    })
    await play(app.ledger, b!)
    await expect(worker.activate("mentorships", 2)).rejects.toMatchObject({
      _tag: "ProjectionError",
      reason: "NotReady"
    })
    await settle(schema, () => worker.catchUp({ only: ["mentorships@2"], batchSize: 4 }))
    status = await worker.status()
    expect(status.find((s) => s.name === "mentorships" && s.version === 2)).toMatchObject({ state: "live" })
    expect(await dump(schema, { versions: { mentorships: 2 } })).toEqual(await dump(schema))

    await worker.activate("mentorships", 2)
    const scope = await run(Scope.make())
    await run(Scope.extend(runtime.inline, scope))
    await play(app.ledger, c!)
    expect(await dump(schema, { versions: { mentorships: 2 } })).toEqual(await dump(schema))
    await expect(worker.drop("mentorships", 2)).rejects.toMatchObject({
      _tag: "ProjectionError",
      reason: "InUse"
    })
    await worker.drop("mentorships", 1)
    status = await worker.status()
    expect(status.map((s) => `${s.name}@${s.version}${s.current ? " (current)" : ""}`)).toEqual([
      "mentorships@2 (current)",
      "programmes@1 (current)"
    ])
    expect((await readModelTableNames(schema)).filter((t) => t.endsWith("_v1"))).toEqual([
      "ml_rm_coordinators_v1",
      "ml_rm_mentor_load_v1",
      "ml_rm_programmes_v1"
    ])
    await run(Scope.close(scope, Exit.void))
    await app.close()
  }, 30_000)
})

onServer("a read-only journal", () => {
  it("refuses appends with a typed error before the server, and the server refuses any write", async () => {
    const schema = newSchema()
    const writable = await PgJournal.open({ url: serverUrl(), schema })
    await Effect.runPromise(writable.journal.append([batch("mentorship-a", "any", 1)]))
    await writable.close()
    const readonly = await PgJournal.open({ url: serverUrl(), schema, readonly: true })
    try {
      const error = await Effect.runPromise(
        Effect.flip(readonly.journal.append([batch("mentorship-a", "any", 2)]))
      )
      expect(error).toMatchObject({ _tag: "StoreError", reason: "ReadOnly" })
      // (the log shows it once no older transaction runs on the server)
      await eventuallyTrue(
        async () =>
          (
            await Effect.runPromise(
              readonly.journal.readAll({ after: { transaction: 0n, sequence: 0n }, limit: 10 })
            )
          ).length === 1
      )
      const client = await readonly.journal.pool.connect()
      try {
        await expect(client.query(`create table "${schema}".sneaky (x int)`)).rejects.toMatchObject({
          code: "25006"
        })
      } finally {
        client.release()
      }
    } finally {
      await readonly.close()
    }
    expect(await eventCount(schema)).toBe(1)
  })

  it("is refused on a schema without the journal's tables, creating nothing", async () => {
    const schema = newSchema()
    const error = await PgJournal.open({ url: serverUrl(), schema, readonly: true }).then(
      () => undefined,
      (e: unknown) => e
    )
    expect(error).toMatchObject({ _tag: "StoreError", reason: "Unavailable" })
    expect(await query("select 1 from information_schema.schemata where schema_name = $1", [schema])).toEqual(
      []
    )
  })
})

/** Waits until `condition` holds (generous: the machine is shared); fails after 20 s. */
const eventuallyTrue = async (condition: () => Promise<boolean>) => {
  const deadline = Date.now() + 20_000
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("timed out")
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
