// #region conformance
import { EventJournal } from "@mentor-ledger/core"
import { StoreConformance } from "@mentor-ledger/testing"

StoreConformance.suite("in-memory", () => EventJournal.layerMemory)
// #endregion
