/**
 * The rules the aggregates enforce, and the typed error a refused command
 * yields.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
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
