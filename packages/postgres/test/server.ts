import { randomBytes } from "node:crypto"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import pg from "pg"
import { afterAll, beforeAll, describe } from "vitest"

/**
 * The test server: MENTOR_LEDGER_PG_URL, as `scripts/postgres.sh start`
 * exports it. Without it the PostgreSQL tests are skipped (and say why);
 * in CI they must run (Server.test.ts fails there).
 */
export const url: string | undefined = process.env.MENTOR_LEDGER_PG_URL?.trim() || undefined

export const inCi = process.env.CI === "true"

export const missing =
  'MENTOR_LEDGER_PG_URL is not set; start the test server with: eval "$(bash scripts/postgres.sh start)"'

/**
 * The tests create and drop schemas and terminate backends: they run only
 * against a server on this machine (loopback, or a unix socket).
 */
export const isLoopback = (connectionString: string): boolean => {
  const parsed = new URL(connectionString)
  const host = parsed.hostname.replace(/^\[|\]$/g, "")
  if (host === "") return (parsed.searchParams.get("host") ?? "").startsWith("/")
  return host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host)
}

if (url !== undefined && !isLoopback(url)) {
  throw new Error(
    `MENTOR_LEDGER_PG_URL must name a server on this machine (127.0.0.1, localhost, ::1 or a unix socket): the tests drop schemas and terminate connections`
  )
}

if (url === undefined) console.warn(`PostgreSQL tests skipped: ${missing}`)

/**
 * A describe block that needs the server: skipped, with the reason in its
 * name, without one. It runs while it holds the server's test turn
 * ({@link takeTurn}).
 */
export const onServer = (name: string, body: () => void): void => {
  describe.skipIf(url === undefined)(url === undefined ? `${name} [skipped: ${missing}]` : name, () => {
    let release: (() => Promise<void>) | undefined
    beforeAll(async () => {
      release = await takeTurn()
    }, 300_000)
    afterAll(async () => {
      await release?.()
    })
    body()
  })
}

/** The advisory-lock key of the test turn (any fixed number: only these tests use it). */
const turnKey = "7305981320194732081"

/**
 * Waits for the server's test turn and holds it until the returned
 * function is called. The global log is read below the oldest transaction
 * running on the whole server, so tests that expect an append to be
 * readable at once fail while another project writes (vitest runs
 * projects side by side: this package's files and the examples' end-to-end
 * tests). Blocks of this package and tests of other projects that write a
 * lot (examples/postgres-cluster) take turns through a session advisory
 * lock, held on an idle connection of its own (which holds back no
 * horizon).
 */
export const takeTurn = async (): Promise<() => Promise<void>> => {
  const client = new pg.Client({ connectionString: serverUrl() })
  client.on("error", () => {})
  await client.connect()
  await client.query("select pg_advisory_lock($1::bigint)", [turnKey])
  return async () => {
    await client.end().catch(() => undefined)
  }
}

/** The server's URL; only called inside {@link onServer} blocks. */
export const serverUrl = (): string => {
  if (url === undefined) throw new Error(missing)
  return url
}

/** Runs `f` on a connection of its own, outside any journal (to inspect, break or clean up). */
export const withClient = async <A>(f: (client: pg.Client) => Promise<A>): Promise<A> => {
  const client = new pg.Client({ connectionString: serverUrl(), lock_timeout: 10_000 })
  client.on("error", () => {})
  await client.connect()
  try {
    return await f(client)
  } finally {
    await client.end().catch(() => undefined)
  }
}

/** Runs one statement on a connection of its own. */
export const query = <R extends pg.QueryResultRow = any>(
  text: string,
  values: ReadonlyArray<unknown> = []
): Promise<Array<R>> => withClient(async (client) => (await client.query<R>(text, [...values])).rows)

/** A fresh schema name for one test (or one property), never used before. */
export const schemaName = (): string => `ml_test_${randomBytes(6).toString("hex")}`

/** Drops a test schema and everything in it. */
export const dropSchema = (schema: string): Promise<void> =>
  withClient(async (client) => {
    await client.query(`drop schema if exists "${schema}" cascade`)
  })

/** A fresh schema name, dropped (with its tables) when the scope closes. */
export const freshSchema: Effect.Effect<string, never, Scope.Scope> = Effect.acquireRelease(
  Effect.sync(schemaName),
  (schema) => Effect.promise(() => dropSchema(schema))
)
