import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import { Ids, KeyStorage, KeyStore } from "@mentor-ledger/core"

const org = Ids.defaultOrganisation
const other = Ids.OrganisationId.make("school-b")
const alice = Ids.sequentialId(1)
const bob = Ids.sequentialId(2)
const subject = (personId: string, organisation: Ids.OrganisationId = org) =>
  KeyStorage.personSubject(organisation, personId)

/** A key store (one process) on the given rows. */
const keyStore = (
  rows: KeyStorage.KeyStorageService,
  wrapper: Layer.Layer<KeyStore.KeyWrapper> = KeyStore.layerUnwrapped,
  options: KeyStore.KeyStoreOptions = {}
) => Effect.provide(KeyStore.make(options), Layer.merge(Layer.succeed(KeyStorage.KeyStorage, rows), wrapper))

const failure = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.map(Effect.either(effect), (r) => (Either.isLeft(r) ? r.left : expect.fail("expected a failure")))

const hex = (key: Uint8Array) => Buffer.from(key).toString("hex")

describe("KeyStore", () => {
  it.effect("issues one 32-byte random key per person and organisation, and the same one again", () =>
    Effect.gen(function* () {
      const rows = KeyStorage.makeMemory()
      const keys = yield* keyStore(rows)
      const [a, b, a2] = yield* keys.issue([subject(alice), subject(bob), subject(alice, other)])
      expect([a!.length, b!.length, a2!.length]).toEqual([32, 32, 32])
      expect(new Set([hex(a!), hex(b!), hex(a2!)]).size).toBe(3)
      expect((yield* keys.issue([subject(alice)])).map(hex)).toEqual([hex(a!)])
      // Another process finds the stored key.
      const again = yield* keyStore(rows)
      expect((yield* again.issue([subject(alice)])).map(hex)).toEqual([hex(a!)])
      // Ids are compared in lower case.
      expect((yield* again.issue([subject(alice.toUpperCase())])).map(hex)).toEqual([hex(a!)])
    })
  )

  it.effect("two processes creating the same key at once end up with one key", () =>
    Effect.gen(function* () {
      const rows = KeyStorage.makeMemory()
      const [one, two] = [yield* keyStore(rows), yield* keyStore(rows)]
      const [k1, k2] = yield* Effect.all([one.issue([subject(alice)]), two.issue([subject(alice)])], {
        concurrency: "unbounded"
      })
      expect(hex(k1![0]!)).toBe(hex(k2![0]!))
      expect(rows.rows().keys).toHaveLength(1)
    })
  )

  it.effect("erasure deletes the key, records the erasure once, and no key is ever issued again", () =>
    Effect.gen(function* () {
      const rows = KeyStorage.makeMemory()
      const keys = yield* keyStore(rows)
      yield* keys.issue([subject(alice), subject(bob)])
      const first = new Date("2026-03-01T10:00:00.000Z")
      yield* keys.erase([subject(alice)], first)
      yield* keys.erase([subject(alice)], new Date("2026-04-01T10:00:00.000Z"))
      expect(rows.rows().keys.map((k) => k.subject)).toEqual([`person:${bob}`])
      expect(yield* keys.erased(org)).toEqual([{ ...subject(alice), erasedAt: first }])
      expect(yield* keys.erased(other)).toEqual([])
      const looked = yield* keys.lookup([subject(alice), subject(bob), subject(alice, other)])
      expect(looked.map((l) => l._tag)).toEqual(["Erased", "Found", "Missing"])
      for (const ks of [keys, yield* keyStore(rows)]) {
        const refused = yield* failure(ks.issue([subject(bob), subject(alice)]))
        expect(refused).toBeInstanceOf(KeyStore.SubjectErased)
        expect(refused).toMatchObject({ organisation: org, subject: `person:${alice}` })
        expect(yield* failure(ks.sealingKey(org, [alice.toLowerCase()]))).toMatchObject({
          _tag: "SubjectErased"
        })
      }
      // The same person in another organisation is another subject.
      expect(yield* keys.issue([subject(alice, other)])).toHaveLength(1)
    })
  )

  it.effect("a content key exists while every owner's key does", () =>
    Effect.gen(function* () {
      const keys = yield* keyStore(KeyStorage.makeMemory())
      const owners = [alice, bob].map((p) => p.toLowerCase()).sort()
      const sealing = yield* keys.sealingKey(org, owners)
      const opening = yield* keys.openingKey(org, owners)
      expect(opening._tag === "Found" && hex(opening.key)).toBe(hex(sealing))
      // Another owner set, another key.
      expect(hex(yield* keys.sealingKey(org, [owners[0]!]))).not.toBe(hex(sealing))
      expect((yield* keys.openingKey(org, [Ids.sequentialId(3)]))._tag).toBe("Missing")
      yield* keys.erase([subject(bob)], new Date())
      const after = yield* keys.openingKey(org, owners)
      expect(after).toMatchObject({ _tag: "Erased", subjects: [subject(bob)] })
    })
  )

  it.effect("with a cache lifetime of 0, another process's erasure is seen at once", () =>
    Effect.gen(function* () {
      const rows = KeyStorage.makeMemory()
      const [one, two] = [
        yield* keyStore(rows),
        yield* keyStore(rows, KeyStore.layerUnwrapped, { cacheTtlMillis: 0 })
      ]
      const owners = [alice.toLowerCase()]
      yield* one.sealingKey(org, owners)
      expect((yield* two.openingKey(org, owners))._tag).toBe("Found")
      yield* one.erase([subject(alice)], new Date())
      expect((yield* two.openingKey(org, owners))._tag).toBe("Erased")
    })
  )
})

