/**
 * One child process of `pnpm bench`: runs one task (`Task.ts`) and ends. A
 * fresh process per run, so that its peak RSS is that run's alone and no
 * JIT or cache state carries over.
 *
 * The task comes as the first IPC message; the outcome goes back as one.
 */
import type { Job, Prepare } from "./Plan.js"
import { type Context, runTask } from "./Task.js"

process.once("message", (message: { readonly task: Job | Prepare; readonly context: Context }) => {
  void runTask(message.task, message.context).then((result) => process.send!(result, () => process.exit(0)))
})
