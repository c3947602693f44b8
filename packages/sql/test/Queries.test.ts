import { Roles } from "@mentor-ledger/core"
import { describe, expect, it } from "vitest"
import { type Access, accessTo, mayRead, type ParticipantRow } from "../src/internal/queries.js"

// Who sees what of one mentorship (PRODUCT.md, Confidentiality), as the
// query functions decide it: a pure table, role by role.

const participants: ReadonlyArray<ParticipantRow> = [
  { role: "mentor", person_id: "m", erased_at: null },
  { role: "mentee", person_id: "a", erased_at: null },
  { role: "mentee", person_id: "b", erased_at: "2026-03-01T00:00:00.000Z" },
  { role: "supervisor", person_id: "s", erased_at: null }
]

describe("access to a mentorship", () => {
  it.each<[string, Roles.Role, boolean, Access | undefined]>([
    ["m", "mentor", false, "pair"],
    ["M", "mentor", false, "pair"],
    ["a", "mentee", false, "pair"],
    ["s", "supervisor", false, "supervisor"],
    // an erased participant keeps the process facts, not the content
    ["b", "mentee", false, "facts"],
    // a role one does not hold in this mentorship gives nothing
    ["a", "mentor", false, undefined],
    ["s", "mentee", false, undefined],
    ["x", "mentor", false, undefined],
    ["x", "supervisor", false, undefined],
    // coordinators: of the mentorship's programme only
    ["c", "coordinator", true, "facts"],
    ["c", "coordinator", false, undefined],
    ["t", "support-team", false, "facts"],
    ["n", "analyst", false, "pseudonymous"]
  ])("%s as %s (coordinates: %s): %s", (personId, role, coordinates, expected) => {
    expect(accessTo({ personId, role }, participants, coordinates)).toBe(expected)
  })

  it("covers every role", () => {
    for (const role of Roles.roles) {
      expect(() => accessTo({ personId: "x", role }, participants, false)).not.toThrow()
    }
  })
})

describe("content", () => {
  it("is read by the pair always, by the supervisor when shared, by nobody else", () => {
    const table = (["pair", "supervisor", "facts", "pseudonymous"] as const).map((access) => [
      access,
      mayRead(access, false),
      mayRead(access, true)
    ])
    expect(table).toEqual([
      ["pair", true, true],
      ["supervisor", false, true],
      ["facts", false, false],
      ["pseudonymous", false, false]
    ])
  })
})
