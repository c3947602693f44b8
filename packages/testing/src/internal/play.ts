/**
 * Plays commands through the core's deciders as the ledger does: the
 * mentorship decides, and a match or an ending also goes through the
 * programme's mentor pool, whose refusal refuses the whole command.
 */
import { type Commands, type Events, Mentorship, Programme, Rules, type Template } from "@mentor-ledger/core"
import * as Either from "effect/Either"
import { day } from "./candidates.js"
import type { Cast } from "./process.js"

export interface Played {
  /** The mentorship events the command recorded, or why it was refused. */
  readonly result: Either.Either<ReadonlyArray<Events.MentorshipEvent>, Rules.RuleViolation>
  /** The pool's events (a match assigns mentors, an ending releases them). */
  readonly pool: ReadonlyArray<Events.ProgrammeEvent>
  readonly before: Mentorship.State
  readonly after: Mentorship.State
}

/** The programme a scenario runs in: launched with the template, the cast's mentors enrolled and trained. */
export const setupCommands = (
  template: Template.ProcessTemplate,
  cast: Cast,
  capacity = 5
): ReadonlyArray<Commands.Timed<Commands.ProgrammeCommand>> => {
  const actor = { personId: cast.coordinator, role: "coordinator" } as const
  const common = { actor, programmeId: cast.programmeId }
  return [
    {
      _tag: "LaunchProgramme",
      ...common,
      occurredAt: day(-60),
      name: "Mentoring programme",
      templates: [template]
    },
    ...cast.mentors.flatMap(
      (mentorId): ReadonlyArray<Commands.Timed<Commands.ProgrammeCommand>> => [
        { _tag: "EnrolMentor", ...common, occurredAt: day(-50), mentorId, capacity },
        { _tag: "RecordMentorTraining", ...common, occurredAt: day(-40), mentorId, course: "Mentor training" }
      ]
    )
  ]
}

/** A mentorship and its programme, played command by command. */
export class Player {
  mentorship: Mentorship.State = Mentorship.initialState
  programme: Programme.State = Programme.initialState
  readonly programmeEvents: Array<Events.ProgrammeEvent> = []
  readonly mentorshipEvents: Array<Events.MentorshipEvent> = []
  /** Every event in the order it was recorded. */
  readonly events: Array<Events.Event> = []

  setUp(commands: ReadonlyArray<Programme.Command>): void {
    for (const command of commands) {
      const decided = Programme.decide(command, this.programme)
      if (Either.isLeft(decided)) throw new Error(`the programme set-up was refused: ${decided.left.message}`)
      this.recordPool(decided.right)
    }
  }

  private recordPool(events: ReadonlyArray<Events.ProgrammeEvent>) {
    for (const e of events) {
      this.programme = Programme.evolve(this.programme, e)
      this.programmeEvents.push(e)
      this.events.push(e)
    }
  }

  play(command: Mentorship.Command): Played {
    const before = this.mentorship
    const decided = Mentorship.decide(command, before)
    let pool: ReadonlyArray<Events.ProgrammeEvent> = []
    let result = decided
    if (
      Either.isRight(decided) &&
      before._tag === "Active" &&
      (command._tag === "MatchMentor" ||
        command._tag === "CompleteMentorship" ||
        command._tag === "WithdrawMentorship")
    ) {
      const poolCommand: Programme.Command =
        command._tag === "MatchMentor"
          ? {
              _tag: "AssignMentors",
              actor: command.actor,
              occurredAt: command.occurredAt,
              programmeId: before.programmeId,
              mentorshipId: before.id,
              mentorIds: command.mentorIds,
              menteeIds: before.menteeIds,
              supervisorId: before.supervisorId
            }
          : {
              _tag: "ReleaseMentors",
              actor: command.actor,
              occurredAt: command.occurredAt,
              programmeId: before.programmeId,
              mentorshipId: before.id
            }
      const poolDecided = Programme.decide(poolCommand, this.programme)
      if (Either.isLeft(poolDecided)) {
        const refusal = poolDecided.left
        result = Either.left(
          new Rules.RuleViolation({
            rule: refusal.rule,
            command: command._tag,
            phase: before.phase,
            actor: refusal.actor,
            message: refusal.message
          })
        )
      } else pool = poolDecided.right
    }
    if (Either.isRight(result)) {
      for (const e of result.right) {
        this.mentorship = Mentorship.evolve(this.mentorship, e)
        this.mentorshipEvents.push(e)
        this.events.push(e)
      }
      this.recordPool(pool)
    }
    return { result, pool, before, after: this.mentorship }
  }
}

/** A decider command as the ledger takes it: the request names its template by id. */
export const toInput = (command: Mentorship.Command): Commands.CommandInput => {
  if (command._tag !== "RequestMentoring") return command
  const { template, ...rest } = command
  return { ...rest, templateId: template.id }
}
