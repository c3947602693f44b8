import { defineProject } from "vitest/config"

export default defineProject({
  test: {
    name: "getting-started",
    include: ["test/**/*.test.ts"]
  }
})
