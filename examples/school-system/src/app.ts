/**
 * The school system: mentor-ledger embedded in a small HTTP service.
 *
 * - One SQLite file holds everything: mentor-ledger's events, keys and
 *   read models (tables `ml_*`) and the app's staff directory
 *   (`school_people`).
 * - Commands go through the Promise API (`ledger.execute`); the ledger
 *   checks every process rule and refuses with a typed error, which
 *   `http.ts` maps to a status code.
 * - Views are the library's viewer-scoped read-model queries and its
 *   `history`, asked as the caller: what a supervisor, a mentee or a
 *   coordinator gets back is decided by mentor-ledger, not filtered here.
 *   The app only adds names from its directory.
 *
 * The caller is named by two headers, `X-Person-Id` (their id from the
 * directory) and `X-Role`. They stand in for the school's real sign-in
 * (SAML, OpenID Connect…): in production, take the person from the
 * session and check the role against your own records, as `caller` does
 * here against the HR export.
 */
import type { Server } from "node:http"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { type Commands, createLedger, Ids, Privacy, Roles, Template } from "@mentor-ledger/core"
import { SqliteReadModels } from "@mentor-ledger/sqlite"
import { type Directory, openDirectory, type Person } from "./directory.js"
import { readHrExport } from "./hrImport.js"
import { type Handler, HttpError, type Request, type Route, router } from "./http.js"

export interface Options {
  /** The SQLite file (created if missing). */
  readonly filename: string
}

export interface SchoolSystem {
  /** Starts listening (port 0: any free port); resolves with the base URL. */
  readonly listen: (port: number, host?: string) => Promise<string>
  readonly server: Server
  /** Stops listening and closes the database. */
  readonly close: () => Promise<void>
}

/** The caller, as the stand-in sign-in headers name them. */
interface Caller {
  readonly person: Person
  readonly actor: { readonly personId: string; readonly role: Roles.Role }
}

