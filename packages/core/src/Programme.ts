/**
 * The programme aggregate: a mentoring programme with its templates, its
 * mentor pool (seed 002), the mentors' training records (seed 000) and
 * their capacity. It decides whether a match fits: the mentor is enrolled,
 * trained and below capacity, is not the mentee, and is not the mentee's
 * own supervisor.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import type * as C from "./Commands.js"
import type { Decider } from "./Decider.js"
import type { ProgrammeEvent } from "./Events.js"
import type { MentorshipId, PersonId, ProgrammeId } from "./Ids.js"
import type { Actor } from "./Roles.js"
import { type Rule, RuleViolation } from "./Rules.js"
import type { ProcessTemplate } from "./Template.js"

/** A mentor in the pool. @since 0.1.0 @category state */
export interface PoolMentor {
  readonly capacity: number
  readonly courses: ReadonlyArray<string>
  /** Mentorships the mentor is assigned to and that have not ended. */
  readonly assigned: ReadonlySet<string>
}

/** @since 0.1.0 @category state */
export interface Active {
  readonly _tag: "Active"
  readonly id: string
  readonly name: string
  /** Who may act as a coordinator in this programme. */
  readonly coordinators: ReadonlySet<PersonId>
  readonly templates: ReadonlyMap<string, ProcessTemplate>
  readonly mentors: ReadonlyMap<string, PoolMentor>
  /** Which mentors each open mentorship holds. */
  readonly assignments: ReadonlyMap<string, ReadonlyArray<PersonId>>
}

/** @since 0.1.0 @category state */
export type State = { readonly _tag: "Empty" } | Active

/** @since 0.1.0 @category state */
export const initialState: State = { _tag: "Empty" }

/**
 * Assigns pool mentors to a mentorship; issued by the ledger when a
 * coordinator matches a mentor.
 * @since 0.1.0
 * @category commands
 */
export interface AssignMentors {
  readonly _tag: "AssignMentors"
  readonly actor: Actor
  readonly occurredAt: Date
  readonly programmeId: ProgrammeId
  readonly mentorshipId: MentorshipId
  readonly mentorIds: ReadonlyArray<PersonId>
  readonly menteeIds: ReadonlyArray<PersonId>
  readonly supervisorId: PersonId | null
}

/**
 * Frees the mentors of a mentorship that ended; issued by the ledger when
 * a mentorship completes or is withdrawn.
 * @since 0.1.0
 * @category commands
 */
export interface ReleaseMentors {
  readonly _tag: "ReleaseMentors"
  readonly actor: Actor
  readonly occurredAt: Date
  readonly programmeId: ProgrammeId
  readonly mentorshipId: MentorshipId
}

/** @since 0.1.0 @category commands */
export type Command = C.Timed<C.ProgrammeCommand> | AssignMentors | ReleaseMentors

type Decision = Either.Either<ReadonlyArray<ProgrammeEvent>, RuleViolation>

const refuse = (command: Command, state: State, rule: Rule, message: string): Decision =>
  Either.left(
    new RuleViolation({
      rule,
      command: command._tag,
      phase: state._tag === "Empty" ? "none" : "active",
      actor: command.actor,
      message
    })
  )

const ok = (...events: ReadonlyArray<ProgrammeEvent>): Decision => Either.right(events)

const withMentor = (s: Active, id: string, f: (m: PoolMentor) => PoolMentor): Active => {
  const m = s.mentors.get(id)
  if (m === undefined) return s
  const mentors = new Map(s.mentors)
  mentors.set(id, f(m))
  return { ...s, mentors }
}

/** @since 0.1.0 @category decider */
export const evolve = (state: State, event: ProgrammeEvent): State => {
  if (event._tag === "ProgrammeLaunched")
    return {
      _tag: "Active",
      id: event.programmeId,
      name: event.name,
      coordinators: new Set([event.actor.personId]),
      templates: new Map(event.templates.map((t) => [t.id, t])),
      mentors: new Map(),
      assignments: new Map()
    }
  if (state._tag === "Empty") return state
  switch (event._tag) {
    case "CoordinatorAppointed":
      return { ...state, coordinators: new Set(state.coordinators).add(event.coordinatorId) }
    case "TemplateDefined":
      return { ...state, templates: new Map(state.templates).set(event.template.id, event.template) }
    case "MentorEnrolled":
      return {
        ...state,
        mentors: new Map(state.mentors).set(event.mentorId, {
          capacity: event.capacity,
          courses: [],
          assigned: new Set()
        })
      }
    case "MentorTrainingCompleted":
      return withMentor(state, event.mentorId, (m) => ({ ...m, courses: [...m.courses, event.course] }))
    case "MentorsAssigned": {
      let s: Active = state
      for (const id of event.mentorIds)
        s = withMentor(s, id, (m) => ({ ...m, assigned: new Set(m.assigned).add(event.mentorshipId) }))
      return { ...s, assignments: new Map(s.assignments).set(event.mentorshipId, event.mentorIds) }
    }
    case "MentorsReleased": {
      let s: Active = state
      for (const id of event.mentorIds)
        s = withMentor(s, id, (m) => {
          const assigned = new Set(m.assigned)
          assigned.delete(event.mentorshipId)
          return { ...m, assigned }
        })
      const assignments = new Map(s.assignments)
      assignments.delete(event.mentorshipId)
      return { ...s, assignments }
    }
  }
}

