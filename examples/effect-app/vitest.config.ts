import { defineProject } from "vitest/config"

// In-process tests import the workspace packages' TypeScript sources, as the packages' own tests do.
export default defineProject({
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"] } },
  test: {
    name: "effect-app",
    include: ["test/**/*.test.ts"]
  }
})
