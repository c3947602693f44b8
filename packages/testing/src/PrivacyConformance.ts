/**
 * The privacy suite: a store holds no content in plaintext, before or
 * after a person's erasure, and erasure keeps the log.
 *
 * A mentee writes a self-assessment and signs an agreement, the mentor
 * drafts a summary of a meeting and the mentee amends it, each text a
 * secret marker; then the mentee is erased. The suite asks the store to
 * search everything it keeps (files, rows, write-ahead logs) for the
 * markers before and after the erasure, and checks through the ledger that
 * the mentor read the content before it and reads it as erased after it,
 * while the process facts (phase, meetings held) still replay.
 *
 * @example
 * // test/Privacy.int.test.ts of an adapter package: a fresh database per test
 * import { PrivacyConformance } from "@mentor-ledger/testing"
 * import { MyJournal } from "../src/index.js"
 * PrivacyConformance.suite("my store", async () => {
 *   const opened = await MyJournal.open({ database: "privacy-test" })
 *   return {
 *     layer: opened.layer,
 *     find: (needles) => opened.searchEveryRow(needles),
 *     close: () => opened.dropAndClose()
 *   }
 * })
 *
 * @since 0.1.0
 */
import { createLedger, type EventJournal, Ids, Template } from "@mentor-ledger/core"
import type * as Layer from "effect/Layer"
import { describe, expect, it } from "vitest"

/**
 * A store opened for the suite, on storage of its own.
 * @since 0.1.0
 * @category models
 */
export interface Storage {
  /** The store, for `createLedger({ store })`; it provides its own key store. */
  readonly layer: Layer.Layer<EventJournal.EventJournal, unknown>
  /**
   * Searches everything the store keeps for each of `needles` and says
   * where it found one (`"ledger.db-wal: summary-text-5e6f"`); empty when
   * none is found.
   */
  readonly find: (needles: ReadonlyArray<string>) => Promise<ReadonlyArray<string>>
  /**
   * The stored key records of a key subject (`person:<id>`), for a store
   * that keeps its data keys itself: the suite checks that the erased
   * person has exactly one, without key material (null) and with an
   * erasure date (not null).
   */
  readonly keyRecords?: (
    subject: string
  ) => Promise<ReadonlyArray<{ readonly material: unknown; readonly erasedAt: unknown }>>
  /** Closes the store and removes its storage. */
  readonly close: () => Promise<void>
}

/**
 * The secret markers the scenario writes as content: a self-assessment's
 * strength and threat, an agreement's goal, a summary and an amendment.
 * @since 0.1.0
 * @category fixtures
 */
export const secrets: ReadonlyArray<string> = [
  "SWOT-strength-7f3a",
  "SWOT-threat-9c1e",
  "agreement-goal-2b8d",
  "summary-text-5e6f",
  "amend-4a2c"
]

/**
 * Registers the privacy suite as a vitest `describe(name)` block.
 *
 * `open` is called once per test and must return a store on fresh,
 * empty storage; the suite closes it. `options.timeout` is the test's
 * timeout in milliseconds (default 30,000).
 *
 * @example
 * // an SQLite file and its write-ahead log, searched byte for byte
 * import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
 * import { tmpdir } from "node:os"
 * import { join } from "node:path"
 * import { SqliteJournal } from "@mentor-ledger/sqlite"
 * import { PrivacyConformance } from "@mentor-ledger/testing"
 * PrivacyConformance.suite("SQLite", async () => {
 *   const dir = mkdtempSync(join(tmpdir(), "privacy-"))
 *   const opened = await SqliteJournal.open({ filename: join(dir, "ledger.db") })
 *   return {
 *     layer: opened.layer,
 *     find: async (needles) =>
 *       readdirSync(dir).flatMap((file) => {
 *         const bytes = readFileSync(join(dir, file))
 *         return needles.filter((needle) => bytes.includes(needle)).map((needle) => `${file}: ${needle}`)
 *       }),
 *     close: async () => {
 *       await opened.close()
 *       rmSync(dir, { recursive: true, force: true })
 *     }
 *   }
 * })
 * @since 0.1.0
 * @category suites
 */
