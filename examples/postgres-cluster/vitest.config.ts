import { defineProject } from "vitest/config"

export default defineProject({
  // Test the workspace packages' sources, not their last build.
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"] } },
  test: {
    name: "postgres-cluster",
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000
  }
})
