import { defineConfig } from "vitest/config"

// Every package (and every example, and the bench's smoke test) is a vitest project; a package's own
// vitest.config.ts can narrow or extend what it runs.
export default defineConfig({
  test: {
    projects: ["packages/*", "examples/*", "bench"]
  }
})
