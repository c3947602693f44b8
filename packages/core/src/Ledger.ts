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
 * `erase(personId)` forgets a person: it shreds their key (every piece of
 * content they own becomes unreadable), records that no key is issued for
 * them again, and records `PersonalDataErased` in every mentorship they
 * take part in. `history(mentorshipId, viewer)` and `reveal(event, viewer)`
 * read content as a viewer may see it (see `Visibility` and `Privacy`).
 *
 * @example
 * import { Effect, Layer } from "effect"
 * import { EventStore, Ids, Ledger } from "@mentor-ledger/core"
 * const layer = Ledger.layer().pipe(
 *   Layer.provide(EventStore.layerMemory), // the event store, its journal and its keys
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
import * as SchemaAST from "effect/SchemaAST"
import * as Stream from "effect/Stream"
import * as Commands from "./Commands.js"
import { type Codec, compile, Fail } from "./internal/fastCodec.js"
import { fold } from "./Decider.js"
import type { Event, MentorshipEvent } from "./Events.js"
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
  type RecordedEvent,
  type StoreError,
  type StreamRef,
  streamName
} from "./EventStore.js"
import { defaultOrganisation, OrganisationId, PersonId } from "./Ids.js"
import { personSubject } from "./KeyStorage.js"
import { KeyStore, type SubjectErased } from "./KeyStore.js"
import * as Mentorship from "./Mentorship.js"
import * as Privacy from "./Privacy.js"
import * as Programme from "./Programme.js"
import type { Actor, Role } from "./Roles.js"
import { RuleViolation } from "./Rules.js"
import type { Viewer } from "./Visibility.js"

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

/** Everything a viewer's read can fail with. @since 0.1.0 @category errors */
export type RevealError = ReadError | Privacy.SealedContentError

/** Everything `erase` can fail with. @since 0.1.0 @category errors */
export type EraseError = ExecuteError

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

/**
 * Who reads: a person in a role. The organisation is the ledger's default
 * unless given; a viewer only ever reads their own organisation's streams.
 * @since 0.1.0
 * @category models
 */
export interface ViewerInput {
  readonly personId: string
  readonly role: Role
  readonly organisation?: OrganisationId
}

/** @since 0.1.0 @category models */
export interface EraseOptions {
  /** The organisation (tenant); the ledger's default if omitted. */
  readonly organisation?: OrganisationId
  /**
   * Who erases: a coordinator of the mentorships' programmes, or the person
   * (default: the person themself, in their role in each mentorship).
   */
  readonly actor?: Actor
  /** When the erasure happened (default: now). */
  readonly occurredAt?: Date
  /** Correlation and causation ids stored with the events. */
  readonly metadata?: Metadata
}

/**
 * What `erase` did.
 * @since 0.1.0
 * @category models
 */
