/**
 * Progress of a long run: a bar with events per second and the time left on
 * a terminal, plain log lines (about every two seconds) otherwise.
 *
 * @since 0.1.0
 */
import type { Io } from "./io.js"
import { thousands } from "./table.js"

/** @since 0.1.0 @category models */
export interface Progress {
  /** Reports how many of the total are done. */
  readonly update: (done: number) => void
  /** The final line. */
  readonly finish: (done: number, note?: string) => void
}

const duration = (seconds: number): string => {
  if (!Number.isFinite(seconds)) return "?"
  if (seconds < 10) return `${seconds.toFixed(1)} s`
  if (seconds < 60) return `${Math.round(seconds)} s`
  const m = Math.floor(seconds / 60)
  if (m < 60) return `${m} min ${Math.round(seconds % 60)} s`
  return `${Math.floor(m / 60)} h ${m % 60} min`
}

/**
 * A progress display for `total` items on stderr.
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  io: Io,
  label: string,
  total: number,
  /** Already done before this run (a resumed replay): not counted in the rate. */
  from = 0,
  now: () => number = Date.now
): Progress => {
  const tty = io.stderr.isTTY === true
  // How often to redraw (ms); MENTOR_LEDGER_PROGRESS_MS overrides it (tests use 0).
  const every = Number(io.env.MENTOR_LEDGER_PROGRESS_MS ?? (tty ? 100 : 2000))
  const started = now()
  let last = 0
  let shown = -1
  const line = (done: number) => {
    const elapsed = Math.max(0.001, (now() - started) / 1000)
    const rate = Math.max(0, done - from) / elapsed
    const left = total <= done ? 0 : rate > 0 ? (total - done) / rate : Number.POSITIVE_INFINITY
    const pct = total === 0 ? 100 : Math.min(100, Math.floor((done / total) * 100))
    return { rate, left, pct }
  }
  return {
    update: (done) => {
      const t = now()
      if (t - last < every) return
      last = t
      const { rate, left, pct } = line(done)
      if (tty) {
        const width = 28
        const filled = Math.round((pct / 100) * width)
        io.stderr.write(
          `\r${label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${String(pct).padStart(3)}% ${thousands(done)}/${thousands(total)} events, ${thousands(rate)} events/s, ETA ${duration(left)}\u001b[K`
        )
      } else if (pct !== shown && (done > 0 || pct === 100)) {
        shown = pct
        io.stderr.write(
          `${label}: ${thousands(done)}/${thousands(total)} events (${pct}%), ${thousands(rate)} events/s, ETA ${duration(left)}\n`
        )
      }
    },
    finish: (done, note) => {
      const elapsed = Math.max(0.001, (now() - started) / 1000)
      const text = `${label}: ${thousands(done)} events in ${duration(elapsed)} (${thousands(done / elapsed)} events/s)${note === undefined ? "" : `; ${note}`}`
      io.stderr.write(tty ? `\r${text}\u001b[K\n` : `${text}\n`)
    }
  }
}
