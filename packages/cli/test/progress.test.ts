import { describe, expect, it } from "vitest"
import * as Progress from "../src/progress.js"
import { Capture } from "./support.js"

const io = (tty: boolean, env: Record<string, string> = {}) => {
  const stderr = new Capture()
  stderr.isTTY = tty
  return { io: { stdout: new Capture(), stderr, env }, stderr }
}

describe("progress", () => {
  it("draws a bar with events per second and the time left on a terminal", () => {
    let t = 0
    const { io: out, stderr } = io(true)
    const p = Progress.make(out, "rebuild", 10_000, 0, () => t)
    t = 1000
    p.update(2500)
    expect(stderr.text).toBe(
      "\rrebuild [#######.....................]  25% 2,500/10,000 events, 2,500 events/s, ETA 3.0 s\u001b[K"
    )
    t = 1050
    p.update(2600) // redrawn at most every 100 ms
    expect(stderr.text.split("\r")).toHaveLength(2)
    t = 4000
    p.finish(10_000, "5 batches")
    expect(
      stderr.text.endsWith("\rrebuild: 10,000 events in 4.0 s (2,500 events/s); 5 batches\u001b[K\n")
    ).toBe(true)
  })

  it("writes plain lines, not too often, when not on a terminal", () => {
    let t = 0
    const { io: out, stderr } = io(false)
    const p = Progress.make(out, "replay", 1000, 200, () => t)
    t = 2500
    p.update(600)
    t = 3000
    p.update(700)
    expect(stderr.text).toBe("replay: 600/1,000 events (60%), 160 events/s, ETA 2.5 s\n")
    expect(stderr.text).not.toContain("\r")
  })
})
