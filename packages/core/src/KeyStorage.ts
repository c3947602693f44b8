/**
 * The row-level key port that a store adapter implements, next to its
 * {@link EventJournal}: it keeps (wrapped) data keys and erasure records.
 *
 * Like the journal, it only moves rows. Generating keys, wrapping them for
 * a KMS, caching, deriving content keys and encrypting live once in the
 * core ({@link KeyStore}), so adapters stay thin and behave alike.
 *
 * A table that fits both SQLite and PostgreSQL, one row per subject, makes
 * every operation a single-row statement and so free of races:
 *
 * ```sql
 * CREATE TABLE ml_keys (
 *   organisation TEXT NOT NULL,
 *   subject      TEXT NOT NULL,          -- "person:<uuid>"
 *   material     BLOB,                   -- the wrapped data key; NULL once shredded
 *   wrapping     TEXT,                   -- which wrapper made `material`
 *   created_at   TIMESTAMP,
 *   erased_at    TIMESTAMP,              -- set once, never cleared
 *   PRIMARY KEY (organisation, subject)
 * );
 * ```
 *
 * Deleting a key must really remove the bytes: SQLite needs
 * `PRAGMA secure_delete = ON` (and a checkpoint of the WAL), PostgreSQL a
 * `VACUUM` of the table; see docs/privacy.md.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { StoreError } from "./EventJournal.js"
import type { OrganisationId } from "./Ids.js"

/**
 * Whose key: a subject within an organisation. Subjects are strings such
 * as `person:0190…` ({@link personSubject}); an organisation never shares
 * a key with another.
 * @since 0.1.0
 * @category rows
 */
export interface KeySubject {
  readonly organisation: OrganisationId
  readonly subject: string
}

/** The key subject of a person (ids are compared in lower case). @since 0.1.0 @category rows */
export const personSubject = (organisation: OrganisationId, personId: string): KeySubject => ({
  organisation,
  subject: `person:${personId.toLowerCase()}`
})

/** The person id of a person subject, if it is one. @since 0.1.0 @category rows */
export const personOf = (subject: KeySubject): string | undefined =>
  subject.subject.startsWith("person:") ? subject.subject.slice("person:".length) : undefined

/** A stable string key for a subject. @since 0.1.0 @category rows */
export const subjectKey = (s: KeySubject): string => `${s.organisation}\u0000${s.subject}`

/**
 * A stored data key, as the {@link KeyStore} wrapped it: the adapter
 * stores `material` as bytes and never looks inside.
 * @since 0.1.0
 * @category rows
 */
export interface StoredKey extends KeySubject {
  /** The wrapped data key. */
  readonly material: Uint8Array
  /** Which wrapper wrapped it (e.g. `none`, `master:<id>`, a KMS key's id). */
  readonly wrapping: string
  readonly createdAt: Date
}

/** A subject's erasure: from then on it never gets a key again. @since 0.1.0 @category rows */
export interface ErasureRecord extends KeySubject {
  readonly erasedAt: Date
}

/**
 * The row-level key port.
 * @since 0.1.0
 * @category ports
 */
