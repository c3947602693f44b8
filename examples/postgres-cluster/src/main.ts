/**
 * Two worker processes sharing the read models of one PostgreSQL, a writer,
 * and a failover:
 *
 *   eval "$(bash scripts/postgres.sh start)"     # a throw-away server (or set MENTOR_LEDGER_PG_URL)
 *   pnpm --filter @mentor-ledger/example-postgres-cluster start            # a fresh schema, dropped at the end
 *   pnpm --filter @mentor-ledger/example-postgres-cluster start -- demo    # keep the tables in schema "demo"
 */
import { randomBytes } from "node:crypto"
import { dropSchema, runCluster } from "./cluster.js"
import { databaseUrl } from "./url.js"

const [kept] = process.argv.slice(2).filter((a) => a !== "--")
const url = databaseUrl()
const schema = kept ?? `cluster_${randomBytes(4).toString("hex")}`
console.log(`schema ${schema}`)
try {
  const result = await runCluster(url, schema)
  console.log(JSON.stringify(result))
  if (result.shown !== result.requested || !result.sameAsRebuild) process.exitCode = 1
} finally {
  if (kept === undefined) await dropSchema(url, schema)
}
