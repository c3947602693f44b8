/**
 * One app instance's catch-up worker: run two (or more) of these on one
 * database and they share the read models out; kill one and the others
 * take its projections over.
 *
 *   MENTOR_LEDGER_PG_URL=postgres://… pnpm --filter @mentor-ledger/example-postgres-cluster worker -- <schema> <name>
 *
 * It prints one JSON line per change: `{"worker":…,"owns":[…]}` when what it
 * owns changes, `{"worker":…,"ready":true}` once it runs. SIGTERM or SIGINT
 * stops it cleanly (it gives its projections up at once); SIGKILL too, the
 * hard way (the server frees its locks when its connection drops).
 */
import { PgReadModels } from "@mentor-ledger/postgres"
import { databaseUrl } from "./url.js"

const [schema, name] = process.argv.slice(2).filter((a) => a !== "--")
if (schema === undefined || name === undefined) {
  console.error("usage: worker.ts <schema> <worker name>")
  process.exit(2)
}
const say = (fields: Record<string, unknown>) => console.log(JSON.stringify({ worker: name, ...fields }))

// #region worker
const store = await PgReadModels.open({
  url: databaseUrl(),
  schema,
  // this instance keeps the read models by a worker in the background,
  // woken by NOTIFY when an append commits, and polling as a fallback
  projections: "catch-up",
  pollInterval: "250 millis",
  // the worker catches up; opening does not wait for it
  catchUpOnOpen: false,
  // shown as the owner in pg_stat_activity and in `owners()`
  instance: name,
  onOwnership: (owned) => say({ owns: owned })
})
// #endregion worker
say({ ready: true, pid: process.pid })

const stop = () => {
  void store.close().then(() => process.exit(0))
}
process.on("SIGTERM", stop)
process.on("SIGINT", stop)