export interface KeyStorageService {
  /** The stored keys of these subjects; a subject without a key is absent. */
  readonly get: (subjects: ReadonlyArray<KeySubject>) => Effect.Effect<ReadonlyArray<StoredKey>, StoreError>
  /**
   * Stores a key for its subject, atomically:
   * - if the subject's erasure is recorded, stores nothing and returns `null`;
   * - if the subject has a key already (a concurrent writer won), keeps it and returns it;
   * - otherwise stores the key and returns it.
   * An erasure recorded concurrently must never be followed by a stored key
   * (one row per subject, or a lock on the subject, guarantees it).
   */
  readonly insert: (key: StoredKey) => Effect.Effect<StoredKey | null, StoreError>
  /** Deletes the subjects' keys (the bytes, not only the reference). */
  readonly delete: (subjects: ReadonlyArray<KeySubject>) => Effect.Effect<void, StoreError>
  /**
   * Records erasures (idempotent: a subject keeps its first `erasedAt`).
   * From then on {@link KeyStorageService.insert} refuses the subject.
   */
  readonly markErased: (erasures: ReadonlyArray<ErasureRecord>) => Effect.Effect<void, StoreError>
  /**
   * The stored keys and the recorded erasures of these subjects, in one
   * read (optional: without it the key store calls {@link KeyStorageService.get}
   * and then {@link KeyStorageService.erased} for the subjects without a key).
   * @since 0.1.0
   */
  readonly lookup?: (subjects: ReadonlyArray<KeySubject>) => Effect.Effect<
    {
      readonly keys: ReadonlyArray<StoredKey>
      readonly erased: ReadonlyArray<ErasureRecord>
    },
    StoreError
  >
  /**
   * Optional: the journal whose appends can store this storage's keys in
   * their own transaction (`EventJournal.appendWithKeys`), because the key
   * table lives in its database. The event store then stores a new
   * person's key with the events that first need it.
   * @since 0.1.0
   */
  readonly storedWith?: object
  /** Recorded erasures: of these subjects, of one organisation, or all of them. */
  readonly erased: (options?: {
    readonly organisation?: OrganisationId
    readonly subjects?: ReadonlyArray<KeySubject>
  }) => Effect.Effect<ReadonlyArray<ErasureRecord>, StoreError>
}

/**
 * The row-level key port as an Effect service.
 * @since 0.1.0
 * @category ports
 */
export class KeyStorage extends Context.Tag("@mentor-ledger/core/KeyStorage")<
  KeyStorage,
  KeyStorageService
>() {}

/**
 * In-memory key storage, for tests and demos: keys are lost when the
 * process ends, and with them every piece of content they sealed.
 * @since 0.1.0
 * @category in-memory
 */
export const makeMemory = (): KeyStorageService & {
  /** Every row, for tests that scan what a store holds. */
  readonly rows: () => {
    readonly keys: ReadonlyArray<StoredKey>
    readonly erased: ReadonlyArray<ErasureRecord>
  }
} => {
  const keys = new Map<string, StoredKey>()
  const erasures = new Map<string, ErasureRecord>()
  return {
    get: (subjects) =>
      Effect.sync(() => subjects.flatMap((s) => (keys.has(subjectKey(s)) ? [keys.get(subjectKey(s))!] : []))),
    insert: (key) =>
      Effect.sync(() => {
        const k = subjectKey(key)
        if (erasures.has(k)) return null
        const existing = keys.get(k)
        if (existing !== undefined) return existing
        keys.set(k, key)
        return key
      }),
    delete: (subjects) =>
      Effect.sync(() => {
        for (const s of subjects) {
          const existing = keys.get(subjectKey(s))
          // Overwrite the bytes before letting go of them.
          existing?.material.fill(0)
          keys.delete(subjectKey(s))
        }
      }),
    markErased: (records) =>
      Effect.sync(() => {
        for (const r of records) if (!erasures.has(subjectKey(r))) erasures.set(subjectKey(r), r)
      }),
    erased: (options = {}) =>
      Effect.sync(() => {
        const wanted = options.subjects?.map(subjectKey)
        const all =
          wanted === undefined
            ? [...erasures.values()]
            : wanted.flatMap((k) => (erasures.has(k) ? [erasures.get(k)!] : []))
        return options.organisation === undefined
          ? all
          : all.filter((r) => r.organisation === options.organisation)
      }),
    rows: () => ({ keys: [...keys.values()], erased: [...erasures.values()] })
  }
}

/**
 * In-memory {@link KeyStorage}, fresh for every use of the layer.
 * @since 0.1.0
 * @category in-memory
 */
export const layerMemory: Layer.Layer<KeyStorage> = Layer.sync(KeyStorage, makeMemory)
