import { defineProject } from "vitest/config"

export default defineProject({
  test: {
    name: "school-system",
    include: ["test/**/*.test.ts"]
  }
})
