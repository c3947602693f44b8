/**
 * What the bench measures: the workloads, their sizes, their targets, and
 * the jobs a child process runs.
 */

/** The workloads of issue 8. */
export type Workload = "W1" | "W2" | "W3" | "W4" | "W5" | "W6" | "W7" | "W7h"

/** The databases. */
export type Store = "sqlite" | "postgres"

/**
 * Who does the work:
 * - `ours`: mentor-ledger's store (schema encoding and decoding, version checks, Effect);
 * - `raw`: the driver alone, the same SQL on the same schema, no library;
 * - `peer`: the peer library (Emmett), on its own schema.
 */
export type Side = "ours" | "raw" | "peer"

export const sides: ReadonlyArray<Side> = ["ours", "raw", "peer"]

/** The sizes of one bench run. */
export interface Sizes {
  /** W1: new streams, each appended in one call of `w1Events` events. */
  readonly w1Streams: number
  readonly w1Events: number
  /** W2: streams, each given `w2Events` events one call at a time. */
  readonly w2Streams: number
  readonly w2Events: number
  /** W3 and W4 read a log of `logStreams` streams of `logEvents` events. */
  readonly logStreams: number
  readonly logEvents: number
  /** W4: how many of those streams are loaded, one by one, in random order. */
  readonly w4Streams: number
  /** W5: mentorships in the meetings phase, each holding `w5Meetings` meetings (two commands each). */
  readonly w5Mentorships: number
  readonly w5Meetings: number
  /** W6: events in the log the read models are rebuilt from (whole mentorship histories). */
  readonly w6Events: number
  /** W7 (PostgreSQL): concurrent writers, each with its own connection. */
  readonly w7Writers: number
  /** W7: streams each writer appends (`logEvents`-event histories, one call per stream). */
  readonly w7Streams: number
  /** W7h: events each writer appends to the one hot stream, one call each. */
  readonly w7HotEvents: number
  /** Fresh-database runs per workload and side. */
  readonly runs: number
}

export const full: Sizes = {
  w1Streams: 10_000,
  w1Events: 10,
  w2Streams: 2_000,
  w2Events: 5,
  logStreams: 10_000,
  logEvents: 10,
  w4Streams: 10_000,
  w5Mentorships: 1_000,
  w5Meetings: 5,
  w6Events: 1_000_000,
  w7Writers: 8,
  w7Streams: 250,
  w7HotEvents: 250,
  runs: 3
}

/** For the smoke test: every code path, small numbers. */
export const quick: Sizes = {
  w1Streams: 200,
  w1Events: 10,
  w2Streams: 50,
  w2Events: 5,
  logStreams: 200,
  logEvents: 10,
  w4Streams: 200,
  w5Mentorships: 20,
  w5Meetings: 5,
  w6Events: 5_000,
  w7Writers: 8,
  w7Streams: 10,
  w7HotEvents: 10,
  runs: 3
}

/** A target of issue 8: a ratio to raw, or a floor in operations per second. */
export type Target = { readonly ratio: number } | { readonly atLeast: number }

export interface WorkloadInfo {
  readonly workload: Workload
  readonly title: string
  readonly unit: "events/s" | "commands/s"
  readonly targets: Partial<Record<Store, Target>>
  /** How many operations (events or commands) one run does. */
  readonly operations: (sizes: Sizes) => number
}

