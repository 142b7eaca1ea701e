import { createInterface } from 'node:readline/promises'
import { runCli } from './cli'

// The `warden` command: process I/O around runCli.
const controller = new AbortController()
process.once('SIGINT', () => controller.abort())
process.once('SIGTERM', () => controller.abort())

// A reader that goes away (`warden watch --json | head -c 100`) makes the next write fail with
// EPIPE, emitted as an 'error' event: unhandled, Node prints a stack trace and exits 1. A closed
// output instead ends the command quietly (watch stops its engine and closes the database) and the
// exit status is the command's own; later lines go nowhere.
let outOpen = true
let errOpen = true
process.stdout.on('error', () => {
  outOpen = false
  controller.abort()
})
process.stderr.on('error', () => {
  errOpen = false
})

const interactive = process.stdin.isTTY && process.stderr.isTTY
const code = await runCli(process.argv.slice(2), {
  out: (l) => {
    if (outOpen) process.stdout.write(`${l}\n`)
  },
  err: (l) => {
    if (errOpen) process.stderr.write(`${l}\n`)
  },
  env: process.env,
  stop: controller.signal,
  confirm: interactive
    ? async (q) => {
        const rl = createInterface({ input: process.stdin, output: process.stderr })
        try {
          return /^y(es)?$/i.test((await rl.question(q)).trim())
        } finally {
          rl.close()
        }
      }
    : null,
})
process.exitCode = code
