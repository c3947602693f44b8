import { fileURLToPath } from "node:url"
import { defineProject } from "vitest/config"

export default defineProject({
  resolve: {
    conditions: ["source"],
    // The package's own tests import it by name, as its users do.
    alias: { "@mentor-ledger/core": fileURLToPath(new URL("./src/index.ts", import.meta.url)) }
  },
  // The test kit (@mentor-ledger/testing, a dev dependency) is read from its source too.
  ssr: { resolve: { conditions: ["source"] } },
  test: {
    name: "core",
    include: ["test/**/*.test.ts"],
    setupFiles: ["./test/setup.ts"]
  }
})
