import { QueriesConformance } from "@mentor-ledger/testing"
import Database from "better-sqlite3"
import { openLedger } from "./readModels.js"
import { makeTempDir } from "./tempFile.js"

// The kit's queries suite on SQLite: a ledger with inline read models on a
// file of its own, its tables read with a plain connection.
QueriesConformance.suite("SQLite", async (queries) => {
  const temp = makeTempDir()
  const filename = temp.file("ledger.db")
  const app = await openLedger(filename, { queries }).catch((error) => {
    temp.remove()
    throw error
  })
  return {
    ...app,
    rows: async (table) => {
      const database = new Database(filename, { readonly: true })
      try {
        return database.prepare(`select * from "${table}"`).all() as Array<Record<string, unknown>>
      } finally {
        database.close()
      }
    },
    close: async () => {
      await app.close()
      temp.remove()
    }
  }
})
