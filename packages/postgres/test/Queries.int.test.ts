import { QueriesConformance } from "@mentor-ledger/testing"
import { openLedger } from "./readModels.js"
import { dropSchema, onServer, query, schemaName } from "./server.js"

// The kit's queries suite on PostgreSQL: a ledger with inline read models
// in a schema of its own, dropped afterwards.
onServer("PostgreSQL", () => {
  QueriesConformance.suite("PostgreSQL", async (queries) => {
    const schema = schemaName()
    const app = await openLedger(schema, { queries }).catch(async (error) => {
      await dropSchema(schema)
      throw error
    })
    return {
      ...app,
      rows: (table) => query(`select * from "${schema}"."${table}"`),
      close: async () => {
        await app.close()
        await dropSchema(schema)
      }
    }
  })
})
