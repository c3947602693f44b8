/**
 * Plays one induction term into an SQLite file with the Effect API.
 *
 *   pnpm --filter @mentor-ledger/example-effect-app start
 *   pnpm --filter @mentor-ledger/example-effect-app start /path/to/file.db
 *
 * The layers:
 *
 *   Ledger.layer()                      the command handler (Ledger service)
 *     ← SqliteReadModels.layer(…)       EventStore, EventJournal, KeyStore, Queries… on one SQLite file
 *     ← Ids.layerSequential()           IdGenerator: event, person and mentorship ids
 *   layerDirectory                      the app's staff directory
 *   SchoolCalendar.layer(…)             the Clock the ledger stamps events with
 */
import { mkdirSync, rmSync } from "node:fs"
import { dirname, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { Ids, Ledger } from "@mentor-ledger/core"
import { SqliteReadModels } from "@mentor-ledger/sqlite"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import { layerDirectory } from "./People.js"
import * as SchoolCalendar from "./SchoolCalendar.js"
import { playTerm } from "./Term.js"

const root = fileURLToPath(new URL("../../..", import.meta.url))
const filename = resolve(
  process.argv.slice(2).find((arg) => arg !== "--") ??
    process.env.EFFECT_APP_DB ??
    resolve(root, ".tmp/effect-app.sqlite")
)
// Sequential ids and the calendar make every run the same: start from an empty file.
mkdirSync(dirname(filename), { recursive: true })
for (const suffix of ["", "-wal", "-shm"]) rmSync(`${filename}${suffix}`, { force: true })

// #region layers
// One id generator for the store (event ids) and the program (people, mentorships, meetings).
const IdsLive = Ids.layerSequential()
const StoreLive = SqliteReadModels.layer({ filename, projections: "inline" })
const AppLive = Ledger.layer().pipe(
  Layer.provideMerge(StoreLive),
  Layer.provideMerge(Layer.merge(IdsLive, layerDirectory))
)

const data = (name: string) => fileURLToPath(new URL(`../data/${name}`, import.meta.url))
const program = playTerm({ staff: data("staff.csv"), staffWithErrors: data("staff-with-errors.csv") }).pipe(
  Effect.provide(AppLive),
  // The calendar is the Clock of everything inside, building the layers included.
  Effect.provide(SchoolCalendar.layer(new Date("2026-08-10T08:00:00Z")))
)
// #endregion layers

const exit = await Effect.runPromiseExit(program)
if (Exit.isFailure(exit)) {
  console.error(Cause.pretty(exit.cause))
  process.exitCode = 1
} else console.log(`\nWritten to ${filename}`)
