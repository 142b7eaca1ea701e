import { spawn, type ChildProcess } from 'node:child_process'
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createProbe } from '@engine/probe'
import type { ProcessInfo } from '@engine/probe/types'
import { parentChain } from '@engine/session-details'
import { SshJumpLookup } from '@engine/ssh-jump'
import { BIN, descendants, waitFor } from '../support/peers'

// The details drawer's two OS readings (issue 15) against the real thing: ProxyJump from a temp
// ssh_config through the installed `ssh -G` (offline: -G never connects), and where the parent chain
// ends on real process chains read from /proc.

let dir: string
const children: ChildProcess[] = []
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'warden-details-'))
  writeFileSync(
    join(dir, 'cfg'),
    'Host prod\n  HostName 10.0.0.5\n  ProxyJump alice@bastion.example:2222,gw\nHost direct\n  HostName 10.0.0.6\n',
  )
  writeFileSync(join(dir, 'broken'), 'Host prod\n  NoSuchOption yes\n')
})
afterEach(() => {
  for (const c of children.splice(0)) if (c.pid !== undefined) process.kill(-c.pid, 'SIGKILL')
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const probe = createProbe('linux')
const uid = process.getuid?.() ?? 0

/** A process group of its own (detached: setsid), so afterEach ends the whole chain. */
function start(file: string, args: string[], cwd = dir): ChildProcess {
  const c = spawn(file, args, { cwd, detached: true, stdio: 'ignore' })
  children.push(c)
  return c
}

/** The one `sleep` below `root`, read through the engine's own probe. */
async function sleeper(root: number): Promise<ProcessInfo> {
  return waitFor(
    async () => {
      for (const pid of await descendants(root)) {
        const p = await probe.readProcess(pid)
        if (p?.comm === 'sleep') return p
      }
      return undefined
    },
    10_000,
    'the sleep at the end of the chain',
  )
}

describe('ProxyJump from ssh_config (the real ssh -G)', () => {
  const ssh = (argv: string[], pid = process.pid): ProcessInfo => ({
    pid,
    ppid: 1,
    uid,
    startTime: 0,
    exe: BIN.ssh,
    argv,
    comm: 'ssh',
  })

  it('a Host block’s ProxyJump; none for a direct host; a config ssh refuses gives null', async () => {
    const jumps = new SshJumpLookup()
    expect(await jumps.hops(ssh(['ssh', '-F', join(dir, 'cfg'), 'prod', 'uptime']))).toEqual([
      { user: 'alice', host: 'bastion.example', port: 2222 },
      { user: null, host: 'gw', port: null },
    ])
    expect(await jumps.hops(ssh(['ssh', '-F', join(dir, 'cfg'), 'direct']))).toEqual([])
    expect(await jumps.hops(ssh(['ssh', '-F', join(dir, 'broken'), 'prod']))).toBeNull()
  })

  it('a relative -F is read in the client’s own working directory', async () => {
    // the client (a stand-in process) runs in `dir`, where cfg is; this test process does not
    expect(process.cwd()).not.toBe(dir)
    const c = start('sleep', ['30'])
    const jumps = new SshJumpLookup()
    expect(await jumps.hops(ssh(['ssh', '-F', 'cfg', 'prod'], c.pid))).toHaveLength(2)
  })
})

describe('parent chain on real processes', () => {
  it('ends at a launcher: sleep ← bash ← xterm (a copy of bash named xterm)', async () => {
    const xterm = join(dir, 'xterm')
    copyFileSync(BIN.bash, xterm)
    // `; :` keeps each shell from exec'ing its last command, so the chain stays three deep
    const top = start(xterm, ['-c', 'bash -c "sleep 30; :"; :'])
    const client = await sleeper(top.pid ?? -1)
    const chain = await parentChain(probe, client)
    expect(chain.map((a) => a.comm)).toEqual(['bash', 'xterm'])
    expect(chain.at(-1)?.pid).toBe(top.pid)
  })

  it('ends one above a session leader: sleep ← sh ← bash (setsid) ← this test process', async () => {
    const top = start(BIN.bash, ['-c', 'sh -c "sleep 30; :"; :'])
    const client = await sleeper(top.pid ?? -1)
    const chain = await parentChain(probe, client)
    expect(chain.map((a) => a.pid).slice(1)).toEqual([top.pid, process.pid])
    expect(chain[0]?.comm).toBe('sh')
  })
})
