/**
 * The "journal alone" example of the SQLite README: the event journal
 * without read models, as an Effect layer and with Promises. Run by
 * test/readmes.test.ts.
 */
// #region sqlite-journal-imports
import { Ids } from "@mentor-ledger/core"
import { SqliteJournal } from "@mentor-ledger/sqlite"
import { Layer } from "effect"
// #endregion sqlite-journal-imports
import { createLedger, EventStore, Template } from "@mentor-ledger/core"
import * as Effect from "effect/Effect"

const launch = {
  _tag: "LaunchProgramme",
  actor: { personId: Ids.newId(), role: "coordinator" },
  name: "Early-career induction 2026",
  templates: [Template.earlyCareerInduction]
} as const

/** Both forms on one file; the stream versions each saw. */
export const sqliteJournal = async (filename: string): Promise<ReadonlyArray<number>> => {
  // #region sqlite-journal
  // Effect: EventStore + EventJournal, open for the layer's lifetime
  const store = SqliteJournal.layer({ filename }).pipe(Layer.provide(Ids.layerUuidV7))

  // Promise: open, use, close
  const { journal, layer, close } = await SqliteJournal.open({ filename })
  // #endregion sqlite-journal
  const programmeId = Ids.newId()
  const ledger = createLedger({ store: layer })
  await ledger.execute({ ...launch, programmeId })
  await ledger.close()
  const rows = await Effect.runPromise(
    journal.readStream(Ids.defaultOrganisation, `programme-${programmeId}`)
  )
  await close()
  const version = await Effect.runPromise(
    Effect.flatMap(EventStore.EventStore, (s) => s.version(EventStore.programmeStream(programmeId))).pipe(
      Effect.provide(store)
    )
  )
  return [rows.length, version]
}
