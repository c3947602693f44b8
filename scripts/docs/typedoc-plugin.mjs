// @ts-check
/**
 * A TypeDoc plugin of ours: the API reference names each module after its
 * package (`@mentor-ledger/core`), not after the folder of its entry point
 * (`core/src`).
 */
import { readFileSync } from "node:fs"
import { Converter, ReflectionKind } from "typedoc"

/** @param {import("typedoc").Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (_context, reflection) => {
    if (!reflection.kindOf(ReflectionKind.Module) || !reflection.parent?.isProject()) return
    const folder = /^(?:packages\/)?([\w-]+)\/src$/.exec(reflection.name)?.[1]
    if (folder === undefined) return
    const manifest = JSON.parse(
      readFileSync(new URL(`../../packages/${folder}/package.json`, import.meta.url), "utf8")
    )
    reflection.name = manifest.name
  })
}
