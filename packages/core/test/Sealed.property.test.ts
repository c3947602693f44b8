/**
 * Content keys are HKDF-SHA256 (RFC 5869): the derivation written out with
 * HMACs gives the bytes of node's own hkdfSync, so content sealed before
 * opens after.
 */
import { hkdfSync } from "node:crypto"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { deriveContentKey } from "../src/internal/sealed.js"

describe("content keys", () => {
  it("are node's hkdfSync over the owners' data keys, salt and info", () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string(),
        fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { minLength: 1, maxLength: 4 }),
        (organisation, owners, keys) => {
          const expected = Buffer.from(
            hkdfSync(
              "sha256",
              Buffer.concat(keys),
              "mentor-ledger/content-key/v1",
              `${organisation}\u0000${owners}`,
              32
            )
          )
          expect(deriveContentKey(organisation, owners, keys).equals(expected)).toBe(true)
        }
      )
    )
  })
})
