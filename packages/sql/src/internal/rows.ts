import { type Kysely, sql } from "kysely"
import type { Row } from "../Executor.js"
import { bind, bucket, cache, chunkSizes, maxRows, slot, type Template, template } from "./compiled.js"
import type { EventStore } from "@mentor-ledger/core"
import type { Batch } from "../Projection.js"
import type { InParts, Steps } from "./steps.js"

// ---------------------------------------------------------------------------
// Table specifications
// ---------------------------------------------------------------------------

/** A cell value as stored: text, a whole number, or null. */
export type Value = string | number | null

/**
 * A row of a read-model table, by column name. A row got from
 * {@link Changes.get} belongs to the batch: change it in place and
 * {@link Changes.put} it.
 */
export type Record = { [column: string]: Value }

export type ColumnType = "text" | "integer"

export interface Column {
  readonly name: string
  readonly type: ColumnType
  /** Whether the column may hold null. */
  readonly nullable: boolean
  /** Confidential content, as the event holds it: shown only to who may see it. */
  readonly content: boolean
  /** What the column holds, for the docs. */
  readonly doc: string
}

export interface Index {
  /** Suffix of the index name (the table name is prepended). */
  readonly name: string
  readonly columns: ReadonlyArray<string>
}

/**
 * A read-model table: its columns, its primary key and its indexes. A
 * `counters` table holds, for each key, whole numbers that batches add to
 * (statistics); any other table holds rows that batches insert, replace or
 * delete by key.
 */
export interface Table {
  readonly name: string
  readonly doc: string
  readonly columns: ReadonlyArray<Column>
  readonly key: ReadonlyArray<string>
  readonly indexes: ReadonlyArray<Index>
  readonly counters: boolean
}

/** Column constructors, for specifications that read like the docs. */
export const text = (name: string, doc: string): Column => ({
  name,
  type: "text",
  nullable: false,
  content: false,
  doc
})
export const integer = (name: string, doc: string): Column => ({
  name,
  type: "integer",
  nullable: false,
  content: false,
  doc
})
export const nullable = (column: Column): Column => ({ ...column, nullable: true })
export const content = (column: Column): Column => ({ ...column, content: true, nullable: true })

/** The statement that creates a table under a physical name, and those that create its indexes (idempotent). */
export const createStatements = (db: Kysely<any>, table: Table, physical: string) => {
  let create = db.schema.createTable(physical).ifNotExists()
  for (const c of table.columns) {
    create = create.addColumn(c.name, c.type, (b) => (c.nullable ? b : b.notNull()))
  }
  create = create.addPrimaryKeyConstraint(`${physical}_pk`, table.key as Array<never>)
  return {
    table: create.compile(),
    indexes: table.indexes.map((index) =>
      db.schema
        .createIndex(`${physical}_${index.name}`)
        .ifNotExists()
        .on(physical)
        .columns(index.columns as Array<string>)
        .compile()
    )
  }
}

// ---------------------------------------------------------------------------
// Compiled statements of one table, made on first use
// ---------------------------------------------------------------------------

export interface Statements {
  readonly table: Table
  readonly physical: string
  readonly columns: ReadonlyArray<string>
  readonly keyIndexes: ReadonlyArray<number>
  /** The rows with `keys` keys: `(key columns) in (values (…), …)`. */
  readonly select: (keys: number) => Template
  /** Inserts `rows` rows, replacing those with the same key. */
  readonly upsert: (rows: number) => Template
  /** Inserts `rows` counter rows, adding to those with the same key. */
  readonly increment: (rows: number) => Template
  /** Deletes the rows with `keys` keys: `(key columns) in (values (…), …)`. */
  readonly remove: (keys: number) => Template
}

