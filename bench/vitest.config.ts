import { defineProject } from "vitest/config"

export default defineProject({
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"] } },
  test: {
    name: "bench",
    include: ["test/**/*.test.ts"],
    // the quick bench spawns a child process per run: minutes on a busy machine, never a timing assertion
    testTimeout: 600_000
  }
})
