/**
 * The read models of mentor-ledger: plain, documented tables that another
 * application can query directly, kept by two projections.
 *
 * - `mentorships` (v1): `mentorships`, `participants`, `meetings`,
 *   `summaries`, `summary_amendments`, `tasks`, `task_assignees`,
 *   `consents`, `follow_ups` and `programme_statistics`;
 * - `programmes` (v1): `programmes`, `coordinators` and `mentor_load`.
 *
 * Each table is named `<prefix>rm_<table>_v<version>` (for example
 * `ml_rm_mentorships_v1`); `docs/storage.md` describes every column and
 * what each role may see. Content columns (a summary's text, a task's
 * description…) hold the event's value as it is stored: the query
 * functions of {@link Queries} decide who sees them.
 *
 * @example
 * import { Projection, ReadModels } from "@mentor-ledger/sql"
 * const runtime = yield* Projection.make(journal, ReadModels.projections)
 *
 * @since 0.1.0
 */
import * as mentorshipsProjection from "./internal/mentorships.js"
import * as programmesProjection from "./internal/programmes.js"
import type * as Rows from "./internal/rows.js"
import type { Projection } from "./Projection.js"

/** A column of a read-model table. @since 0.1.0 @category models */
export type Column = Rows.Column

/** A read-model table: columns, primary key and indexes. @since 0.1.0 @category models */
export type Table = Rows.Table

/**
 * Mentorships, their participants, meetings, summaries (with amendments
 * and consents), between-meeting tasks, follow-ups and the programme
 * statistics, from the mentorship streams.
 * @since 0.1.0
 * @category projections
 */
export const mentorships: Projection = mentorshipsProjection.projection

/**
 * Programmes, their coordinators and the mentor pool's load, from the
 * programme streams.
 * @since 0.1.0
 * @category projections
 */
export const programmes: Projection = programmesProjection.projection

/** Every read-model projection. @since 0.1.0 @category projections */
export const projections: ReadonlyArray<Projection> = [mentorships, programmes]

/**
 * The tables of each projection, with their columns, as data (the docs
 * are checked against them).
 * @since 0.1.0
 * @category tables
 */
export const tables: {
  readonly mentorships: ReadonlyArray<Table>
  readonly programmes: ReadonlyArray<Table>
} = {
  mentorships: mentorshipsProjection.tables,
  programmes: programmesProjection.tables
}
