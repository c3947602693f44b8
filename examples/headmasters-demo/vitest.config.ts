import { defineProject } from "vitest/config"

export default defineProject({
  test: {
    name: "headmasters-demo",
    include: ["test/**/*.test.ts"]
  }
})