export interface Erasure {
  readonly personId: PersonId
  readonly organisation: OrganisationId
  /** The mentorships where `PersonalDataErased` was recorded now. */
  readonly recordedIn: ReadonlyArray<string>
  /** The mentorships where it had been recorded before. */
  readonly alreadyRecordedIn: ReadonlyArray<string>
  readonly erasedAt: Date
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
  /**
   * A mentorship's events (all, or as of a point in time) as the viewer may
   * see them: content revealed, withheld or erased. Consent and erasure are
   * taken from the current state, whatever the point in time.
   */
  readonly history: (
    mentorshipId: string,
    viewer: ViewerInput,
    options?: AsOf
  ) => Effect.Effect<ReadonlyArray<Privacy.Revealed>, RevealError>
  /** One recorded event as the viewer may see it. */
  readonly reveal: <E extends Event>(
    recorded: RecordedEvent<E>,
    viewer: ViewerInput
  ) => Effect.Effect<Privacy.Revealed<E>, RevealError>
  /**
   * Erases a person's personal data (GDPR): shreds their key, records the
   * erasure so that no key is issued for them again, and records
   * `PersonalDataErased` in every mentorship they take part in. Idempotent.
   */
  readonly erase: (personId: string, options?: EraseOptions) => Effect.Effect<Erasure, EraseError>
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
  /**
   * How many streams' folded states the ledger keeps in memory (default
   * 10,000; 0 turns the cache off). A command on a cached stream is decided
   * on the cached state without reading the log, and appended expecting
   * the cached version: if another ledger (another process) wrote to the
   * stream since, the append is refused, the ledger reads the events
   * appended after the cached version and decides again (not counted in
   * `maxRetries`, nor in {@link Executed.retries}). A refusal or a decision
   * to record nothing is never given on an unread cached state: the ledger
   * reads the newer events first and decides again. Streams a command only
   * reads (a programme checked for a coordinator or a template) are always
   * read up to date, and an erasure is always decided on the log.
   */
  readonly stateCacheSize?: number
  /**
   * Wrap `execute`, `history` and `erase` in Effect spans (`Ledger.execute`,
   * `Ledger.history`, `Ledger.erase`), for a tracer such as
   * `@effect/opentelemetry`'s (default false). Off by default (see
   * docs/adr/0013): an Effect span costs about a fifth of a command's CPU
   * time on SQLite (55 µs of 240 in the bench's W5).
   */
  readonly spans?: boolean
}

const decodeCommand = Schema.decodeUnknownEither(Commands.Command)

/**
 * Each command's own decoder by its `_tag`: a command is decoded by its
 * member, not by trying the union; first by the member's compiled codec
 * (the same checks, see internal/fastCodec), then by Effect Schema.
 */
const commandDecoders: ReadonlyMap<
  string,
  { readonly fast: Codec | undefined; readonly decode: typeof decodeCommand }
> = new Map(
  [...Commands.ProgrammeCommand.members, ...Commands.MentorshipCommand.members].map((member) => {
    const tag = SchemaAST.getPropertySignatures(member.ast).find((p) => p.name === "_tag")?.type
    if (tag === undefined || !SchemaAST.isLiteral(tag)) throw new Error("a command without a literal _tag")
    return [
      String(tag.literal),
      {
        fast: compile(member.ast, "decode", { excess: "error" }),
        decode: Schema.decodeUnknownEither(
          member as Schema.Schema<Commands.Command, unknown>
        ) as typeof decodeCommand
      }
    ] as const
  })
)

const decodeOptions = { errors: "all", onExcessProperty: "error" } as const

/**
 * Decodes a command with its own member's schema; an unknown tag, or a
 * member that refuses it, is decoded by the whole union, whose error
 * the caller sees (the same as without the shortcut).
 */
const decodeCommandFast = (input: unknown): ReturnType<typeof decodeCommand> => {
  const tag = typeof input === "object" && input !== null ? (input as { _tag?: unknown })._tag : undefined
  const member = typeof tag === "string" ? commandDecoders.get(tag) : undefined
  if (member !== undefined) {
    const quick = member.fast === undefined ? Fail : member.fast(input)
    if (quick !== Fail) return Either.right(quick as Commands.Command)
    const decoded = member.decode(input, decodeOptions)
    if (Either.isRight(decoded)) return decoded
  }
  return decodeCommand(input, decodeOptions)
}

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

/** A decider's fold, whatever its commands and errors. */
interface Evolver<S> {
  readonly initialState: S
  evolve(state: S, event: Event): S
}

/** Whether a plan decided on a cached state it did not read the log for. */
interface Trust {
  used: boolean
}

const evolveAll = <S>(evolver: Evolver<S>, events: ReadonlyArray<Event>, from: S): S => {
  let state = from
  for (const e of events) state = evolver.evolve(state, e)
  return state
}
const asMentorshipEvents = (events: ReadonlyArray<{ readonly event: Event }>) =>
  events.map((e) => e.event as MentorshipEvent)

