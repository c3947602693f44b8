/**
 * The `mentor-ledger` command: dispatches to a subcommand and turns every
 * failure into one line on stderr and an exit code (2: the command line is
 * wrong; 1: the command failed).
 *
 * @since 0.1.0
 */
import { describeError, UsageError } from "./errors.js"
import { eprintln, type Io, println } from "./io.js"

/** The version printed by `--version`. @since 0.1.0 @category constants */
export const version = "0.1.0"

/** @since 0.1.0 @category help */
export const help = `mentor-ledger ${version}: replay, time travel, statistics and process-mining exports
for mentor-ledger event stores (an SQLite file or a PostgreSQL database).

Usage: mentor-ledger <command> [options]

Commands:
  demo      write a realistic demo programme to an SQLite file (or an empty database)
  show      a mentorship as it was at a point in time, as a role may see it     (read-only)
  export    a pseudonymised event log: ndjson, csv, xes (IEEE 1849), ocel2     (read-only)
  stats     phase durations, meetings, completion and withdrawal rates         (read-only)
  rebuild   rebuild the read models from the events, from scratch
  replay    bring the read models up to date from their checkpoints (resumes an interrupted rebuild)

Every command takes --db <file or postgres:// URL> (default: $MENTOR_LEDGER_DB)
and --help. Read-only commands open the store read-only: they never write.

Examples:
  mentor-ledger demo --db mentoring.db
  mentor-ledger stats --db mentoring.db --html report.html
  mentor-ledger export --db mentoring.db --format ocel2 --key "$MY_STUDY_KEY" --out mentoring.json

See docs/analysts.md for a walk-through.`

// Each command is loaded when it runs, so that `--help` and `--version` start fast.
const commands: Record<string, (argv: ReadonlyArray<string>, io: Io) => Promise<number>> = {
  demo: async (argv, io) => (await import("./commands/demo.js")).demo(argv, io),
  show: async (argv, io) => (await import("./commands/show.js")).show(argv, io),
  export: async (argv, io) => (await import("./commands/export.js")).exportCommand(argv, io),
  stats: async (argv, io) => (await import("./commands/stats.js")).stats(argv, io),
  rebuild: async (argv, io) => (await import("./commands/rebuild.js")).rebuild(argv, io, "rebuild"),
  replay: async (argv, io) => (await import("./commands/rebuild.js")).rebuild(argv, io, "replay")
}

/**
 * Runs the command line; resolves with the exit code.
 * @since 0.1.0
 * @category main
 */
export const run = async (argv: ReadonlyArray<string>, io: Io): Promise<number> => {
  const [name, ...rest] = argv
  try {
    if (name === undefined || name === "help" || name === "--help" || name === "-h") {
      const topic = name === "help" ? rest[0] : undefined
      if (topic !== undefined && commands[topic] !== undefined) return await commands[topic]!(["--help"], io)
      println(io, help)
      return name === undefined ? 2 : 0
    }
    if (name === "--version" || name === "-v") {
      println(io, version)
      return 0
    }
    const command = commands[name]
    if (command === undefined)
      throw new UsageError(
        `unknown command "${name}"; the commands are ${Object.keys(commands).join(", ")} (see: mentor-ledger --help)`
      )
    return await command(rest, io)
  } catch (error) {
    const { message, exitCode } = describeError(error)
    eprintln(
      io,
      `mentor-ledger${name !== undefined && commands[name] !== undefined ? ` ${name}` : ""}: ${message}`
    )
    if (io.env.MENTOR_LEDGER_DEBUG === "1" && error instanceof Error && error.stack !== undefined)
      eprintln(io, error.stack)
    return exitCode
  }
}
