import { defineProject } from "vitest/config"

export default defineProject({
  // Test the workspace packages' sources, not their last build.
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"] } },
  test: {
    name: "analyst-replay",
    include: ["test/**/*.test.ts"],
    // They write and replay real databases: allow for a machine under load.
    testTimeout: 60_000,
    hookTimeout: 60_000
  }
})