export const openSchoolSystem = async (options: Options): Promise<SchoolSystem> => {
  // #region open
  const db = await SqliteReadModels.open({ filename: options.filename, projections: "inline" })
  const ledger = createLedger({ store: db.layer })
  // #endregion open
  const directory: Directory = openDirectory(options.filename)

  // -------------------------------------------------------------------------
  // Who is calling
  // -------------------------------------------------------------------------

  const caller = (req: Request, allowed?: ReadonlyArray<Roles.Role>): Caller => {
    const id = req.header("x-person-id")?.trim().toLowerCase()
    const role = req.header("x-role")?.trim().toLowerCase()
    if (!id || !role)
      throw new HttpError(
        401,
        "Unauthenticated",
        "send the X-Person-Id and X-Role headers (a stand-in for sign-in)"
      )
    const person = directory.byId(id)
    if (person === undefined) throw new HttpError(401, "Unauthenticated", `no person ${id} in the directory`)
    if (!(Roles.roles as ReadonlyArray<string>).includes(role))
      throw new HttpError(401, "Unauthenticated", `unknown role ${role}: use ${Roles.roles.join(", ")}`)
    if (!person.roles.includes(role as Roles.Role))
      throw new HttpError(403, "RoleNotHeld", `${fullName(person)} is not a ${role} in the HR export`)
    if (allowed !== undefined && !allowed.includes(role as Roles.Role))
      throw new HttpError(403, "RoleNotPermitted", `this needs the role ${allowed.join(" or ")}, not ${role}`)
    return { person, actor: { personId: person.id, role: role as Roles.Role } }
  }

  const fullName = (p: Person) => `${p.firstName} ${p.lastName}`
  const nameOf = (id: string | undefined) => {
    const person = id === undefined ? undefined : directory.byId(id)
    return person === undefined ? null : fullName(person)
  }
  /** A person named in a request must be in the directory with the role the command gives them. */
  const requireRole = (id: unknown, role: Roles.Role, field: string) => {
    const person = typeof id === "string" ? directory.byId(id.toLowerCase()) : undefined
    if (person === undefined)
      throw new HttpError(422, "UnknownPerson", `${field}: no person ${String(id)} in the directory`, {
        field
      })
    if (!person.roles.includes(role))
      throw new HttpError(
        422,
        "NotInRole",
        `${field}: ${fullName(person)} is not a ${role} in the HR export`,
        {
          field
        }
      )
  }

  // -------------------------------------------------------------------------
  // Commands
  // -------------------------------------------------------------------------

  type Tag = Commands.Command["_tag"]
  interface CommandRoute {
    /** Ids the service makes when the body gives none (a client that sends its own cannot record a thing twice on a retry: the second is refused). */
    readonly newIds?: ReadonlyArray<string>
    /** Fields derived from the caller or checked against the directory. */
    readonly prepare?: (who: Caller, body: Record<string, unknown>) => Record<string, unknown>
  }

  /**
   * A route that records one command: the body's fields, the path's ids
   * (named as the command's fields) and the caller as the actor. The
   * ledger decodes it, so a bad field is its `InvalidCommand`.
   */
  const command =
    (tag: Tag, route: CommandRoute = {}): Handler =>
    async (req) => {
      const who = caller(req)
      const body = await req.json()
      for (const field of ["actor", "_tag"])
        if (field in body)
          throw new HttpError(
            400,
            "BadRequest",
            `${field} comes from the route and the sign-in headers, not the body`
          )
      const ids = Object.fromEntries(
        (route.newIds ?? []).map((name) => [name, typeof body[name] === "string" ? body[name] : Ids.newId()])
      )
      const input = {
        ...body,
        ...route.prepare?.(who, body),
        ...ids,
        ...req.params,
        _tag: tag,
        actor: who.actor
      }
      const executed = await ledger.execute(input as Commands.CommandInput)
      const phase = "mentorshipId" in input ? await phaseOf(String(input.mentorshipId)) : undefined
      return {
        status: route.newIds === undefined ? 200 : 201,
        body: {
          recorded: executed.events.map((e) => e._tag),
          ...ids,
          ...(phase === undefined ? {} : { phase })
        }
      }
    }

  const phaseOf = async (mentorshipId: string) => {
    const { state } = await ledger.mentorship(mentorshipId)
    return state._tag === "Active" ? state.phase : undefined
  }

  const launchProgramme: Handler = async (req) => {
    const who = caller(req, ["coordinator"])
    const body = await req.json()
    const wanted = Array.isArray(body.templates) ? body.templates : []
    const templates = wanted.map((id) => {
      const template = Template.builtIn.find((t) => t.id === id)
      if (template === undefined)
        throw new HttpError(422, "UnknownTemplate", `no built-in template ${JSON.stringify(id)}`, {
          known: Template.builtIn.map((t) => t.id)
        })
      return template
    })
    const programmeId = typeof body.programmeId === "string" ? body.programmeId : Ids.newId()
    const executed = await ledger.execute({
      _tag: "LaunchProgramme",
      actor: who.actor,
      programmeId,
      name: body.name as string,
      templates
    })
    return { status: 201, body: { recorded: executed.events.map((e) => e._tag), programmeId } }
  }

  // -------------------------------------------------------------------------
  // Views: the library decides what the caller sees
  // -------------------------------------------------------------------------

  const withNames = <P extends { readonly personId?: string }>(people: ReadonlyArray<P> | undefined) =>
    people?.map((p) => ({ ...p, name: nameOf(p.personId) }))

  const myMentorships: Handler = async (req) => {
    const who = caller(req)
    const programmeId = req.query.get("programmeId")
    const phase = req.query.get("phase")
    const rows = await db.queries.mentorshipsFor(who.actor, {
      ...(programmeId === null ? {} : { programmeId }),
      ...(phase === null ? {} : { phase: phase as never })
    })
    return { status: 200, body: rows.map((m) => ({ ...m, participants: withNames(m.participants) })) }
  }

  const oneMentorship: Handler = async (req) => {
    const who = caller(req)
    const id = req.params.mentorshipId!
    const mentorship = await db.queries.mentorship(who.actor, id)
    if (mentorship === undefined)
      throw new HttpError(
        404,
        "NotFound",
        `no mentorship ${id} that a ${who.actor.role} named ${fullName(who.person)} may see`
      )
    const [meetings, summaries, tasks, followUp] = await Promise.all([
      db.queries.meetings(who.actor, id),
      db.queries.summaries(who.actor, id),
      db.queries.tasks(who.actor, id),
      db.queries.followUp(who.actor, id)
    ])
    return {
      status: 200,
      body: {
        viewer: { personId: who.actor.personId, role: who.actor.role },
        mentorship: { ...mentorship, participants: withNames(mentorship.participants) },
        meetings,
        summaries,
        tasks,
        followUp: followUp ?? null
      }
    }
  }

  /** Every event with each content field as the viewer may see it: the text, or a marker saying why not. */
  const history: Handler = async (req) => {
    const who = caller(req)
    const id = req.params.mentorshipId!
    // Only mentorships the caller may see at all (the read model's rule); the content rules are history's.
    if ((await db.queries.mentorship(who.actor, id)) === undefined)
      throw new HttpError(
        404,
        "NotFound",
        `no mentorship ${id} that a ${who.actor.role} named ${fullName(who.person)} may see`
      )
    const events = await ledger.history(id, who.actor)
    return {
      status: 200,
      body: events.map(({ version, recordedAt, event }) => ({
        version,
        type: event._tag,
        occurredAt: event.occurredAt,
        recordedAt,
        by: { ...event.actor, name: nameOf(event.actor.personId) },
        content: Privacy.contentOf(event).map(({ path, kind, value }) => ({
          path,
          kind,
          ...(Privacy.isDisclosed(value)
            ? { text: value }
            : Privacy.isErased(value)
              ? { erased: true }
              : { withheld: value.reason })
        }))
      }))
    }
  }

  const mentorPool: Handler = async (req) => {
    const who = caller(req)
    const rows = await db.queries.mentorLoad(who.actor, req.params.programmeId!)
    return { status: 200, body: rows.map((r) => ({ ...r, name: nameOf(r.mentorId) })) }
  }

  const statistics: Handler = async (req) => {
    const who = caller(req)
    return { status: 200, body: await db.queries.programmeStatistics(who.actor, req.params.programmeId!) }
  }

  const followUpsDue: Handler = async (req) => {
    const who = caller(req)
    const asOf = new Date(req.query.get("asOf") ?? Date.now())
    if (Number.isNaN(asOf.getTime()))
      throw new HttpError(400, "BadRequest", "asOf is not a date (use YYYY-MM-DD)")
    return { status: 200, body: await db.queries.followUpsDue(who.actor, asOf) }
  }

  // -------------------------------------------------------------------------
  // People: the HR import and erasure
  // -------------------------------------------------------------------------

  const importPeople: Handler = async (req) => {
    // The HR integration is a system, not a person; in production it would
    // authenticate with its own credential.
    if (req.header("x-role") !== "hr-integration")
      throw new HttpError(
        403,
        "RoleNotPermitted",
        "the import is for the HR integration (X-Role: hr-integration)"
      )
    const read = readHrExport(await req.text(), directory.hasEmployee)
    if (read._tag === "Invalid")
      throw new HttpError(
        422,
        "InvalidHrExport",
        `${read.problems.length} problem(s) in the export; nothing was imported`,
        { problems: read.problems }
      )
    const people = directory.importPeople(read.people)
    return {
      status: 200,
      body: {
        imported: people.length,
        created: people.filter((p) => p.created).length,
        ignoredColumns: read.ignoredColumns,
        people: people.map((p) => ({
          id: p.id,
          employeeNumber: p.employeeNumber,
          name: fullName(p),
          roles: p.roles,
          lineManagerId: p.lineManagerId
        }))
      }
    }
  }

  const listPeople: Handler = async (req) => {
    caller(req, ["coordinator", "support-team"])
    return { status: 200, body: directory.list() }
  }

  const erasePerson: Handler = async (req) => {
    const who = caller(req)
    const personId = req.params.personId!.toLowerCase()
    const self = personId === who.actor.personId
    if (!self && who.actor.role !== "coordinator")
      throw new HttpError(
        403,
        "RoleNotPermitted",
        "a person may erase themself; a coordinator may erase anyone in their programmes"
      )
    // The ledger first: if it refuses (a coordinator of another programme), the directory keeps the name.
    const erasure = await ledger.erase(
      personId,
      self ? {} : { actor: { personId: Ids.PersonId.make(who.actor.personId), role: "coordinator" } }
    )
    const removed = directory.remove(personId)
    return {
      status: 200,
      body: {
        personId,
        erasedAt: erasure.erasedAt,
        recordedIn: erasure.recordedIn,
        alreadyRecordedIn: erasure.alreadyRecordedIn,
        removedFromDirectory: removed
      }
    }
  }

  // -------------------------------------------------------------------------
  // Routes
  // -------------------------------------------------------------------------

  const m = "/mentorships/:mentorshipId"
  const routes: ReadonlyArray<Route> = [
    { method: "GET", pattern: "/health", handler: async () => ({ status: 200, body: { ok: true } }) },
    { method: "POST", pattern: "/people/import", handler: importPeople },
    { method: "GET", pattern: "/people", handler: listPeople },
    { method: "DELETE", pattern: "/people/:personId", handler: erasePerson },

    { method: "POST", pattern: "/programmes", handler: launchProgramme },
    {
      method: "POST",
      pattern: "/programmes/:programmeId/coordinators",
      handler: command("AppointCoordinator", {
        prepare: (_, body) => {
          requireRole(body.coordinatorId, "coordinator", "coordinatorId")
          return {}
        }
      })
    },
    {
      method: "POST",
      pattern: "/programmes/:programmeId/mentors",
      handler: command("EnrolMentor", {
        prepare: (_, body) => {
          requireRole(body.mentorId, "mentor", "mentorId")
          return {}
        }
      })
    },
    { method: "GET", pattern: "/programmes/:programmeId/mentors", handler: mentorPool },
    {
      method: "POST",
      pattern: "/programmes/:programmeId/mentors/:mentorId/training",
      handler: command("RecordMentorTraining")
    },
    { method: "GET", pattern: "/programmes/:programmeId/statistics", handler: statistics },
    {
      method: "POST",
      pattern: "/programmes/:programmeId/requests",
      handler: command("RequestMentoring", {
        newIds: ["mentorshipId"],
        // A mentee asks for themself; their line manager is the supervisor unless the body says otherwise.
        prepare: (who, body) => {
          const manager =
            who.person.lineManagerId === null ? undefined : directory.byId(who.person.lineManagerId)
          return {
            menteeIds: body.menteeIds ?? (who.actor.role === "mentee" ? [who.actor.personId] : []),
            supervisorId:
              body.supervisorId !== undefined
                ? body.supervisorId
                : manager?.roles.includes("supervisor")
                  ? manager.id
                  : null
          }
        }
      })
    },

    { method: "GET", pattern: "/mentorships", handler: myMentorships },
    { method: "GET", pattern: m, handler: oneMentorship },
    { method: "GET", pattern: `${m}/history`, handler: history },
    { method: "POST", pattern: `${m}/match`, handler: command("MatchMentor") },
    { method: "POST", pattern: `${m}/opening-discussion`, handler: command("HoldOpeningDiscussion") },
    { method: "POST", pattern: `${m}/self-assessment`, handler: command("SubmitSelfAssessment") },
    { method: "POST", pattern: `${m}/agreement`, handler: command("SignAgreement") },
    {
      method: "POST",
      pattern: `${m}/observations`,
      handler: command("RecordObservation", { newIds: ["observationId"] })
    },
    { method: "POST", pattern: `${m}/meetings`, handler: command("HoldMeeting", { newIds: ["meetingId"] }) },
    {
      method: "POST",
      pattern: `${m}/meetings/planned`,
      handler: command("ScheduleMeeting", { newIds: ["meetingId"] })
    },
    { method: "POST", pattern: `${m}/meetings/:meetingId/held`, handler: command("HoldMeeting") },
    { method: "POST", pattern: `${m}/meetings/:meetingId/cancellation`, handler: command("CancelMeeting") },
    { method: "POST", pattern: `${m}/meetings/:meetingId/summary`, handler: command("DraftSummary") },
    {
      method: "POST",
      pattern: `${m}/meetings/:meetingId/summary/amendments`,
      handler: command("AmendSummary")
    },
    {
      method: "POST",
      pattern: `${m}/meetings/:meetingId/summary/final`,
      handler: command("FinaliseSummary")
    },
    { method: "POST", pattern: `${m}/tasks`, handler: command("AssignTask", { newIds: ["taskId"] }) },
    { method: "POST", pattern: `${m}/tasks/:taskId/completion`, handler: command("CompleteTask") },
    { method: "POST", pattern: `${m}/consents`, handler: command("GiveConsent") },
    { method: "POST", pattern: `${m}/consents/revocations`, handler: command("RevokeConsent") },
    { method: "POST", pattern: `${m}/evaluation`, handler: command("HoldEvaluation") },
    { method: "POST", pattern: `${m}/closing-discussion`, handler: command("HoldClosingDiscussion") },
    { method: "POST", pattern: `${m}/report`, handler: command("DeliverReport") },
    { method: "POST", pattern: `${m}/follow-up`, handler: command("ScheduleFollowUp") },
    { method: "POST", pattern: `${m}/follow-up/held`, handler: command("HoldFollowUp") },
    { method: "POST", pattern: `${m}/completion`, handler: command("CompleteMentorship") },
    { method: "POST", pattern: `${m}/withdrawal`, handler: command("WithdrawMentorship") },
    { method: "GET", pattern: "/follow-ups/due", handler: followUpsDue }
  ]

  const server = createServer(router(routes))
  return {
    server,
    listen: (port, host = "127.0.0.1") =>
      new Promise((resolve, reject) => {
        server.once("error", reject)
        server.listen(port, host, () => {
          const address = server.address() as AddressInfo
          resolve(`http://${host}:${address.port}`)
        })
      }),
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      await ledger.close()
      await db.close()
      directory.close()
    }
  }
}
