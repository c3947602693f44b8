/**
 * A CSV reader for HR exports (RFC 4180, plus what spreadsheets really
 * write): a UTF-8 byte-order mark is dropped, the delimiter is a comma or,
 * as Excel writes it in Finnish and most European locales, a semicolon
 * (taken from the header line), fields may be quoted, a quoted field may
 * hold delimiters, doubled quotes and line breaks, and lines end in CRLF or
 * LF. Blank lines are skipped.
 *
 * Each record keeps the line it starts on, so that an error report can
 * point at the line a person sees in their editor.
 */

export interface CsvRecord {
  /** The 1-based line the record starts on. */
  readonly line: number
  readonly fields: ReadonlyArray<string>
}

/** The text is not well-formed CSV; nothing of it should be used. */
export class CsvSyntaxError extends Error {
  override readonly name = "CsvSyntaxError"
  constructor(
    readonly line: number,
    message: string
  ) {
    super(`line ${line}: ${message}`)
  }
}

const delimiterOf = (text: string): "," | ";" => {
  // Count the candidates on the header line, outside quoted fields.
  let commas = 0
  let semicolons = 0
  let inQuotes = false
  for (const c of text) {
    if (c === '"') inQuotes = !inQuotes
    else if (!inQuotes && (c === "\n" || c === "\r")) break
    else if (!inQuotes && c === ",") commas++
    else if (!inQuotes && c === ";") semicolons++
  }
  return semicolons > commas ? ";" : ","
}

/** Splits CSV text into records; throws {@link CsvSyntaxError} naming the line. */
export const parseCsv = (input: string): ReadonlyArray<CsvRecord> => {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input
  const delimiter = delimiterOf(text)
  const records: Array<CsvRecord> = []
  let fields: Array<string> = []
  let field = ""
  let line = 1
  let recordLine = 1
  let i = 0
  // Whether the current field was quoted (then it ends at its closing quote).
  let quoted = false

  const endField = () => {
    fields.push(field)
    field = ""
    quoted = false
  }
  const endRecord = () => {
    // A blank line (not a lone "" field) is skipped.
    const blank = fields.length === 0 && field === "" && !quoted
    endField()
    if (!blank) records.push({ line: recordLine, fields })
    fields = []
  }

  while (i < text.length) {
    const c = text[i]!
    if (c === '"') {
      if (field !== "" || quoted)
        throw new CsvSyntaxError(
          line,
          `a quote inside an unquoted field (quote the whole field and double the quote: "")`
        )
      quoted = true
      const start = line
      i++
      while (true) {
        if (i >= text.length) throw new CsvSyntaxError(start, "a quoted field is never closed")
        const q = text[i]!
        if (q === '"') {
          if (text[i + 1] === '"') {
            field += '"'
            i += 2
            continue
          }
          i++
          break
        }
        if (q === "\n") line++
        field += q
        i++
      }
      const next = text[i]
      if (next !== undefined && next !== delimiter && next !== "\r" && next !== "\n")
        throw new CsvSyntaxError(line, `text after the closing quote of a field: ${JSON.stringify(next)}`)
      continue
    }
    if (c === delimiter) {
      endField()
      i++
      continue
    }
    if (c === "\r" || c === "\n") {
      endRecord()
      i += c === "\r" && text[i + 1] === "\n" ? 2 : 1
      line++
      recordLine = line
      continue
    }
    field += c
    i++
  }
  if (field !== "" || fields.length > 0 || quoted) endRecord()
  return records
}
