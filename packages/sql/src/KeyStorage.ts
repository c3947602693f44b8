/**
 * The core's `KeyStorage` port on SQL: the key store's rows (wrapped data
 * keys and erasure records) in the `<prefix>keys` table, beside the event
 * journal, written once with kysely for SQLite and PostgreSQL.
 *
 * One row per subject makes every operation a single statement, so a late
 * write and a concurrent erasure never race: `insert` is an upsert that only
 * fills an empty, un-erased row, and `markErased` only sets `erased_at`
 * once. Shredding sets `material` to NULL (the row stays while it records an
 * erasure). To make shredded bytes unrecoverable from the file, the SQLite
 * adapter turns on `secure_delete`; on PostgreSQL run `VACUUM` on the table
 * (see docs/privacy.md).
 *
 * @since 0.1.0
 */
import { type EventJournal, type Ids, KeyStorage } from "@mentor-ledger/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { type CompiledQuery, type Expression, type ExpressionBuilder, sql, type SqlBool } from "kysely"
import type { Executor, Row } from "./Executor.js"
import { bind, bucket, cache, slot, type Template, template } from "./internal/compiled.js"
import { storeError } from "./internal/errors.js"
import { SqlJournal, type SqlEventJournal } from "./Journal.js"

const toDate = (value: unknown): Date => new Date(value as string | Date)

