/**
 * `mentor-ledger export`: a pseudonymised event log for process mining and
 * statistics tools.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import { parse, parseChoice, parseDate, parseInteger, storeHelp, storeOptions } from "../args.js"
import { exportLog, type Format, formats } from "../export/formats.js"
import { eprintln, type Io, println } from "../io.js"
import { runOnStore } from "../run.js"
import * as Output from "../output.js"
import * as Pseudonyms from "../pseudonyms.js"
import { resolveTarget } from "../store.js"
import { UsageError } from "../errors.js"
import { thousands } from "../table.js"

/** @since 0.1.0 @category help */
export const help = `Usage: mentor-ledger export --format <ndjson|csv|xes|ocel2> --key <secret> [--out <file>]

Writes the event log as process facts, pseudonymised, for process-mining and
statistics tools. No content (summaries, self-assessments, goals, notes…) is
ever exported: only what happened, when, in which phase, by which role, how
(modality, duration) and how many (counts). Every person, mentorship,
meeting, task and event id is replaced by HMAC-SHA256(key, id), truncated to
64 bits: the same key gives the same pseudonyms in every export of a study.

Formats:
  ndjson   one JSON object per event, in log order
  csv      one row per event (RFC 4180, a header row)
  xes      IEEE 1849 XES: one trace per mentorship (concept:name, time:timestamp,
           lifecycle:transition, org:role, org:resource); for ProM, PM4Py, Disco, Celonis
  ocel2    OCEL 2.0 JSON: events related to mentorship, mentor, mentee, supervisor,
           programme and meeting objects by qualifiers; for object-centric tools

Options:
  --format <f>           the format (required)
  --key <secret>         the analyst's pseudonymisation key, at least 16 characters
  --key-file <file>      … or read it from a file (or set $MENTOR_LEDGER_KEY)
                         Without a key the export is refused: a random key would
                         change every pseudonym at every export.
  --out <file>           write to a file (written whole, then renamed into place)
                         (default: standard output)
  --as-of <date>         only what had happened by then (by occurred time)
  --as-known-at <date>   only what the system knew then (by recorded time)
  --organisation <id>    only this organisation (tenant) (default: all)
  --batch-size <n>       events read per batch (default 1000)
${storeHelp}

The log is read in batches and written as it is read, so memory stays bounded
(OCEL 2.0 keeps its objects' ids until the end). Opens the store read-only.

Example:
  mentor-ledger export --db mentoring.db --format xes --key-file study.key --out mentoring.xes`

const options = {
  ...storeOptions,
  format: { type: "string", short: "f" },
  key: { type: "string" },
  "key-file": { type: "string" },
  out: { type: "string", short: "o" },
  "as-of": { type: "string" },
  "as-known-at": { type: "string" },
  organisation: { type: "string" },
  "batch-size": { type: "string" }
} as const

/** @since 0.1.0 @category commands */
export const exportCommand = async (argv: ReadonlyArray<string>, io: Io): Promise<number> => {
  const { values } = parse("export", argv, options)
  if (values.help) {
    println(io, help)
    return 0
  }
  if (values.format === undefined)
    throw new UsageError(`give --format ${formats.join("|")} (see: mentor-ledger export --help)`)
  const format: Format = parseChoice("--format", values.format, formats)
  const occurredUntil = values["as-of"] === undefined ? undefined : parseDate("--as-of", values["as-of"])
  const recordedUntil =
    values["as-known-at"] === undefined ? undefined : parseDate("--as-known-at", values["as-known-at"])
  const batchSize = parseInteger("--batch-size", values["batch-size"] ?? "1000", 1, 100_000)
  const key = Pseudonyms.resolveKey(values, io.env)
  if (key === undefined) throw Pseudonyms.missingKey("export")
  const target = resolveTarget(values, io.env)
  const output = values.out === undefined ? Output.toStream(io.stdout) : await Output.toFile(values.out)
  const started = Date.now()
  try {
    const result = await runOnStore(
      target,
      { readonly: true },
      exportLog({
        format,
        pseudonymise: Pseudonyms.make(key),
        output,
        batchSize,
        ...(values.organisation === undefined ? {} : { organisation: values.organisation }),
        ...(occurredUntil === undefined ? {} : { occurredUntil }),
        ...(recordedUntil === undefined ? {} : { recordedUntil })
      }).pipe(Effect.withSpan("export"))
    )
    await output.close()
    if (values.out !== undefined) {
      const containers =
        format === "xes"
          ? `, ${thousands(result.containers)} traces`
          : format === "ocel2"
            ? `, ${thousands(result.containers)} objects`
            : ""
      eprintln(
        io,
        `exported ${thousands(result.events)} events${containers} as ${format} to ${values.out} in ${((Date.now() - started) / 1000).toFixed(1)} s`
      )
    }
    return 0
  } catch (error) {
    await output.abort()
    throw error
  }
}
