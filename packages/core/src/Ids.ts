/**
 * Identifiers used across mentor-ledger.
 *
 * Every id is a UUID. Person ids are pseudonymous by design: a host system
 * maps its own staff numbers to uuids and never puts names or e-mail
 * addresses into an id, so that process facts stay shareable after erasure.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import { v7 as uuidv7 } from "uuid"

const uuid = <B extends string>(brand: B) =>
  Schema.String.pipe(
    Schema.pattern(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, {
      message: () => `Expected a UUID for ${brand}`
    }),
    Schema.brand(brand),
    Schema.annotations({ identifier: brand })
  )

/**
 * A person: mentor, mentee, supervisor, coordinator or analyst.
 * @since 0.1.0
 * @category ids
 */
export const PersonId = uuid("PersonId")
/** @since 0.1.0 @category ids */
export type PersonId = typeof PersonId.Type

/** @since 0.1.0 @category ids */
export const MentorshipId = uuid("MentorshipId")
/** @since 0.1.0 @category ids */
export type MentorshipId = typeof MentorshipId.Type

/** @since 0.1.0 @category ids */
export const ProgrammeId = uuid("ProgrammeId")
/** @since 0.1.0 @category ids */
export type ProgrammeId = typeof ProgrammeId.Type

/** @since 0.1.0 @category ids */
export const MeetingId = uuid("MeetingId")
/** @since 0.1.0 @category ids */
export type MeetingId = typeof MeetingId.Type

/** @since 0.1.0 @category ids */
export const TaskId = uuid("TaskId")
/** @since 0.1.0 @category ids */
export type TaskId = typeof TaskId.Type

/** @since 0.1.0 @category ids */
export const ObservationId = uuid("ObservationId")
/** @since 0.1.0 @category ids */
export type ObservationId = typeof ObservationId.Type

/** @since 0.1.0 @category ids */
export const EventId = uuid("EventId")
/** @since 0.1.0 @category ids */
export type EventId = typeof EventId.Type

/**
 * The organisation (tenant) a stream belongs to. Single-organisation apps
 * use {@link defaultOrganisation}.
 * @since 0.1.0
 * @category ids
 */
export const OrganisationId = Schema.String.pipe(
  Schema.pattern(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
    message: () => "Expected an organisation id of 1-64 letters, digits, '.', '_' or '-'"
  }),
  Schema.brand("OrganisationId")
)
/** @since 0.1.0 @category ids */
export type OrganisationId = typeof OrganisationId.Type

/** @since 0.1.0 @category ids */
export const defaultOrganisation: OrganisationId = OrganisationId.make("default")

/**
 * Source of new ids. The live layer makes time-ordered uuid v7 ids; tests
 * use {@link layerSequential} so that every run produces the same ids.
 *
 * @example
 * import { Effect } from "effect"
 * import { Ids } from "@mentor-ledger/core"
 * const program = Effect.flatMap(Ids.IdGenerator, (ids) => ids.next)
 * Effect.runSync(Effect.provide(program, Ids.layerSequential()))
 * @since 0.1.0
 * @category services
 */
export class IdGenerator extends Context.Tag("@mentor-ledger/core/IdGenerator")<
  IdGenerator,
  { readonly next: Effect.Effect<string> }
>() {}

/** uuid v7 ids, time-ordered so that B-tree indexes stay compact. @since 0.1.0 @category layers */
export const layerUuidV7: Layer.Layer<IdGenerator> = Layer.succeed(IdGenerator, {
  next: Effect.sync(() => uuidv7())
})

/**
 * Deterministic ids `00000000-0000-7000-8000-<counter>` for tests and demos.
 * @since 0.1.0
 * @category layers
 */
export const layerSequential = (start = 1): Layer.Layer<IdGenerator> =>
  Layer.sync(IdGenerator, () => {
    let n = start
    return {
      next: Effect.sync(() => sequentialId(n++))
    }
  })

/** The n-th deterministic id, as made by {@link layerSequential}. @since 0.1.0 @category constructors */
export const sequentialId = (n: number): string =>
  `00000000-0000-7000-8000-${n.toString(16).padStart(12, "0")}`

/** A fresh uuid v7, outside Effect (for Promise users). @since 0.1.0 @category constructors */
export const newId = (): string => uuidv7()
