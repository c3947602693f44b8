import { describe, expect, it } from "vitest"
import { inCi, isLoopback, missing, url } from "./server.js"

describe("the PostgreSQL test server", () => {
  // CI starts the server (.ci/run); a CI run that skipped the PostgreSQL tests must fail.
  it.runIf(inCi)("is given to the tests in CI (MENTOR_LEDGER_PG_URL)", () => {
    expect(url, missing).toBeDefined()
  })

  it.runIf(url !== undefined)("is on this machine", () => {
    expect(isLoopback(url!)).toBe(true)
  })

  it("counts only loopback addresses and unix sockets as this machine", () => {
    for (const ok of [
      "postgres://postgres@127.0.0.1:5432/db",
      "postgres://u:p@127.9.9.9/db",
      "postgres://postgres@localhost:5432/db",
      "postgres://postgres@[::1]:5432/db",
      "postgres:///db?host=/tmp/socket"
    ])
      expect(isLoopback(ok), ok).toBe(true)
    for (const bad of [
      "postgres://postgres@10.0.0.5:5432/db",
      "postgres://postgres@192.168.1.2/db",
      "postgres://postgres@db.example.org/db",
      "postgres://postgres@127.0.0.1.example.org/db",
      "postgres:///db"
    ])
      expect(isLoopback(bad), bad).toBe(false)
  })
})
