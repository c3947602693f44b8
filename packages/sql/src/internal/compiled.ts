import type { CompiledQuery } from "kysely"

// Queries are built with kysely once, with marker strings in place of the
// values, and compiled; each use only binds values into the compiled order.

const prefix = "\u0000ml-slot:"

/** The marker that stands for the `index`-th value of a template. */
export const slot = (index: number): string => `${prefix}${index}`

/** A compiled query whose parameters are taken from a flat array of values. */
export interface Template {
  readonly query: CompiledQuery
  /** For each parameter, the index of its value, or -1 for a constant kysely compiled in. */
  readonly slots: Int32Array
}

/** Makes a template of a query built with {@link slot} markers. */
export const template = (query: CompiledQuery): Template => ({
  query,
  slots: Int32Array.from(query.parameters, (p) =>
    typeof p === "string" && p.startsWith(prefix) ? Number(p.slice(prefix.length)) : -1
  )
})

/** The query with these values bound. */
export const bind = (t: Template, values: ReadonlyArray<unknown>): CompiledQuery => {
  const { slots, query } = t
  const parameters = new Array<unknown>(slots.length)
  for (let i = 0; i < slots.length; i++) {
    const s = slots[i]!
    parameters[i] = s < 0 ? query.parameters[i] : values[s]
  }
  return { ...query, parameters }
}

/**
 * A bounded cache of templates by key. Statement variants are few (sizes
 * are rounded to powers of two), so the bound only guards against misuse.
 */
export const cache = (build: (key: string) => Template, size = 512): ((key: string) => Template) => {
  const entries = new Map<string, Template>()
  return (key) => {
    let t = entries.get(key)
    if (t === undefined) {
      if (entries.size >= size) entries.clear()
      t = build(key)
      entries.set(key, t)
    }
    return t
  }
}

/** The least power of two that is at least `n` (n >= 1). */
export const bucket = (n: number): number => {
  let b = 1
  while (b < n) b *= 2
  return b
}

/**
 * Splits `n` rows into chunks whose sizes are powers of two no larger than
 * `max` (a power of two), largest first: few statements, few variants.
 */
export const chunkSizes = (n: number, max: number): ReadonlyArray<number> => {
  const out: Array<number> = []
  let left = n
  while (left >= max) {
    out.push(max)
    left -= max
  }
  for (let size = max / 2; size >= 1; size /= 2) {
    if (left >= size) {
      out.push(size)
      left -= size
    }
  }
  return out
}

/** The largest power of two `p` with `p * width <= budget` (at least 1). */
export const maxRows = (width: number, budget = 4000): number => {
  let p = 1
  while (p * 2 * width <= budget) p *= 2
  return p
}
