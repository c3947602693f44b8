import { defineProject } from "vitest/config"

export default defineProject({
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"] } },
  test: {
    name: "cli",
    include: ["test/**/*.test.ts"],
    // The e2e tests run the built binary: it is built once, before any test file runs.
    globalSetup: ["./test/e2e/build.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000
  }
})