const coordinatorOnly = (command: Command, state: State): RuleViolation | null =>
  command.actor.role === "coordinator"
    ? null
    : new RuleViolation({
        rule: "role-not-permitted",
        command: command._tag,
        phase: state._tag === "Empty" ? "none" : "active",
        actor: command.actor,
        message: `${command._tag} is for a programme coordinator, not ${command.actor.role}`
      })

/** @since 0.1.0 @category decider */
export const decide = (command: Command, state: State): Decision => {
  const common = { actor: command.actor, occurredAt: command.occurredAt, programmeId: command.programmeId }
  if (command._tag !== "AssignMentors" && command._tag !== "ReleaseMentors") {
    const notCoordinator = coordinatorOnly(command, state)
    if (notCoordinator) return Either.left(notCoordinator)
  }
  if (command._tag === "LaunchProgramme") {
    if (state._tag !== "Empty")
      return refuse(command, state, "programme-exists", `programme ${command.programmeId} exists already`)
    const ids = command.templates.map((t) => t.id)
    if (new Set(ids).size !== ids.length)
      return refuse(command, state, "template-exists", "a template id is listed twice")
    return ok({ _tag: "ProgrammeLaunched", ...common, name: command.name, templates: command.templates })
  }
  if (state._tag === "Empty")
    return refuse(command, state, "programme-not-found", `programme ${command.programmeId} does not exist`)
  const s = state
  if (command.actor.role === "coordinator" && !s.coordinators.has(command.actor.personId))
    return refuse(
      command,
      s,
      "not-a-participant",
      `${command.actor.personId} is not a coordinator of programme ${command.programmeId}`
    )
  switch (command._tag) {
    case "AppointCoordinator":
      return s.coordinators.has(command.coordinatorId)
        ? refuse(command, s, "duplicate-id", `${command.coordinatorId} is a coordinator already`)
        : ok({ _tag: "CoordinatorAppointed", ...common, coordinatorId: command.coordinatorId })
    case "DefineTemplate":
      return s.templates.has(command.template.id)
        ? refuse(command, s, "template-exists", `template ${command.template.id} exists already`)
        : ok({ _tag: "TemplateDefined", ...common, template: command.template })
    case "EnrolMentor":
      return s.mentors.has(command.mentorId)
        ? refuse(command, s, "mentor-already-enrolled", `${command.mentorId} is in the pool already`)
        : ok({ _tag: "MentorEnrolled", ...common, mentorId: command.mentorId, capacity: command.capacity })
    case "RecordMentorTraining":
      return s.mentors.has(command.mentorId)
        ? ok({
            _tag: "MentorTrainingCompleted",
            ...common,
            mentorId: command.mentorId,
            course: command.course
          })
        : refuse(command, s, "mentor-not-enrolled", `${command.mentorId} is not in the mentor pool`)
    case "AssignMentors": {
      for (const id of command.mentorIds) {
        const m = s.mentors.get(id)
        if (command.menteeIds.includes(id))
          return refuse(command, s, "self-mentoring", `${id} cannot mentor themselves`)
        if (command.supervisorId === id)
          return refuse(command, s, "mentor-is-supervisor", `${id} is the mentee's own supervisor`)
        if (m === undefined)
          return refuse(command, s, "mentor-not-enrolled", `${id} is not in the mentor pool`)
        if (m.courses.length === 0)
          return refuse(command, s, "mentor-untrained", `${id} has completed no mentor training`)
        if (m.assigned.size >= m.capacity)
          return refuse(
            command,
            s,
            "mentor-over-capacity",
            `${id} mentors ${m.assigned.size} of a capacity of ${m.capacity} already`
          )
      }
      return ok({
        _tag: "MentorsAssigned",
        ...common,
        mentorshipId: command.mentorshipId,
        mentorIds: command.mentorIds
      })
    }
    case "ReleaseMentors": {
      const held = s.assignments.get(command.mentorshipId)
      return held === undefined
        ? ok()
        : ok({
            _tag: "MentorsReleased",
            ...common,
            mentorshipId: command.mentorshipId,
            mentorIds: held
          })
    }
  }
}

/** The programme as a decider. @since 0.1.0 @category decider */
export const decider: Decider<Command, State, ProgrammeEvent, RuleViolation> = {
  initialState,
  decide,
  evolve
}

/**
 * Whether a person may act as a coordinator in this programme.
 * @since 0.1.0
 * @category queries
 */
export const isCoordinator = (state: State, personId: string): boolean =>
  state._tag === "Active" && state.coordinators.has(personId as PersonId)

/** A mentor's free capacity (0 when not in the pool). @since 0.1.0 @category queries */
export const freeCapacity = (state: State, mentorId: string): number => {
  if (state._tag === "Empty") return 0
  const m = state.mentors.get(mentorId)
  return m === undefined ? 0 : Math.max(0, m.capacity - m.assigned.size)
}
