import * as T from "../src/demo/texts.js"

/** Every non-empty confidential text the demo may write. */
const texts: ReadonlyArray<string> = Object.values(T)
  .flat()
  .filter((t) => t.length > 0)
export default texts
