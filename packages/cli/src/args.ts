/**
 * Command-line parsing helpers on `node:util` `parseArgs`: the options every
 * subcommand shares, dates, and the database target.
 *
 * @since 0.1.0
 */
import { parseArgs, type ParseArgsConfig } from "node:util"
import { UsageError } from "./errors.js"

/** The environment variable that names the database when `--db` is not given. @since 0.1.0 @category options */
export const dbEnv = "MENTOR_LEDGER_DB"

/** The environment variable that holds the analyst's pseudonymisation key. @since 0.1.0 @category options */
export const keyEnv = "MENTOR_LEDGER_KEY"

type Options = NonNullable<ParseArgsConfig["options"]>

/** The parsed option values: strings, booleans, or lists of them with `multiple`. @since 0.1.0 @category parsing */
export type Values<O extends Options> = {
  readonly [K in keyof O]?: O[K] extends { readonly type: "boolean" }
    ? O[K] extends { readonly multiple: true }
      ? ReadonlyArray<boolean>
      : boolean
    : O[K] extends { readonly multiple: true }
      ? ReadonlyArray<string>
      : string
}

/** Options of every subcommand that opens a store. @since 0.1.0 @category options */
export const storeOptions = {
  db: { type: "string" },
  schema: { type: "string" },
  "table-prefix": { type: "string" },
  help: { type: "boolean", short: "h" }
} as const satisfies Options

/** The help text of the store options. @since 0.1.0 @category options */
export const storeHelp = `Store options:
  --db <file|url>        an SQLite file, or postgres://user:password@host:port/database
                         (default: $${dbEnv})
  --schema <name>        PostgreSQL schema holding the tables (default: public)
  --table-prefix <p>     prefix of mentor-ledger's tables (default: ml_)
  -h, --help             show this help`

/**
 * Parses `argv` with these options, strictly: an unknown option or a
 * missing value is a {@link UsageError} that names the subcommand.
 * @since 0.1.0
 * @category parsing
 */
export const parse = <O extends Options>(
  command: string,
  argv: ReadonlyArray<string>,
  options: O,
  allowPositionals = false
): { readonly values: Values<O>; readonly positionals: ReadonlyArray<string> } => {
  try {
    const parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals })
    return { values: parsed.values as Values<O>, positionals: parsed.positionals }
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0]! : String(error)
    throw new UsageError(`${message.replace(/\. To specify.*$/, "")} (see: mentor-ledger ${command} --help)`)
  }
}

const isoDate = /^(\d{4})-(\d{2})-(\d{2})$/
const isoDateTime =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:?\d{2})?$/

/**
 * A point in time from the command line: `2026-03-01` (the END of that
 * day, UTC: "as of March 1" includes what happened on March 1) or an
 * ISO-8601 date-time (`2026-03-01T12:00Z`; without an offset, UTC).
 * Anything else, or a date that does not exist, is a {@link UsageError}.
 * @since 0.1.0
 * @category parsing
 */
export const parseDate = (option: string, value: string): Date => {
  const bad = () =>
    new UsageError(
      `${option}: "${value}" is not a date; use YYYY-MM-DD (end of that day, UTC) or an ISO date-time such as 2026-03-01T12:00Z`
    )
  const trimmed = value.trim()
  const d = isoDate.exec(trimmed)
  if (d !== null) {
    const [y, m, day] = [Number(d[1]), Number(d[2]), Number(d[3])]
    const date = new Date(Date.UTC(y, m - 1, day, 23, 59, 59, 999))
    if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== day) throw bad()
    return date
  }
  const t = isoDateTime.exec(trimmed)
  if (t === null) throw bad()
  const [y, m, day, hh, mm] = [Number(t[1]), Number(t[2]), Number(t[3]), Number(t[4]), Number(t[5])]
  const probe = new Date(Date.UTC(y, m - 1, day))
  if (probe.getUTCFullYear() !== y || probe.getUTCMonth() !== m - 1 || probe.getUTCDate() !== day) throw bad()
  if (hh > 23 || mm > 59 || Number(t[6] ?? 0) > 59) throw bad()
  const iso = `${t[1]}-${t[2]}-${t[3]}T${t[4]}:${t[5]}:${t[6] ?? "00"}.${(t[7] ?? "0").padEnd(3, "0")}${normaliseOffset(t[8])}`
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) throw bad()
  return date
}

const normaliseOffset = (offset: string | undefined): string => {
  if (offset === undefined || offset === "Z") return "Z"
  return offset.length === 5 ? `${offset.slice(0, 3)}:${offset.slice(3)}` : offset
}

/** A whole number option within bounds. @since 0.1.0 @category parsing */
export const parseInteger = (option: string, value: string, min: number, max: number): number => {
  if (!/^\d+$/.test(value.trim()))
    throw new UsageError(`${option}: "${value}" is not a whole number (${min}–${max})`)
  const n = Number(value)
  if (n < min || n > max) throw new UsageError(`${option}: ${n} is out of range (${min}–${max})`)
  return n
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** A uuid argument (mentorship or person id). @since 0.1.0 @category parsing */
export const parseUuid = (what: string, value: string): string => {
  if (!uuidPattern.test(value.trim())) throw new UsageError(`${what}: "${value}" is not a uuid`)
  return value.trim().toLowerCase()
}

/** One of a fixed set of words. @since 0.1.0 @category parsing */
export const parseChoice = <A extends string>(
  option: string,
  value: string,
  choices: ReadonlyArray<A>
): A => {
  if (!(choices as ReadonlyArray<string>).includes(value))
    throw new UsageError(`${option}: "${value}" is not one of ${choices.join(", ")}`)
  return value as A
}
