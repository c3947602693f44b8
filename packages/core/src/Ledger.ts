/**
 * The ledger: the command handler of mentor-ledger.
 *
 * `execute(command)` validates the command, loads the streams it touches,
 * lets the deciders decide, and appends the new events with the expected
 * versions it loaded, in one atomic append. When another writer got there
 * first it reloads and decides again, a bounded number of times. Matching
 * and ending a mentorship touch two streams (the mentorship and its
 * programme's pool capacity); they are appended atomically.
 *
 * @example
 * import { Effect, Layer } from "effect"
 * import { EventStore, Ids, Ledger } from "@mentor-ledger/core"
 * const layer = Ledger.layer().pipe(
 *   Layer.provide(EventStore.layerMemory),
 *   Layer.provide(Ids.layerUuidV7))
 * const program = Effect.flatMap(Ledger.Ledger, (ledger) => ledger.execute(command))
 * Effect.runPromise(Effect.provide(program, layer))
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Commands from "./Commands.js"
import { fold } from "./Decider.js"
import type { Event, MentorshipEvent, ProgrammeEvent } from "./Events.js"
import {
  type AppendRequest,
  type ConcurrencyConflict,
  type EventDecodeError,
  EventStore,
  exact,
  type InvalidEvent,
  type Metadata,
  mentorshipStream,
  programmeStream,
  type StoreError,
  type StreamRef,
  streamName
} from "./EventStore.js"
import { defaultOrganisation, type OrganisationId } from "./Ids.js"
import * as Mentorship from "./Mentorship.js"
import * as Programme from "./Programme.js"
import { RuleViolation } from "./Rules.js"

/**
 * A command did not fit its schema: `path` names the field.
 * @since 0.1.0
 * @category errors
 */
export class InvalidCommand extends Schema.TaggedError<InvalidCommand>()("InvalidCommand", {
  command: Schema.String,
  path: Schema.String,
  message: Schema.String
}) {}

/** Everything `execute` can fail with. @since 0.1.0 @category errors */
export type ExecuteError =
  | InvalidCommand
  | RuleViolation
  | ConcurrencyConflict
  | InvalidEvent
  | EventDecodeError
  | StoreError

/** Everything a read can fail with. @since 0.1.0 @category errors */
export type ReadError = EventDecodeError | StoreError

/** @since 0.1.0 @category models */
export interface ExecuteOptions {
  /** The organisation (tenant); the ledger's default if omitted. */
  readonly organisation?: OrganisationId
  /** Correlation and causation ids stored with the events. */
  readonly metadata?: Metadata
}

/**
 * What an executed command recorded.
 * @since 0.1.0
 * @category models
 */
export interface Executed {
  /** The new events, in order. */
  readonly events: ReadonlyArray<Event>
  /** Each touched stream's version after the append. */
  readonly versions: ReadonlyArray<{ readonly stream: string; readonly version: number }>
  /** How many times a conflicting concurrent write made the ledger decide again. */
  readonly retries: number
}

/** A loaded aggregate. @since 0.1.0 @category models */
export interface Loaded<S> {
  readonly state: S
  readonly version: number
}

/** Time-travel options for loading a mentorship. @since 0.1.0 @category models */
export interface AsOf {
  /** What had happened by then (by the events' `occurredAt`). */
  readonly occurredUntil?: Date
  /** What the system knew then (by the time events were recorded). */
  readonly recordedUntil?: Date
}

/** @since 0.1.0 @category service */
export interface LedgerService {
  /** Decodes, decides and records a command. */
  readonly execute: (
    command: Commands.CommandInput,
    options?: ExecuteOptions
  ) => Effect.Effect<Executed, ExecuteError>
  /** A mentorship's current state (or as of a point in time). */
  readonly mentorship: (
    id: string,
    options?: AsOf & { readonly organisation?: OrganisationId }
  ) => Effect.Effect<Loaded<Mentorship.State>, ReadError>
  /** A programme's current state. */
  readonly programme: (
    id: string,
    options?: { readonly organisation?: OrganisationId }
  ) => Effect.Effect<Loaded<Programme.State>, ReadError>
}

/**
 * The ledger as an Effect service.
 * @since 0.1.0
 * @category service
 */
export class Ledger extends Context.Tag("@mentor-ledger/core/Ledger")<Ledger, LedgerService>() {}

/** @since 0.1.0 @category models */
export interface LedgerOptions {
  /** The organisation used when a call names none (default: `default`). */
  readonly organisation?: OrganisationId
  /** How many times to decide again after a concurrency conflict (default 3). */
  readonly maxRetries?: number
}

