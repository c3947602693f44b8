/**
 * The key store: data keys per person, crypto-shredding and erasure
 * records.
 *
 * Every person (per organisation) has one data key: 32 random bytes,
 * created the first time content owned by them is sealed. Content is
 * sealed under a content key derived (HKDF) from the data keys of all its
 * owners, so it is readable only while every owner's key exists. Erasing a
 * person deletes their key and records the erasure; no key is ever issued
 * for them again, so a late write of content they own is refused with
 * {@link SubjectErased}.
 *
 * It is built, like the event store, in two levels: an adapter implements
 * {@link KeyStorage} (rows), the core does the rest here. Keys are stored
 * wrapped by a {@link KeyWrapper}: unwrapped for tests, under a master key
 * kept outside the database, or by an external KMS (envelope encryption).
 * Unwrapped keys are cached in memory for the life of the layer; an
 * erasure evicts them.
 *
 * @example
 * import { Layer } from "effect"
 * import { KeyStore, KeyStorage } from "@mentor-ledger/core"
 * // Keys in your adapter's tables, wrapped by a master key from a secret:
 * const keys = KeyStore.layer().pipe(
 *   Layer.provide(KeyStore.layerMasterKey(Buffer.from(process.env.ML_MASTER_KEY!, "base64"))),
 *   Layer.provide(myKeyStorageLayer))
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import { StoreError } from "./EventJournal.js"
import type { OrganisationId } from "./Ids.js"
import { deriveContentKey, newDataKey, ownersText, unwrapKey, wrapKey } from "./internal/sealed.js"
import {
  type ErasureRecord,
  type KeySubject,
  KeyStorage,
  layerMemory as storageMemory,
  personSubject,
  type StoredKey,
  subjectKey
} from "./KeyStorage.js"

export type { ErasureRecord, KeySubject } from "./KeyStorage.js"

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/**
 * A key was asked for a subject whose personal data was erased: the write
 * that needed it is refused, and nothing was stored.
 * @since 0.1.0
 * @category errors
 */
export class SubjectErased extends Schema.TaggedError<SubjectErased>()("SubjectErased", {
  organisation: Schema.String,
  subject: Schema.String,
  message: Schema.String
}) {}

// ---------------------------------------------------------------------------
// Wrapping (envelope encryption)
// ---------------------------------------------------------------------------

/**
 * Wraps data keys before they are stored and unwraps them after they are
 * read: envelope encryption. Implement it with your KMS (AWS KMS
 * `Encrypt` / `Decrypt` with the subject as encryption context, Google
 * Cloud KMS, Azure Key Vault `wrapKey`, HashiCorp Vault transit) so that
 * whoever holds the database does not hold the keys. `id` is stored with
 * every key, so that a store can hold keys of several wrappers while you
 * rotate.
 * @since 0.1.0
 * @category wrapping
 */
export interface KeyWrapperService {
  readonly id: string
  readonly wrap: (key: Uint8Array, subject: KeySubject) => Effect.Effect<Uint8Array, StoreError>
  readonly unwrap: (stored: StoredKey) => Effect.Effect<Uint8Array, StoreError>
}

/** @since 0.1.0 @category wrapping */
export class KeyWrapper extends Context.Tag("@mentor-ledger/core/KeyWrapper")<
  KeyWrapper,
  KeyWrapperService
>() {}

const wrapContext = (s: KeySubject) => `mentor-ledger/data-key\u0000${s.organisation}\u0000${s.subject}`

/**
 * No wrapping: data keys are stored as they are. For tests, demos, and
 * stores whose key tables live apart from the event tables (see
 * docs/privacy.md: who holds both holds the content).
 * @since 0.1.0
 * @category wrapping
 */
export const layerUnwrapped: Layer.Layer<KeyWrapper> = Layer.succeed(KeyWrapper, {
  id: "none",
  wrap: (key) => Effect.succeed(new Uint8Array(key)),
  unwrap: (stored) =>
    stored.wrapping === "none" && stored.material.length === 32
      ? Effect.succeed(new Uint8Array(stored.material))
      : Effect.fail(
          new StoreError({
            reason: "Corrupt",
            message: `the key of ${stored.subject} is wrapped by "${stored.wrapping}", not stored plain`
          })
        )
})

