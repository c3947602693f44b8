/**
 * A small seeded PRNG (mulberry32) and the helpers the demo draws with: the
 * same seed gives the same programme, byte for byte in its process facts.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 @category models */
export interface Random {
  /** A float in [0, 1). */
  readonly next: () => number
  /** A whole number in [min, max]. */
  readonly int: (min: number, max: number) => number
  readonly pick: <A>(items: ReadonlyArray<A>) => A
  readonly chance: (p: number) => boolean
  /** A uuid (version 4 layout) made of the generator's bits. */
  readonly uuid: () => string
}

/** @since 0.1.0 @category constructors */
export const make = (seed: number): Random => {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1))
  const hex = (n: number) => {
    let s = ""
    for (let i = 0; i < n; i++) s += Math.floor(next() * 16).toString(16)
    return s
  }
  return {
    next,
    int,
    pick: (items) => items[Math.floor(next() * items.length)]!,
    chance: (p) => next() < p,
    uuid: () => `${hex(8)}-${hex(4)}-4${hex(3)}-${"89ab"[int(0, 3)]}${hex(3)}-${hex(12)}`
  }
}
