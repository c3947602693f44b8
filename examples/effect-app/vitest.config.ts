import { defineProject } from "vitest/config"

export default defineProject({
  test: {
    name: "effect-app",
    include: ["test/**/*.test.ts"]
  }
})
