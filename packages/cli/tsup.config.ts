import { defineConfig } from "tsup"

export default defineConfig([
  // The library: ESM and CommonJS with declarations; the other packages stay external.
  {
    entry: ["src/index.ts"],
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: true,
    // Only its own files: the binary is built beside it, possibly at the same time.
    clean: ["*.js", "*.cjs", "*.map", "*.d.ts", "*.d.cts"],
    target: "node20",
    shims: true
  },
  // The `mentor-ledger` command: one ESM file. The workspace packages are bundled from
  // their sources (`source` condition), so the binary runs without building them first;
  // npm dependencies (effect, kysely, better-sqlite3, pg, chart.js…) stay external.
  {
    entry: { "mentor-ledger": "src/bin.ts" },
    outDir: "dist/bin",
    format: ["esm"],
    sourcemap: true,
    clean: true,
    target: "node20",
    noExternal: [/^@mentor-ledger\//],
    // Every other bare import stays external, also the dependencies of the bundled
    // workspace packages (better-sqlite3 must never be bundled into ESM).
    external: [/^(?!@mentor-ledger\/)[^./]/],
    esbuildOptions: (options) => {
      options.conditions = ["source"]
    },
    banner: { js: "#!/usr/bin/env node" }
  }
])