export const statements = (db: Kysely<any>, table: Table, physical: string): Statements => {
  const columns = table.columns.map((c) => c.name)
  if (table.counters && table.key.some((k, i) => columns[i] !== k)) {
    throw new Error(`counter table ${table.name}: the key columns come first`)
  }
  const nonKey = columns.filter((c) => !table.key.includes(c))
  const width = columns.length
  const values = (rows: number) =>
    Array.from({ length: rows }, (_, r) =>
      Object.fromEntries(columns.map((c, i) => [c, slot(r * width + i)]))
    )
  // A row-value IN over a VALUES list: one index probe per key, in SQLite
  // and PostgreSQL alike (separate IN lists per column would probe their
  // cartesian product).
  const keyWidth = table.key.length
  const keyIn = (keys: number) => {
    const tuples = Array.from(
      { length: keys },
      (_, r) => sql`(${sql.join(table.key.map((_, c) => slot(r * keyWidth + c)))})`
    )
    return sql<boolean>`(${sql.join(table.key.map((c) => sql.ref(c)))}) in (values ${sql.join(tuples)})`
  }
  const select = cache((key) =>
    template(
      db
        .selectFrom(physical)
        .select(columns)
        .where(keyIn(Number(key)))
        .compile()
    )
  )
  const removeKeys = cache((key) =>
    template(
      db
        .deleteFrom(physical)
        .where(keyIn(Number(key)))
        .compile()
    )
  )
  const upsert = cache((key) =>
    template(
      db
        .insertInto(physical)
        .values(values(Number(key)))
        .onConflict((oc) => {
          const target = oc.columns(table.key as Array<string>)
          return nonKey.length === 0
            ? target.doNothing()
            : target.doUpdateSet(Object.fromEntries(nonKey.map((c) => [c, sql.ref(`excluded.${c}`)])))
        })
        .compile()
    )
  )
  const increment = cache((key) =>
    template(
      db
        .insertInto(physical)
        .values(values(Number(key)))
        .onConflict((oc) =>
          oc
            .columns(table.key as Array<string>)
            .doUpdateSet(
              Object.fromEntries(
                nonKey.map((c) => [c, sql`${sql.ref(`${physical}.${c}`)} + ${sql.ref(`excluded.${c}`)}`])
              )
            )
        )
        .compile()
    )
  )
  return {
    table,
    physical,
    columns,
    keyIndexes: table.key.map((k) => columns.indexOf(k)),
    select: (keys) => select(String(keys)),
    upsert: (rows) => upsert(String(rows)),
    increment: (rows) => increment(String(rows)),
    remove: (keys) => removeKeys(String(keys))
  }
}

// ---------------------------------------------------------------------------
// The changes of one batch
// ---------------------------------------------------------------------------

/**
 * Values bound per multi-row write: 16,000 stays well below SQLite's limit
 * of 32,766 and PostgreSQL's of 65,535, and makes few statements (a
 * mentorship row has 35 columns: 256 rows per upsert).
 */
const writeBudget = 16_000

/**
 * The values of `size` keys for a statement over a `(key columns) in
 * (values …)` list: the chunk's keys, padded to `size` (a power of two) by
 * repeating the last one, so that few statement variants are compiled and
 * prepared.
 */
const keyValues = (chunk: ReadonlyArray<ReadonlyArray<Value>>, size: number, width: number): Array<Value> => {
  const values = new Array<Value>(size * width)
  for (let r = 0; r < size; r++) {
    const key = chunk[Math.min(r, chunk.length - 1)]!
    for (let c = 0; c < width; c++) values[r * width + c] = key[c]!
  }
  return values
}

const separator = "\u0001"
const keyOf = (key: ReadonlyArray<Value>): string => {
  let k = String(key[0])
  for (let i = 1; i < key.length; i++) k += separator + String(key[i])
  return k
}
const rowKey = (columns: ReadonlyArray<string>, row: Record): string => {
  let k = String(row[columns[0]!] ?? null)
  for (let i = 1; i < columns.length; i++) k += separator + String(row[columns[i]!] ?? null)
  return k
}

interface TableState {
  readonly s: Statements
  readonly key: ReadonlyArray<string>
  readonly wanted: Map<string, ReadonlyArray<Value>>
  /** Rows known in this batch: loaded, put, or null for absent or removed. */
  readonly known: Map<string, Record | null>
  readonly dirty: Set<string>
  readonly removed: Map<string, ReadonlyArray<Value>>
  readonly deltas: Map<string, { readonly key: ReadonlyArray<Value>; readonly add: Array<number> }>
}

/**
 * The changes a projection makes to its tables for one batch of events,
 * kept in memory and written with few multi-row statements:
 *
 * 1. {@link Changes.want} the rows the batch will read (a pass over the events);
 * 2. {@link Changes.load} them, with one select per table and chunk;
 * 3. fold the events with {@link Changes.get}, {@link Changes.put},
 *    {@link Changes.remove} and {@link Changes.add};
 * 4. {@link Changes.flush}: multi-row upserts, deletes and counter increments.
 *
 * Memory is bounded by the batch: nothing outlives it.
 */
/**
 * Rows kept from one batch to the next, for the tables a projection reads
 * most (a mentorship's row is read by nearly every event): bounded, and
 * cleared whenever a batch does not continue the previous one.
 */
export class RowCache {
  private readonly tables = new Map<string, Map<string, Record>>()