const decodeCommand = Schema.decodeUnknownEither(Commands.Command)

const toInvalidCommand = (input: unknown, error: ParseResult.ParseError): InvalidCommand => {
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error)
  const tag =
    typeof input === "object" && input !== null && "_tag" in input ? String(input._tag) : "(unknown)"
  // A union reports one issue per member; keep those of the command's own member.
  const own = issues.filter((i) => i.path.length > 0 && i.path[0] !== "_tag")
  const shown = own.length > 0 ? own : issues
  const first = shown[0]
  return new InvalidCommand({
    command: tag,
    path: first ? first.path.map(String).join(".") : "",
    message: shown.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")
  })
}

const asProgrammeEvents = (events: ReadonlyArray<{ readonly event: Event }>) =>
  events.map((e) => e.event as ProgrammeEvent)
const asMentorshipEvents = (events: ReadonlyArray<{ readonly event: Event }>) =>
  events.map((e) => e.event as MentorshipEvent)

/**
 * Builds the ledger on the {@link EventStore} in context.
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: LedgerOptions = {}): Effect.Effect<LedgerService, never, EventStore> =>
  Effect.gen(function* () {
    const store = yield* EventStore
    const defaultOrg = options.organisation ?? defaultOrganisation
    const maxRetries = options.maxRetries ?? 3

    const loadProgramme = (ref: StreamRef) =>
      Effect.map(store.readStream(ref), (events) => ({
        state: fold(Programme.decider, asProgrammeEvents(events)),
        version: events.length === 0 ? 0 : events[events.length - 1]!.version
      }))
    const loadMentorship = (ref: StreamRef, asOf: AsOf = {}) =>
      Effect.map(store.readStream(ref, asOf), (events) => ({
        state: fold(Mentorship.decider, asMentorshipEvents(events)),
        version: events.length === 0 ? 0 : events[events.length - 1]!.version
      }))

    type Plan = Either.Either<ReadonlyArray<AppendRequest>, RuleViolation>

    /** Loads, decides; returns the appends to make (or a refusal). */
    const plan = (
      command: Commands.Timed<Commands.Command>,
      org: OrganisationId
    ): Effect.Effect<Plan, ReadError> =>
      Effect.gen(function* () {
        const append = (stream: StreamRef, version: number, events: ReadonlyArray<Event>): AppendRequest => ({
          stream,
          expected: exact(version),
          events
        })
        switch (command._tag) {
          case "LaunchProgramme":
          case "AppointCoordinator":
          case "DefineTemplate":
          case "EnrolMentor":
          case "RecordMentorTraining": {
            const ref = programmeStream(command.programmeId, org)
            const p = yield* loadProgramme(ref)
            return Either.map(Programme.decide(command, p.state), (events) => [
              append(ref, p.version, events)
            ])
          }
          case "RequestMentoring": {
            const pref = programmeStream(command.programmeId, org)
            const p = yield* loadProgramme(pref)
            const mref = mentorshipStream(command.mentorshipId, org)
            const m = yield* loadMentorship(mref)
            const refuse = (
              rule: "programme-not-found" | "template-unknown" | "not-a-participant",
              message: string
            ): Plan =>
              Either.left(
                new RuleViolation({
                  rule,
                  command: command._tag,
                  phase: m.state._tag === "Empty" ? "none" : m.state.phase,
                  actor: command.actor,
                  message
                })
              )
            if (p.state._tag === "Empty")
              return refuse("programme-not-found", `programme ${command.programmeId} does not exist`)
            if (
              command.actor.role === "coordinator" &&
              !Programme.isCoordinator(p.state, command.actor.personId)
            )
              return refuse(
                "not-a-participant",
                `${command.actor.personId} is not a coordinator of programme ${command.programmeId}`
              )
            const template = p.state.templates.get(command.templateId)
            if (template === undefined)
              return refuse(
                "template-unknown",
                `programme ${command.programmeId} has no template ${command.templateId}; it has ${[...p.state.templates.keys()].join(", ")}`
              )
            const { templateId: _, ...rest } = command
            return Either.map(Mentorship.decide({ ...rest, template }, m.state), (events) => [
              append(mref, m.version, events)
            ])
          }
          case "MatchMentor":
          case "CompleteMentorship":
          case "WithdrawMentorship": {
            // These touch the programme's pool too: decide on both, append both atomically.
            const mref = mentorshipStream(command.mentorshipId, org)
            const m = yield* loadMentorship(mref)
            const decided = Mentorship.decide(command, m.state)
            if (Either.isLeft(decided) || m.state._tag === "Empty") return Either.map(decided, () => [])
            const s = m.state
            const pref = programmeStream(s.programmeId, org)
            const p = yield* loadProgramme(pref)
            const poolCommand: Programme.Command =
              command._tag === "MatchMentor"
                ? {
                    _tag: "AssignMentors",
                    actor: command.actor,
                    occurredAt: command.occurredAt,
                    programmeId: s.programmeId,
                    mentorshipId: s.id,
                    mentorIds: command.mentorIds,
                    menteeIds: s.menteeIds,
                    supervisorId: s.supervisorId
                  }
                : {
                    _tag: "ReleaseMentors",
                    actor: command.actor,
                    occurredAt: command.occurredAt,
                    programmeId: s.programmeId,
                    mentorshipId: s.id
                  }
            const pool = Programme.decide(poolCommand, p.state)
            if (Either.isLeft(pool)) {
              // Report the refusal in the terms of the caller's command and the mentorship's phase.
              const refusal = pool.left
              return Either.left(
                new RuleViolation({
                  rule: refusal.rule,
                  command: command._tag,
                  phase: s.phase,
                  actor: refusal.actor,
                  message: refusal.message
                })
              )
            }
            return Either.right([
              append(mref, m.version, decided.right),
              ...(pool.right.length > 0 ? [append(pref, p.version, pool.right)] : [])
            ])
          }
          default: {
            const ref = mentorshipStream(command.mentorshipId, org)
            const m = yield* loadMentorship(ref)
            // A coordinator's claim is checked against the programme's coordinators.
            if (command.actor.role === "coordinator" && m.state._tag === "Active") {
              const p = yield* loadProgramme(programmeStream(m.state.programmeId, org))
              if (!Programme.isCoordinator(p.state, command.actor.personId))
                return Either.left(
                  new RuleViolation({
                    rule: "not-a-participant",
                    command: command._tag,
                    phase: m.state.phase,
                    actor: command.actor,
                    message: `${command.actor.personId} is not a coordinator of programme ${m.state.programmeId}`
                  })
                )
            }
            return Either.map(Mentorship.decide(command, m.state), (events) => [
              append(ref, m.version, events)
            ])
          }
        }
      })

    const execute = (input: Commands.CommandInput, executeOptions: ExecuteOptions = {}) =>
      Effect.gen(function* () {
        const decoded = decodeCommand(input, { errors: "all", onExcessProperty: "error" })
        if (Either.isLeft(decoded)) return yield* Effect.fail(toInvalidCommand(input, decoded.left))
        const occurredAt = decoded.right.occurredAt ?? new Date(yield* Clock.currentTimeMillis)
        const command = { ...decoded.right, occurredAt } as Commands.Timed<Commands.Command>
        const org = executeOptions.organisation ?? defaultOrg

        const attempt = (retries: number): Effect.Effect<Executed, ExecuteError> =>
          Effect.gen(function* () {
            const planned = yield* plan(command, org)
            if (Either.isLeft(planned)) return yield* Effect.fail(planned.left)
            const requests = planned.right.map((r) =>
              executeOptions.metadata === undefined ? r : { ...r, metadata: executeOptions.metadata }
            )
            const results = yield* store.appendMany(requests)
            return {
              events: requests.flatMap((r) => r.events as ReadonlyArray<Event>),
              versions: results.map((r) => ({
                stream: streamName(r.stream),
                version: r.nextExpectedVersion
              })),
              retries
            }
          }).pipe(
            Effect.catchTag("ConcurrencyConflict", (conflict) =>
              retries < maxRetries && conflict.reason === "version"
                ? attempt(retries + 1)
                : Effect.fail(conflict)
            )
          )
        return yield* attempt(0)
      }).pipe(Effect.withSpan("Ledger.execute"))

    return {
      execute,
      mentorship: (id, o = {}) => loadMentorship(mentorshipStream(id, o.organisation ?? defaultOrg), o),
      programme: (id, o = {}) => loadProgramme(programmeStream(id, o.organisation ?? defaultOrg))
    } satisfies LedgerService
  })

/**
 * The ledger on the event store in context.
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: LedgerOptions = {}): Layer.Layer<Ledger, never, EventStore> =>
  Layer.effect(Ledger, make(options))
