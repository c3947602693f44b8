/**
 * The machine and the versions a run measured, for the JSON and the docs.
 */
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import os from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

export interface Machine {
  readonly cpu: string
  readonly cores: number
  readonly memoryGiB: number
  readonly os: string
  readonly arch: string
  readonly node: string
}

export const machine = (): Machine => ({
  cpu: os.cpus()[0]?.model.trim() ?? "unknown",
  cores: os.availableParallelism(),
  memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
  os: `${os.type()} ${os.release()}`,
  arch: os.arch(),
  node: process.version
})

const here = dirname(fileURLToPath(import.meta.url))
export const benchRoot = join(here, "..")
export const repositoryRoot = join(benchRoot, "..")
/** The PostgreSQL peer's package (bench/peer-postgres): its Emmett resolves from there. */
export const peerPostgresRoot = join(benchRoot, "peer-postgres")

const require = createRequire(join(benchRoot, "package.json"))

/** The installed version of a package the bench resolves, or undefined when it is not installed. */
export const installedVersion = (name: string, from: string = benchRoot): string | undefined => {
  try {
    const local = createRequire(join(from, "package.json"))
    try {
      return (local(`${name}/package.json`) as { version?: string }).version
    } catch {
      // the package does not export its manifest: find it from its entry
    }
    let dir = dirname(local.resolve(name))
    // walk up from the entry to the package's own package.json
    for (let i = 0; i < 6; i++) {
      try {
        const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
          name?: string
          version?: string
        }
        if (manifest.name === name) return manifest.version
      } catch {
        // not here: one level up
      }
      dir = dirname(dir)
    }
  } catch {
    return undefined
  }
  return undefined
}

/** The commit measured, and whether the work tree had changes. */
export const revision = (): { readonly commit: string; readonly dirty: boolean } => {
  try {
    const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: repositoryRoot })
      .toString()
      .trim()
    const status = execFileSync("git", ["status", "--porcelain", "--", "packages"], { cwd: repositoryRoot })
      .toString()
      .trim()
    return { commit, dirty: status.length > 0 }
  } catch {
    return { commit: "unknown", dirty: false }
  }
}

/** The SQLite library better-sqlite3 is built with. */
export const sqliteVersion = (): string | undefined => {
  try {
    const Database = require("better-sqlite3") as typeof import("better-sqlite3")
    const db = new Database(":memory:")
    const version = db.prepare("select sqlite_version()").pluck().get() as string
    db.close()
    return version
  } catch {
    return undefined
  }
}

export const versions = (): Record<string, string | undefined> => ({
  node: process.version,
  sqlite: sqliteVersion(),
  "better-sqlite3": installedVersion("better-sqlite3"),
  effect: installedVersion("effect"),
  kysely: installedVersion("kysely", join(repositoryRoot, "packages", "sql")),
  uuid: installedVersion("uuid"),
  "@mentor-ledger/core": installedVersion("@mentor-ledger/core"),
  "@event-driven-io/emmett-sqlite": installedVersion("@event-driven-io/emmett-sqlite"),
  "@event-driven-io/emmett-postgresql": installedVersion(
    "@event-driven-io/emmett-postgresql",
    peerPostgresRoot
  ),
  sqlite3: installedVersion("sqlite3"),
  pg: installedVersion("pg"),
  "@mentor-ledger/postgres": installedVersion("@mentor-ledger/postgres")
})