  constructor(
    tables: ReadonlyArray<string>,
    private readonly capacity = 20_000
  ) {
    for (const t of tables) this.tables.set(t, new Map())
  }

  /** The cached rows of a table, if it is cached. */
  rows(table: string): Map<string, Record> | undefined {
    return this.tables.get(table)
  }

  /** Keeps a row, forgetting the least recently kept ones beyond the capacity. */
  keep(table: string, key: string, row: Record): void {
    const rows = this.tables.get(table)
    if (rows === undefined) return
    rows.delete(key)
    rows.set(key, row)
    if (rows.size > this.capacity) {
      for (const k of rows.keys()) {
        rows.delete(k)
        if (rows.size <= this.capacity) break
      }
    }
  }

  forget(table: string, key: string): void {
    this.tables.get(table)?.delete(key)
  }

  clear(): void {
    for (const rows of this.tables.values()) rows.clear()
  }
}

export class Changes {
  private readonly tables = new Map<string, TableState>()

  /**
   * `cache`: rows kept across batches; trusted only when `continues` (the
   * previous batch committed and nothing else wrote the tables since),
   * cleared otherwise.
   */
  constructor(
    statements: ReadonlyArray<Statements>,
    private readonly cache?: RowCache,
    continues = false
  ) {
    if (cache !== undefined && !continues) cache.clear()
    for (const s of statements) {
      this.tables.set(s.table.name, {
        s,
        key: s.table.key,
        wanted: new Map(),
        known: new Map(),
        dirty: new Set(),
        removed: new Map(),
        deltas: new Map()
      })
    }
  }

  private state(table: string): TableState {
    const t = this.tables.get(table)
    if (t === undefined) throw new Error(`no table ${table} in this projection`)
    return t
  }

  /** Declares that the fold will read the row with this key. */
  want(table: string, key: ReadonlyArray<Value>): void {
    const t = this.state(table)
    const k = keyOf(key)
    if (t.known.has(k)) return
    const cached = this.cache?.rows(table)?.get(k)
    if (cached !== undefined) t.known.set(k, cached)
    else t.wanted.set(k, key)
  }

  /** Loads the wanted rows. */
  *load(): Steps<void> {
    for (const t of this.tables.values()) {
      if (t.wanted.size === 0) continue
      const keys = [...t.wanted.values()]
      const width = t.s.table.key.length
      const perSelect = maxRows(width)
      for (let start = 0; start < keys.length; start += perSelect) {
        const chunk = keys.slice(start, start + perSelect)
        const size = bucket(chunk.length)
        const rows: ReadonlyArray<Row> = yield bind(t.s.select(size), keyValues(chunk, size, width))
        for (const row of rows) {
          const k = rowKey(t.key, row as Record)
          if (!t.known.has(k)) t.known.set(k, row as Record)
        }
      }
      for (const k of t.wanted.keys()) if (!t.known.has(k)) t.known.set(k, null)
      t.wanted.clear()
    }
  }

  /** The row with this key, or undefined if there is none. It must have been wanted or put. */
  get(table: string, key: ReadonlyArray<Value>): Record | undefined {
    const t = this.state(table)
    const k = keyOf(key)
    const row = t.known.get(k)
    if (row === undefined) throw new Error(`${table} row ${JSON.stringify(key)} was read but not wanted`)
    return row ?? undefined
  }

  /** Inserts or replaces a row (a new one, or one got from {@link Changes.get} and changed). */
  put(table: string, row: Record): void {
    const t = this.state(table)
    const k = rowKey(t.key, row)
    t.known.set(k, row)
    t.dirty.add(k)
    t.removed.delete(k)
  }

  /** Deletes the row with this key (if any). */
  remove(table: string, key: ReadonlyArray<Value>): void {
    const t = this.state(table)
    const k = keyOf(key)
    t.known.set(k, null)
    t.dirty.delete(k)
    t.removed.set(k, key)
  }

  /** Adds to the counters of a key (in column order after the key). */
  add(table: string, key: ReadonlyArray<Value>, add: ReadonlyArray<number>): void {
    const t = this.state(table)
    const k = keyOf(key)
    const entry = t.deltas.get(k)
    if (entry === undefined) t.deltas.set(k, { key, add: [...add] })
    else for (let i = 0; i < add.length; i++) entry.add[i]! += add[i]!
  }

