/**
 * The sealed-content format and its cipher: AES-256-GCM from node:crypto,
 * content keys derived with HKDF-SHA256 from the owners' data keys.
 *
 *   ml1.<owners>.<iv>.<ciphertext>.<tag>
 *
 * Every part is base64url. `<owners>` lists the owners' person ids, each as
 * `p` + the 16 bytes of the uuid (22 characters), sorted, joined by `~`:
 * the ciphertext says which keys open it, so a reader needs nothing else.
 * The additional authenticated data binds the ciphertext to its place:
 * organisation, stream, event id, field path and the owners.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto"

/** The prefix of every sealed string of format version 1. */
export const prefix = "ml1."

/** Plaintext content is at most this long (UTF-16 code units), as the command schemas say. */
export const maxContentLength = 20_000

/**
 * A bound for sealed strings: 20,000 code units are at most 60,000 UTF-8
 * bytes, 80,000 base64 characters, plus the owners, nonce and tag.
 */
export const maxSealedLength = 200_000

/** Whether a content string is sealed (as opposed to legacy plaintext). */
export const isSealed = (s: string): boolean => s.startsWith(prefix)

const refPattern = /^p[A-Za-z0-9_-]{22}$/
const b64Pattern = /^[A-Za-z0-9_-]*$/
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** A person id as an owner reference: `p` + base64url of its 16 bytes. */
export const ownerRef = (personId: string): string => {
  const id = personId.toLowerCase()
  if (!uuidPattern.test(id)) throw new Error(`an owner must be a uuid, got "${personId}"`)
  return `p${Buffer.from(id.replace(/-/g, ""), "hex").toString("base64url")}`
}

const refToPersonId = (ref: string): string => {
  const hex = Buffer.from(ref.slice(1), "base64url").toString("hex")
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

// Nonces come from a pool of random bytes, refilled as it runs out: each
// nonce is still 96 fresh random bits, for a fraction of the calls.
const poolSize = 12 * 1024
let pool = randomBytes(poolSize)
let poolAt = 0
/** `n` fresh random bytes (n <= 64), copied out of the pool. */
const fresh = (n: number): Buffer => {
  if (poolAt + n > poolSize) {
    pool = randomBytes(poolSize)
    poolAt = 0
  }
  const bytes = Buffer.from(pool.subarray(poolAt, poolAt + n))
  poolAt += n
  return bytes
}
const nonce = (): Buffer => fresh(12)

/** Owners in canonical form: lower-case, distinct, sorted. */
export const canonicalOwners = (ids: Iterable<string>): ReadonlyArray<string> =>
  [...new Set([...ids].map((id) => id.toLowerCase()))].sort()

const ownersTexts = new Map<string, string>()

/** The owners part of a sealed string for canonical owners. */
export const ownersText = (owners: ReadonlyArray<string>): string => {
  const key = owners.join(",")
  let text = ownersTexts.get(key)
  if (text === undefined) {
    text = owners.map(ownerRef).join("~")
    if (ownersTexts.size >= 10_000) ownersTexts.clear()
    ownersTexts.set(key, text)
  }
  return text
}

/** A parsed sealed string. */
export interface Parsed {
  /** The owners' person ids (lower-case uuids), in canonical order. */
  readonly owners: ReadonlyArray<string>
  readonly ownersText: string
  readonly iv: Buffer
  readonly ciphertext: Buffer
  readonly tag: Buffer
}

/** Parses a sealed string; a message says what is wrong with a malformed one. */
export const parse = (sealed: string): Parsed | string => {
  if (!isSealed(sealed)) return "not a sealed string"
  const parts = sealed.slice(prefix.length).split(".")
  if (parts.length !== 4) return `expected 4 parts after "${prefix}", found ${parts.length}`
  const [refs, iv, ciphertext, tag] = parts as [string, string, string, string]
  const owners = refs.split("~")
  if (refs.length === 0 || !owners.every((r) => refPattern.test(r))) return "malformed owners"
  if (![iv, ciphertext, tag].every((p) => b64Pattern.test(p))) return "not base64url"
  const parsed = {
    owners: owners.map(refToPersonId),
    ownersText: refs,
    iv: Buffer.from(iv, "base64url"),
    ciphertext: Buffer.from(ciphertext, "base64url"),
    tag: Buffer.from(tag, "base64url")
  }
  // Only the canonical encoding is accepted: a changed character never reads as the same bytes.
  if (
    parsed.iv.toString("base64url") !== iv ||
    parsed.ciphertext.toString("base64url") !== ciphertext ||
    parsed.tag.toString("base64url") !== tag ||
    parsed.owners.map(ownerRef).join("~") !== refs
  )
    return "not in canonical form"
  const sorted = [...parsed.owners].sort()
  if (new Set(sorted).size !== sorted.length || sorted.some((o, i) => o !== parsed.owners[i]))
    return "owners not in canonical order"
  if (parsed.iv.length !== 12) return "the nonce is not 12 bytes"
  if (parsed.tag.length !== 16) return "the tag is not 16 bytes"
  return parsed
}

/** Where a sealed string belongs: it opens only there. */
export interface Place {
  readonly organisation: string
  readonly stream: string
  readonly eventId: string
  /** The field's path in the payload, e.g. `goals.0`. */
  readonly path: string
}

const aad = (place: Place, owners: string): Buffer =>
  Buffer.from(
    `${prefix}\u0000${place.organisation}\u0000${place.stream}\u0000${place.eventId}\u0000${place.path}\u0000${owners}`,
    "utf8"
  )

/**
 * The content key of a set of owners: HKDF-SHA256 over their data keys in
 * canonical order, so it exists only while every one of them does.
 */
export const deriveContentKey = (
  organisation: string,
  owners: string,
  dataKeys: ReadonlyArray<Uint8Array>
): Buffer => {
  // HKDF-SHA256 (RFC 5869) for one 32-byte block, written out with two
  // HMACs: the same bytes as hkdfSync("sha256", keys, salt, info, 32), for
  // a third of its cost.
  const prk = createHmac("sha256", contentKeySalt).update(Buffer.concat(dataKeys)).digest()
  return createHmac("sha256", prk).update(`${organisation}\u0000${owners}`, "utf8").update(one).digest()
}

const contentKeySalt = "mentor-ledger/content-key/v1"
const one = Buffer.of(1)

/** Seals a plaintext under a content key, bound to its place. */
export const seal = (plaintext: string, contentKey: Uint8Array, owners: string, place: Place): string => {
  const iv = nonce()
  const cipher = createCipheriv("aes-256-gcm", contentKey, iv)
  cipher.setAAD(aad(place, owners))
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()])
  const tag = cipher.getAuthTag()
  return `${prefix}${owners}.${iv.toString("base64url")}.${ciphertext.toString("base64url")}.${tag.toString("base64url")}`
}

