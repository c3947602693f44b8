#!/usr/bin/env node
// The `mentor-ledger` command. The program itself is built into
// dist/bin/mentor-ledger.js (`pnpm build`); this small file is in the
// package from the start, so that installing a workspace that has not
// been built yet can already link the command.
try {
  await import("../dist/bin/mentor-ledger.js")
} catch (error) {
  if (error?.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes("dist/bin/mentor-ledger.js")) {
    console.error("mentor-ledger: the command is not built yet: run `pnpm build` (or `npm run build`) first")
    process.exit(1)
  }
  throw error
}
