/**
 * What the docs check reads in Markdown and TypeScript files: code regions,
 * snippet markers with the code block under them, links, and the anchors a
 * page offers (GitHub's heading slugs).
 */

/** A `// #region name` … `// #endregion` block of a source file. */
export interface Region {
  readonly name: string
  /** 1-based line of the `#region` marker. */
  readonly line: number
  /** The body, dedented by its least indentation, without nested region markers, trailing blanks trimmed. */
  readonly code: string
}

const regionStart = /^\s*\/\/ #region (\S+)\s*$/
const regionEnd = /^\s*\/\/ #endregion(?: (\S+))?\s*$/

/**
 * The regions of a source file, by name. A region ends at the first
 * `// #endregion` that names it, or at the first unnamed one; nested regions
 * are allowed when named, and their marker lines are left out of the outer
 * region's body. Problems (an unclosed region, a name used twice) are
 * returned as messages.
 */
export const regionsOf = (source: string): { regions: Map<string, Region>; problems: Array<string> } => {
  const lines = source.split("\n")
  const regions = new Map<string, Region>()
  const problems: Array<string> = []
  for (const [index, line] of lines.entries()) {
    const start = regionStart.exec(line)
    if (start === null) continue
    const name = start[1]!
    let end = -1
    for (let j = index + 1; j < lines.length; j++) {
      const m = regionEnd.exec(lines[j]!)
      if (m !== null && (m[1] === undefined || m[1] === name)) {
        end = j
        break
      }
    }
    if (end === -1) {
      problems.push(`line ${index + 1}: region "${name}" has no // #endregion`)
      continue
    }
    if (regions.has(name)) problems.push(`line ${index + 1}: region "${name}" is defined twice`)
    const body = lines.slice(index + 1, end).filter((l) => !regionStart.test(l) && !regionEnd.test(l))
    regions.set(name, { name, line: index + 1, code: dedent(body) })
  }
  return { regions, problems }
}

const dedent = (lines: ReadonlyArray<string>): string => {
  const indents = lines.filter((l) => l.trim() !== "").map((l) => l.length - l.trimStart().length)
  const indent = indents.length === 0 ? 0 : Math.min(...indents)
  return lines
    .map((l) => l.slice(indent).trimEnd())
    .join("\n")
    .replace(/^\n+/, "")
    .trimEnd()
}

/** A fenced code block of a Markdown page. */
export interface CodeBlock {
  /** The info string's first word (`ts`, `sh`…). */
  readonly lang: string
  /** 1-based line of the opening fence. */
  readonly line: number
  /** 1-based line of the closing fence. */
  readonly endLine: number
  readonly code: string
  /**
   * The region it shows: the `<!-- snippet: path#region -->` marker above it
   * (only HTML comments and blank lines may come between), or a first line
   * `// Source: path#region name` inside it (the older form; that line is
   * then not part of `code`).
   */
  readonly snippet?: { readonly file: string; readonly region: string; readonly line: number }
  /**
   * The `<!-- snippet: none (reason) -->` marker above it, if any: a block
   * that shows no code of the repository on purpose (a pure illustration),
   * with the reason it gives.
   */
  readonly none?: { readonly reason: string; readonly line: number }
  /** Lines at the top of the block that are not part of `code` (the `// Source:` line). */
  readonly skip: number
}

const sourceLine = /^\/\/ Source: (\S+?)#region (\S+)\s*$/

const fence = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)/
const snippetMarker = /^\s*<!--\s*snippet:\s*(\S+?)#(\S+)\s*-->\s*$/
const noneMarker = /^\s*<!--\s*snippet:\s*none\s*\((.*)\)\s*-->\s*$/
const anyMarker = /^\s*<!--\s*snippet:/

/** The fenced code blocks of a page, with the snippet marker of each, if any. */
export const codeBlocksOf = (markdown: string): { blocks: Array<CodeBlock>; problems: Array<string> } => {
  const lines = markdown.split("\n")
  const blocks: Array<CodeBlock> = []
  const problems: Array<string> = []
  let pending:
    | { kind: "region"; file: string; region: string; line: number }
    | { kind: "none"; reason: string; line: number }
    | undefined
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    const marker = snippetMarker.exec(line)
    const noneOf = marker === null ? noneMarker.exec(line) : null
    if (marker !== null || noneOf !== null || anyMarker.test(line)) {
      if (pending !== undefined)
        problems.push(`line ${pending.line}: snippet marker not followed by a code block`)
      pending = undefined
      if (marker !== null) pending = { kind: "region", file: marker[1]!, region: marker[2]!, line: i + 1 }
      else if (noneOf !== null && noneOf[1]!.trim() !== "")
        pending = { kind: "none", reason: noneOf[1]!.trim(), line: i + 1 }
      else if (noneOf !== null)
        problems.push(
          `line ${i + 1}: "snippet: none" needs a reason: <!-- snippet: none (why no region backs it) -->`
        )
      else
        problems.push(
          `line ${i + 1}: a snippet marker is <!-- snippet: path/to/file.ts#region --> or <!-- snippet: none (reason) -->`
        )
      continue
    }
    const open = fence.exec(line)
    if (open === null) {
      if (pending !== undefined && line.trim() !== "" && !/^\s*<!--.*-->\s*$/.test(line)) {
        problems.push(`line ${pending.line}: snippet marker not followed by a code block`)
        pending = undefined
      }
      continue
    }
    const [, indent, ticks, lang] = open
    let j = i + 1
    while (j < lines.length && !new RegExp(`^\\s*${ticks![0]}{${ticks!.length},}\\s*$`).test(lines[j]!)) j++
    if (j >= lines.length) problems.push(`line ${i + 1}: code block is not closed`)
    const body = lines.slice(i + 1, j).map((l) => (l.startsWith(indent!) ? l.slice(indent!.length) : l))
    const source = pending === undefined ? sourceLine.exec(body[0] ?? "") : null
    const snippet =
      source !== null
        ? { file: source[1]!, region: source[2]!, line: i + 2 }
        : pending?.kind === "region"
          ? { file: pending.file, region: pending.region, line: pending.line }
          : undefined
    const none = pending?.kind === "none" ? { reason: pending.reason, line: pending.line } : undefined
    blocks.push({
      lang: lang ?? "",
      line: i + 1,
      endLine: j + 1,
      code: body
        .slice(source === null ? 0 : 1)
        .join("\n")
        .trimEnd(),
      skip: source === null ? 0 : 1,
      ...(snippet === undefined ? {} : { snippet }),
      ...(none === undefined ? {} : { none })
    })
    pending = undefined
    i = j
  }
  if (pending !== undefined)
    problems.push(`line ${pending.line}: snippet marker not followed by a code block`)
  return { blocks, problems }
}

