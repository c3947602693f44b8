import { defineProject } from "vitest/config"

// In-process tests import the workspace packages' TypeScript sources, as the packages' own tests do;
// the end-to-end test runs src/app.ts in a child process with the same `source` condition.
export default defineProject({
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"] } },
  test: {
    name: "getting-started",
    include: ["test/**/*.test.ts"]
  }
})
