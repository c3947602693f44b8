import { EventJournal } from "@mentor-ledger/core"
import { Dialect, Journal } from "@mentor-ledger/sql"
import { StoreConformance } from "@mentor-ledger/testing"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { SqliteJournal } from "../src/index.js"
import { onTempFile } from "./tempFile.js"

// The adapter as shipped: synchronous, cached better-sqlite3 statements.
StoreConformance.suite("SQLite", () => onTempFile((filename) => SqliteJournal.layerJournal({ filename })))

// The same journal run through kysely's own driver: the portable executor
// that other dialects (PostgreSQL) use.
StoreConformance.suite("SQLite through kysely's driver", () =>
  onTempFile((filename) =>
    Layer.scoped(
      EventJournal.EventJournal,
      Effect.map(SqliteJournal.make({ filename }), (open) =>
        Journal.make(open.db, { dialect: Dialect.sqlite })
      )
    )
  )
)