/** Opens a parsed sealed string; `undefined` when the tag does not verify (tampered or moved). */
export const open = (parsed: Parsed, contentKey: Uint8Array, place: Place): string | undefined => {
  try {
    const decipher = createDecipheriv("aes-256-gcm", contentKey, parsed.iv)
    decipher.setAAD(aad(place, parsed.ownersText))
    decipher.setAuthTag(parsed.tag)
    return Buffer.concat([decipher.update(parsed.ciphertext), decipher.final()]).toString("utf8")
  } catch {
    return undefined
  }
}

/** 32 random bytes: a new data key. */
export const newDataKey = (): Uint8Array => new Uint8Array(fresh(32))

/** Wraps a data key under a master key (AES-256-GCM), bound to its subject. */
export const wrapKey = (key: Uint8Array, masterKey: Uint8Array, context: string): Uint8Array => {
  const iv = nonce()
  const cipher = createCipheriv("aes-256-gcm", masterKey, iv)
  cipher.setAAD(Buffer.from(context, "utf8"))
  const body = Buffer.concat([cipher.update(key), cipher.final()])
  return new Uint8Array(Buffer.concat([iv, body, cipher.getAuthTag()]))
}

/** Unwraps a data key; `undefined` when the master key or the context does not fit. */
export const unwrapKey = (
  wrapped: Uint8Array,
  masterKey: Uint8Array,
  context: string
): Uint8Array | undefined => {
  if (wrapped.length !== 12 + 32 + 16) return undefined
  try {
    const buf = Buffer.from(wrapped)
    const decipher = createDecipheriv("aes-256-gcm", masterKey, buf.subarray(0, 12))
    decipher.setAAD(Buffer.from(context, "utf8"))
    decipher.setAuthTag(buf.subarray(44))
    return new Uint8Array(Buffer.concat([decipher.update(buf.subarray(12, 44)), decipher.final()]))
  } catch {
    return undefined
  }
}
