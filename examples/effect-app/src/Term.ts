/**
 * One autumn term of a new-teacher induction programme, as an Effect
 * program: it needs the `Ledger`, the `Queries` over the read models, the
 * staff `Directory` and an `IdGenerator`, and says nothing about where
 * they come from (`main.ts` provides them as layers).
 *
 * Refusals are values in the error channel, typed by the ledger
 * (`RuleViolation`, `InvalidCommand`, …) and by the import
 * (`HrImportError`); the program handles the ones it expects with
 * `Effect.catchTag` and lets any other fail the program.
 */
import { type Commands, Ids, Ledger, Privacy, type Roles, Template } from "@mentor-ledger/core"
import { Queries } from "@mentor-ledger/sql"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { Directory, type HrImportError, importStaff } from "./People.js"
import * as SchoolCalendar from "./SchoolCalendar.js"

export interface Files {
  readonly staff: string
  readonly staffWithErrors: string
}

const say = (line: string) => Console.log(line)

// #region play-term
/** Everything the term can fail with that it does not handle itself. */
export type TermError = HrImportError | Ledger.ExecuteError | Ledger.RevealError | Queries.QueryError

export const playTerm = (
  files: Files
): Effect.Effect<
  { readonly programmeId: string; readonly mentorshipId: string },
  TermError,
  Ledger.Ledger | Queries.Queries | Directory | Ids.IdGenerator
