import { defineProject } from "vitest/config"

export default defineProject({
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"] } },
  test: {
    name: "sqlite",
    include: ["test/**/*.test.ts"],
    setupFiles: ["./test/setup.ts"]
  }
})