/**
 * Whether a page's TypeScript blocks must all be snippets (or opt out with a
 * reason): README.md, docs/**, packages/*\/README.md and examples/*\/README.md
 * (paths relative to the repository, with `/`).
 */
export const mustBeBacked = (page: string): boolean =>
  page === "README.md" ||
  (page.startsWith("docs/") && page.endsWith(".md")) ||
  /^(packages|examples)\/[^/]+\/README\.md$/.test(page)

/** The languages of the blocks that must show a region (or say why not). */
const checkedLanguages = new Set(["ts", "typescript", "tsx"])

/**
 * The TypeScript blocks (`ts`, `typescript`, `tsx`) of a page that no region
 * backs: neither a snippet marker (or `// Source:` line) nor a
 * `<!-- snippet: none (reason) -->` opt-out. One problem per block.
 */
export const unbackedBlocksOf = (blocks: ReadonlyArray<CodeBlock>): Array<string> =>
  blocks
    .filter((b) => checkedLanguages.has(b.lang) && b.snippet === undefined && b.none === undefined)
    .map(
      (b) =>
        `line ${b.line}: a ${b.lang} block that no region backs: show a \`// #region\` of compiled code with <!-- snippet: path/to/file.ts#region --> above it (\`pnpm docs:check --fix\` copies it in), or mark a pure illustration <!-- snippet: none (reason) -->`
    )

/** A link of a Markdown page. */
export interface Link {
  readonly target: string
  /** 1-based line. */
  readonly line: number
}

/**
 * The links of a page: inline `[text](target)`, images, reference
 * definitions `[name]: target` and HTML `href`/`src` attributes, outside
 * code blocks and inline code.
 */
export const linksOf = (markdown: string): Array<Link> => {
  const links: Array<Link> = []
  const lines = markdown.split("\n")
  let inFence: string | undefined
  for (const [index, raw] of lines.entries()) {
    const open = fence.exec(raw)
    if (open !== null) {
      const ticks = open[2]!
      if (inFence === undefined) inFence = ticks
      else if (ticks[0] === inFence[0] && ticks.length >= inFence.length && raw.trim() === ticks)
        inFence = undefined
      continue
    }
    if (inFence !== undefined) continue
    const line = raw.replace(/(`+)(?:(?!\1)[\s\S])*?\1/g, "")
    for (const m of line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g))
      links.push({ target: m[1]!, line: index + 1 })
    const definition = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$/.exec(line)
    if (definition !== null) links.push({ target: definition[1]!, line: index + 1 })
    for (const m of line.matchAll(/\b(?:href|src)\s*=\s*"([^"]+)"/g))
      links.push({ target: m[1]!, line: index + 1 })
  }
  return links
}

/**
 * The anchors a page offers, as GitHub makes them: each heading's slug
 * (lower case; punctuation other than `-` and `_` removed; spaces to `-`;
 * a repeated slug gets `-1`, `-2`…), and explicit `id`/`name` attributes.
 */
export const anchorsOf = (markdown: string): Set<string> => {
  const anchors = new Set<string>()
  const seen = new Map<string, number>()
  let inFence: string | undefined
  for (const raw of markdown.split("\n")) {
    const open = fence.exec(raw)
    if (open !== null) {
      const ticks = open[2]!
      if (inFence === undefined) inFence = ticks
      else if (ticks[0] === inFence[0] && ticks.length >= inFence.length && raw.trim() === ticks)
        inFence = undefined
      continue
    }
    if (inFence !== undefined) continue
    for (const m of raw.matchAll(/\b(?:id|name)\s*=\s*"([^"]+)"/g)) anchors.add(m[1]!)
    const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(raw)
    if (heading === null) continue
    const base = slug(heading[1]!)
    const n = seen.get(base) ?? 0
    seen.set(base, n + 1)
    anchors.add(n === 0 ? base : `${base}-${n}`)
  }
  return anchors
}

/** GitHub's slug of a heading's text. */
export const slug = (heading: string): string =>
  heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1") // links and images keep their text
    .replace(/<[^>]+>/g, "") // HTML tags
    .replace(/`/g, "")
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
    .replace(/ /g, "-")
