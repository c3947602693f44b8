import { createLedger } from "@mentor-ledger/core"
import { playHeadmastersStory } from "./story.js"

const ledger = createLedger()
console.log("Headmasters as Mentors: one mentorship from request to follow-up\n")
await playHeadmastersStory(ledger, (line) => {
  const mark = line.kind === "ok" ? "  ok     " : "  REFUSED"
  console.log(`${mark} ${line.command.padEnd(24)} phase: ${line.phase.padEnd(10)} ${line.detail}`)
})
let count = 0
for await (const _ of ledger.readAll()) count++
console.log(`\n${count} events recorded.`)
await ledger.close()