export const workloads: ReadonlyArray<WorkloadInfo> = [
  {
    workload: "W1",
    title: "append per stream",
    unit: "events/s",
    targets: { sqlite: { ratio: 0.6 }, postgres: { ratio: 0.7 } },
    operations: (s) => s.w1Streams * s.w1Events
  },
  {
    workload: "W2",
    title: "append one by one",
    unit: "events/s",
    targets: { sqlite: { ratio: 0.5 }, postgres: { ratio: 0.7 } },
    operations: (s) => s.w2Streams * s.w2Events
  },
  {
    workload: "W3",
    title: "read all, decoded",
    unit: "events/s",
    targets: { sqlite: { ratio: 0.5 }, postgres: { ratio: 0.5 } },
    operations: (s) => s.logStreams * s.logEvents
  },
  {
    workload: "W4",
    title: "load streams, decoded",
    unit: "events/s",
    targets: { sqlite: { ratio: 0.5 }, postgres: { ratio: 0.6 } },
    operations: (s) => s.w4Streams * s.logEvents
  },
  {
    workload: "W5",
    title: "command path (Ledger)",
    unit: "commands/s",
    targets: { sqlite: { atLeast: 5_000 } },
    operations: (s) => s.w5Mentorships * s.w5Meetings * 2
  },
  {
    workload: "W6",
    title: "rebuild read models",
    unit: "events/s",
    targets: { sqlite: { atLeast: 50_000 }, postgres: { atLeast: 50_000 } },
    operations: (s) => s.w6Events
  },
  {
    workload: "W7",
    title: "concurrent writers, distinct streams",
    unit: "events/s",
    targets: {},
    operations: (s) => s.w7Writers * s.w7Streams * s.logEvents
  },
  {
    workload: "W7h",
    title: "concurrent writers, one hot stream",
    unit: "events/s",
    targets: {},
    operations: (s) => s.w7Writers * s.w7HotEvents
  }
]

export const info = (workload: Workload): WorkloadInfo => workloads.find((w) => w.workload === workload)!

/** One measured run, done by one child process. */
export interface Job {
  readonly kind: "measure"
  readonly workload: Workload
  readonly store: Store
  readonly side: Side
  readonly run: number
  readonly sizes: Sizes
  /** The database of this run: a fresh copy of a template file (SQLite), or a schema (PostgreSQL). */
  readonly file: string
  /** Make the database first, before the timed part (PostgreSQL: a fresh schema per writing run). */
  readonly prepare?: Prepare["content"]
}

/** Makes a template database that the runs copy, done by one child process. */
export interface Prepare {
  readonly kind: "prepare"
  readonly store: Store
  /** `ml`: mentor-ledger's schema (ours and raw); `peer`: the peer's. */
  readonly schema: "ml" | "peer"
  /**
   * `empty`: migrated, no events; `log`: the W3/W4 log; `meetings`: the W5
   * mentorships; `histories`: the W6 log of whole mentorship histories.
   */
  readonly content: "empty" | "log" | "meetings" | "histories"
  readonly sizes: Sizes
  /** The template's file (SQLite) or schema (PostgreSQL). */
  readonly file: string
  /** PostgreSQL `histories`: the SQLite template whose rows (written by ours) are copied. */
  readonly from?: string
}

export type Task = Job | Prepare

/** The process's memory at one moment of a run. */
export interface MemorySample {
  /** Seconds since the timed part began. */
  readonly seconds: number
  /** Events done by then, where the workload can tell (W6: the rebuild's checkpoint). */
  readonly events?: number
  readonly rssMiB: number
  /** V8's heap in use (live objects and garbage not yet collected). */
  readonly heapUsedMiB: number
  /** Taken right after a full garbage collection: `heapUsedMiB` is then the live heap. */
  readonly live?: boolean
}

/** What a child reports. */
export type Outcome =
  | {
      readonly _tag: "Measured"
      readonly operations: number
      readonly seconds: number
      /** The child's peak resident set size. */
      readonly peakRssMiB: number
      /** Its peak before the workload started (after loading modules and opening the database). */
      readonly baselineRssMiB: number
      /** Calls repeated after a transient failure (only the peer needs any). */
      readonly retries: number
      /** What a workload counted beside its operations (W7: conflicts, events verified). */
      readonly counts?: Readonly<Record<string, number>>
      /** Memory sampled during the timed part (W6), in time order. */
      readonly memory?: ReadonlyArray<MemorySample>
    }
  | { readonly _tag: "Prepared"; readonly seconds: number }
  | { readonly _tag: "Failed"; readonly message: string }
