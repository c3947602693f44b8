/**
 * The docs check (`pnpm docs:check`, part of `npm test`):
 *
 * 1. Every code block marked `<!-- snippet: path/to/file.ts#name -->` (on
 *    the line above its fence), or whose first line is `// Source:
 *    path/to/file.ts#region name`, shows the `// #region name` of that file
 *    as it is, so code in the docs is code that compiles and runs in CI.
 *    `pnpm docs:check --fix` copies the regions into the pages.
 *    On README.md, docs/**, packages/*\/README.md and examples/*\/README.md
 *    every ts/typescript/tsx block must be such a snippet, or be marked
 *    `<!-- snippet: none (reason) -->` as a pure illustration (keep those
 *    rare): TypeScript that nothing compiles is a failure.
 * 2. Every relative link and `#anchor` resolves: the file or folder is in
 *    the repository (tracked, or new and not ignored), and the anchor is a
 *    heading (GitHub's slug) or an `id` of the target page.
 *
 * Pages checked: README.md, docs/**\/*.md, packages/*\/README.md,
 * examples/*\/README.md, bench/README.md. Each failure is one line:
 * `page:line: what is wrong`. `--unmarked` lists the ts blocks that are not
 * snippets: the opted-out ones with their reasons, and any on a page where
 * they are allowed (bench/README.md).
 */
import { execFileSync } from "node:child_process"
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { dirname, join, normalize, relative, resolve, sep } from "node:path"
import { fileURLToPath } from "node:url"
import {
  anchorsOf,
  codeBlocksOf,
  linksOf,
  type Region,
  mustBeBacked,
  regionsOf,
  unbackedBlocksOf
} from "./markdown.js"

const root = resolve(fileURLToPath(new URL("../..", import.meta.url)))
const fix = process.argv.includes("--fix")
const listUnmarked = process.argv.includes("--unmarked")

/** The repository's files: tracked, or new and not ignored (what a clean clone will have once committed). */
const files = new Set(
  execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], {
    cwd: root,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024
  })
    .split("\0")
    .filter((f) => f !== "" && existsSync(join(root, f)))
)
const folders = new Set<string>([""])
for (const f of files) for (let d = dirname(f); d !== "." && !folders.has(d); d = dirname(d)) folders.add(d)

const pages = [...files]
  .filter(
    (f) =>
      f === "README.md" ||
      f === "bench/README.md" ||
      (f.startsWith("docs/") && f.endsWith(".md")) ||
      /^(packages|examples)\/[^/]+\/README\.md$/.test(f)
  )
  .sort()

const problems: Array<string> = []
const report = (page: string, line: number, message: string) => problems.push(`${page}:${line}: ${message}`)

const regionCache = new Map<string, Map<string, Region> | string>()
const regionsIn = (file: string): Map<string, Region> | string => {
  const cached = regionCache.get(file)
  if (cached !== undefined) return cached
  let result: Map<string, Region> | string
  if (!files.has(file)) result = `${file} is not a file of the repository`
  else {
    const { regions, problems: found } = regionsOf(readFileSync(join(root, file), "utf8"))
    for (const p of found) problems.push(`${file}:${p.replace(/^line /, "")}`)
    result = regions
  }
  regionCache.set(file, result)
  return result
}

const firstDifference = (shown: string, source: string): string => {
  const a = shown.split("\n")
  const b = source.split("\n")
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) {
      const show = (s: string | undefined) => (s === undefined ? "(nothing)" : JSON.stringify(s))
      return `line ${i + 1} of the block: the page shows ${show(a[i])}, the source has ${show(b[i])}`
    }
  }
  return "they differ"
}

let snippets = 0
let unmarked = 0
let optedOut = 0
const anchorCache = new Map<string, Set<string>>()
const anchorsIn = (file: string): Set<string> => {
  let anchors = anchorCache.get(file)
  if (anchors === undefined) {
    anchors = anchorsOf(readFileSync(join(root, file), "utf8"))
    anchorCache.set(file, anchors)
  }
  return anchors
}