/**
 * Wraps data keys with AES-256-GCM under a 32-byte master key that lives
 * outside the database (a secret file, an environment variable from a
 * secret manager). Each wrapped key is bound to its subject.
 * @since 0.1.0
 * @category wrapping
 */
export const layerMasterKey = (masterKey: Uint8Array, keyId = "local"): Layer.Layer<KeyWrapper> =>
  Layer.sync(KeyWrapper, () => {
    if (masterKey.length !== 32) throw new Error("the master key must be 32 bytes")
    const master = new Uint8Array(masterKey)
    const id = `master:${keyId}`
    return {
      id,
      wrap: (key, subject) => Effect.sync(() => wrapKey(key, master, wrapContext(subject))),
      unwrap: (stored) =>
        Effect.suspend(() => {
          const key =
            stored.wrapping === id ? unwrapKey(stored.material, master, wrapContext(stored)) : undefined
          return key === undefined
            ? Effect.fail(
                new StoreError({
                  reason: "Corrupt",
                  message: `cannot unwrap the key of ${stored.subject} (wrapped by "${stored.wrapping}") with ${id}`
                })
              )
            : Effect.succeed(key)
        })
    }
  })

// ---------------------------------------------------------------------------
// The service
// ---------------------------------------------------------------------------

/**
 * What a lookup found for one subject: its key, its erasure, or nothing
 * (never created, or the row was lost).
 * @since 0.1.0
 * @category service
 */
export type KeyLookup =
  | { readonly _tag: "Found"; readonly key: Uint8Array }
  | { readonly _tag: "Erased"; readonly erasedAt: Date }
  | { readonly _tag: "Missing" }

/**
 * The content key of a set of owners, for opening: found, or why not.
 * @since 0.1.0
 * @category service
 */
export type OpeningKey =
  | { readonly _tag: "Found"; readonly key: Uint8Array }
  | { readonly _tag: "Erased"; readonly subjects: ReadonlyArray<KeySubject> }
  | { readonly _tag: "Missing"; readonly subjects: ReadonlyArray<KeySubject> }

/**
 * A data key made for an append and not stored yet: the journal stores it
 * in the append's own transaction (`EventJournal.appendWithKeys`), and the
 * key store remembers it once that committed ({@link KeyStoreService.confirm}).
 * @since 0.1.0
 * @category service
 */
export interface PendingKey {
  readonly subject: KeySubject
  readonly key: Uint8Array
  /** The row to store. */
  readonly stored: StoredKey
  /** How many erasures the key store had seen when it made the key: one since, and it is not kept in memory. */
  readonly generation: number
}

/** The keys one append made, by {@link subjectKey}. @since 0.1.0 @category service */
export type PendingKeys = Map<string, PendingKey>

