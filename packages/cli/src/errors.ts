/**
 * How the command fails: one clear line on stderr and a non-zero exit code,
 * never a stack trace.
 *
 * - {@link UsageError} (exit 2): the command line is wrong (an unknown
 *   option, a bad date or format, a missing argument);
 * - {@link CliFailure} (exit 1): the command could not do its work (no such
 *   database, an unknown mentorship, a store fault).
 *
 * @since 0.1.0
 */

/** The command line is wrong. @since 0.1.0 @category errors */
export class UsageError extends Error {
  readonly _tag = "UsageError"
  readonly exitCode = 2
}

/** The command could not do its work. @since 0.1.0 @category errors */
export class CliFailure extends Error {
  readonly _tag = "CliFailure"
  readonly exitCode = 1
}

const firstLine = (text: string): string => {
  const line = text.split(/\r?\n/).find((l) => l.trim().length > 0) ?? text
  return line.trim()
}

/**
 * One line for any error: our own, the store's typed errors (`StoreError`,
 * `RuleViolation`, `ProjectionError`, …) by their tag, or a plain `Error`.
 * @since 0.1.0
 * @category errors
 */
export const describeError = (error: unknown): { readonly message: string; readonly exitCode: number } => {
  if (error instanceof UsageError || error instanceof CliFailure)
    return { message: firstLine(error.message), exitCode: error.exitCode }
  if (typeof error === "object" && error !== null && "_tag" in error) {
    const e = error as { _tag: string; message?: string; reason?: string; rule?: string }
    const message = firstLine(e.message ?? String(error))
    switch (e._tag) {
      case "StoreError":
        return { message: `store error (${e.reason ?? "Unknown"}): ${message}`, exitCode: 1 }
      case "RuleViolation":
        return { message: `refused (${e.rule ?? "rule"}): ${message}`, exitCode: 1 }
      case "ProjectionError":
        return { message: `projection error (${e.reason ?? "Unknown"}): ${message}`, exitCode: 1 }
      default:
        return { message: `${e._tag}: ${message}`, exitCode: 1 }
    }
  }
  if (error instanceof Error) return { message: firstLine(error.message), exitCode: 1 }
  return { message: firstLine(String(error)), exitCode: 1 }
}
