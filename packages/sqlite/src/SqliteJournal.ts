/**
 * mentor-ledger on embedded SQLite (better-sqlite3).
 *
 * Opening a database:
 * - sets `journal_mode = WAL`: readers never block the writer nor each
 *   other, and other processes may read while the app writes;
 * - sets `synchronous = NORMAL`: with WAL, a commit survives a crash of the
 *   application and the database is never corrupted, but the last commits
 *   before a power loss or an operating-system crash may be lost (SQLite's
 *   recommended setting for WAL; `FULL` would sync the disk on every commit);
 * - sets `wal_autocheckpoint` to 10,000 pages (option `checkpointPages`):
 *   the write-ahead log grows to about 40 MiB before a commit copies it into
 *   the database file, ten times fewer checkpoints than SQLite's default;
 * - sets `busy_timeout` (default 5 s): how long to wait for another
 *   connection's write lock before failing with `StoreError` `Locked`;
 * - turns `foreign_keys` on, for read-model tables that use them;
 * - runs the journal's migrations, unless opened read-only.
 *
 * Every fault is a typed `StoreError`: `Unavailable` (a missing file when
 * `readonly` or `create: false`, a file that cannot be opened), `ReadOnly`
 * (writing through a read-only connection or to a read-only file),
 * `Locked` (another connection held the write lock past the busy timeout),
 * `Corrupt` (not an SQLite database) and `SchemaTooNew` (written by a newer
 * mentor-ledger).
 *
 * @since 0.1.0
 */
import { EventJournal, EventStore, type Ids, KeyStorage, KeyStore } from "@mentor-ledger/core"
import { Journal, KeyStorage as SqlKeyStorage, Scoped } from "@mentor-ledger/sql"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import * as internal from "./internal/open.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The database file (created if missing unless `create: false` or `readonly`), or `":memory:"`. */
  readonly filename: string
  /** The prefix of every table mentor-ledger creates (default `ml_`). */
  readonly tablePrefix?: string
  /** Open read-only: no migrations, and appends fail with `StoreError` `ReadOnly`. The file must exist and hold the current schema. */
  readonly readonly?: boolean
  /** Create the file when it is missing (default true). */
  readonly create?: boolean
  /** How long to wait for another connection's lock, in milliseconds (default 5000). */
  readonly busyTimeout?: number
  /**
   * After how many pages (4 KiB each) of write-ahead log a commit copies it
   * into the database file (SQLite's `wal_autocheckpoint`; default 10,000,
   * about 40 MiB; SQLite's own default is 1,000). Each checkpoint syncs the
   * disk twice and copies every page changed since the last one, once: fewer
   * checkpoints make commits cheaper on average (about a third of a
   * one-event command's time at 1,000 pages) for a larger `-wal` file. 0
   * turns automatic checkpoints off (run `pragma wal_checkpoint` yourself).
   */
  readonly checkpointPages?: number
  /**
   * How data keys are wrapped in the key table (default: unwrapped, i.e.
   * whoever holds the file holds the keys). Use `KeyStore.layerMasterKey`
   * with a key kept outside the database, or your KMS; see docs/privacy.md.
   */
  readonly keyWrapper?: Layer.Layer<KeyStore.KeyWrapper>
}

/**
 * Opens the database and makes the journal; the database closes when the
 * scope closes.
 * @since 0.1.0
 * @category constructors
 */
export const make: (
  options: Options
) => Effect.Effect<Journal.SqlEventJournal, EventJournal.StoreError, Scope.Scope> = internal.make

/**
 * The core's `EventJournal` (and the SQL journal, for projection runtimes)
 * on an SQLite file, open for the layer's lifetime.
 *
 * @example
 * import { SqliteJournal } from "@mentor-ledger/sqlite"
 * const journal = SqliteJournal.layerJournal({ filename: "mentoring.db" })
 * @since 0.1.0
 * @category layers
 */
export const layerJournal = (
  options: Options
): Layer.Layer<
  EventJournal.EventJournal | Journal.SqlJournal | KeyStorage.KeyStorage | KeyStore.KeyStore,
  EventJournal.StoreError
> => {
  const journal = Layer.scopedContext(
    Effect.map(make(options), (journal) =>
      Context.make(EventJournal.EventJournal, journal).pipe(Context.add(Journal.SqlJournal, journal))
    )
  )
  // The key store keeps its keys in the same file, in the `<prefix>keys` table.
  const keys = KeyStore.layer().pipe(
    Layer.provideMerge(SqlKeyStorage.layer),
    Layer.provide(options.keyWrapper ?? KeyStore.layerUnwrapped)
  )
  return Layer.provideMerge(keys, journal)
}

/**
 * The core's `EventStore` and `EventJournal` on an SQLite file, open for the
 * layer's lifetime. Like the core's `EventStore.layerMemory`, it needs an
 * id generator.
 *
 * @example
 * import { Effect, Layer } from "effect"
 * import { EventStore, Ids } from "@mentor-ledger/core"
 * import { SqliteJournal } from "@mentor-ledger/sqlite"
 * const store = SqliteJournal.layer({ filename: "mentoring.db" }).pipe(Layer.provide(Ids.layerUuidV7))
 * const program = Effect.flatMap(EventStore.EventStore, (s) => s.version(EventStore.mentorshipStream(id)))
 * Effect.runPromise(Effect.provide(program, store))
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options
): Layer.Layer<
  | EventStore.EventStore
  | EventJournal.EventJournal
  | Journal.SqlJournal
  | KeyStorage.KeyStorage
  | KeyStore.KeyStore,
  EventJournal.StoreError,
  Ids.IdGenerator
> => Layer.provideMerge(EventStore.layer, layerJournal(options))

/**
 * An open SQLite journal, for code that does not run Effect.
 * @since 0.1.0
 * @category models
 */
export interface OpenJournal {
  readonly journal: Journal.SqlEventJournal
  /** The journal and its key store as a layer (for `createLedger`); it does not own the database: call {@link OpenJournal.close}. */
  readonly layer: Layer.Layer<
    EventJournal.EventJournal | Journal.SqlJournal | KeyStorage.KeyStorage | KeyStore.KeyStore
  >
  /** Closes the database. */
  readonly close: () => Promise<void>
}

/**
 * Opens an SQLite journal with a Promise; rejects with the `StoreError`.
 *
 * @example
 * import { SqliteJournal } from "@mentor-ledger/sqlite"
 * const { layer, close } = await SqliteJournal.open({ filename: "mentoring.db" })
 * try {
 *   // … createLedger({ store: layer }) …
 * } finally {
 *   await close()
 * }
 * @since 0.1.0
 * @category constructors
 */
export const open = async (options: Options): Promise<OpenJournal> => {
  const { value: journal, close } = await Scoped.open(make(options))
  return {
    journal,
    layer: Layer.provideMerge(
      KeyStore.layer().pipe(
        Layer.provideMerge(SqlKeyStorage.layer),
        Layer.provide(options.keyWrapper ?? KeyStore.layerUnwrapped)
      ),
      Layer.succeedContext(
        Context.make(EventJournal.EventJournal, journal as EventJournal.EventJournalService).pipe(
          Context.add(Journal.SqlJournal, journal)
        )
      )
    ),
    close
  }
}
