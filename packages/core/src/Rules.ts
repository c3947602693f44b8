/**
 * The rules the aggregates enforce, the typed error a refused command
 * yields, and the category of every error a command can fail with (what an
 * HTTP host answers: not found, forbidden, conflict, invalid…).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import type { ExecuteError } from "./Ledger.js"
import { Actor } from "./Roles.js"
import { Phase } from "./Template.js"

/**
 * Every rule a command can break. The name is stable: match on it.
 * @since 0.1.0
 * @category rules
 */
export const Rule = Schema.Literal(
  // existence
  "programme-exists",
  "programme-not-found",
  "mentorship-exists",
  "mentorship-not-found",
  "template-unknown",
  "template-exists",
  // phase order
  "phase-order",
  "step-not-in-template",
  "mentorship-closed",
  "self-assessment-required",
  "minimum-meetings",
  "meeting-limit",
  "report-required",
  "follow-up-required",
  // who may do what
  "role-not-permitted",
  "not-a-participant",
  "participants-missing",
  "signatures-missing",
  "confidentiality-commitment",
  // matching
  "group-size",
  "self-mentoring",
  "mentor-is-supervisor",
  "supervisor-is-mentee",
  "mentor-not-enrolled",
  "mentor-already-enrolled",
  "mentor-untrained",
  "mentor-over-capacity",
  // items
  "duplicate-id",
  "unknown-meeting",
  "meeting-not-open",
  "meeting-not-held",
  "summary-exists",
  "summary-missing",
  "summary-finalised",
  "unknown-task",
  "task-completed",
  "unknown-item",
  "consent-unchanged",
  "report-cites-unconsented",
  "report-recipient",
  "closing-too-short",
  "date-order",
  "person-not-involved",
  "already-erased"
)
/** @since 0.1.0 @category rules */
export type Rule = typeof Rule.Type

/**
 * A command was refused: it breaks `rule` in `phase` (`none` for a
 * mentorship or programme that does not exist yet), as performed by
 * `actor`. Nothing was appended.
 *
 * @example
 * import { Effect } from "effect"
 * ledger.execute(command).pipe(
 *   Effect.catchTag("RuleViolation", (e) => Effect.logWarning(`${e.rule} in ${e.phase}: ${e.message}`)))
 * @since 0.1.0
 * @category errors
 */
export class RuleViolation extends Schema.TaggedError<RuleViolation>()("RuleViolation", {
  rule: Rule,
  command: Schema.String,
  phase: Schema.Union(Phase, Schema.Literal("none", "active")),
  actor: Actor,
  message: Schema.String
}) {}

/**
 * What kind of failure an error of a command is, for a host that answers
 * callers (an HTTP service answers 422, 404, 403, 409, 503 and 500):
 *
 * | category | meaning | HTTP |
 * |---|---|---|
 * | `invalid` | the command's own values are wrong: a field that does not fit the command, or values the rules never accept (a closing discussion shorter than the template's, a mentor who is the mentee's supervisor, people missing from or foreign to the participants or signatories…); fix the command | 422 |
 * | `not-found` | the command names a programme, mentorship, template, meeting, task or item that does not exist | 404 |
 * | `forbidden` | the actor may not do this: not in this role, or not a participant of this mentorship or programme | 403 |
 * | `conflict` | the process is not where the command needs it: the wrong phase, something exists already or is closed, a limit is reached, a pool's rule, or another writer got there first; it may succeed later, or never, but the command itself is not at fault | 409 |
 * | `unavailable` | the store cannot be reached, is locked or read-only; try again later | 503 |
 * | `internal` | stored data cannot be read by this version, or the store failed otherwise; an operator's matter | 500 |
 *
 * @since 0.1.0
 * @category categories
 */
export const Category = Schema.Literal(
  "invalid",
  "not-found",
  "forbidden",
  "conflict",
  "unavailable",
  "internal"
)
/** @since 0.1.0 @category categories */
export type Category = typeof Category.Type

/**
 * The categories of a {@link RuleViolation}: a refusal by the rules is
 * never `unavailable` or `internal`.
 * @since 0.1.0
 * @category categories
 */
export type RefusalCategory = Extract<Category, "invalid" | "not-found" | "forbidden" | "conflict">

