// The installed autossh runs a fake ssh (AUTOSSH_PATH) that records its argv and exits 0, so
// autossh stops: the ssh command line autossh -M really builds, then detected as a session.
import { execFile } from 'node:child_process'
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { detectAll } from '@engine/detect/index'
import { ctx, proc, sock } from '../unit/detect/helpers'
import { findProgram } from '../support/find-program'

const autossh = findProgram('autossh')
let dir = ''

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'autossh-monitor-'))
  const ssh = join(dir, 'ssh')
  writeFileSync(ssh, `#!/bin/sh\nfor a in "$0" "$@"; do printf '%s\\0' "$a"; done > '${dir}/argv'\nexit 0\n`)
  chmodSync(ssh, 0o755)
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** The ssh argv autossh runs for these arguments. */
function sshArgvOf(args: string[]): Promise<string[]> {
  const env = { ...process.env, AUTOSSH_PATH: join(dir, 'ssh'), AUTOSSH_GATETIME: '0', AUTOSSH_MAXSTART: '1' }
  return new Promise((resolve, reject) => {
    execFile(autossh ?? 'autossh', args, { env, timeout: 20_000 }, (err) => {
      if (err) reject(new Error(`autossh failed: ${err.message}`))
      else resolve(readFileSync(join(dir, 'argv'), 'utf8').split('\0').slice(0, -1))
    })
  })
}

describe.skipIf(autossh === null)(`autossh -M (${autossh ?? 'autossh not installed'})`, () => {
  it.each<[string[], boolean]>([
    [['-M', '20000', '-N', 'alice@bastion'], false],
    [['-M', '20000:20005', '-N', 'alice@bastion'], false],
    [['-M', '20000', '-N', '-L', '5432:db:5432', 'alice@bastion'], true],
    [['-M', '0', '-N', '-L', '5432:db:5432', 'alice@bastion'], true],
  ])('autossh %j: tunnel %s', async (args, tunnel) => {
    const sshArgv = await sshArgvOf(args)
    const a = proc(1500, ['autossh', ...args])
    const s = proc(1501, ['/usr/bin/ssh', ...sshArgv.slice(1)], { ppid: 1500 })
    const [d] = detectAll(ctx([a, s], [sock(1501, '10.0.0.1', 22)]))
    expect(d).toMatchObject({ client: 'autossh', host: 'bastion', user: 'alice' })
    expect(d?.flags.includes('tunnel')).toBe(tunnel)
  })
})