/**
 * Makes the key storage on the journal's database and executor.
 *
 * @example
 * import { KeyStorage } from "@mentor-ledger/sql"
 * const storage = KeyStorage.make(journal)
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  journal: SqlEventJournal,
  executor: Executor = journal.executor
): KeyStorage.KeyStorageService => {
  const { db, tables, dialect } = journal
  const table = tables.keys
  const fail = (doing: string) => (cause: unknown) => storeError(dialect, tables, doing, cause)
  const run = (doing: string, query: CompiledQuery) =>
    Effect.mapError(executor.execute(query), (e) => fail(doing)(e.cause))

  // Every query is built with kysely once (per number of subjects, rounded
  // up to a power of two) and compiled; a call only binds its values.
  const matching =
    (count: number, first = 0) =>
    (eb: ExpressionBuilder<any, any>): Expression<SqlBool> =>
      eb.or(
        Array.from({ length: count }, (_, i) =>
          eb.and([eb("organisation", "=", slot(first + 2 * i)), eb("subject", "=", slot(first + 2 * i + 1))])
        )
      )
  /** The subjects as values for {@link matching}: padded to `count` with the last one. */
  const subjectValues = (subjects: ReadonlyArray<KeyStorage.KeySubject>, count: number) => {
    const values = new Array<unknown>(2 * count)
    for (let i = 0; i < count; i++) {
      const s = subjects[Math.min(i, subjects.length - 1)]!
      values[2 * i] = s.organisation
      values[2 * i + 1] = s.subject
    }
    return values
  }
  /** At most this many subjects per statement (2 parameters each). */
  const perStatement = 256
  const chunks = <A>(items: ReadonlyArray<A>): ReadonlyArray<ReadonlyArray<A>> => {
    const out: Array<ReadonlyArray<A>> = []
    for (let i = 0; i < items.length; i += perStatement) out.push(items.slice(i, i + perStatement))
    return out
  }

  const getQuery = cache((key) =>
    template(
      db
        .selectFrom(table)
        .select(["organisation", "subject", "material", "wrapping", "created_at"])
        .where(matching(Number(key)))
        .where("material", "is not", null)
        .compile()
    )
  )
  // keys and erasures in one read
  const lookupQuery = cache((key) =>
    template(
      db
        .selectFrom(table)
        .select(["organisation", "subject", "material", "wrapping", "created_at", "erased_at"])
        .where(matching(Number(key)))
        .where((eb) => eb.or([eb("material", "is not", null), eb("erased_at", "is not", null)]))
        .compile()
    )
  )
  const erasedQuery = cache((key) => {
    const [bySubjects, byOrganisation] = key.split(":")
    let query = db
      .selectFrom(table)
      .select(["organisation", "subject", "erased_at"])
      .where("erased_at", "is not", null)
    if (byOrganisation === "1") query = query.where("organisation", "=", slot(0))
    if (bySubjects !== "0") query = query.where(matching(Number(bySubjects), 1))
    return template(query.orderBy("erased_at").compile())
  })
  // Fills the row only if it is new, or empty and never erased; returns it if it did.
  const insertQuery = template(
    db
      .insertInto(table)
      .values({
        organisation: slot(0),
        subject: slot(1),
        material: slot(2),
        wrapping: slot(3),
        created_at: slot(4),
        erased_at: null
      })
      .onConflict((oc) =>
        oc
          .columns(["organisation", "subject"])
          .doUpdateSet({
            material: sql`excluded.material`,
            wrapping: sql`excluded.wrapping`,
            created_at: sql`excluded.created_at`
          })
          .where(`${table}.material` as any, "is", null)
          .where(`${table}.erased_at` as any, "is", null)
      )
      .returning(["organisation", "subject", "material", "wrapping", "created_at"])
      .compile()
  )
  const rowQuery = template(
    db
      .selectFrom(table)
      .select(["organisation", "subject", "material", "wrapping", "created_at", "erased_at"])
      .where("organisation", "=", slot(0))
      .where("subject", "=", slot(1))
      .compile()
  )
  const deleteQuery = cache((key) =>
    template(
      db
        .deleteFrom(table)
        .where(matching(Number(key)))
        .where("erased_at", "is", null)
        .compile()
    )
  )
  const shredQuery = cache((key) =>
    template(
      db
        .updateTable(table)
        .set({ material: null, wrapping: null })
        .where(matching(Number(key)))
        .compile()
    )
  )
  const markQuery = template(
    db
      .insertInto(table)
      .values({
        organisation: slot(0),
        subject: slot(1),
        material: null,
        wrapping: null,
        created_at: null,
        erased_at: slot(2)
      })
      .onConflict((oc) =>
        oc
          .columns(["organisation", "subject"])
          .doUpdateSet({ erased_at: sql`excluded.erased_at` })
          .where(`${table}.erased_at` as any, "is", null)
      )
      .compile()
  )

  const asKey = (r: Row): KeyStorage.StoredKey => ({
    organisation: r.organisation as Ids.OrganisationId,
    subject: String(r.subject),
    material: new Uint8Array(r.material as Uint8Array),
    wrapping: String(r.wrapping),
    createdAt: toDate(r.created_at)
  })
  const asErasure = (r: Row): KeyStorage.ErasureRecord => ({
    organisation: r.organisation as Ids.OrganisationId,
    subject: String(r.subject),
    erasedAt: toDate(r.erased_at)
  })
  const when = (d: Date) => (dialect.name === "postgres" ? d : d.toISOString())

  const bySubjects = (
    doing: string,
    queryOf: (key: string) => Template,
    subjects: ReadonlyArray<KeyStorage.KeySubject>,
    on: (query: CompiledQuery) => Effect.Effect<ReadonlyArray<Row>, EventJournal.StoreError> = (query) =>
      run(doing, query)
  ) =>
    Effect.map(
      Effect.forEach(chunks(subjects), (chunk) => {
        const count = bucket(chunk.length)
        return on(bind(queryOf(String(count)), subjectValues(chunk, count)))
      }),
      (results) => results.flat()
    )
  // padding repeats a subject: a row may come back twice
  const unique = (rows: ReadonlyArray<Row>) => {
    const seen = new Set<string>()
    return rows.filter((r) => {
      const k = `${String(r.organisation)}\u0000${String(r.subject)}`
      if (seen.has(k)) return false
      seen.add(k)
      return true
    })
  }

  const service: KeyStorage.KeyStorageService = {
    // the journal's appends store new keys in their own transaction, on this executor only
    ...(executor === journal.executor ? { storedWith: journal } : {}),
    get: (subjects) =>
      subjects.length === 0
        ? Effect.succeed([])
        : Effect.map(bySubjects("cannot read keys", getQuery, subjects), (rows) => unique(rows).map(asKey)),
    lookup: (subjects) =>
      subjects.length === 0
        ? Effect.succeed({ keys: [], erased: [] })
        : Effect.map(bySubjects("cannot read keys", lookupQuery, subjects), (rows) => {
            const keys: Array<KeyStorage.StoredKey> = []
            const erased: Array<KeyStorage.ErasureRecord> = []
            for (const r of unique(rows)) {
              if (r.material !== null && r.material !== undefined) keys.push(asKey(r))
              else if (r.erased_at !== null && r.erased_at !== undefined) erased.push(asErasure(r))
            }
            return { keys, erased }
          }),
    insert: (key) =>
      Effect.gen(function* () {
        // One statement: the row comes back only if this key was stored.
        const stored = yield* run(
          "cannot store a key",
          bind(insertQuery, [
            key.organisation,
            key.subject,
            Buffer.from(key.material),
            key.wrapping,
            when(key.createdAt)
          ])
        )
        if (stored[0] !== undefined) return asKey(stored[0])
        // Someone was first: a concurrent writer's key, or an erasure.
        const rows = yield* run("cannot read a key", bind(rowQuery, [key.organisation, key.subject]))
        const row = rows[0]
        if (row === undefined || row.erased_at !== null || row.material === null) return null
        return asKey(row)
      }),
    delete: (subjects) =>
      subjects.length === 0
        ? Effect.void
        : executor
            .transaction((tx) => {
              const on = (query: CompiledQuery) =>
                Effect.mapError(tx.execute(query), (e) => fail("cannot shred keys")(e.cause))
              // A row that records no erasure goes; an erasure record keeps its row, without the key.
              return Effect.zipRight(
                bySubjects("cannot shred keys", deleteQuery, subjects, on),
                bySubjects("cannot shred keys", shredQuery, subjects, on)
              )
            })
            .pipe(
              Effect.asVoid,
              Effect.mapError((e) => (e._tag === "DriverError" ? fail("cannot shred keys")(e.cause) : e))
            ),
    markErased: (records) =>
      records.length === 0
        ? Effect.void
        : executor
            .transaction((tx) =>
              Effect.forEach(
                records,
                (r) =>
                  Effect.mapError(
                    tx.execute(bind(markQuery, [r.organisation, r.subject, when(r.erasedAt)])),
                    (e) => fail("cannot record an erasure")(e.cause)
                  ),
                { discard: true }
              )
            )
            .pipe(
              Effect.mapError((e) =>
                e._tag === "DriverError" ? fail("cannot record an erasure")(e.cause) : e
              )
            ),
    erased: (options = {}) => {
      const { subjects, organisation } = options
      if (subjects !== undefined && subjects.length === 0) return Effect.succeed([])
      const byOrganisation = organisation === undefined ? "0" : "1"
      if (subjects === undefined)
        return Effect.map(
          run("cannot read erasures", bind(erasedQuery(`0:${byOrganisation}`), [organisation])),
          (rows) => rows.map(asErasure)
        )
      return Effect.map(
        Effect.forEach(chunks(subjects), (chunk) => {
          const count = bucket(chunk.length)
          return run(
            "cannot read erasures",
            bind(erasedQuery(`${count}:${byOrganisation}`), [organisation, ...subjectValues(chunk, count)])
          )
        }),
        (results) =>
          unique(results.flat())
            .map(asErasure)
            .sort((a, b) => a.erasedAt.getTime() - b.erasedAt.getTime())
      )
    }
  }
  return service
}

/**
 * The key storage on the {@link SqlJournal} in context.
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<KeyStorage.KeyStorage, never, SqlJournal> = Layer.effect(
  KeyStorage.KeyStorage,
  Effect.map(SqlJournal, (journal) => make(journal))
)
