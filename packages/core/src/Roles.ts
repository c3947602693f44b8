/**
 * Who acts in a mentoring process, and in which capacity.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { PersonId } from "./Ids.js"

/**
 * The roles of PRODUCT.md. The supervisor is also the commissioning
 * ("ordering") authority of a mentorship.
 * @since 0.1.0
 * @category models
 */
export const Role = Schema.Literal("mentor", "mentee", "supervisor", "coordinator", "support-team", "analyst")
/** @since 0.1.0 @category models */
export type Role = typeof Role.Type

/** Every role, in a stable order. @since 0.1.0 @category models */
export const roles: ReadonlyArray<Role> = Role.literals

/**
 * The person who performs a command, and the role they claim. The deciders
 * check the claim against the mentorship's participants.
 * @since 0.1.0
 * @category models
 */
export const Actor = Schema.Struct({
  personId: PersonId,
  role: Role
}).annotations({ identifier: "Actor" })
/** @since 0.1.0 @category models */
export type Actor = typeof Actor.Type