// A mapped type over every rule: a rule added to `Rule` and not categorised here does not compile.
const ruleCategories: { readonly [R in Rule]: RefusalCategory } = {
  "programme-exists": "conflict",
  "programme-not-found": "not-found",
  "mentorship-exists": "conflict",
  "mentorship-not-found": "not-found",
  "template-unknown": "not-found",
  "template-exists": "conflict",
  "phase-order": "conflict",
  "step-not-in-template": "conflict",
  "mentorship-closed": "conflict",
  "self-assessment-required": "conflict",
  "minimum-meetings": "conflict",
  "meeting-limit": "conflict",
  "report-required": "conflict",
  "follow-up-required": "conflict",
  "role-not-permitted": "forbidden",
  "not-a-participant": "forbidden",
  "participants-missing": "invalid",
  "signatures-missing": "invalid",
  "confidentiality-commitment": "invalid",
  "group-size": "invalid",
  "self-mentoring": "invalid",
  "mentor-is-supervisor": "invalid",
  "supervisor-is-mentee": "invalid",
  "mentor-not-enrolled": "conflict",
  "mentor-already-enrolled": "conflict",
  "mentor-untrained": "conflict",
  "mentor-over-capacity": "conflict",
  "duplicate-id": "conflict",
  "unknown-meeting": "not-found",
  "meeting-not-open": "conflict",
  "meeting-not-held": "conflict",
  "summary-exists": "conflict",
  "summary-missing": "conflict",
  "summary-finalised": "conflict",
  "unknown-task": "not-found",
  "task-completed": "conflict",
  "unknown-item": "not-found",
  "consent-unchanged": "conflict",
  "report-cites-unconsented": "conflict",
  "report-recipient": "invalid",
  "closing-too-short": "invalid",
  "date-order": "invalid",
  "person-not-involved": "invalid",
  "already-erased": "conflict"
}

/**
 * The category of a rule (see {@link Category}). Every rule has one.
 *
 * @example
 * import { Rules } from "@mentor-ledger/core"
 * Rules.ruleCategory("mentorship-not-found") // "not-found"
 * Rules.ruleCategory("phase-order") // "conflict"
 * @since 0.1.0
 * @category categories
 */
export const ruleCategory = (rule: Rule): RefusalCategory => ruleCategories[rule]

const storeCategories: {
  readonly [R in Extract<ExecuteError, { readonly _tag: "StoreError" }>["reason"]]: Category
} = {
  Unavailable: "unavailable",
  Locked: "unavailable",
  ReadOnly: "unavailable",
  SchemaTooNew: "internal",
  Corrupt: "internal",
  Unknown: "internal"
}

/**
 * The category of anything `execute` or `erase` can fail with (Effect's
 * `Ledger.ExecuteError`; the Promise API rejects with the same errors):
 * `InvalidCommand` is `invalid`; a `RuleViolation` has its rule's
 * category ({@link ruleCategory}); a `ConcurrencyConflict` (another writer
 * won, even after the retries) is a `conflict`; a `StoreError` is
 * `unavailable` when it is `Unavailable`, `Locked` or `ReadOnly`, else
 * `internal`, as are `EventDecodeError` and `InvalidEvent`.
 *
 * The function is total: an error added to `ExecuteError` and not
 * categorised here does not compile.
 *
 * @example
 * import { Rules } from "@mentor-ledger/core"
 * const status = { invalid: 422, "not-found": 404, forbidden: 403, conflict: 409, unavailable: 503, internal: 500 }
 * try {
 *   await ledger.execute(command)
 * } catch (error) {
 *   if (!Rules.isExecuteError(error)) throw error
 *   reply(status[Rules.category(error)], { error: error._tag, message: error.message })
 * }
 * @since 0.1.0
 * @category categories
 */
export const category = (error: ExecuteError): Category => {
  switch (error._tag) {
    case "InvalidCommand":
      return "invalid"
    case "RuleViolation":
      return ruleCategory(error.rule)
    case "ConcurrencyConflict":
      return "conflict"
    case "StoreError":
      return storeCategories[error.reason] ?? "internal"
    case "EventDecodeError":
    case "InvalidEvent":
      return "internal"
  }
}

// Every tag of ExecuteError, by a mapped type: a tag added there and not here does not compile.
const executeErrorTags: { readonly [T in ExecuteError["_tag"]]: true } = {
  InvalidCommand: true,
  RuleViolation: true,
  ConcurrencyConflict: true,
  StoreError: true,
  EventDecodeError: true,
  InvalidEvent: true
}

/**
 * Whether a value is one of the errors `execute` or `erase` fails with (by
 * its `_tag`, and for a `RuleViolation` a rule this version knows): for a
 * Promise API's `catch (error: unknown)`, before {@link category}.
 * @since 0.1.0
 * @category categories
 */
export const isExecuteError = (error: unknown): error is ExecuteError => {
  if (typeof error !== "object" || error === null || !("_tag" in error)) return false
  const tag = error._tag
  if (typeof tag !== "string" || !Object.hasOwn(executeErrorTags, tag)) return false
  return (
    tag !== "RuleViolation" ||
    ("rule" in error && typeof error.rule === "string" && Object.hasOwn(ruleCategories, error.rule))
  )
}
