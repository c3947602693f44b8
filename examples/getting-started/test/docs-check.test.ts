/**
 * The docs check's reading of Markdown and source files
 * (scripts/docs/markdown.ts), on small inputs with known answers.
 */
import { describe, expect, it } from "vitest"
import {
  anchorsOf,
  codeBlocksOf,
  linksOf,
  mustBeBacked,
  regionsOf,
  slug,
  unbackedBlocksOf
} from "../../../scripts/docs/markdown.js"

describe("regionsOf", () => {
  it("dedents a region, leaves nested markers out, and ends at the named or first unnamed #endregion", () => {
    const { regions, problems } = regionsOf(
      [
        "function f() {",
        "  // #region outer",
        "  const a = 1",
        "  // #region inner",
        "    const b = 2",
        "  // #endregion inner",
        "  // #endregion outer",
        "}"
      ].join("\n")
    )
    expect(problems).toEqual([])
    expect(regions.get("outer")?.code).toBe("const a = 1\n  const b = 2")
    expect(regions.get("inner")?.code).toBe("const b = 2")
    expect(regions.get("outer")?.line).toBe(2)
  })

  it("reports a region without an end, and a name used twice", () => {
    expect(regionsOf("// #region a\nx").problems).toEqual(['line 1: region "a" has no // #endregion'])
    expect(regionsOf("// #region a\nx\n// #endregion\n// #region a\ny\n// #endregion").problems).toEqual([
      'line 4: region "a" is defined twice'
    ])
  })
})

describe("codeBlocksOf", () => {
  it("ties a snippet marker to the block under it, across HTML comments and blank lines", () => {
    const { blocks, problems } = codeBlocksOf(
      ["<!-- snippet: src/a.ts#one -->", "<!-- region: one -->", "", "```ts", "code", "```"].join("\n")
    )
    expect(problems).toEqual([])
    expect(blocks).toEqual([
      {
        lang: "ts",
        line: 4,
        endLine: 6,
        code: "code",
        skip: 0,
        snippet: { file: "src/a.ts", region: "one", line: 1 }
      }
    ])
  })

  it("reads the older '// Source: file#region name' first line, which is not part of the code", () => {
    const { blocks } = codeBlocksOf("```ts\n// Source: src/a.ts#region two\nx\n```")
    expect(blocks[0]).toMatchObject({
      code: "x",
      skip: 1,
      snippet: { file: "src/a.ts", region: "two", line: 2 }
    })
  })

  it("reports a marker with prose or nothing under it, and a block that is not closed", () => {
    expect(codeBlocksOf("<!-- snippet: a.ts#x -->\nSome prose.\n```ts\ny\n```").problems).toEqual([
      "line 1: snippet marker not followed by a code block"
    ])
    expect(codeBlocksOf("<!-- snippet: a.ts#x -->").problems).toEqual([
      "line 1: snippet marker not followed by a code block"
    ])
    expect(codeBlocksOf("```ts\nopen").problems).toEqual(["line 1: code block is not closed"])
  })

  it("reads a 'snippet: none (reason)' opt-out, and refuses one without a reason or a marker of neither form", () => {
    const { blocks, problems } = codeBlocksOf(
      ["<!-- snippet: none (the shape of a handler, not code) -->", "", "```ts", "type H = X", "```"].join(
        "\n"
      )
    )
    expect(problems).toEqual([])
    expect(blocks).toEqual([
      {
        lang: "ts",
        line: 3,
        endLine: 5,
        code: "type H = X",
        skip: 0,
        none: { reason: "the shape of a handler, not code", line: 1 }
      }
    ])
    expect(codeBlocksOf("<!-- snippet: none () -->\n```ts\nx\n```").problems).toEqual([
      'line 1: "snippet: none" needs a reason: <!-- snippet: none (why no region backs it) -->'
    ])
    expect(codeBlocksOf("<!-- snippet: none -->\n```ts\nx\n```").problems).toEqual([
      "line 1: a snippet marker is <!-- snippet: path/to/file.ts#region --> or <!-- snippet: none (reason) -->"
    ])
    expect(codeBlocksOf("<!-- snippet: src/a.ts -->\n```ts\nx\n```").problems).toEqual([
      "line 1: a snippet marker is <!-- snippet: path/to/file.ts#region --> or <!-- snippet: none (reason) -->"
    ])
    expect(codeBlocksOf("<!-- snippet: none (why) -->\nSome prose.").problems).toEqual([
      "line 1: snippet marker not followed by a code block"
    ])
  })
})