  /** Writes every change. */
  *flush(): Steps<void> {
    for (const t of this.tables.values()) {
      const { s } = t
      if (t.removed.size > 0) {
        // one statement per chunk of keys, not one per row (revoked consents are many)
        const keys = [...t.removed.values()]
        const keyWidth = s.table.key.length
        const perDelete = maxRows(keyWidth, writeBudget)
        for (let start = 0; start < keys.length; start += perDelete) {
          const chunk = keys.slice(start, start + perDelete)
          const size = bucket(chunk.length)
          yield bind(s.remove(size), keyValues(chunk, size, keyWidth))
        }
      }
      const width = s.columns.length
      if (t.dirty.size > 0) {
        const rows = [...t.dirty].map((k) => t.known.get(k)!)
        let at = 0
        for (const size of chunkSizes(rows.length, maxRows(width, writeBudget))) {
          const values = new Array<Value>(size * width)
          for (let r = 0; r < size; r++) {
            const row = rows[at + r]!
            for (let c = 0; c < width; c++) values[r * width + c] = row[s.columns[c]!] ?? null
          }
          at += size
          yield bind(s.upsert(size), values)
        }
      }
      if (t.deltas.size > 0) {
        // Written even when they add up to zero: the row then exists, as it
        // would had the same events come in smaller batches.
        const entries = [...t.deltas.values()]
        const keyWidth = s.table.key.length
        let at = 0
        for (const size of chunkSizes(entries.length, maxRows(width, writeBudget))) {
          const values = new Array<Value>(size * width)
          for (let r = 0; r < size; r++) {
            const e = entries[at + r]!
            for (let c = 0; c < keyWidth; c++) values[r * width + c] = e.key[c]!
            for (let c = keyWidth; c < width; c++) values[r * width + c] = e.add[c - keyWidth] ?? 0
          }
          at += size
          yield bind(s.increment(size), values)
        }
      }
      // What the tables hold now, for the next batch.
      const { cache } = this
      if (cache?.rows(s.table.name) !== undefined) {
        for (const [k, row] of t.known) {
          if (row === null) cache.forget(s.table.name, k)
          else cache.keep(s.table.name, k, row)
        }
      }
      t.known.clear()
      t.dirty.clear()
      t.removed.clear()
      t.deltas.clear()
    }
  }

  /** Changes kept rows after a set-based update returned their new values. */
  patch(table: string, rows: ReadonlyArray<Row>): void {
    const t = this.state(table)
    const cached = this.cache?.rows(table)
    if (cached === undefined) return
    for (const r of rows) {
      const row = cached.get(rowKey(t.key, r as Record))
      if (row !== undefined) Object.assign(row, r)
    }
  }
}

// ---------------------------------------------------------------------------
// A projection over Changes, in parts
// ---------------------------------------------------------------------------

/**
 * A projection written with {@link Changes}: `want` declares the rows an
 * event reads, `fold` applies it (with `pending`, what the batch collects
 * beside the rows: the mentorships whose set-based columns to refresh),
 * `after` runs once the changes are written.
 */
export interface Folding<P> {
  readonly pending: () => P
  readonly want: (changes: Changes, e: EventStore.RecordedEvent) => void
  readonly fold: (changes: Changes, e: EventStore.RecordedEvent, pending: P) => void
  readonly after?: (changes: Changes, pending: P) => Steps<void>
}

/**
 * A batch's `apply`, and the same in parts: each part wants, loads and
 * folds its events into the batch's changes (rows a part loaded or
 * changed stay known to the next), and `finish` writes them once.
 */
export const folding = <P>(
  statements: ReadonlyArray<Statements>,
  kept: RowCache | undefined,
  f: Folding<P>
): InParts & {
  readonly apply: (events: ReadonlyArray<EventStore.RecordedEvent>, batch: Batch) => Steps<void>
} => {
  let open: { readonly batch: Batch; readonly changes: Changes; readonly pending: P } | undefined
  function* part(events: ReadonlyArray<EventStore.RecordedEvent>, batch: Batch): Steps<void> {
    if (open?.batch !== batch) {
      open = { batch, changes: new Changes(statements, kept, batch.continues), pending: f.pending() }
    }
    const { changes, pending } = open
    for (const e of events) f.want(changes, e)
    yield* changes.load()
    for (const e of events) f.fold(changes, e, pending)
  }
  function* finish(batch: Batch): Steps<void> {
    const o = open
    if (o?.batch !== batch) return
    open = undefined
    yield* o.changes.flush()
    if (f.after !== undefined) yield* f.after(o.changes, o.pending)
  }
  return {
    part,
    finish,
    apply: function* (events, batch) {
      const own: Batch = { continues: batch.continues }
      yield* part(events, own)
      yield* finish(own)
    }
  }
}
