/**
 * The PostgreSQL peer (bench/peer-postgres: Emmett's emmett-postgresql)
 * does W1 to W4's work at small sizes: what it appends is stored whole and
 * in the order written, a wrong expected version is refused, the W3/W4 log
 * holds the same histories in the same order as ours' and raw's, and
 * closing a session leaves no connection open; and `pnpm bench` fills its
 * column (W2, in child processes, as a real run does). It runs where a
 * PostgreSQL server is given (as in CI), and never asserts a speed.
 */
import { execFile } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { connectionStringFor, subject } from "@mentor-ledger/bench-peer-postgres"
import pg from "pg"
import { afterAll, expect, it } from "vitest"
import { onServer, url } from "../../packages/postgres/test/server.js"
import { histories, mentorshipId, shuffled } from "../src/Fixtures.js"
import type { Report } from "../src/Report.js"
import { streamName } from "../src/Subject.js"

/** Every database these tests make starts with this; all are dropped at the end. */
const prefix = `bench_peer_test_${process.pid}_`

const admin = async <A>(use: (client: pg.Client) => Promise<A>, connectionString = url): Promise<A> => {
  const client = new pg.Client({ connectionString })
  await client.connect()
  try {
    return await use(client)
  } finally {
    await client.end()
  }
}

interface Stored {
  readonly stream: string
  readonly version: number
  readonly type: string
  readonly data: unknown
}

/** The events as stored, in the log's order (text casts: Emmett sets pg's type parsers process-wide). */
const stored = (database: string): Promise<ReadonlyArray<Stored>> =>
  admin(async (client) => {
    const { rows } = await client.query<{ stream: string; version: string; type: string; data: string }>(
      "select stream_id as stream, stream_position::text as version, message_type as type, message_data::text as data from emt_messages order by global_position"
    )
    return rows.map((r) => ({
      stream: r.stream,
      version: Number(r.version),
      type: r.type,
      data: JSON.parse(r.data) as unknown
    }))
  }, connectionStringFor(database))

/** The connections still open to `database`, once the server has seen the closed ones go. */
const openConnections = async (database: string): Promise<number> => {
  let count = 0
  for (let attempt = 0; attempt < 50; attempt++) {
    count = await admin(async (client) => {
      const { rows } = await client.query<{ count: string }>(
        "select count(*)::text as count from pg_stat_activity where datname = $1",
        [database]
      )
      return Number(rows[0]!.count)
    })
    if (count === 0) return 0
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return count
}

/** An event as Emmett stores it: its tag as the type, the rest as JSON data. */
const asStored = (stream: string, version: number, event: { readonly _tag: string }): Stored => {
  const { _tag, ...data } = event
  return { stream, version, type: _tag, data: JSON.parse(JSON.stringify(data)) as unknown }
}

// Skipped without a server; with one, it holds the server's test turn (Emmett's appends hold
// transactions open, which holds back the horizon of every other project's log reads).
onServer("the PostgreSQL peer", () => {
  afterAll(async () => {
    await admin(async (client) => {
      const { rows } = await client.query<{ name: string }>(
        "select datname as name from pg_database where starts_with(datname, $1)",
        [prefix]
      )
      for (const { name } of rows) await client.query(`drop database "${name}" with (force)`)
    })
  })

  it("W1: appends each new stream in one call and loads it back whole", async () => {
    const database = `${prefix}w1`
    const input = histories(20, 10)
    await subject.prepareEmpty(database)
    const session = await subject.open(database)
    try {
      expect(await session.appendStreams(input)).toBe(200)
      expect(await session.loadStreams(shuffled(20, 4))).toBe(200)
    } finally {
      await session.close()
    }
    expect(await stored(database)).toEqual(
      input.flatMap((events, n) => events.map((e, i) => asStored(streamName(mentorshipId(n)), i + 1, e)))
    )
    expect(await openConnections(database)).toBe(0)
  })

  it("W2: appends one event per call with the exact version, and refuses a stale one", async () => {
    const database = `${prefix}w2`
    const input = histories(10, 5)
    await subject.prepareEmpty(database)
    const session = await subject.open(database)
    try {
      expect(await session.appendOneByOne(input)).toBe(50)
      // the same appends again expect version 0: every stream is at 5
      await expect(session.appendOneByOne(input)).rejects.toThrow(/version/i)
    } finally {
      await session.close()
    }
    const log = await stored(database)
    expect(log).toHaveLength(50)
    expect(log.slice(0, 10).map((e) => [e.stream, e.version])).toEqual(
      input.map((_, n) => [streamName(mentorshipId(n)), 1])
    )
    expect(await openConnections(database)).toBe(0)
  })

  it("W3/W4: the log is written round by round in the seeded order, and read whole in pages", async () => {
    const database = `${prefix}log`
    // more than one page of readMessagesBatch (1,000)
    const input = histories(120, 10)
    const order = shuffled(120, 8)
    await subject.prepareEmpty(database)
    await subject.prepareLog(database, input, order)
    expect(await stored(database)).toEqual(
      Array.from({ length: 10 }, (_, v) =>
        order.map((n) => asStored(streamName(mentorshipId(n)), v + 1, input[n]![v]!))
      ).flat()
    )
    const session = await subject.open(database)
    try {
      expect(await session.readAll()).toBe(1200)
      expect(await session.loadStreams(shuffled(120, 4).slice(0, 50))).toBe(500)
    } finally {
      await session.close()
    }
    expect(await openConnections(database)).toBe(0)
  })

  it("is the peer column of `pnpm bench` on PostgreSQL (W2, quick, child processes)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mentor-ledger-bench-peer-"))
    try {
      const out = join(dir, "w2.json")
      const bench = fileURLToPath(new URL("..", import.meta.url))
      const args = ["--quick", "--runs", "1", "--store", "postgres", "--only", "W2", "--out", out]
      const running = promisify(execFile)(
        process.execPath,
        ["--conditions=source", "--import", "tsx", "src/main.ts", ...args],
        { cwd: bench, maxBuffer: 16 * 1024 * 1024 }
      )
      // the bench names its schemas and databases after its process
      const runPrefix = `bench_${running.child.pid}_`
      await running
      const report = JSON.parse(readFileSync(out, "utf8")) as Report
      expect(report.skipped).toEqual([])
      expect(report.versions["@event-driven-io/emmett-postgresql"]).toMatch(/^0\.42\./)
      const [w2] = report.results
      expect(w2?.workload).toBe("W2")
      expect(w2?.samples.peer?.label).toMatch(/^emmett-postgresql 0\.42\./)
      expect(w2?.peer).toBeGreaterThan(0)
      expect(w2?.peerRatio).toBeCloseTo(w2!.ours / w2!.peer!, 10)
      // the databases of the peer's runs are dropped with the run's schemas
      const left = await admin((client) =>
        client.query("select datname from pg_database where starts_with(datname, $1)", [runPrefix])
      )
      expect(left.rows).toEqual([])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
