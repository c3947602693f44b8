/**
 * Fast decoders and encoders of the event schemas, compiled once from
 * their Effect Schema AST.
 *
 * They check exactly the constraints of the schema (literals, strings,
 * numbers, booleans, arrays, structs, unions, and every refinement, by
 * calling the refinement's own filter: uuid patterns, integer ranges,
 * lengths, valid dates, templates) and build the same output, without
 * Effect's issue tree. On any mismatch they return {@link Fail}, and the
 * caller runs Effect Schema, which says what is wrong. A schema with a node
 * they do not know compiles to `undefined`: Effect Schema does all of it.
 */
import * as Option from "effect/Option"
import * as AST from "effect/SchemaAST"

/** The input does not fit: ask Effect Schema why. */
export const Fail: unique symbol = Symbol.for("@mentor-ledger/core/fastCodec/Fail")
export type Fail = typeof Fail

/** A compiled decoder or encoder. */
export type Codec = (input: unknown) => unknown

const options: AST.ParseOptions = {}

const identifier = (ast: AST.AST): string | undefined => {
  const id = AST.getIdentifierAnnotation(ast)
  return Option.isSome(id) ? id.value : undefined
}

const isDateFromSelf = (ast: AST.AST): boolean =>
  ast._tag === "Declaration" && identifier(ast) === "DateFromSelf"

/** `Schema.DateFromString`: a string, decoded by `new Date(s)`, encoded by `toISOString` (an invalid date: "Invalid Date"). */
const isDateFromString = (ast: AST.AST): ast is AST.Transformation =>
  ast._tag === "Transformation" &&
  ast.transformation._tag === "FinalTransformation" &&
  identifier(ast) === "DateFromString" &&
  ast.from._tag === "StringKeyword" &&
  isDateFromSelf(ast.to)

const formatDate = (d: Date): string => (Number.isNaN(d.getTime()) ? "Invalid Date" : d.toISOString())

/**
 * Compiles a schema's AST in one direction; `undefined` if it holds a
 * node this compiler does not know.
 */
export const compile = (
  ast: AST.AST,
  direction: "decode" | "encode",
  compileOptions: {
    /** As Effect's `onExcessProperty`: "error" refuses a struct with a key it does not declare. */
    readonly excess?: "ignore" | "error"
  } = {}
): Codec | undefined => {
  const strict = compileOptions.excess === "error"
  const go = (ast: AST.AST): Codec | undefined => {
    switch (ast._tag) {
      case "Literal": {
        const literal = ast.literal
        return (i) => (i === literal ? i : Fail)
      }
      case "StringKeyword":
        return (i) => (typeof i === "string" ? i : Fail)
      case "NumberKeyword":
        return (i) => (typeof i === "number" ? i : Fail)
      case "BooleanKeyword":
        return (i) => (typeof i === "boolean" ? i : Fail)
      case "UndefinedKeyword":
        return (i) => (i === undefined ? i : Fail)
      case "Declaration":
        return isDateFromSelf(ast) ? (i) => (i instanceof Date ? i : Fail) : undefined
      case "Transformation": {
        if (
          direction === "decode" &&
          ast.transformation._tag === "TypeLiteralTransformation" &&
          ast.from._tag === "TypeLiteral" &&
          ast.to._tag === "TypeLiteral"
        ) {
          // a struct with defaults (optionalWith): decode the encoded side,
          // move each property as its transformation says, check the type side
          const from = go(ast.from)
          const to = go(ast.to)
          if (from === undefined || to === undefined) return undefined
          const moves = ast.transformation.propertySignatureTransformations
          return (i) => {
            const o = from(i)
            if (o === Fail) return Fail
            const out = o as Record<PropertyKey, unknown>
            for (const move of moves) {
              const had = Object.hasOwn(out, move.from)
              const value = had ? Option.some(out[move.from]) : Option.none()
              if (had) delete out[move.from]
              const moved = move.decode(value)
              if (Option.isSome(moved)) out[move.to] = moved.value
            }
            return to(out)
          }
        }
        if (!isDateFromString(ast)) return undefined
        return direction === "decode"
          ? (i) => (typeof i === "string" ? new Date(i) : Fail)
          : (i) => (i instanceof Date ? formatDate(i) : Fail)
      }
      case "Refinement": {
        const from = go(ast.from)
        if (from === undefined) return undefined
        const refinement = ast
        return direction === "decode"
          ? (i) => {
              const o = from(i)
              return o === Fail || Option.isSome(refinement.filter(o, options, refinement)) ? Fail : o
            }
          : (i) => {
              // the refinement holds on the type side: check the structure, then the filter
              const o = from(i)
              return o === Fail || Option.isSome(refinement.filter(i, options, refinement)) ? Fail : o
            }
      }
      case "Union": {
        const members: Array<Codec> = []
        for (const t of ast.types) {
          const m = go(t)
          if (m === undefined) return undefined
          members.push(m)
        }
        return (i) => {
          for (let k = 0; k < members.length; k++) {
            const o = members[k]!(i)
            if (o !== Fail) return o
          }
          return Fail
        }
      }
      case "TupleType": {
        if (ast.rest.length > 1 || ast.elements.some((e) => e.isOptional)) return undefined
        const elements: Array<Codec> = []
        for (const e of ast.elements) {
          const c = go(e.type)
          if (c === undefined) return undefined
          elements.push(c)
        }
        const rest = ast.rest.length === 1 ? go(ast.rest[0]!.type) : null
        if (rest === undefined) return undefined
        const min = elements.length
        return (i) => {
          if (!Array.isArray(i) || i.length < min || (rest === null && i.length !== min)) return Fail
          const out = new Array<unknown>(i.length)
          for (let k = 0; k < i.length; k++) {
            const o = (k < min ? elements[k]! : rest!)(i[k])
            if (o === Fail) return Fail
            out[k] = o
          }
          return out
        }
      }
      case "TypeLiteral": {
        if (ast.indexSignatures.length > 0) return undefined
        const keys: Array<string> = []
        const optional: Array<boolean> = []
        const codecs: Array<Codec> = []
        for (const p of ast.propertySignatures) {
          if (typeof p.name !== "string") return undefined
          const c = go(p.type)
          if (c === undefined) return undefined
          keys.push(p.name)
          optional.push(p.isOptional)
          codecs.push(c)
        }
        const n = keys.length
        const declared = new Set<PropertyKey>(keys)
        return (i) => {
          if (typeof i !== "object" || i === null) return Fail
          const input = i as Record<string, unknown>
          if (strict) for (const key of Reflect.ownKeys(input)) if (!declared.has(key)) return Fail
          const out: Record<string, unknown> = {}
          for (let k = 0; k < n; k++) {
            const key = keys[k]!
            if (!Object.hasOwn(input, key)) {
              if (optional[k]) continue
              return Fail
            }
            const o = codecs[k]!(input[key])
            if (o === Fail) return Fail
            out[key] = o
          }
          return out
        }
      }
      default:
        return undefined
    }
  }
  return go(ast)
}
