import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { describe, expect, expectTypeOf, it } from "vitest"
import { createLedger, EventJournal, EventStore, Ids, Ledger, Rules, Template } from "@mentor-ledger/core"

const actor = { personId: Ids.PersonId.make(Ids.newId()), role: "coordinator" } as const

/**
 * One error of every tag `execute` can fail with. The mapped type makes this
 * list complete: a tag added to `Ledger.ExecuteError` and missing here does
 * not compile.
 */
const everyError: { readonly [T in Ledger.ExecuteError["_tag"]]: Extract<Ledger.ExecuteError, { _tag: T }> } =
  {
    InvalidCommand: new Ledger.InvalidCommand({
      command: "HoldMeeting",
      path: "meetingId",
      message: "is missing"
    }),
    RuleViolation: new Rules.RuleViolation({
      rule: "phase-order",
      command: "HoldMeeting",
      phase: "matched",
      actor,
      message: "not yet"
    }),
    ConcurrencyConflict: new EventStore.ConcurrencyConflict({
      organisation: "default",
      stream: "mentorship-1",
      reason: "version",
      expected: "exactly 3",
      actual: 4,
      message: "another writer"
    }),
    StoreError: new EventJournal.StoreError({ reason: "Locked", message: "database is locked" }),
    EventDecodeError: new EventStore.EventDecodeError({
      stream: "mentorship-1",
      version: 1,
      eventId: "e-1",
      eventType: "MeetingHeld",
      schemaVersion: 9,
      path: "",
      message: "a schema version newer than this library"
    }),
    InvalidEvent: new EventStore.InvalidEvent({
      eventType: "MeetingHeld",
      path: "durationMinutes",
      message: "-1"
    })
  }

describe("Rules.ruleCategory", () => {
  it("gives every rule one of the four refusal categories, and uses each of them", () => {
    const refusal = ["invalid", "not-found", "forbidden", "conflict"]
    const used = new Set<string>()
    for (const rule of Rules.Rule.literals) {
      const category = Rules.ruleCategory(rule)
      expect(refusal, rule).toContain(category)
      used.add(category)
    }
    expect([...used].sort()).toEqual([...refusal].sort())
  })

  it("puts what names a missing thing under not-found and who-may-do-what under forbidden", () => {
    const by = (category: Rules.RefusalCategory) =>
      Rules.Rule.literals.filter((r) => Rules.ruleCategory(r) === category)
    expect(by("not-found")).toEqual([
      "programme-not-found",
      "mentorship-not-found",
      "template-unknown",
      "unknown-meeting",
      "unknown-task",
      "unknown-item"
    ])
    expect(by("forbidden")).toEqual(["role-not-permitted", "not-a-participant"])
  })

  it("is what docs/domain.md's table of rules says, row for row", () => {
    const page = readFileSync(fileURLToPath(new URL("../../../docs/domain.md", import.meta.url)), "utf8")
    const start = page.indexOf("| rule | meaning | category |")
    expect(start).toBeGreaterThan(0)
    const rows = page
      .slice(start)
      .split("\n")
      .slice(2)
      .filter((line, i, all) => line.startsWith("|") && all.slice(0, i).every((l) => l.startsWith("|")))
      .map((line) => {
        const cells = line.split("|").map((c) => c.trim())
        return [cells[1], cells.at(-2)]
      })
    expect(rows).toEqual(Rules.Rule.literals.map((r) => [`\`${r}\``, `\`${Rules.ruleCategory(r)}\``]))
  })
})