/** @since 0.1.0 @category service */
export interface KeyStoreService {
  /** The subjects' data keys, created where missing; fails if any subject was erased. */
  readonly issue: (
    subjects: ReadonlyArray<KeySubject>
  ) => Effect.Effect<ReadonlyArray<Uint8Array>, SubjectErased | StoreError>
  /** The subjects' data keys as they are; never creates one. */
  readonly lookup: (
    subjects: ReadonlyArray<KeySubject>
  ) => Effect.Effect<ReadonlyArray<KeyLookup>, StoreError>
  /**
   * The content key for sealing content owned by these persons (canonical
   * owners, see `Privacy`); creates missing data keys; fails if any owner
   * was erased.
   */
  readonly sealingKey: (
    organisation: OrganisationId,
    owners: ReadonlyArray<string>
  ) => Effect.Effect<Uint8Array, SubjectErased | StoreError>
  /** The content key for opening content owned by these persons, if every owner's key exists. */
  readonly openingKey: (
    organisation: OrganisationId,
    owners: ReadonlyArray<string>
  ) => Effect.Effect<OpeningKey, StoreError>
  /**
   * Crypto-shredding: records the subjects' erasure (so that no key is
   * issued for them again), then deletes their keys and evicts them from
   * memory. Idempotent.
   */
  readonly erase: (subjects: ReadonlyArray<KeySubject>, erasedAt: Date) => Effect.Effect<void, StoreError>
  /** The recorded erasures, of one organisation or of all. */
  readonly erased: (organisation?: OrganisationId) => Effect.Effect<ReadonlyArray<ErasureRecord>, StoreError>
  /**
   * The journal that can store this key store's keys in its appends (see
   * `KeyStorage.storedWith`); when the event store's journal is that one,
   * it seals with {@link KeyStoreService.sealingKeyPending}.
   */
  readonly storedWith?: object
  /**
   * Like {@link KeyStoreService.sealingKey}, but a missing data key is made
   * and added to `pending` instead of being stored: the caller stores the
   * pending keys with its append, then calls {@link KeyStoreService.confirm}.
   */
  readonly sealingKeyPending?: (
    organisation: OrganisationId,
    owners: ReadonlyArray<string>,
    pending: PendingKeys
  ) => Effect.Effect<Uint8Array, SubjectErased | StoreError>
  /** The pending keys were stored (their append committed): keep them in memory. */
  readonly confirm?: (pending: PendingKeys) => Effect.Effect<void>
}

/**
 * The key store as an Effect service.
 * @since 0.1.0
 * @category service
 */
export class KeyStore extends Context.Tag("@mentor-ledger/core/KeyStore")<KeyStore, KeyStoreService>() {}

/** @since 0.1.0 @category service */
export interface KeyStoreOptions {
  /**
   * How long an unwrapped key may stay in memory, in milliseconds
   * (default: for the life of the layer). Set it when several processes
   * share one database: an erasure in one process evicts keys only there.
   */
  readonly cacheTtlMillis?: number
  /** At most this many unwrapped keys in memory (default 100,000). */
  readonly cacheSize?: number
}

