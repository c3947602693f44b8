/**
 * Starts the school system.
 *
 *   pnpm --filter @mentor-ledger/example-school-system start
 *
 * PORT (default 3000) and SCHOOL_DB (default .tmp/school-system.sqlite under
 * the repository) configure it. The file keeps everything between runs.
 */
import { mkdirSync } from "node:fs"
import { dirname, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { openSchoolSystem } from "./app.js"

const root = fileURLToPath(new URL("../../..", import.meta.url))
const filename = resolve(process.env.SCHOOL_DB ?? resolve(root, ".tmp/school-system.sqlite"))
const port = Number(process.env.PORT ?? 3000)
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a port number, not ${process.env.PORT}`)
  process.exit(2)
}
mkdirSync(dirname(filename), { recursive: true })

const system = await openSchoolSystem({ filename })
const url = await system.listen(port, process.env.HOST ?? "127.0.0.1")
const sample = fileURLToPath(new URL("../data/hr-export.csv", import.meta.url))
console.log(`school system listening on ${url} (data in ${filename})`)
console.log(`import the sample HR export with:
  curl -s -X POST ${url}/people/import -H 'X-Role: hr-integration' -H 'Content-Type: text/csv' --data-binary @${sample}`)

const stop = async (signal: string) => {
  console.log(`${signal}: closing`)
  await system.close()
  process.exit(0)
}
process.once("SIGINT", () => void stop("SIGINT"))
process.once("SIGTERM", () => void stop("SIGTERM"))