/**
 * Builds the ledger on the {@link EventStore} in context.
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: LedgerOptions = {}
): Effect.Effect<LedgerService, never, EventStore | KeyStore> =>
  Effect.gen(function* () {
    const store = yield* EventStore
    const keys = yield* KeyStore
    const defaultOrg = options.organisation ?? defaultOrganisation
    const maxRetries = options.maxRetries ?? 3

    const cacheSize = options.stateCacheSize ?? 10_000
    const traced =
      options.spans === true
        ? (name: string) =>
            <A, E, R>(effect: Effect.Effect<A, E, R>) =>
              Effect.withSpan(effect, name, { captureStackTrace: false })
        : () =>
            <A, E, R>(effect: Effect.Effect<A, E, R>) =>
              effect

    // The folded state of each stream at a version, least recently used
    // first. A state at a version is a fact of the log (streams only grow),
    // so an entry is never wrong, at most behind: a load reads the events
    // after its version, and the append's version check refuses a decision
    // made on a state another writer overtook.
    const states = new Map<string, Loaded<Mentorship.State | Programme.State>>()
    const cacheKey = (ref: StreamRef) => `${ref.organisation}\u0000${ref.type}\u0000${ref.id}`
    const remember = (key: string, loaded: Loaded<Mentorship.State | Programme.State>) => {
      if (cacheSize <= 0) return
      const known = states.get(key)
      // Another fiber of this ledger may have seen more of the stream already.
      if (known !== undefined && known.version > loaded.version) return
      states.delete(key)
      if (states.size >= cacheSize) states.delete(states.keys().next().value!)
      states.set(key, loaded)
    }
    const forget = (ref: StreamRef) => states.delete(cacheKey(ref))

    const foldStream = <S>(
      decider: Evolver<S>,
      ref: StreamRef,
      trusted?: Trust
    ): Effect.Effect<Loaded<S>, ReadError> =>
      Effect.suspend(() => {
        const key = cacheKey(ref)
        const known = states.get(key) as Loaded<S> | undefined
        // Deciding on the cached state unread: the append's version check
        // refuses it if another writer overtook it (and the command is
        // decided again on what the log holds).
        if (known !== undefined && trusted !== undefined) {
          trusted.used = true
          return Effect.succeed(known)
        }
        const full = Effect.map(store.readStream(ref), (events): Loaded<S> => {
          const loaded = {
            state: evolveAll(
              decider,
              events.map((e) => e.event),
              decider.initialState
            ),
            version: events.length === 0 ? 0 : events[events.length - 1]!.version
          }
          if (loaded.version === 0) states.delete(key)
          else remember(key, loaded as Loaded<Mentorship.State | Programme.State>)
          return loaded
        })
        if (known === undefined) return full
        return Effect.flatMap(store.readStream(ref, { fromVersion: known.version + 1 }), (events) => {
          if (events.length === 0) return Effect.succeed(known)
          // Not the events right after the cached version: read it all again.
          if (events[0]!.version !== known.version + 1) return full
          const loaded = {
            state: evolveAll(
              decider,
              events.map((e) => e.event),
              known.state
            ),
            version: events[events.length - 1]!.version
          }
          remember(key, loaded as Loaded<Mentorship.State | Programme.State>)
          return Effect.succeed(loaded)
        })
      })

    const loadProgramme = (
      ref: StreamRef,
      trusted?: Trust
    ): Effect.Effect<Loaded<Programme.State>, ReadError> => foldStream(Programme.decider, ref, trusted)
    const loadMentorship = (
      ref: StreamRef,
      asOf: AsOf = {},
      trusted?: Trust
    ): Effect.Effect<Loaded<Mentorship.State>, ReadError> =>
      asOf.occurredUntil === undefined && asOf.recordedUntil === undefined
        ? foldStream(Mentorship.decider, ref, trusted)
        : Effect.map(store.readStream(ref, asOf), (events) => ({
            state: fold(Mentorship.decider, asMentorshipEvents(events)),
            version: events.length === 0 ? 0 : events[events.length - 1]!.version
          }))

    /** An append to make, with the state it was decided on (to fold the new events into). */
    interface Planned {
      readonly request: AppendRequest
      readonly base: Loaded<unknown>
      readonly decider: Evolver<unknown>
    }
    type Plan = Either.Either<ReadonlyArray<Planned>, RuleViolation>

    /**
     * Loads, decides; returns the appends to make (or a refusal). With
     * `trusted`, a stream the plan appends to (so that the append checks
     * its version) is decided on its cached state without reading the log
     * first; streams only read, never appended, are always read up to date.
     */
    const plan = (
      command: Commands.Timed<Commands.Command>,
      org: OrganisationId,
      trusted?: Trust
    ): Effect.Effect<Plan, ReadError> =>
      Effect.gen(function* () {
        const append = <S>(
          stream: StreamRef,
          base: Loaded<S>,
          decider: Evolver<S>,
          events: ReadonlyArray<Event>
        ): Planned => ({
          request: { stream, expected: exact(base.version), events },
          base,
          decider: decider as Evolver<unknown>
        })
        switch (command._tag) {
          case "LaunchProgramme":
          case "AppointCoordinator":
          case "DefineTemplate":
          case "EnrolMentor":
          case "RecordMentorTraining": {
            const ref = programmeStream(command.programmeId, org)
            const p = yield* loadProgramme(ref, trusted)
            return Either.map(Programme.decide(command, p.state), (events) => [
              append(ref, p, Programme.decider, events)
            ])
          }
          case "RequestMentoring": {
            const pref = programmeStream(command.programmeId, org)
            const p = yield* loadProgramme(pref)
            const mref = mentorshipStream(command.mentorshipId, org)
            const m = yield* loadMentorship(mref, {}, trusted)
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
              append(mref, m, Mentorship.decider, events)
            ])
          }
          case "MatchMentor":
          case "CompleteMentorship":
          case "WithdrawMentorship": {
            // These touch the programme's pool too: decide on both, append both atomically.
            const mref = mentorshipStream(command.mentorshipId, org)
            const m = yield* loadMentorship(mref, {}, trusted)
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
              append(mref, m, Mentorship.decider, decided.right),
              ...(pool.right.length > 0 ? [append(pref, p, Programme.decider, pool.right)] : [])
            ])
          }
          default: {
            const ref = mentorshipStream(command.mentorshipId, org)
            const m = yield* loadMentorship(ref, {}, trusted)
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
              append(ref, m, Mentorship.decider, events)
            ])
          }
        }
      })

    /**
     * Content owned by an erased person was refused by the key store: the
     * command decided on a state that did not know of the erasure yet
     * (another mentorship's erasure, or a race). A rule violation, like
     * any refusal by the deciders.
     */
    const erasedOwner = (command: Commands.Timed<Commands.Command>, org: OrganisationId, e: SubjectErased) =>
      Effect.map(
        "mentorshipId" in command
          ? Effect.orElseSucceed(loadMentorship(mentorshipStream(command.mentorshipId, org)), () => undefined)
          : Effect.succeed(undefined),
        (m) =>
          new RuleViolation({
            rule: "already-erased",
            command: command._tag,
            phase: m === undefined || m.state._tag === "Empty" ? "none" : m.state.phase,
            actor: command.actor,
            message: `${e.message}: the content would be sealed for an erased person; record the erasure in this mentorship first (Ledger.erase)`
          })
      )

    /** Decides and records a decoded command, deciding again after a version conflict. */
    const run = (command: Commands.Timed<Commands.Command>, executeOptions: ExecuteOptions) => {
      const org = executeOptions.organisation ?? defaultOrg
      // An erasure shreds a key before its append: decided only on what the log holds.
      const trusting = command._tag !== "ErasePersonalData"
      const attempt = (retries: number, trust: boolean): Effect.Effect<Executed, ExecuteError> => {
        const trusted: Trust | undefined = trust ? { used: false } : undefined
        return Effect.gen(function* () {
          let planned = yield* plan(command, org, trusted)
          // A refusal, or nothing to record, decided on an unread cached
          // state may be the cache's doing: decide again on the log.
          if (
            trusted?.used === true &&
            (Either.isLeft(planned) || planned.right.every((p) => p.request.events.length === 0))
          ) {
            trusted.used = false
            planned = yield* plan(command, org)
          }
          if (Either.isLeft(planned)) return yield* Effect.fail(planned.left)
          const requests = planned.right.map(({ request: r }) =>
            executeOptions.metadata === undefined ? r : { ...r, metadata: executeOptions.metadata }
          )
          // Erasure shreds the person's key before the event is recorded:
          // if recording fails, the content is unreadable all the same.
          if (command._tag === "ErasePersonalData" && requests.length > 0)
            yield* keys.erase(
              [personSubject(org, command.personId)],
              new Date(yield* Clock.currentTimeMillis)
            )
          const results = yield* store.appendMany(requests).pipe(
            Effect.tapError((e) =>
              Effect.sync(() => {
                if (e._tag === "ConcurrencyConflict") for (const r of requests) forget(r.stream)
              })
            ),
            Effect.catchTag("SubjectErased", (e) => Effect.flatMap(erasedOwner(command, org, e), Effect.fail))
          )
          // The stream is now at the appended version: its state is the decided-on state and the new events.
          for (const [i, { request, base, decider }] of planned.right.entries()) {
            const result = results[i]
            if (result !== undefined && !result.idempotent && result.firstVersion === base.version + 1)
              remember(cacheKey(request.stream), {
                state: evolveAll(decider, request.events as ReadonlyArray<Event>, base.state) as
                  | Mentorship.State
                  | Programme.State,
                version: result.nextExpectedVersion
              })
            else forget(request.stream)
          }
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
            conflict.reason !== "version"
              ? Effect.fail(conflict)
              : trusted?.used === true
                ? // the cached state was behind: not a retry, the first decision on the log
                  attempt(retries, false)
                : retries < maxRetries
                  ? attempt(retries + 1, false)
                  : Effect.fail(conflict)
          )
        )
      }
      return attempt(0, trusting)
    }

    const execute = (input: Commands.CommandInput, executeOptions: ExecuteOptions = {}) =>
      Effect.gen(function* () {
        const decoded = decodeCommandFast(input)
        if (Either.isLeft(decoded)) return yield* Effect.fail(toInvalidCommand(input, decoded.left))
        const occurredAt = decoded.right.occurredAt ?? new Date(yield* Clock.currentTimeMillis)
        return yield* run(
          { ...decoded.right, occurredAt } as Commands.Timed<Commands.Command>,
          executeOptions
        )
      }).pipe(traced("Ledger.execute"))

    const toViewer = (v: ViewerInput): Viewer => ({
      personId: v.personId,
      role: v.role,
      organisation: v.organisation ?? defaultOrg
    })

    const history = (mentorshipId: string, input: ViewerInput, asOf: AsOf = {}) =>
      Effect.gen(function* () {
        const viewer = toViewer(input)
        const ref = mentorshipStream(mentorshipId, viewer.organisation as OrganisationId)
        const events = yield* store.readStream(ref, asOf)
        // Consent and erasure as they are now, whatever the point in time.
        const now =
          asOf.occurredUntil === undefined && asOf.recordedUntil === undefined
            ? fold(Mentorship.decider, asMentorshipEvents(events))
            : (yield* loadMentorship(ref)).state
        return yield* Effect.forEach(events, (e) => Privacy.reveal(e, viewer, now))
      }).pipe(Effect.provideService(KeyStore, keys), traced("Ledger.history"))

    const reveal = <E extends Event>(recorded: RecordedEvent<E>, input: ViewerInput) =>
      Effect.gen(function* () {
        const viewer = toViewer(input)
        const event: Event = recorded.event
        const state =
          viewer.organisation === recorded.organisation &&
          "mentorshipId" in event &&
          Privacy.contentOf(event).length > 0
            ? (yield* loadMentorship(mentorshipStream(event.mentorshipId, recorded.organisation))).state
            : Mentorship.initialState
        return yield* Privacy.reveal(recorded, viewer, state)
      }).pipe(Effect.provideService(KeyStore, keys))

    const erase = (input: string, eraseOptions: EraseOptions = {}) =>
      Effect.gen(function* () {
        const id = Schema.decodeUnknownEither(PersonId)(input)
        if (Either.isLeft(id))
          return yield* Effect.fail(
            new InvalidCommand({ command: "ErasePersonalData", path: "personId", message: id.left.message })
          )
        const personId = id.right
        const org = eraseOptions.organisation ?? defaultOrg
        const erasedAt = eraseOptions.occurredAt ?? new Date(yield* Clock.currentTimeMillis)
        const wanted = personId.toLowerCase()
        // Where the person takes part. The log is the source of truth; a
        // scan of one organisation's log is fine for a rare, deliberate act.
        const involved = yield* Stream.runFold(
          store.readAll({ organisation: org }),
          new Map<string, { readonly personId: PersonId; readonly role: Role }>(),
          (found, { event, stream }) => {
            if (
              !("mentorshipId" in event) ||
              stream !== streamName(mentorshipStream(event.mentorshipId, org))
            )
              return found
            const named = (ids: ReadonlyArray<PersonId>) => ids.find((p) => p.toLowerCase() === wanted)
            const as = (p: PersonId | undefined, role: Role) => {
              if (p !== undefined && found.get(event.mentorshipId)?.role !== "mentee")
                found.set(event.mentorshipId, { personId: p, role })
            }
            if (event._tag === "MentoringRequested") {
              as(event.supervisorId?.toLowerCase() === wanted ? event.supervisorId : undefined, "supervisor")
              as(named(event.menteeIds), "mentee")
            } else if (event._tag === "MentorMatched") as(named(event.mentorIds), "mentor")
            return found
          }
        )
        const commands = [...involved].map(
          ([mentorshipId, who]): Commands.Timed<Commands.ErasePersonalData> => ({
            _tag: "ErasePersonalData",
            actor: eraseOptions.actor ?? { personId: who.personId, role: who.role },
            occurredAt: erasedAt,
            mentorshipId: mentorshipId as Commands.ErasePersonalData["mentorshipId"],
            personId: who.personId
          })
        )
        // Every erasure must be allowed before anything is shredded.
        const pending: Array<Commands.Timed<Commands.ErasePersonalData>> = []
        const alreadyRecordedIn: Array<string> = []
        for (const command of commands) {
          const planned = yield* plan(command, org)
          if (Either.isRight(planned)) pending.push(command)
          else if (planned.left.rule === "already-erased") alreadyRecordedIn.push(command.mentorshipId)
          else return yield* Effect.fail(planned.left)
        }
        yield* keys.erase([personSubject(org, personId)], erasedAt)
        const recordedIn: Array<string> = []
        for (const command of pending) {
          const recorded = yield* Effect.either(
            run(command, {
              organisation: org,
              ...(eraseOptions.metadata === undefined ? {} : { metadata: eraseOptions.metadata })
            })
          )
          if (Either.isRight(recorded)) recordedIn.push(command.mentorshipId)
          else if (recorded.left._tag === "RuleViolation" && recorded.left.rule === "already-erased")
            alreadyRecordedIn.push(command.mentorshipId)
          else return yield* Effect.fail(recorded.left)
        }
        return { personId, organisation: org, recordedIn, alreadyRecordedIn, erasedAt } satisfies Erasure
      }).pipe(traced("Ledger.erase"))

    return {
      execute,
      mentorship: (id, o = {}) => loadMentorship(mentorshipStream(id, o.organisation ?? defaultOrg), o),
      programme: (id, o = {}) => loadProgramme(programmeStream(id, o.organisation ?? defaultOrg)),
      history,
      reveal,
      erase
    } satisfies LedgerService
  })

/**
 * The ledger on the event store and the key store in context.
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: LedgerOptions = {}): Layer.Layer<Ledger, never, EventStore | KeyStore> =>
  Layer.effect(Ledger, make(options))
