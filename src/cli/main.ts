import { createInterface } from 'node:readline/promises'
import { runCli } from './cli'

// The `warden` command: process I/O around runCli.
const controller = new AbortController()
process.once('SIGINT', () => controller.abort())
process.once('SIGTERM', () => controller.abort())

const interactive = process.stdin.isTTY && process.stderr.isTTY
const code = await runCli(process.argv.slice(2), {
  out: (l) => process.stdout.write(`${l}\n`),
  err: (l) => process.stderr.write(`${l}\n`),
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