/**
 * Builds the key store on the {@link KeyStorage} and {@link KeyWrapper}
 * in context.
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: KeyStoreOptions = {}
): Effect.Effect<KeyStoreService, never, KeyStorage | KeyWrapper> =>
  Effect.gen(function* () {
    const storage = yield* KeyStorage
    const wrapper = yield* KeyWrapper
    const ttl = options.cacheTtlMillis
    const maxSize = options.cacheSize ?? 100_000

    const keys = new Map<string, { readonly key: Uint8Array; readonly at: number }>()
    const derived = new Map<string, { readonly key: Uint8Array; readonly at: number }>()
    const fresh = (entry: { readonly at: number } | undefined) =>
      entry !== undefined && (ttl === undefined || Date.now() - entry.at < ttl)
    const remember = <V>(cache: Map<string, V>, k: string, v: V) => {
      if (cache.size >= maxSize) cache.delete(cache.keys().next().value!)
      cache.set(k, v)
    }
    // Bumped by every erasure: a key read before it is not cached after it.
    let generation = 0
    const cached = (s: KeySubject) => {
      const entry = keys.get(subjectKey(s))
      return fresh(entry) ? entry!.key : undefined
    }

    const unwrapAll = (rows: ReadonlyArray<StoredKey>, since: number) =>
      Effect.forEach(rows, (row) =>
        Effect.map(wrapper.unwrap(row), (key) => {
          if (since === generation) remember(keys, subjectKey(row), { key, at: Date.now() })
          return [subjectKey(row), key] as const
        })
      )

    const lookup = (subjects: ReadonlyArray<KeySubject>) =>
      Effect.gen(function* () {
        const since = generation
        const missing = subjects.filter((s) => cached(s) === undefined)
        const found = new Map<string, Uint8Array>()
        const erasures = new Map<string, Date>()
        if (missing.length > 0 && storage.lookup !== undefined) {
          // keys and erasures in one read
          const rows = yield* storage.lookup(missing)
          for (const [k, key] of yield* unwrapAll(rows.keys, since)) found.set(k, key)
          for (const r of rows.erased) erasures.set(subjectKey(r), r.erasedAt)
        } else if (missing.length > 0) {
          for (const [k, key] of yield* unwrapAll(yield* storage.get(missing), since)) found.set(k, key)
          const absent = missing.filter((s) => !found.has(subjectKey(s)))
          if (absent.length > 0) {
            for (const r of yield* storage.erased({ subjects: absent }))
              erasures.set(subjectKey(r), r.erasedAt)
          }
        }
        return subjects.map((s): KeyLookup => {
          const key = cached(s) ?? found.get(subjectKey(s))
          if (key !== undefined) return { _tag: "Found", key }
          const erasedAt = erasures.get(subjectKey(s))
          return erasedAt === undefined ? { _tag: "Missing" } : { _tag: "Erased", erasedAt }
        })
      })

    const issue = (subjects: ReadonlyArray<KeySubject>) =>
      Effect.gen(function* () {
        // The common case: every key is in memory.
        const hits = subjects.map(cached)
        if (hits.every((k) => k !== undefined)) return hits as ReadonlyArray<Uint8Array>
        const since = generation
        const looked = yield* lookup(subjects)
        const out: Array<Uint8Array> = []
        for (const [i, found] of looked.entries()) {
          const subject = subjects[i]!
          if (found._tag === "Found") {
            out.push(found.key)
            continue
          }
          const erased = () =>
            new SubjectErased({
              organisation: subject.organisation,
              subject: subject.subject,
              message: `${subject.subject} was erased in ${subject.organisation}; no new key is issued for it`
            })
          if (found._tag === "Erased") return yield* Effect.fail(erased())
          const key = newDataKey()
          const stored = yield* storage.insert({
            organisation: subject.organisation,
            subject: subject.subject,
            material: yield* wrapper.wrap(key, subject),
            wrapping: wrapper.id,
            createdAt: new Date()
          })
          if (stored === null) return yield* Effect.fail(erased())
          const [[, kept]] = (yield* unwrapAll([stored], since)) as [readonly [string, Uint8Array]]
          out.push(kept)
        }
        return out
      })

    /** The subjects' data keys; missing ones are made and added to `pending`, not stored. */
    const issuePending = (subjects: ReadonlyArray<KeySubject>, pending: PendingKeys) =>
      Effect.gen(function* () {
        const hits = subjects.map((s) => cached(s) ?? pending.get(subjectKey(s))?.key)
        if (hits.every((k) => k !== undefined)) return hits as ReadonlyArray<Uint8Array>
        const unknown = subjects.filter((_, i) => hits[i] === undefined)
        const looked = yield* lookup(unknown)
        const made = new Map<string, Uint8Array>()
        for (const [i, found] of looked.entries()) {
          const subject = unknown[i]!
          if (found._tag === "Found") {
            made.set(subjectKey(subject), found.key)
            continue
          }
          if (found._tag === "Erased")
            return yield* Effect.fail(
              new SubjectErased({
                organisation: subject.organisation,
                subject: subject.subject,
                message: `${subject.subject} was erased in ${subject.organisation}; no new key is issued for it`
              })
            )
          const key = newDataKey()
          pending.set(subjectKey(subject), {
            subject,
            key,
            generation,
            stored: {
              organisation: subject.organisation,
              subject: subject.subject,
              material: yield* wrapper.wrap(key, subject),
              wrapping: wrapper.id,
              createdAt: new Date()
            }
          })
          made.set(subjectKey(subject), key)
        }
        return subjects.map((s, i) => hits[i] ?? made.get(subjectKey(s))!)
      })

    const derivedKey = (organisation: OrganisationId, owners: ReadonlyArray<string>) => {
      const text = ownersText(owners)
      return { text, cacheKey: `${organisation}\u0000${text}` }
    }

    const service: KeyStoreService = {
      issue,
      lookup,
      sealingKey: (organisation, owners) =>
        Effect.suspend(() => {
          const { text, cacheKey } = derivedKey(organisation, owners)
          const hit = derived.get(cacheKey)
          if (fresh(hit)) return Effect.succeed(hit!.key)
          const since = generation
          return Effect.map(issue(owners.map((o) => personSubject(organisation, o))), (dataKeys) => {
            const key = deriveContentKey(organisation, text, dataKeys)
            if (since === generation) remember(derived, cacheKey, { key, at: Date.now() })
            return key
          })
        }),
      openingKey: (organisation, owners) =>
        Effect.suspend(() => {
          const { text, cacheKey } = derivedKey(organisation, owners)
          const hit = derived.get(cacheKey)
          if (fresh(hit)) return Effect.succeed<OpeningKey>({ _tag: "Found", key: hit!.key })
          const subjects = owners.map((o) => personSubject(organisation, o))
          const since = generation
          return Effect.map(lookup(subjects), (looked): OpeningKey => {
            const erased = subjects.filter((_, i) => looked[i]!._tag === "Erased")
            if (erased.length > 0) return { _tag: "Erased", subjects: erased }
            const missing = subjects.filter((_, i) => looked[i]!._tag === "Missing")
            if (missing.length > 0) return { _tag: "Missing", subjects: missing }
            const key = deriveContentKey(
              organisation,
              text,
              looked.map((l) => (l as { readonly key: Uint8Array }).key)
            )
            if (since === generation) remember(derived, cacheKey, { key, at: Date.now() })
            return { _tag: "Found", key }
          })
        }),
      erase: (subjects, erasedAt) =>
        Effect.gen(function* () {
          generation++
          for (const s of subjects) keys.delete(subjectKey(s))
          derived.clear()
          // Record first: from this moment no writer can get a new key for them.
          yield* storage.markErased(subjects.map((s) => ({ ...s, erasedAt })))
          yield* storage.delete(subjects)
          // Again, for readers that raced with the statements above.
          generation++
          for (const s of subjects) keys.delete(subjectKey(s))
          // Content keys of every owner set go: cheap to derive again for the others.
          derived.clear()
        }),
      erased: (organisation) => storage.erased(organisation === undefined ? {} : { organisation }),
      ...(storage.storedWith === undefined ? {} : { storedWith: storage.storedWith }),
      sealingKeyPending: (organisation, owners, pending) =>
        Effect.suspend(() => {
          const { text, cacheKey } = derivedKey(organisation, owners)
          const hit = derived.get(cacheKey)
          if (fresh(hit)) return Effect.succeed(hit!.key)
          const subjects = owners.map((o) => personSubject(organisation, o))
          const since = generation
          return Effect.map(issuePending(subjects, pending), (dataKeys) => {
            const key = deriveContentKey(organisation, text, dataKeys)
            // a content key of a pending data key is remembered only once that is stored
            if (since === generation && subjects.every((s) => !pending.has(subjectKey(s))))
              remember(derived, cacheKey, { key, at: Date.now() })
            return key
          })
        }),
      confirm: (pending) =>
        Effect.sync(() => {
          for (const [k, p] of pending)
            if (p.generation === generation && !keys.has(k)) remember(keys, k, { key: p.key, at: Date.now() })
        })
    }
    return service
  })

/**
 * The key store on the {@link KeyStorage} and {@link KeyWrapper} in context.
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: KeyStoreOptions = {}): Layer.Layer<KeyStore, never, KeyStorage | KeyWrapper> =>
  Layer.effect(KeyStore, make(options))

/**
 * A key store in memory, keys unwrapped: for tests and demos. Keys are
 * lost when the process ends, and with them all the content they sealed.
 * @since 0.1.0
 * @category layers
 */
export const layerMemory: Layer.Layer<KeyStore | KeyStorage> = layer().pipe(
  Layer.provideMerge(storageMemory),
  Layer.provide(layerUnwrapped)
)
