/**
 * The code shown in docs/privacy.md, compiled and run: each `#region` is
 * quoted there.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { describe, expect, it } from "vitest"
import {
  createLedger,
  EventJournal,
  EventStore,
  Ids,
  KeyStorage,
  KeyStore,
  Ledger,
  type MentorLedger,
  Privacy
} from "@mentor-ledger/core"
import { programmeCommands } from "./support/fixtures.js"
import { story, texts } from "./privacyFixtures.js"
import { mentee, mentorshipId, people } from "./support/fixtures.js"

const play = async (ledger: MentorLedger) => {
  for (const command of [...programmeCommands(), ...story()]) await ledger.execute(command)
}

describe("docs/privacy.md", () => {
  it("reads as a viewer and erases a person (Promise API)", async () => {
    const ledger = createLedger()
    await play(ledger)
    const shown: Array<string> = []
    const show = (s: string) => shown.push(s)
    const supervisorId = people.supervisor
    const menteeId = mentee
    // #region promise
    const history = await ledger.history(mentorshipId, { personId: supervisorId, role: "supervisor" })
    for (const { event } of history) {
      for (const field of Privacy.contentOf(event)) {
        if (Privacy.isDisclosed(field.value)) show(field.value)
        else if (Privacy.isErased(field.value)) show(`(${field.kind}: erased)`)
        else show(`(${field.kind}: ${field.value.reason})`) // e.g. "not-shared"
      }
    }

    const erasure = await ledger.erase(menteeId)
    // erasure.recordedIn: the mentorships where PersonalDataErased was recorded
    // #endregion promise
    expect(shown).toContain(texts.report)
    expect(shown).toContain("(observation: not-shared)")
    expect(erasure.recordedIn).toEqual([mentorshipId])
    await ledger.close()
  })

  it("plugs a KMS in as the key wrapper", async () => {
    // A stand-in for a KMS client: AES-256-GCM under a key the database never sees.
    const kmsKey = randomBytes(32)
    const kms = {
      encrypt: async (_keyId: string, plaintext: Uint8Array, context: Record<string, string>) => {
        const iv = randomBytes(12)
        const c = createCipheriv("aes-256-gcm", kmsKey, iv).setAAD(Buffer.from(JSON.stringify(context)))
        const body = Buffer.concat([c.update(plaintext), c.final()])
        return new Uint8Array(Buffer.concat([iv, body, c.getAuthTag()]))
      },
      decrypt: async (_keyId: string, blob: Uint8Array, context: Record<string, string>) => {
        const b = Buffer.from(blob)
        const d = createDecipheriv("aes-256-gcm", kmsKey, b.subarray(0, 12))
        d.setAAD(Buffer.from(JSON.stringify(context)))
        d.setAuthTag(b.subarray(b.length - 16))
        return new Uint8Array(Buffer.concat([d.update(b.subarray(12, b.length - 16)), d.final()]))
      }
    }
    const rows = KeyStorage.makeMemory()
    const myKeyStorage = Layer.succeed(KeyStorage.KeyStorage, rows)
    const myJournal = EventJournal.layerMemory

    // #region kms
    const kmsWrapper = (keyId: string): Layer.Layer<KeyStore.KeyWrapper> =>
      Layer.succeed(KeyStore.KeyWrapper, {
        id: `kms:${keyId}`,
        wrap: (key, subject) =>
          Effect.tryPromise({
            try: () =>
              kms.encrypt(keyId, key, { organisation: subject.organisation, subject: subject.subject }),
            catch: (cause) => new EventJournal.StoreError({ reason: "Unavailable", message: "KMS", cause })
          }),
        unwrap: (stored) =>
          Effect.tryPromise({
            try: () =>
              kms.decrypt(keyId, stored.material, {
                organisation: stored.organisation,
                subject: stored.subject
              }),
            catch: (cause) => new EventJournal.StoreError({ reason: "Corrupt", message: "KMS", cause })
          })
      })

    const keys = KeyStore.layer().pipe(
      Layer.provide(kmsWrapper("alias/mentor-ledger")),
      Layer.provide(myKeyStorage) // your adapter's key table
    )
    const ledger = createLedger({ store: myJournal, keys })
    // #endregion kms
    await play(ledger)
    expect(
      rows.rows().keys.every((k) => k.wrapping === "kms:alias/mentor-ledger" && k.material.length === 60)
    ).toBe(true)
    const history = await ledger.history(mentorshipId, { personId: people.mentors[0], role: "mentor" })
    expect(history.flatMap((e) => Privacy.contentOf(e.event).map((c) => c.value))).toContain(texts.summary)
    await ledger.close()
  })

  it("builds the layers with Effect", async () => {
    const myJournal = EventJournal.layerMemory
    const myKeyStorage = KeyStorage.layerMemory
    const masterKey = randomBytes(32)
    // #region effect
    const layer = Ledger.layer().pipe(
      Layer.provideMerge(EventStore.layer),
      Layer.provideMerge(myJournal), // an EventJournal: rows of events
      Layer.provideMerge(KeyStore.layer()), // the core's key store...
      Layer.provide(myKeyStorage), // ...on an adapter's key table
      Layer.provide(KeyStore.layerMasterKey(masterKey, "2026-01")), // keys wrapped under a master key
      Layer.provide(Ids.layerUuidV7)
    )
    // #endregion effect
    const program = Effect.gen(function* () {
      const ledger = yield* Ledger.Ledger
      for (const command of [...programmeCommands(), ...story()]) yield* ledger.execute(command)
      return yield* ledger.history(mentorshipId, { personId: mentee, role: "mentee" })
    })
    const history = await Effect.runPromise(Effect.provide(program, layer))
    expect(history.flatMap((e) => Privacy.contentOf(e.event).map((c) => c.value))).toContain(texts.summary)
  })
})
