import { defineProject } from "vitest/config"

export default defineProject({
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"] } },
  test: {
    name: "postgres",
    include: ["test/**/*.test.ts"],
    // One file at a time: the global log is read below the oldest running
    // transaction of the whole server, so a test that holds a write
    // transaction open would hold back another file's reads.
    fileParallelism: false
  }
})
