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
import { type Ids, KeyStorage } from "@mentor-ledger/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { type Expression, type ExpressionBuilder, sql, type SqlBool } from "kysely"
import type { Executor } from "./Executor.js"
import { storeError } from "./internal/errors.js"
import { SqlJournal, type SqlEventJournal } from "./Journal.js"

type Row = Record<string, unknown>

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
  const run = (doing: string, query: { compile: () => import("kysely").CompiledQuery }) =>
    Effect.mapError(executor.execute(query.compile()), (e) => fail(doing)(e.cause))

  const matching =
    (subjects: ReadonlyArray<KeyStorage.KeySubject>) =>
    (eb: ExpressionBuilder<any, any>): Expression<SqlBool> =>
      eb.or(
        subjects.map((s) => eb.and([eb("organisation", "=", s.organisation), eb("subject", "=", s.subject)]))
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

  const get = (subjects: ReadonlyArray<KeyStorage.KeySubject>) =>
    subjects.length === 0
      ? Effect.succeed([])
      : Effect.map(
          run(
            "cannot read keys",
            db
              .selectFrom(table)
              .select(["organisation", "subject", "material", "wrapping", "created_at"])
              .where(matching(subjects))
              .where("material", "is not", null)
          ),
          (rows) => rows.map(asKey)
        )

  const service: KeyStorage.KeyStorageService = {
    get,
    insert: (key) =>
      executor
        .transaction((tx) =>
          Effect.gen(function* () {
            const write = (doing: string, query: { compile: () => import("kysely").CompiledQuery }) =>
              Effect.mapError(tx.execute(query.compile()), (e) => fail(doing)(e.cause))
            // Fills the row only if it is new, or empty and never erased.
            yield* write(
              "cannot store a key",
              db
                .insertInto(table)
                .values({
                  organisation: key.organisation,
                  subject: key.subject,
                  material: Buffer.from(key.material),
                  wrapping: key.wrapping,
                  created_at: when(key.createdAt),
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
            )
            const rows = yield* write(
              "cannot read a key",
              db
                .selectFrom(table)
                .select(["organisation", "subject", "material", "wrapping", "created_at", "erased_at"])
                .where("organisation", "=", key.organisation)
                .where("subject", "=", key.subject)
            )
            const row = rows[0]
            if (row === undefined || row.erased_at !== null || row.material === null) return null
            return asKey(row)
          })
        )
        .pipe(Effect.mapError((e) => (e._tag === "DriverError" ? fail("cannot store a key")(e.cause) : e))),
    delete: (subjects) =>
      subjects.length === 0
        ? Effect.void
        : executor
            .transaction((tx) =>
              Effect.gen(function* () {
                // A row that records no erasure goes; an erasure record keeps its row, without the key.
                yield* Effect.mapError(
                  tx.execute(
                    db.deleteFrom(table).where(matching(subjects)).where("erased_at", "is", null).compile()
                  ),
                  (e) => fail("cannot shred keys")(e.cause)
                )
                yield* Effect.mapError(
                  tx.execute(
                    db
                      .updateTable(table)
                      .set({ material: null, wrapping: null })
                      .where(matching(subjects))
                      .compile()
                  ),
                  (e) => fail("cannot shred keys")(e.cause)
                )
              })
            )
            .pipe(
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
                    tx.execute(
                      db
                        .insertInto(table)
                        .values({
                          organisation: r.organisation,
                          subject: r.subject,
                          material: null,
                          wrapping: null,
                          created_at: null,
                          erased_at: when(r.erasedAt)
                        })
                        .onConflict((oc) =>
                          oc
                            .columns(["organisation", "subject"])
                            .doUpdateSet({ erased_at: sql`excluded.erased_at` })
                            .where(`${table}.erased_at` as any, "is", null)
                        )
                        .compile()
                    ),
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
      if (options.subjects !== undefined && options.subjects.length === 0) return Effect.succeed([])
      let query = db
        .selectFrom(table)
        .select(["organisation", "subject", "erased_at"])
        .where("erased_at", "is not", null)
      if (options.organisation !== undefined) query = query.where("organisation", "=", options.organisation)
      if (options.subjects !== undefined) query = query.where(matching(options.subjects))
      return Effect.map(run("cannot read erasures", query.orderBy("erased_at")), (rows) =>
        rows.map(asErasure)
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
