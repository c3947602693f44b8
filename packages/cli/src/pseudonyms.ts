/**
 * Stable pseudonyms for analysts: HMAC-SHA256 of an id under the analyst's
 * key, truncated to 16 hex digits (64 bits).
 *
 * The same key gives the same pseudonym for the same person (or
 * mentorship, meeting…) in every export, so one study can join its exports;
 * another key gives unrelated pseudonyms, so two studies cannot be joined
 * on them. Without the key a pseudonym cannot be turned back into an id,
 * nor checked against a guessed id. Ids are compared case-insensitively,
 * as the ledger does.
 *
 * Person ids are already meant to be pseudonymous (a host system maps its
 * staff numbers to uuids), but the host system can map them back: the
 * keyed hash makes an export unlinkable to the live system without the key.
 *
 * @since 0.1.0
 */
import { createHmac, randomBytes } from "node:crypto"
import { readFileSync } from "node:fs"
import { keyEnv } from "./args.js"
import { UsageError } from "./errors.js"

/** A function from an id to its pseudonym. @since 0.1.0 @category models */
export type Pseudonymise = (id: string) => string

/** How many hex digits a pseudonym keeps. @since 0.1.0 @category models */
export const pseudonymLength = 16

/** The least key length, in characters. @since 0.1.0 @category models */
export const minimumKeyLength = 16

/**
 * The keyed hash for a key.
 * @since 0.1.0
 * @category constructors
 */
export const make = (key: string | Uint8Array): Pseudonymise => {
  const material = typeof key === "string" ? Buffer.from(key, "utf8") : Buffer.from(key)
  return (id) =>
    createHmac("sha256", material).update(id.toLowerCase()).digest("hex").slice(0, pseudonymLength)
}

/** A fresh random key (hex), for `--key` suggestions. @since 0.1.0 @category constructors */
export const randomKey = (): string => randomBytes(32).toString("hex")

/**
 * The analyst's key from `--key`, `--key-file` or `$MENTOR_LEDGER_KEY`, or
 * `undefined` when none is given.
 * @since 0.1.0
 * @category constructors
 */
export const resolveKey = (
  values: { readonly key?: string | undefined; readonly "key-file"?: string | undefined },
  env: Readonly<Record<string, string | undefined>>
): string | undefined => {
  if (values.key !== undefined && values["key-file"] !== undefined)
    throw new UsageError("give --key or --key-file, not both")
  let key = values.key
  if (values["key-file"] !== undefined) {
    try {
      key = readFileSync(values["key-file"], "utf8").trim()
    } catch (error) {
      throw new UsageError(
        `--key-file: cannot read ${values["key-file"]}: ${error instanceof Error ? error.message : String(error)}`
      )
    }
  }
  key ??= env[keyEnv]?.trim() || undefined
  if (key === undefined) return undefined
  if (key.length < minimumKeyLength)
    throw new UsageError(
      `the pseudonymisation key is too short (${key.length} characters; at least ${minimumKeyLength}); make one with: openssl rand -hex 32`
    )
  return key
}

/** The message for a command that needs a key and got none. @since 0.1.0 @category constructors */
export const missingKey = (command: string): UsageError =>
  new UsageError(
    `${command} needs the analyst's pseudonymisation key: give --key <secret>, --key-file <file> or set ${keyEnv} (keep it for the whole study; make one with: openssl rand -hex 32)`
  )
