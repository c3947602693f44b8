import { StoreConformance } from "@mentor-ledger/testing"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { PgJournal } from "../src/index.js"
import { freshSchema, onServer, serverUrl } from "./server.js"

// Every test (and every property) on a fresh schema, dropped afterwards.
// jsonb refuses text that is not JSON when it is appended (checksJson).
onServer("PostgreSQL", () => {
  StoreConformance.suite(
    "PostgreSQL",
    () =>
      Layer.unwrapScoped(
        Effect.map(freshSchema, (schema) => PgJournal.layerJournal({ url: serverUrl(), schema }))
      ),
    { checksJson: true }
  )
})
