// The end of a pty's output survives its program's exit (src/main/recording/pty-ssh.ts
// drainAfterExit): node-pty alone lost ~10 KB at the end of a 15 MB `cat` in most runs on this kernel
// (microsoft/node-pty#72, #726). A real `cat` under a real pty, five times in a row.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { spawn } from 'node-pty'
import { drainAfterExit } from '../../../src/main/recording/pty-ssh'

let dir = ''
const LINES = 100_000
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-drain-'))
  fs.writeFileSync(path.join(dir, 'payload'), `${'x'.repeat(75)}\n`.repeat(LINES))
})
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true })
})

it('reads every byte a fast-exiting program wrote to the pty, run after run', async () => {
  for (let i = 0; i < 5; i++) {
    const t = spawn('/bin/cat', [path.join(dir, 'payload')], { cols: 80, rows: 24, encoding: null, env: {} })
    drainAfterExit(t)
    let n = 0
    t.onData((d: string | Buffer) => (n += d.length))
    const code = await new Promise<number>((resolve) => t.onExit((e) => resolve(e.exitCode)))
    expect(code).toBe(0)
    // the pty turns each "\n" into "\r\n"
    expect(n).toBe(LINES * 77)
  }
})
