/**
 * @mentor-ledger/core: mentoring processes as event-sourced deciders.
 *
 * @since 0.1.0
 */
export * as Content from "./Content.js"
export * as EventJournal from "./EventJournal.js"
export * as EventStore from "./EventStore.js"
export * as Events from "./Events.js"
export * as Ids from "./Ids.js"
export * as KeyStorage from "./KeyStorage.js"
export * as KeyStore from "./KeyStore.js"
export * as Privacy from "./Privacy.js"
export * as Visibility from "./Visibility.js"
export * as Roles from "./Roles.js"
export * as Template from "./Template.js"
export * as Client from "./Client.js"
export * as Commands from "./Commands.js"
export * as Decider from "./Decider.js"
export * as Ledger from "./Ledger.js"
export * as Mentorship from "./Mentorship.js"
export * as Programme from "./Programme.js"
export * as Rules from "./Rules.js"
export { createLedger, type MentorLedger } from "./Client.js"
