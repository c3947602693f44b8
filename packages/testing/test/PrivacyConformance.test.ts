import { EventJournal, KeyStore } from "@mentor-ledger/core"
import { PrivacyConformance } from "@mentor-ledger/testing"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

// The privacy suite needs no database: the core's in-memory journal passes
// it, every stored row (payload and metadata as stored) searched. Its key
// store is in memory too, so there are no key rows to inspect.
PrivacyConformance.suite("in-memory", async () => {
  const journal = EventJournal.makeMemory()
  return {
    layer: Layer.merge(Layer.succeed(EventJournal.EventJournal, journal), KeyStore.layerMemory),
    find: async (needles) => {
      const rows = await Effect.runPromise(journal.readAll({ after: EventJournal.start, limit: 10_000 }))
      return rows.flatMap((row) =>
        needles
          .filter((needle) => `${row.payload}\n${row.metadata}`.includes(needle))
          .map((needle) => `${row.eventType}: ${needle}`)
      )
    },
    close: async () => {}
  }
})
