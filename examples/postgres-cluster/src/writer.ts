/**
 * The writer: an app instance that only executes commands (its read models
 * are the workers' job). Each round requests and matches a few mentorships
 * in one programme.
 */
import { type Commands, createLedger, Ids, type MentorLedger, Template } from "@mentor-ledger/core"
import { PgReadModels } from "@mentor-ledger/postgres"

/** The people and the programme of the story. */
export interface Cast {
  readonly programme: string
  readonly coordinator: string
  readonly mentors: ReadonlyArray<string>
}

export const newCast = (): Cast => ({
  programme: Ids.newId(),
  coordinator: Ids.newId(),
  mentors: [Ids.newId(), Ids.newId(), Ids.newId()]
})

/** The coordinator, as a viewer of the read models. */
export const coordinatorOf = (cast: Cast) => ({ personId: cast.coordinator, role: "coordinator" }) as const

const actor = (cast: Cast) => coordinatorOf(cast)

/** Launches the programme and enrols three trained mentors with room for four mentees each. */
export const launch = (cast: Cast): ReadonlyArray<Commands.CommandInput> => [
  {
    _tag: "LaunchProgramme",
    actor: actor(cast),
    programmeId: cast.programme,
    name: "Induction of new teachers",
    templates: [Template.earlyCareerInduction]
  },
  ...cast.mentors.flatMap(
    (mentorId): ReadonlyArray<Commands.CommandInput> => [
      { _tag: "EnrolMentor", actor: actor(cast), programmeId: cast.programme, mentorId, capacity: 4 },
      {
        _tag: "RecordMentorTraining",
        actor: actor(cast),
        programmeId: cast.programme,
        mentorId,
        course: "Mentoring new teachers"
      }
    ]
  )
]

/** Requests `count` mentorships and matches each with a mentor in turn. */
export const requests = (cast: Cast, count: number, offset: number): ReadonlyArray<Commands.CommandInput> =>
  Array.from({ length: count }, (_, i): ReadonlyArray<Commands.CommandInput> => {
    const mentorshipId = Ids.newId()
    return [
      {
        _tag: "RequestMentoring",
        actor: actor(cast),
        mentorshipId,
        programmeId: cast.programme,
        templateId: Template.earlyCareerInduction.id,
        menteeIds: [Ids.newId()],
        supervisorId: null
      },
      {
        _tag: "MatchMentor",
        actor: actor(cast),
        mentorshipId,
        mentorIds: [cast.mentors[(offset + i) % cast.mentors.length]!]
      }
    ]
  }).flat()

/** A writer on the database: a ledger whose appends do not wait for any read model. */
export const openWriter = async (url: string, schema: string) => {
  const store = await PgReadModels.open({ url, schema, projections: "manual", catchUpOnOpen: false })
  const ledger: MentorLedger = createLedger({ store: store.layer })
  return {
    store,
    execute: async (commands: ReadonlyArray<Commands.CommandInput>) => {
      for (const command of commands) await ledger.execute(command)
    },
    close: async () => {
      await ledger.close()
      await store.close()
    }
  }
}
