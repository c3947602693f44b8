/**
 * The "journal alone" example of the PostgreSQL README: the event journal
 * without read models, as an Effect layer and with Promises. Run by
 * test/readmes.test.ts against the test server.
 */
// #region postgres-journal-imports
import { createLedger, Ids } from "@mentor-ledger/core"
import { PgJournal } from "@mentor-ledger/postgres"
import { Layer } from "effect"
// #endregion postgres-journal-imports
import { EventStore, Template } from "@mentor-ledger/core"
import * as Effect from "effect/Effect"

/** The PostgreSQL journal, both forms, in a schema of its own. */
export const postgresJournal = async (url: string, schema: string): Promise<ReadonlyArray<number>> => {
  // #region postgres-journal
  // Promise: the ledger owns the pool; ledger.close() ends it
  const ledger = createLedger({ store: PgJournal.layerJournal({ url, schema }) })

  // Effect: EventStore + EventJournal (+ SqlJournal, PgJournal), open for the layer's lifetime
  const store = PgJournal.layer({ url, schema }).pipe(Layer.provide(Ids.layerUuidV7))
  // #endregion postgres-journal
  const programmeId = Ids.newId()
  await ledger.execute({
    _tag: "LaunchProgramme",
    actor: { personId: Ids.newId(), role: "coordinator" },
    programmeId,
    name: "Early-career induction 2026",
    templates: [Template.earlyCareerInduction]
  })
  await ledger.close()
  const version = await Effect.runPromise(
    Effect.flatMap(EventStore.EventStore, (s) => s.version(EventStore.programmeStream(programmeId))).pipe(
      Effect.provide(store)
    )
  )
  return [version]
}