export const suite = (name: string, open: () => Promise<Storage>, options?: { timeout?: number }): void => {
  describe(name, () => {
    it(
      "no content in plaintext, before or after erasure; the erased person's key is shredded; the log and the counts survive",
      async () => {
        const storage = await open()
        const ledger = createLedger({ store: storage.layer })
        const n = (i: number) => Ids.sequentialId(i)
        const coordinator = { personId: n(1), role: "coordinator" } as const
        const mentor = { personId: n(2), role: "mentor" } as const
        const mentee = { personId: n(3), role: "mentee" } as const
        const [strength, threat, goal, summary, amendment] = secrets as [
          string,
          string,
          string,
          string,
          string
        ]
        try {
          await ledger.execute({
            _tag: "LaunchProgramme",
            actor: coordinator,
            programmeId: n(10),
            name: "Induction",
            templates: [Template.earlyCareerInduction]
          })
          await ledger.execute({
            _tag: "EnrolMentor",
            actor: coordinator,
            programmeId: n(10),
            mentorId: n(2),
            capacity: 3
          })
          await ledger.execute({
            _tag: "RecordMentorTraining",
            actor: coordinator,
            programmeId: n(10),
            mentorId: n(2),
            course: "Mentor training for ECEC teachers"
          })
          await ledger.execute({
            _tag: "RequestMentoring",
            actor: mentee,
            mentorshipId: n(20),
            programmeId: n(10),
            templateId: "early-career-induction",
            menteeIds: [n(3)],
            supervisorId: null
          })
          await ledger.execute({
            _tag: "MatchMentor",
            actor: coordinator,
            mentorshipId: n(20),
            mentorIds: [n(2)]
          })
          await ledger.execute({
            _tag: "SubmitSelfAssessment",
            actor: mentee,
            mentorshipId: n(20),
            strengths: strength,
            weaknesses: "w",
            opportunities: "o",
            threats: threat
          })
          await ledger.execute({
            _tag: "SignAgreement",
            actor: mentee,
            mentorshipId: n(20),
            goals: [goal],
            topics: ["t"],
            plannedMeetings: 6,
            cadenceDays: 14,
            confidentiality: true,
            signatories: [n(2), n(3)]
          })
          await ledger.execute({
            _tag: "HoldMeeting",
            actor: mentor,
            mentorshipId: n(20),
            meetingId: n(30),
            modality: "video",
            durationMinutes: 60
          })
          await ledger.execute({
            _tag: "DraftSummary",
            actor: mentor,
            mentorshipId: n(20),
            meetingId: n(30),
            text: summary
          })
          await ledger.execute({
            _tag: "AmendSummary",
            actor: mentee,
            mentorshipId: n(20),
            meetingId: n(30),
            text: amendment
          })

          expect(await storage.find(secrets)).toEqual([])
          // The mentor reads the summary in clear through the API while the keys exist.
          const readBefore = await ledger.history(n(20), mentor)
          expect(JSON.stringify(readBefore.map((e) => e.event))).toContain(summary)
          const before = await ledger.mentorship(n(20))

          await ledger.erase(n(3))
          expect(await storage.find(secrets)).toEqual([])
          if (storage.keyRecords !== undefined) {
            const keys = await storage.keyRecords(`person:${n(3)}`)
            expect(keys).toHaveLength(1)
            expect(keys[0]!.material).toBeNull()
            expect(keys[0]!.erasedAt).not.toBeNull()
          }
          // The process facts survive: the aggregate still replays to the same phase and counts.
          const after = await ledger.mentorship(n(20))
          expect(after.state._tag === "Active" && after.state.meetingsHeld).toBe(1)
          expect(after.state._tag === "Active" && after.state.phase).toBe(
            before.state._tag === "Active" ? before.state.phase : "?"
          )
          // The mentee's content reads as erased for the mentor, who could read it before.
          const history = await ledger.history(n(20), mentor)
          const text = JSON.stringify(history.map((e) => e.event))
          for (const secret of secrets) expect(text).not.toContain(secret)
          const swot = history.find((e) => e.event._tag === "SelfAssessmentSubmitted")!
          expect(JSON.stringify(swot.event)).toContain("ContentErased")
        } finally {
          await ledger.close()
          await storage.close()
        }
      },
      options?.timeout ?? 30_000
    )
  })
}