describe("Rules.category", () => {
  it("is total over Ledger.ExecuteError (checked by the compiler) and returns a Category", () => {
    expectTypeOf(Rules.category).parameter(0).toEqualTypeOf<Ledger.ExecuteError>()
    expectTypeOf(Rules.category).returns.toEqualTypeOf<Rules.Category>()
    expectTypeOf(Rules.ruleCategory).parameter(0).toEqualTypeOf<Rules.Rule>()
    expectTypeOf<Rules.RefusalCategory>().toEqualTypeOf<"invalid" | "not-found" | "forbidden" | "conflict">()
    // erase fails with the same errors; a read's errors are a part of them.
    expectTypeOf<Ledger.EraseError>().toMatchTypeOf<Parameters<typeof Rules.category>[0]>()
    expectTypeOf<Ledger.ReadError>().toMatchTypeOf<Parameters<typeof Rules.category>[0]>()
  })

  it("categorises an error of every tag", () => {
    const categories = Object.fromEntries(
      Object.entries(everyError).map(([tag, error]) => [tag, Rules.category(error)])
    )
    expect(categories).toEqual({
      InvalidCommand: "invalid",
      RuleViolation: "conflict",
      ConcurrencyConflict: "conflict",
      StoreError: "unavailable",
      EventDecodeError: "internal",
      InvalidEvent: "internal"
    })
    for (const category of Object.values(categories)) expect(Rules.Category.literals).toContain(category)
  })

  it("gives a rule violation its rule's category", () => {
    for (const rule of Rules.Rule.literals)
      expect(
        Rules.category(
          new Rules.RuleViolation({ rule, command: "HoldMeeting", phase: "none", actor, message: rule })
        )
      ).toBe(Rules.ruleCategory(rule))
  })

  it("tells a store that may come back (unavailable) from one an operator must look at (internal)", () => {
    const reasons = ["Unavailable", "ReadOnly", "Locked", "SchemaTooNew", "Corrupt", "Unknown"] as const
    expect(
      reasons.map((reason) => Rules.category(new EventJournal.StoreError({ reason, message: reason })))
    ).toEqual(["unavailable", "unavailable", "unavailable", "internal", "internal", "internal"])
  })

  it("categorises what a real ledger rejects with", async () => {
    const ledger = createLedger()
    const programmeId = Ids.newId()
    const coordinator = { personId: Ids.newId(), role: "coordinator" as const }
    const rejection = (command: Parameters<typeof ledger.execute>[0]) =>
      ledger.execute(command).then(
        () => undefined,
        (error: unknown) => (Rules.isExecuteError(error) ? Rules.category(error) : error)
      )
    try {
      const launch = {
        _tag: "LaunchProgramme",
        actor: coordinator,
        programmeId,
        name: "p",
        templates: [Template.earlyCareerInduction]
      } as const
      expect(await rejection(launch)).toBeUndefined()
      expect(await rejection(launch)).toBe("conflict") // programme-exists
      expect(await rejection({ ...launch, programmeId: "not a uuid" })).toBe("invalid") // InvalidCommand
      const meeting = {
        _tag: "HoldMeeting",
        actor: { personId: Ids.newId(), role: "mentor" },
        mentorshipId: Ids.newId(),
        meetingId: Ids.newId(),
        modality: "video",
        durationMinutes: 60
      } as const
      expect(await rejection(meeting)).toBe("not-found") // mentorship-not-found
      const request = {
        _tag: "RequestMentoring",
        programmeId,
        mentorshipId: Ids.newId(),
        templateId: Template.earlyCareerInduction.id,
        menteeIds: [Ids.newId()],
        supervisorId: null
      } as const
      expect(await rejection({ ...request, actor: { personId: Ids.newId(), role: "mentor" } })).toBe(
        "forbidden" // role-not-permitted
      )
      expect(await rejection({ ...request, actor: coordinator, menteeIds: [] })).toBe("invalid") // group-size
    } finally {
      await ledger.close()
    }
  })
})

describe("Rules.isExecuteError", () => {
  it("recognises every error execute can fail with", () => {
    for (const error of Object.values(everyError)) expect(Rules.isExecuteError(error)).toBe(true)
  })

  it("refuses anything else, a rule this version does not know included", () => {
    for (const value of [
      undefined,
      null,
      "RuleViolation",
      new Error("boom"),
      { _tag: "NotFound" },
      { _tag: "toString" },
      { _tag: "RuleViolation", rule: "no-such-rule" },
      { _tag: "RuleViolation" },
      new Template.InvalidTemplate({ templateId: null, issues: [{ path: "", message: "x" }], message: "x" })
    ])
      expect(Rules.isExecuteError(value)).toBe(false)
  })
})
