import { EventJournal, EventStore, Ids, Ledger, Rules } from "@mentor-ledger/core"
import { afterEach, describe, expect, it, vi } from "vitest"
import { errorResponse, HttpError } from "../src/http.js"

const actor = { personId: Ids.PersonId.make(Ids.newId()), role: "mentor" } as const
const violation = (rule: Rules.Rule) =>
  new Rules.RuleViolation({ rule, command: "HoldMeeting", phase: "meetings", actor, message: rule })

describe("errorResponse", () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it("answers every rule with the status of its category, and says rule, phase and command", () => {
    const statuses = { invalid: 422, "not-found": 404, forbidden: 403, conflict: 409 }
    for (const rule of Rules.Rule.literals) {
      const response = errorResponse(violation(rule))
      expect(response.status, rule).toBe(statuses[Rules.ruleCategory(rule)])
      expect(response.body).toEqual({
        error: "RuleViolation",
        category: Rules.ruleCategory(rule),
        message: rule,
        rule,
        phase: "meetings",
        command: "HoldMeeting"
      })
    }
  })

  it("answers the ledger's other errors by category: 422, 409, 503, and 500 without details", () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {})
    const invalid = new Ledger.InvalidCommand({
      command: "HoldMeeting",
      path: "meetingId",
      message: "is missing"
    })
    expect(errorResponse(invalid)).toEqual({
      status: 422,
      body: {
        error: "InvalidCommand",
        category: "invalid",
        message: "is missing",
        command: "HoldMeeting",
        path: "meetingId"
      }
    })
    const conflict = new EventStore.ConcurrencyConflict({
      organisation: "default",
      stream: "m",
      reason: "version",
      expected: "exactly 1",
      actual: 2,
      message: "another writer"
    })
    expect(errorResponse(conflict)).toMatchObject({ status: 409, body: { error: "ConcurrencyConflict" } })
    const locked = new EventJournal.StoreError({ reason: "Locked", message: "database is locked" })
    expect(errorResponse(locked)).toEqual({
      status: 503,
      body: { error: "StoreError", category: "unavailable", message: "database is locked", reason: "Locked" }
    })
    expect(logged).not.toHaveBeenCalled()
    for (const error of [
      new EventJournal.StoreError({ reason: "Corrupt", message: "not a row" }),
      new EventStore.EventDecodeError({
        stream: "m",
        version: 1,
        eventId: "e",
        eventType: "MeetingHeld",
        schemaVersion: 9,
        path: "",
        message: "newer"
      }),
      new Error("a bug")
    ])
      expect(errorResponse(error)).toEqual({
        status: 500,
        body: { error: "InternalError", message: "something went wrong on our side" }
      })
    expect(logged).toHaveBeenCalledTimes(3)
  })

  it("keeps the app's own errors as they are", () => {
    expect(
      errorResponse(new HttpError(401, "Unauthenticated", "who are you?", { hint: "X-Person-Id" }))
    ).toEqual({
      status: 401,
      body: { error: "Unauthenticated", message: "who are you?", hint: "X-Person-Id" }
    })
  })
})
