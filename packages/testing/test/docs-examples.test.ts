/**
 * The examples of docs/testing.md. The guide quotes the regions of this
 * file verbatim (the last test checks that it still does; `pnpm --filter
 * @mentor-ledger/testing docs` copies them in), so every example there
 * compiles and runs in CI.
 */
import { readFileSync } from "node:fs"
import { createLedger, Decider, Mentorship, Template } from "@mentor-ledger/core"
import { DeciderSpecification, Histories, NearMisses, ProcessModel } from "@mentor-ledger/testing"
import * as Either from "effect/Either"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { regions } from "./support/regions.js"

// #region replay-from-the-environment
// In a vitest setup file (`setupFiles` in vitest.config.ts), so that every
// property of the suite can be replayed and scaled from the environment.
const env = (name: string) => process.env[name] || undefined
fc.configureGlobal({
  ...(env("FC_SEED") === undefined ? {} : { seed: Number(env("FC_SEED")) }),
  ...(env("FC_PATH") === undefined ? {} : { path: env("FC_PATH") }),
  ...(env("FC_NUM_RUNS") === undefined ? {} : { numRuns: Number(env("FC_NUM_RUNS")) })
})
// #endregion

describe("docs/testing.md", () => {
  // #region no-meeting-before-the-agreement
  it("no meeting is held before the agreement is signed", () => {
    fc.assert(
      fc.property(Histories.history({ refusals: true }), (history) => {
        let signed = false
        for (const [n, event] of history.events.entries()) {
          if (event._tag === "AgreementSigned") signed = true
          if (event._tag === "MeetingHeld")
            expect(signed, `event ${n + 1}: a meeting before the agreement`).toBe(true)
        }
      })
    )
  })
  // #endregion

  // #region report-cites-consented-content
  it("a report never cites content the mentee has not consented to share", () => {
    fc.assert(
      fc.property(
        Histories.history({ refusals: true, templates: Histories.templateWith("report") }),
        (history) => {
          let mentees: ReadonlyArray<string> = []
          const amendedBy = new Map<string, Set<string>>() // meeting → mentees who amended its summary
          const assignees = new Map<string, ReadonlyArray<string>>() // task → mentees
          const consented = new Map<string, Set<string>>() // "kind:id" → mentees who consent now
          for (const [n, event] of history.events.entries()) {
            switch (event._tag) {
              case "MentoringRequested":
                mentees = event.menteeIds
                break
              case "SummaryAmended":
                amendedBy.set(
                  event.meetingId,
                  new Set(amendedBy.get(event.meetingId)).add(event.actor.personId)
                )
                break
              case "TaskAssigned":
                assignees.set(event.taskId, event.assigneeIds)
                break
              case "ConsentGiven":
              case "ConsentRevoked": {
                const key = `${event.item.kind}:${event.item.id}`
                const who = new Set(consented.get(key))
                if (event._tag === "ConsentGiven") who.add(event.actor.personId)
                else who.delete(event.actor.personId)
                consented.set(key, who)
                break
              }
              case "ReportDelivered":
                for (const item of event.citedItems) {
                  // Whose consent the item needs: its author, its assignees, or every mentee.
                  const owners =
                    item.kind === "self-assessment"
                      ? [item.id]
                      : item.kind === "amendment"
                        ? [...(amendedBy.get(item.id) ?? [])]
                        : item.kind === "task"
                          ? (assignees.get(item.id) ?? [])
                          : mentees
                  const given = consented.get(`${item.kind}:${item.id}`) ?? new Set()
                  expect(
                    owners.every((o) => given.has(o)),
                    `event ${n + 1}: ${item.kind} cited without consent`
                  ).toBe(true)
                }
            }
          }
        }
      )
    )
  })
  // #endregion

  // #region valid-scenarios-through-your-system
  it("every command of a valid scenario is accepted by the ledger (here: the Promise API, in memory)", async () => {
    await fc.assert(
      fc.asyncProperty(Histories.scenario({ maxSteps: 30 }), async (scenario) => {
        const ledger = createLedger()
        try {
          for (const command of scenario.setup) await ledger.execute(command)
          for (const { command } of scenario.steps) await ledger.execute(Histories.toInput(command))
          // It ends where the reference model says: same phase, same counts.
          const { state } = await ledger.mentorship(scenario.cast.mentorshipId)
          expect(ProcessModel.fromState(state)).toEqual(scenario.facts)
        } finally {
          await ledger.close()
        }
      }),
      { numRuns: 10 }
    )
  })
  // #endregion

  // #region near-misses
  it("each near miss is refused with exactly the rule it breaks", () => {
    fc.assert(
      fc.property(NearMisses.cases(), (nearMiss) => {
        const state = Decider.fold(Mentorship.decider, nearMiss.given)
        const decided = Mentorship.decide(nearMiss.command, state)
        expect(Either.isLeft(decided) && decided.left.rule).toBe(nearMiss.rule)
      })
    )
  })
  // #endregion

  // #region model-based
  it("the ledger agrees with the reference model, command by command", async () => {
    await fc.assert(
      fc.asyncProperty(Histories.template, ProcessModel.commands(), async (template, commands) => {
        const system = await ProcessModel.ledgerSystem(template) // or your own ProcessModel.System
        try {
          await ProcessModel.run(template, system, commands)
        } finally {
          await system.close()
        }
      }),
      { numRuns: 20 }
    )
  })
  // #endregion

  // #region given-when-then
  it("given / when / then: a meeting before the agreement is refused", () => {
    const given = DeciderSpecification.of(Mentorship.decider)
    const { defaultCast: cast, scenarioDay: day } = Histories
    const coordinator = { personId: cast.coordinator, role: "coordinator" } as const
    const requested = given([])
      .when({
        _tag: "RequestMentoring",
        actor: coordinator,
        occurredAt: day(0),
        mentorshipId: cast.mentorshipId,
        programmeId: cast.programmeId,
        template: Template.earlyCareerInduction,
        menteeIds: [cast.mentees[0]!],
        supervisorId: null
      })
      .thenRecords("MentoringRequested")
    const matched = given(requested.events)
      .when({
        _tag: "MatchMentor",
        actor: coordinator,
        occurredAt: day(1),
        mentorshipId: cast.mentorshipId,
        mentorIds: [cast.mentors[0]!]
      })
      .thenRecords("MentorMatched")
    given([...requested.events, ...matched.events])
      .when({
        _tag: "HoldMeeting",
        actor: { personId: cast.mentors[0]!, role: "mentor" },
        occurredAt: day(2),
        mentorshipId: cast.mentorshipId,
        meetingId: cast.mentorshipId as never,
        modality: "video",
        durationMinutes: 60,
        planning: true
      })
      .thenRefuses("phase-order")
  })
  // #endregion

  it("docs/testing.md quotes every region of its example files verbatim", () => {
    const guide = readFileSync(new URL("../../../docs/testing.md", import.meta.url), "utf8")
    const found = regions()
    expect(found.size).toBeGreaterThan(5)
    for (const [name, code] of found)
      expect(guide, `region ${name}: run \`pnpm --filter @mentor-ledger/testing docs\``).toContain(
        `<!-- region: ${name} -->\n\`\`\`ts\n${code}\n\`\`\``
      )
  })
})
