/**
 * Just enough HTTP on node:http for a JSON service: a route table with
 * `:params`, request bodies with a size limit, and one place that turns
 * errors into responses.
 *
 * mentor-ledger's errors are typed, and `Rules.category` sorts every error
 * a command can fail with into a category; the status follows from it:
 *
 * | category (`Rules.category`) | for example | status |
 * |---|---|---|
 * | `invalid` | `InvalidCommand` (a field does not fit the command), `closing-too-short` | 422 |
 * | `not-found` | `mentorship-not-found`, `programme-not-found`, `unknown-meeting` | 404 |
 * | `forbidden` | `role-not-permitted`, `not-a-participant` | 403 |
 * | `conflict` | `phase-order`, `mentor-untrained`, `ConcurrencyConflict` (another writer won, even after retries) | 409 |
 * | `unavailable` | `StoreError` (the database is locked, read-only, missing) | 503 |
 * | `internal` | a stored event this version cannot read | 500 |
 *
 * Every error body is `{ "error": <name>, "message": <text>, …fields }`; the
 * library's errors add their `category`.
 */
import type { IncomingMessage, ServerResponse } from "node:http"
import { type Ledger, Rules } from "@mentor-ledger/core"

/** An error that is the client's to fix (or ours, with 5xx), with the body to send. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    message: string,
    readonly details: Record<string, unknown> = {}
  ) {
    super(message)
  }
}

export interface Request {
  readonly method: string
  readonly path: string
  readonly params: Readonly<Record<string, string>>
  readonly query: URLSearchParams
  readonly header: (name: string) => string | undefined
  /** The body as text (at most 1 MiB). */
  readonly text: () => Promise<string>
  /** The body as a JSON object; 400 if it is not one. */
  readonly json: () => Promise<Record<string, unknown>>
}

export interface Response {
  readonly status: number
  readonly body: unknown
}

export type Handler = (request: Request) => Promise<Response>

export interface Route {
  readonly method: "GET" | "POST" | "DELETE"
  readonly pattern: string
  readonly handler: Handler
}

const maxBody = 1024 * 1024

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    let size = 0
    req.on("data", (chunk: Buffer) => {
      size += chunk.length
      // Past the limit, read on without keeping anything, so that the reply can still be sent.
      if (size <= maxBody) chunks.push(chunk)
    })
    req.on("end", () =>
      size > maxBody
        ? reject(new HttpError(413, "PayloadTooLarge", `the body is larger than ${maxBody} bytes`))
        : resolve(Buffer.concat(chunks).toString("utf8"))
    )
    req.on("error", reject)
  })

const match = (pattern: string, path: string): Record<string, string> | undefined => {
  const want = pattern.split("/")
  const got = path.split("/")
  if (want.length !== got.length) return undefined
  const params: Record<string, string> = {}
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!
    const g = got[i]!
    if (w.startsWith(":")) {
      if (g === "") return undefined
      try {
        params[w.slice(1)] = decodeURIComponent(g)
      } catch {
        throw new HttpError(400, "BadRequest", `the path segment ${g} is not valid percent-encoding`)
      }
    } else if (w !== g) return undefined
  }
  return params
}

// #region categories
const statuses: { readonly [C in Rules.Category]: number } = {
  invalid: 422,
  "not-found": 404,
  forbidden: 403,
  conflict: 409,
  unavailable: 503,
  internal: 500
}

/** The fields of a ledger error the client may act on. */
const details = (error: Ledger.ExecuteError): Record<string, unknown> => {
  switch (error._tag) {
    case "InvalidCommand":
      return { command: error.command, path: error.path }
    case "RuleViolation":
      return { rule: error.rule, phase: error.phase, command: error.command }
    case "StoreError":
      return { reason: error.reason }
    default:
      return {}
  }
}

/** What an error looks like to the client. */
export const errorResponse = (error: unknown): Response => {
  if (error instanceof HttpError)
    return { status: error.status, body: { error: error.error, message: error.message, ...error.details } }
  if (Rules.isExecuteError(error)) {
    const category = Rules.category(error)
    // Stored data this version cannot read, or a store failure: the operator's to see, not the client's.
    if (category !== "internal")
      return {
        status: statuses[category],
        body: { error: error._tag, category, message: error.message, ...details(error) }
      }
  }
  console.error(error)
  return {
    status: statuses.internal,
    body: { error: "InternalError", message: "something went wrong on our side" }
  }
}
// #endregion categories

/** A request listener for node:http that dispatches to the routes. */
export const router =
  (routes: ReadonlyArray<Route>) =>
  async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let response: Response
    try {
      const url = new URL(req.url ?? "/", "http://localhost")
      const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, "") : url.pathname
      const method = req.method ?? "GET"
      let found: { route: Route; params: Record<string, string> } | undefined
      const allowed: Array<string> = []
      for (const route of routes) {
        const params = match(route.pattern, path)
        if (params === undefined) continue
        allowed.push(route.method)
        if (route.method === method) {
          found = { route, params }
          break
        }
      }
      if (found === undefined) {
        if (allowed.length > 0)
          throw new HttpError(
            405,
            "MethodNotAllowed",
            `${method} is not allowed on ${path}; use ${allowed.join(" or ")}`
          )
        throw new HttpError(404, "NotFound", `no route for ${method} ${path}`)
      }
      let body: Promise<string> | undefined
      const text = () => {
        body ??= readBody(req)
        return body
      }
      response = await found.route.handler({
        method,
        path,
        params: found.params,
        query: url.searchParams,
        header: (name) => {
          const value = req.headers[name.toLowerCase()]
          return Array.isArray(value) ? value[0] : value
        },
        text,
        json: async () => {
          const raw = await text()
          let value: unknown
          try {
            value = JSON.parse(raw === "" ? "{}" : raw)
          } catch (error) {
            throw new HttpError(400, "BadJson", `the body is not JSON: ${(error as Error).message}`)
          }
          if (typeof value !== "object" || value === null || Array.isArray(value))
            throw new HttpError(400, "BadJson", "the body must be a JSON object")
          return value as Record<string, unknown>
        }
      })
    } catch (error) {
      response = errorResponse(error)
    }
    const payload = `${JSON.stringify(response.body, null, 2)}\n`
    res.writeHead(response.status, {
      "content-type": "application/json; charset=utf-8",
      "content-length": Buffer.byteLength(payload)
    })
    res.end(payload)
  }
