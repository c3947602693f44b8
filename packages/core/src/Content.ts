/**
 * Confidential content and the items a mentee may consent to share.
 *
 * Every free-text field that carries what was said, written or observed in
 * a mentorship is a {@link Content} field, annotated with its kind. The
 * annotation is the single source of truth for confidentiality: the
 * visibility rules, the redaction for analysts and the encryption of
 * personal content all read it from the schemas.
 *
 * @since 0.1.0
 */
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as SchemaAST from "effect/SchemaAST"
import { isSealed, maxContentLength, maxSealedLength } from "./internal/sealed.js"

/**
 * The kinds of confidential content (PRODUCT.md, Confidentiality).
 * @since 0.1.0
 * @category models
 */
export const ContentKind = Schema.Literal(
  "expectations",
  "self-assessment",
  "agreement",
  "observation",
  "summary",
  "amendment",
  "task",
  "evaluation",
  "report",
  "follow-up"
)
/** @since 0.1.0 @category models */
export type ContentKind = typeof ContentKind.Type

/** @since 0.1.0 @category annotations */
export const ContentAnnotationId: unique symbol = Symbol.for("@mentor-ledger/core/Content")

/**
 * A confidential free-text field of the given kind: at most 20,000
 * characters of plaintext, or that plaintext sealed (encrypted) by the
 * event store. Events read back from a store carry their content sealed
 * until it is revealed (see `Privacy`).
 * @since 0.1.0
 * @category schemas
 */
export const Content = (kind: ContentKind) =>
  Schema.String.pipe(
    Schema.filter((s) => s.length <= maxContentLength || (isSealed(s) && s.length <= maxSealedLength), {
      message: () => `Expected ${kind} content of at most ${maxContentLength} characters`
    })
  ).annotations({
    [ContentAnnotationId]: kind,
    description: `confidential ${kind} content`
  })

/**
 * The content kind of a schema's AST, if it is a {@link Content} field.
 * @since 0.1.0
 * @category annotations
 */
export const getContentKind = (ast: SchemaAST.AST): Option.Option<ContentKind> =>
  SchemaAST.getAnnotation<ContentKind>(ContentAnnotationId)(ast)

/**
 * The items a mentee may consent to share with the supervisor (the
 * ordering authority), and that a report may cite. The id is the id of the
 * thing the item belongs to: the meeting for a summary or amendment, the
 * mentee for a self-assessment, the observation, the task, or the
 * mentorship for the evaluation.
 * @since 0.1.0
 * @category models
 */
export const ShareableKind = Schema.Literal(
  "self-assessment",
  "summary",
  "amendment",
  "observation",
  "task",
  "evaluation"
)
/** @since 0.1.0 @category models */
export type ShareableKind = typeof ShareableKind.Type

/** @since 0.1.0 @category models */
export const ContentRef = Schema.Struct({
  kind: ShareableKind,
  id: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(64))
}).annotations({ identifier: "ContentRef" })
/** @since 0.1.0 @category models */
export type ContentRef = typeof ContentRef.Type

/** A stable string key for a content item. @since 0.1.0 @category models */
export const refKey = (ref: ContentRef): string => `${ref.kind}:${ref.id}`
