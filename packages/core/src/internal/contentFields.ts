/**
 * Where the content fields of each event type are, read once from the
 * schemas' {@link Content} annotations, and how to visit them in a payload.
 */
import * as Option from "effect/Option"
import type * as SchemaAST from "effect/SchemaAST"
import { type ContentKind, getContentKind } from "../Content.js"
import { catalogue, type EventType } from "../Events.js"

/** A path step: a property name, or every element of an array. */
export type Step = string | { readonly each: true }

export interface ContentField {
  readonly path: ReadonlyArray<Step>
  readonly kind: ContentKind
}

const walk = (ast: SchemaAST.AST, path: ReadonlyArray<Step>, out: Array<ContentField>): void => {
  const kind = getContentKind(ast)
  if (Option.isSome(kind)) {
    out.push({ path, kind: kind.value })
    return
  }
  switch (ast._tag) {
    case "TypeLiteral":
      for (const ps of ast.propertySignatures) walk(ps.type, [...path, String(ps.name)], out)
      return
    case "TupleType":
      for (const [i, e] of ast.elements.entries()) walk(e.type, [...path, String(i)], out)
      for (const r of ast.rest) walk(r.type, [...path, { each: true }], out)
      return
    case "Refinement":
      walk(ast.from, path, out)
      return
    case "Transformation":
      walk(ast.to, path, out)
      return
    case "Union": {
      const inner: Array<ContentField> = []
      for (const t of ast.types) walk(t, path, inner)
      // A content field inside a union would need the member to find it; none exists.
      if (inner.length > 0) throw new Error(`content inside a union at ${path.join(".")} is not supported`)
      return
    }
    default:
      return
  }
}

/** The content fields of every event type (empty for types without content). */
export const fieldsByType: ReadonlyMap<EventType, ReadonlyArray<ContentField>> = new Map(
  [...catalogue.values()].map((def) => {
    const out: Array<ContentField> = []
    walk(def.schema.ast, [], out)
    return [def.type, out] as const
  })
)

/** The content fields of an event type. */
export const fieldsOf = (type: string): ReadonlyArray<ContentField> =>
  fieldsByType.get(type as EventType) ?? []

/** Whether events of this type carry content. */
export const hasContent = (type: string): boolean => fieldsOf(type).length > 0

/** A content value found in a payload, with its concrete path (`goals.0`). */
export interface Slot {
  readonly path: string
  readonly kind: ContentKind
  readonly value: string
  /** Replaces the value in the payload. */
  readonly set: (value: unknown) => void
}

const visit = (
  container: any,
  path: ReadonlyArray<Step>,
  done: ReadonlyArray<string>,
  kind: ContentKind,
  out: Array<Slot>
): void => {
  if (container === null || typeof container !== "object") return
  const [step, ...rest] = path
  if (step === undefined) return
  const keys: ReadonlyArray<string> =
    typeof step === "string" ? [step] : Array.isArray(container) ? container.map((_, i) => String(i)) : []
  for (const key of keys) {
    if (!(key in container)) continue
    if (rest.length === 0) {
      const value = container[key]
      if (typeof value === "string")
        out.push({
          path: [...done, key].join("."),
          kind,
          value,
          set: (v) => {
            container[key] = v
          }
        })
    } else visit(container[key], rest, [...done, key], kind, out)
  }
}

/**
 * The content values of a payload (an encoded event or a typed one; both
 * hold content as strings at the same paths), in schema order. `set`
 * writes into the given object, so pass a copy you own.
 */
export const slots = (type: string, payload: object): ReadonlyArray<Slot> => {
  const out: Array<Slot> = []
  for (const field of fieldsOf(type)) visit(payload, field.path, [], field.kind, out)
  return out
}

const cloneAlong = (node: any, path: ReadonlyArray<Step>): any => {
  if (path.length === 0 || node === null || typeof node !== "object") return node
  const [step, ...rest] = path
  const copy: any = Array.isArray(node) ? [...node] : { ...node }
  const keys: ReadonlyArray<string> =
    typeof step === "string" ? [step] : Array.isArray(node) ? node.map((_, i) => String(i)) : []
  if (rest.length > 0) for (const key of keys) if (key in copy) copy[key] = cloneAlong(copy[key], rest)
  return copy
}

/** A copy of the containers on the content paths, so that `set` never touches the original. */
export const copyForContent = <A extends object>(type: string, payload: A): A => {
  let copy: any = payload
  for (const field of fieldsOf(type)) copy = cloneAlong(copy, field.path)
  return copy as A
}
