/**
 * Plain-text tables for the terminal.
 *
 * @since 0.1.0
 */

/** Right-aligns columns whose cells are all numbers (or empty). @since 0.1.0 @category tables */
export const render = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)))
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => /^[-\d.,%]*$/.test(r[i] ?? "")))
  const line = (cells: ReadonlyArray<string>) =>
    cells
      .map((c, i) => (numeric[i] && i > 0 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd()
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n")
}

/** 1234567 → "1,234,567". @since 0.1.0 @category format */
export const thousands = (n: number): string => Math.round(n).toLocaleString("en-GB")