> =>
  // #endregion play-term
  Effect.gen(function* () {
    const ledger = yield* Ledger.Ledger
    const queries = yield* Queries.Queries
    const directory = yield* Directory
    const ids = yield* Ids.IdGenerator

    // -- The HR export -------------------------------------------------------
    yield* say("HR import")
    const staff = yield* importStaff(files.staff)
    yield* say(`  imported ${staff.length} people from ${files.staff.split("/").at(-1)}`)
    // #region hr-import-refused
    yield* importStaff(files.staffWithErrors).pipe(
      Effect.tap((people) => say(`  imported ${people.length} more`)),
      Effect.catchTag("HrImportError", (error) =>
        Effect.gen(function* () {
          yield* say(`  refused ${error.file.split("/").at(-1)}, nothing imported:`)
          for (const p of error.problems) yield* say(`    line ${p.line}: ${p.message}`)
        })
      )
    )
    // #endregion hr-import-refused
    yield* say(`  the directory holds ${yield* directory.size} people`)

    const person = (employeeNumber: string) =>
      Effect.flatMap(directory.byEmployee(employeeNumber), (found) =>
        found._tag === "Some" ? Effect.succeed(found.value) : Effect.dieMessage(`no ${employeeNumber}`)
      )
    const helena = yield* person("T2001")
    const marko = yield* person("T2010")
    const anneli = yield* person("T2020")
    const elina = yield* person("T2030")
    const as = (p: { readonly id: string }, role: Roles.Role) => ({ personId: p.id, role })
    const coordinator = as(helena, "coordinator")
    const mentor = as(anneli, "mentor")
    const mentee = as(elina, "mentee")
    const supervisor = as(marko, "supervisor")

    /** Records a command and prints it with the date on the clock. */
    const record = (command: Commands.CommandInput) =>
      Effect.gen(function* () {
        const executed = yield* ledger.execute(command)
        yield* say(
          `  ${yield* SchoolCalendar.today}  ${command._tag.padEnd(22)} → ${executed.events.map((e) => e._tag).join(", ")}`
        )
      })
    // #region refused
    /** The same, where the rules are expected to refuse it: the refusal is printed, not thrown. */
    const refused = (command: Commands.CommandInput) =>
      record(command).pipe(
        Effect.zipRight(Effect.dieMessage(`${command._tag} should have been refused`)),
        Effect.catchTag("RuleViolation", (e) =>
          say(`  ${"".padEnd(10)}  ${command._tag.padEnd(22)} ✗ refused: ${e.rule} (${e.phase})`)
        ),
        Effect.catchTag("InvalidCommand", (e) =>
          say(`  ${"".padEnd(10)}  ${command._tag.padEnd(22)} ✗ invalid: ${e.path}: ${e.message}`)
        )
      )
    // #endregion refused

    // -- The programme -------------------------------------------------------
    yield* say("\nThe programme")
    const programmeId = yield* ids.next
    yield* record({
      _tag: "LaunchProgramme",
      actor: coordinator,
      programmeId,
      name: "Tampere new-teacher induction 2026",
      templates: [Template.earlyCareerInduction]
    })
    yield* record({ _tag: "EnrolMentor", actor: coordinator, programmeId, mentorId: anneli.id, capacity: 2 })

    // -- Request and match ---------------------------------------------------
    yield* say(`\n${elina.name} asks for a mentor; ${marko.name}, her principal, supervises`)
    const mentorshipId = yield* ids.next
    yield* record({
      _tag: "RequestMentoring",
      actor: mentee,
      mentorshipId,
      programmeId,
      templateId: Template.earlyCareerInduction.id,
      menteeIds: [elina.id],
      supervisorId: marko.id
    })
    const match = { _tag: "MatchMentor", actor: coordinator, mentorshipId, mentorIds: [anneli.id] } as const
    yield* refused(match)
    yield* record({
      _tag: "RecordMentorTraining",
      actor: coordinator,
      programmeId,
      mentorId: anneli.id,
      course: "Mentoring new teachers, Tampere University"
    })
    yield* record(match)

    // -- Agreement and meetings ----------------------------------------------
    yield* say("\nThe agreement and the meetings")
    yield* record({
      _tag: "SubmitSelfAssessment",
      actor: mentee,
      mentorshipId,
      strengths: "Subject knowledge in chemistry",
      weaknesses: "Assessment takes my weekends",
      opportunities: "Team teaching with physics",
      threats: "Large groups in the lab"
    })
    yield* Effect.sleep("3 days")
    yield* record({
      _tag: "SignAgreement",
      actor: mentee,
      mentorshipId,
      goals: ["Assessment that does not eat the weekends", "Safe and calm lab lessons"],
      topics: ["Assessment", "Lab safety", "Guardians"],
      plannedMeetings: 6,
      cadenceDays: 14,
      confidentiality: true,
      signatories: [anneli.id, elina.id]
    })
    const topics = ["assessment criteria", "a lab incident", "a guardian's e-mail", "the course feedback"]
    const meetings: Array<string> = []
    for (const [n, topic] of topics.entries()) {
      yield* Effect.sleep("14 days")
      const meetingId = yield* ids.next
      meetings.push(meetingId)
      yield* record({
        _tag: "HoldMeeting",
        actor: mentor,
        mentorshipId,
        meetingId,
        modality: n === 2 ? "video" : "in-person",
        durationMinutes: 60
      })
      yield* record({
        _tag: "DraftSummary",
        actor: mentor,
        mentorshipId,
        meetingId,
        text: `Meeting ${n + 1}: ${topic}.`
      })
    }
    yield* refused({
      _tag: "HoldMeeting",
      actor: mentor,
      mentorshipId,
      meetingId: yield* ids.next,
      modality: "in-person",
      durationMinutes: 0
    })
    yield* record({
      _tag: "GiveConsent",
      actor: mentee,
      mentorshipId,
      item: { kind: "summary", id: meetings[1]! }
    })

    // -- Views: the library decides what each role sees ----------------------
    yield* say("\nThe summaries, as each role sees them")
    const show = (label: string, viewer: Queries.Viewer) =>
      Effect.gen(function* () {
        const summaries = yield* queries.summaries(viewer, mentorshipId)
        const texts = summaries.map((s) => s.text ?? (s.shared ? "(not for this role)" : "(not shared)"))
        yield* say(`  ${label.padEnd(28)} ${texts.join(" | ")}`)
      })
    yield* show(`mentor ${anneli.name}`, mentor)
    yield* show(`mentee ${elina.name}`, mentee)
    yield* show(`supervisor ${marko.name}`, supervisor)
    yield* show(`coordinator ${helena.name}`, coordinator)
    const [row] = yield* queries.mentorshipsFor(supervisor)
    if (row !== undefined)
      yield* say(
        `  the supervisor's list: ${row.templateName}, phase ${row.phase}, ${row.meetingsHeld} meetings held`
      )

    // -- Completion and erasure ----------------------------------------------
    yield* say("\nCompletion and erasure")
    yield* Effect.sleep("7 days")
    yield* record({ _tag: "CompleteMentorship", actor: mentor, mentorshipId })
    const erasure = yield* ledger.erase(elina.id)
    yield* directory.remove(elina.id)
    yield* say(
      `  ${erasure.erasedAt.toISOString().slice(0, 10)}  erased ${elina.name} from ${erasure.recordedIn.length} mentorship(s)`
    )
    const history = yield* ledger.history(mentorshipId, mentor)
    const content = history.flatMap(({ event }) => Privacy.contentOf(event))
    const erased = content.filter((c) => Privacy.isErased(c.value)).length
    yield* say(`  the mentor now reads ${erased} of ${content.length} content fields as erased`)
    const after = yield* queries.mentorship(mentor, mentorshipId)
    if (after._tag === "Some") {
      const who = yield* Effect.forEach(after.value.participants ?? [], (p) =>
        Effect.map(directory.nameOf(p.personId ?? ""), (name) => `${p.role} ${p.erased ? "(erased)" : name}`)
      )
      yield* say(
        `  participants: ${who.join(", ")}; phase ${after.value.phase}, ${after.value.meetingsHeld} meetings`
      )
    }
    return { programmeId, mentorshipId }
  })