describe("KeyStore wrapping", () => {
  const master = new Uint8Array(32).fill(7)
  const otherMaster = new Uint8Array(32).fill(8)

  it.effect("under a master key, stored keys are wrapped and bound to their subject", () =>
    Effect.gen(function* () {
      const rows = KeyStorage.makeMemory()
      const keys = yield* keyStore(rows, KeyStore.layerMasterKey(master, "k1"))
      const [key] = yield* keys.issue([subject(alice)])
      const [stored] = rows.rows().keys
      expect(stored!.wrapping).toBe("master:k1")
      expect(stored!.material.length).toBe(60)
      expect(Buffer.from(stored!.material).includes(Buffer.from(key!))).toBe(false)
      // Another process with the master key reads it.
      expect(
        (yield* (yield* keyStore(rows, KeyStore.layerMasterKey(master, "k1"))).issue([subject(alice)])).map(
          hex
        )
      ).toEqual([hex(key!)])
      // The wrong master key, or none, cannot.
      for (const wrapper of [KeyStore.layerMasterKey(otherMaster, "k1"), KeyStore.layerUnwrapped]) {
        const error = yield* failure((yield* keyStore(rows, wrapper)).issue([subject(alice)]))
        expect(error).toMatchObject({ _tag: "StoreError", reason: "Corrupt" })
      }
      // A wrapped key copied to another subject's row does not unwrap there.
      const moved = KeyStorage.makeMemory()
      yield* moved.insert({ ...stored!, ...subject(bob) })
      const error = yield* failure(
        (yield* keyStore(moved, KeyStore.layerMasterKey(master, "k1"))).issue([subject(bob)])
      )
      expect(error).toMatchObject({ _tag: "StoreError", reason: "Corrupt" })
    })
  )
})

describe("KeyStorage (in memory): the row contract adapters implement", () => {
  it.effect("insert keeps the first key, refuses erased subjects; erasures keep their first date", () =>
    Effect.gen(function* () {
      const rows = KeyStorage.makeMemory()
      const at = new Date("2026-01-01T00:00:00.000Z")
      const key = (n: number, personId = alice): KeyStorage.StoredKey => ({
        ...subject(personId),
        material: new Uint8Array(32).fill(n),
        wrapping: "none",
        createdAt: at
      })
      expect(yield* rows.insert(key(1))).toEqual(key(1))
      expect(yield* rows.insert(key(2))).toEqual(key(1))
      expect(yield* rows.get([subject(alice), subject(bob)])).toEqual([key(1)])
      yield* rows.markErased([{ ...subject(bob), erasedAt: at }])
      yield* rows.markErased([{ ...subject(bob), erasedAt: new Date() }])
      expect(yield* rows.insert(key(3, bob))).toBeNull()
      expect(yield* rows.erased({ subjects: [subject(bob), subject(alice)] })).toEqual([
        { ...subject(bob), erasedAt: at }
      ])
      yield* rows.delete([subject(alice)])
      expect(yield* rows.get([subject(alice)])).toEqual([])
      expect(yield* rows.erased({ organisation: other })).toEqual([])
    })
  )
})
