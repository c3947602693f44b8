import { KeyStore, Privacy } from "@mentor-ledger/core"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { Reveal } from "../Queries.js"

// The one place where a content value of a read model becomes what a viewer
// reads. The query functions have decided already that the viewer may see
// it; this opens it with the core's Privacy, at the place it was sealed.

/**
 * Opens sealed content with the key store: its plaintext, or `None` when
 * an owner was erased, when there is no key store, or when the value does
 * not open (altered, moved from its place, or not sealed by the store).
 */
export const reveal =
  (keys: KeyStore.KeyStoreService | undefined): Reveal =>
  (cell) => {
    if (keys === undefined) return Effect.succeed(Option.none())
    return Privacy.openSealed(
      cell.value,
      cell.kind,
      { organisation: cell.organisation, stream: cell.stream, eventId: cell.eventId, path: cell.path },
      cell.erased
    ).pipe(
      Effect.provideService(KeyStore.KeyStore, keys),
      Effect.map((opened) => (typeof opened === "string" ? Option.some(opened) : Option.none<string>())),
      Effect.catchTag("SealedContentError", () => Effect.succeed(Option.none<string>()))
    )
  }