for (const page of pages) {
  const text = readFileSync(join(root, page), "utf8")

  // 1. snippets
  const { blocks, problems: found } = codeBlocksOf(text)
  for (const p of found) problems.push(`${page}:${p.replace(/^line /, "")}`)
  if (mustBeBacked(page))
    for (const p of unbackedBlocksOf(blocks)) problems.push(`${page}:${p.replace(/^line /, "")}`)
  const lines = text.split("\n")
  let edited = false
  for (const block of [...blocks].reverse()) {
    if (block.snippet === undefined) {
      if (block.none !== undefined) {
        optedOut++
        if (listUnmarked)
          console.log(
            `${page}:${block.line}: a ${block.lang} block marked snippet: none (${block.none.reason})`
          )
      } else if (block.lang === "ts" || block.lang === "typescript" || block.lang === "tsx") {
        unmarked++
        if (listUnmarked) console.log(`${page}:${block.line}: a ${block.lang} block without a snippet marker`)
      }
      continue
    }
    snippets++
    const { file, region, line } = block.snippet
    const regions = regionsIn(file)
    if (typeof regions === "string") {
      report(page, line, `snippet ${file}#${region}: ${regions}`)
      continue
    }
    const found = regions.get(region)
    if (found === undefined) {
      const known = [...regions.keys()]
      report(
        page,
        line,
        `snippet ${file}#${region}: no "// #region ${region}" in ${file}${known.length === 0 ? " (it has no regions)" : ` (it has: ${known.join(", ")})`}`
      )
      continue
    }
    if (found.code === block.code) continue
    if (fix) {
      const indent = /^(\s*)/.exec(lines[block.line - 1]!)![1]!
      lines.splice(
        block.line + block.skip,
        block.endLine - block.line - 1 - block.skip,
        ...found.code.split("\n").map((l) => (l === "" ? l : indent + l))
      )
      edited = true
    } else
      report(
        page,
        block.line,
        `snippet ${file}#${region} (${file}:${found.line}) differs: ${firstDifference(block.code, found.code)} (run \`pnpm docs:check --fix\` to copy the region in)`
      )
  }
  if (edited) {
    writeFileSync(join(root, page), lines.join("\n"))
    console.log(`docs:check: updated the snippets of ${page}`)
  }

  // 2. links
  for (const { target, line } of linksOf(text)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("//")) continue // http:, mailto:, …
    const hash = target.indexOf("#")
    const pathPart = decodeURIComponent(hash === -1 ? target : target.slice(0, hash)).replace(/\?.*$/, "")
    const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1))
    let file = page
    if (pathPart !== "") {
      const absolute = pathPart.startsWith("/")
        ? join(root, pathPart)
        : resolve(root, dirname(page), pathPart)
      file = relative(root, absolute).split(sep).join("/")
      if (file.startsWith("..")) {
        report(page, line, `link "${target}" leaves the repository`)
        continue
      }
      file = normalize(file).split(sep).join("/").replace(/\/$/, "")
      if (!files.has(file) && !folders.has(file)) {
        const why = existsSync(absolute) ? " (it exists here but is not in git: ignored?)" : ""
        report(page, line, `link "${target}": ${file} does not exist${why}`)
        continue
      }
    }
    if (anchor === undefined || anchor === "") continue
    if (folders.has(file) && !files.has(file)) {
      report(page, line, `link "${target}": ${file} is a folder, it has no anchors`)
      continue
    }
    if (!file.endsWith(".md")) {
      if (!/^L\d+(-L\d+)?$/.test(anchor))
        report(page, line, `link "${target}": an anchor into a non-Markdown file`)
      continue
    }
    if (!statSync(join(root, file)).isFile()) continue
    if (!anchorsIn(file).has(anchor))
      report(page, line, `link "${target}": ${file} has no heading or id "#${anchor}"`)
  }
}

if (problems.length > 0) {
  const key = (p: string) => /^(.*?):(\d+):/.exec(p) ?? ["", p, "0"]
  problems.sort((a, b) => {
    const [, pa, la] = key(a)
    const [, pb, lb] = key(b)
    return pa! < pb! ? -1 : pa! > pb! ? 1 : Number(la) - Number(lb)
  })
  console.error(`docs:check: ${problems.length} problem(s)\n${problems.map((p) => `  ${p}`).join("\n")}`)
  process.exitCode = 1
} else
  console.log(
    `docs:check: ${pages.length} pages, ${snippets} snippets equal to their regions, every relative link and anchor resolves (${optedOut} blocks marked snippet: none, ${unmarked} ts blocks on pages that allow them)`
  )
