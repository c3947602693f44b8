/**
 * What each side (ours, raw, peer) implements for one database, so that a
 * workload is written once and run against every side.
 */
import type { Events } from "@mentor-ledger/core"
import type { Recorded } from "./Mentorships.js"
import type { Writer } from "./Ours.js"

/** An open database of one side. Each method is one timed workload; it returns the operations done. */
export interface Session {
  /**
   * W1: one call per stream, all its events, expecting no stream. History
   * `i` goes to mentorship `from + i`'s stream (`from` 0 unless given: the
   * warm-up's streams are others than the timed part's).
   */
  readonly appendStreams: (
    histories: ReadonlyArray<ReadonlyArray<Events.Event>>,
    from?: number
  ) => Promise<number>
  /** W2: round by round, each stream's next event in its own call, expecting the exact version (`from` as in W1). */
  readonly appendOneByOne: (
    histories: ReadonlyArray<ReadonlyArray<Events.Event>>,
    from?: number
  ) => Promise<number>
  /** W3: the whole log in global order, decoded; returns the number of events. */
  readonly readAll: () => Promise<number>
  /** W4: the streams of the given mentorship numbers, one by one, decoded; returns the number of events. */
  readonly loadStreams: (mentorships: ReadonlyArray<number>) => Promise<number>
  /** W5: commands through the command handler; only ours has one. */
  readonly executeCommands?: (commands: ReadonlyArray<Record<string, unknown>>) => Promise<number>
  /**
   * W6: every read model rebuilt from the log; returns the events replayed.
   * `observe` is told the events read so far after every query. Only ours has read models.
   */
  readonly rebuild?: (observe: (events: number) => void) => Promise<number>
  /**
   * W7 (PostgreSQL): opens `writers` writers, each on its own connection,
   * runs `plan` with them, and closes them.
   */
  readonly concurrent?: <A>(
    writers: number,
    plan: (writers: ReadonlyArray<Writer>) => Promise<A>
  ) => Promise<A>
  /** W7h's check: the hot stream as stored, each event's version and the mark its writer gave it. */
  readonly readHotStream?: () => Promise<ReadonlyArray<{ readonly version: number; readonly mark: string }>>
  /** How many calls the side had to repeat after a transient failure (the peer's SQLITE_BUSY). */
  readonly retries?: () => number
  readonly close: () => Promise<void>
}

/** Makes template databases and opens sessions, for one side on one database. */
export interface Subject {
  /** Who does the work, with its version: shown in the table. */
  readonly label: string
  readonly open: (file: string) => Promise<Session>
  /** An empty database with the schema, at `file`. */
  readonly prepareEmpty: (file: string) => Promise<void>
  /**
   * The W3/W4 log at `file`: `streams` histories of `perStream` events,
   * interleaved round by round in a seeded random order (as many
   * mentorships progressing at once leave it).
   */
  readonly prepareLog: (
    file: string,
    histories: ReadonlyArray<ReadonlyArray<Events.Event>>,
    order: ReadonlyArray<number>
  ) => Promise<void>
  /** W5's database: mentorships in their meetings phase. Only ours has a command handler. */
  readonly prepareMeetings?: (
    file: string,
    histories: ReadonlyArray<ReadonlyArray<Events.Event>>
  ) => Promise<void>
  /** W6's log of whole mentorship histories, chunk by chunk. Only ours has read models. */
  readonly prepareHistories?: (file: string, chunks: Iterable<ReadonlyArray<Recorded>>) => Promise<void>
}

/** The stream name both mentor-ledger and the raw side use for mentorship `id`. */
export const streamName = (id: string): string => `mentorship-${id}`