describe("unbackedBlocksOf", () => {
  const unbacked = (markdown: string) => unbackedBlocksOf(codeBlocksOf(markdown).blocks)

  it("fails every ts, typescript and tsx block that neither shows a region nor opts out", () => {
    const page = [
      "```ts", // 1: unmarked
      "const a = 1",
      "```",
      "<!-- snippet: src/a.ts#one -->",
      "```ts", // 5: a snippet
      "const a = 1",
      "```",
      "```typescript", // 8: unmarked
      "let b",
      "```",
      "```ts", // 11: the older form
      "// Source: src/a.ts#region two",
      "x",
      "```",
      "<!-- snippet: none (an illustration) -->",
      "```tsx", // 16: opted out
      "<A />",
      "```",
      "```tsx", // 19: unmarked
      "<B />",
      "```",
      "```sh", // other languages are not checked
      "pnpm test",
      "```",
      "```",
      "no language",
      "```"
    ].join("\n")
    const problems = unbacked(page)
    expect(problems.map((p) => p.slice(0, p.indexOf(": show")))).toEqual([
      "line 1: a ts block that no region backs",
      "line 8: a typescript block that no region backs",
      "line 19: a tsx block that no region backs"
    ])
    expect(problems[0]).toContain("<!-- snippet: path/to/file.ts#region -->")
    expect(problems[0]).toContain("<!-- snippet: none (reason) -->")
  })

  it("passes a page whose TypeScript is all snippets", () => {
    expect(unbacked("<!-- snippet: a.ts#x -->\n```ts\nx\n```\n\n```json\n{}\n```")).toEqual([])
  })
})

describe("mustBeBacked", () => {
  it("holds for the root README, docs pages, and the packages' and examples' READMEs", () => {
    for (const page of [
      "README.md",
      "docs/postgres.md",
      "docs/adr/0001-event-sourcing.md",
      "packages/core/README.md",
      "examples/effect-app/README.md"
    ])
      expect(mustBeBacked(page), page).toBe(true)
    for (const page of [
      "bench/README.md",
      "packages/core/docs/notes.md",
      "examples/effect-app/data/README.md",
      "CHANGELOG.md",
      "docs/image.png"
    ])
      expect(mustBeBacked(page), page).toBe(false)
  })
})

describe("linksOf", () => {
  it("finds inline links, images, definitions and href attributes, not those in code", () => {
    const links = linksOf(
      [
        'See [a](a.md#x) and ![b](img/b.png "title") and `[c](c.md)`.',
        "[d]: ../d.md",
        '<a href="e.md">e</a>',
        "```md",
        "[f](f.md)",
        "```"
      ].join("\n")
    )
    expect(links.map((l) => `${l.line}:${l.target}`)).toEqual([
      "1:a.md#x",
      "1:img/b.png",
      "2:../d.md",
      "3:e.md"
    ])
  })
})

describe("anchorsOf", () => {
  it("makes GitHub's slugs: lower case, punctuation dropped, repeats numbered, code headings ignored", () => {
    const anchors = anchorsOf(
      [
        "# Getting started",
        "## 1. The two commands",
        "## `mentorships` (`ml_rm_mentorships_v1`, projection `mentorships`)",
        "## Repeat",
        "## Repeat",
        "```sh",
        "# not a heading",
        "```",
        '<a id="custom"></a>'
      ].join("\n")
    )
    expect([...anchors].sort()).toEqual(
      [
        "getting-started",
        "1-the-two-commands",
        "mentorships-ml_rm_mentorships_v1-projection-mentorships",
        "repeat",
        "repeat-1",
        "custom"
      ].sort()
    )
  })

  it("keeps letters of any script and drops emoji", () => {
    expect(slug("Välitehtävä ja vaitiolovelvollisuus!")).toBe("välitehtävä-ja-vaitiolovelvollisuus")
    expect(slug("Read [the guide](x.md) ✨")).toBe("read-the-guide-")
  })
})
