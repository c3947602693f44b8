import { defineProject } from "vitest/config"

export default defineProject({
  test: {
    name: "custom-template",
    include: ["test/**/*.test.ts"]
  }
})
