import { describe, expect, it } from 'vitest'
import type { ProcessInfo } from '@engine/probe/types'
import type { SshG } from '@engine/ssh-config'
import { JUMP_TTL_MS, proxyJumpOfSshG, SshJumpLookup } from '@engine/ssh-jump'
import { parentChain } from '@engine/session-details'

// The drawer's ProxyJump hops (ssh-jump.ts) with a scripted `ssh -G`, and where the parent chain ends
// (session-details.ts parentChain) on a scripted process table. tests/process/session-details.test.ts
// holds both to the real ssh binary and real processes.

const UID = 1000

function client(argv: string[], extra: Partial<ProcessInfo> = {}): ProcessInfo {
  return { pid: 4242, ppid: 1, uid: UID, startTime: 0, exe: '/usr/bin/ssh', argv, comm: 'ssh', ...extra }
}

/** A scripted ssh -G: answers `out` and records each call. */
function scripted(out: string | null): { sshG: SshG; calls: { args: readonly string[]; cwd?: string }[] } {
  const calls: { args: readonly string[]; cwd?: string }[] = []
  const sshG: SshG = (_ssh, args, opts) => {
    calls.push({ args, ...(opts?.cwd === undefined ? {} : { cwd: opts.cwd }) })
    return Promise.resolve(out)
  }
  return { sshG, calls }
}

describe('SshJumpLookup', () => {
  it('reads ProxyJump from ssh -G with the client’s own options, not its remote command', async () => {
    const { sshG, calls } = scripted('user alice\nproxyjump alice@bastion:2222,gw\nport 22\n')
    const jumps = new SshJumpLookup({ sshG, uid: UID, platform: 'linux' })
    const hops = await jumps.hops(client(['ssh', '-F', '/etc/w/cfg', 'prod', 'uptime', '-x']))
    expect(hops).toEqual([
      { user: 'alice', host: 'bastion', port: 2222 },
      { user: null, host: 'gw', port: null },
    ])
    expect(calls).toEqual([{ args: ['-F', '/etc/w/cfg', 'prod'] }])
  })

  it('takes the command line’s -J or ProxyCommand without asking (the first value wins)', async () => {
    const { sshG, calls } = scripted('proxyjump other\n')
    const jumps = new SshJumpLookup({ sshG, uid: UID })
    expect(await jumps.hops(client(['ssh', '-J', 'hop:2200', 'prod']))).toEqual([
      { user: null, host: 'hop', port: 2200 },
    ])
    expect(await jumps.hops(client(['ssh', '-o', 'ProxyCommand=nc %h %p', 'prod']))).toEqual([])
    expect(calls).toEqual([])
  })

  it('a failed ssh -G, another user’s client or an invalid command line: null, nothing thrown', async () => {
    const failing = new SshJumpLookup({ sshG: scripted(null).sshG, uid: UID })
    expect(await failing.hops(client(['ssh', 'prod']))).toBeNull()
    const { sshG, calls } = scripted('proxyjump gw\n')
    const jumps = new SshJumpLookup({ sshG, uid: UID })
    expect(await jumps.hops(client(['ssh', 'prod'], { uid: UID + 1 }))).toBeNull()
    expect(await jumps.hops(client(['ssh', '-p', '0', 'prod']))).toBeNull()
    expect(await jumps.hops(client(['ssh', '-G', 'prod']))).toBeNull()
    expect(calls).toEqual([])
    expect(proxyJumpOfSshG('proxyjump -bad\n')).toBeNull()
    expect(proxyJumpOfSshG('user x\n')).toEqual([])
  })

  it('a relative -F is read where the client runs (/proc/PID/cwd on Linux; elsewhere null)', async () => {
    const { sshG, calls } = scripted('proxyjump gw\n')
    const linux = new SshJumpLookup({ sshG, uid: UID, platform: 'linux' })
    expect(await linux.hops(client(['ssh', '-F', 'cfg', 'prod']))).toHaveLength(1)
    expect(calls).toEqual([{ args: ['-F', 'cfg', 'prod'], cwd: '/proc/4242/cwd' }])
    const mac = new SshJumpLookup({ sshG, uid: UID, platform: 'darwin' })
    expect(await mac.hops(client(['ssh', '-F', 'cfg', 'prod']))).toBeNull()
    expect(calls).toHaveLength(1)
  })

  it('asks once per command line within the TTL, again after it', async () => {
    let now = 1_000_000
    const { sshG, calls } = scripted('proxyjump gw\n')
    const jumps = new SshJumpLookup({ sshG, uid: UID, now: () => now })
    const c = client(['ssh', 'prod'])
    await Promise.all([jumps.hops(c), jumps.hops(c)])
    now += JUMP_TTL_MS - 1
    await jumps.hops({ ...c, pid: 99 }) // another process with the same command line
    expect(calls).toHaveLength(1)
    await jumps.hops(client(['ssh', 'other']))
    expect(calls).toHaveLength(2)
    now += 1
    await jumps.hops(c)
    expect(calls).toHaveLength(3)
  })
})

/** A process table for parentChain; `sid` is the session leader's pid. */
function table(rows: [pid: number, ppid: number, sid: number, exe: string, argv?: string[]][]) {
  const procs = new Map<number, ProcessInfo>()
  for (const [pid, ppid, sid, exe, argv] of rows)
    procs.set(pid, {
      pid,
      ppid,
      sid,
      uid: UID,
      startTime: 0,
      exe,
      argv: argv ?? [exe],
      comm: exe.split('/').pop() ?? '',
    })
  return {
    readProcess: (pid: number) => Promise.resolve(procs.get(pid) ?? null),
    of: (pid: number) => procs.get(pid) as ProcessInfo,
  }
}

describe('parentChain: where the drawer’s “Started by” ends', () => {
  it('at a launcher (the terminal), included', async () => {
    // nobody here leads a session (all in session 5): only the launcher ends the walk
    const t = table([
      [10, 9, 5, '/usr/bin/ssh'],
      [9, 8, 5, '/usr/bin/bash'],
      [8, 7, 5, '/usr/bin/bash'],
      [7, 6, 5, '/usr/libexec/gnome-terminal-server'],
      [6, 5, 5, '/usr/bin/dbus-daemon'],
      [5, 1, 5, '/usr/bin/gnome-session'],
    ])
    expect((await parentChain(t, t.of(10))).map((a) => a.pid)).toEqual([9, 8, 7])
  })

  it('one above a session leader: its parent (an unknown terminal) is named, nothing further', async () => {
    const t = table([
      [20, 19, 19, '/usr/bin/ssh'],
      [19, 18, 19, '/usr/bin/zsh'],
      [18, 17, 17, '/opt/ghostty/bin/ghostty'],
      [17, 16, 16, '/usr/bin/gnome-shell'],
      [16, 1, 16, '/usr/lib/systemd/systemd', ['/usr/lib/systemd/systemd', '--user']],
    ])
    expect((await parentChain(t, t.of(20))).map((a) => a.pid)).toEqual([19, 18])
  })

  it('before systemd --user and at pid 1: they are above every process', async () => {
    const t = table([
      [30, 29, 28, '/usr/bin/ssh'],
      [29, 28, 28, '/usr/bin/python3'],
      [28, 27, 27, '/usr/lib/systemd/systemd', ['/usr/lib/systemd/systemd', '--user']],
      [27, 1, 1, '/usr/lib/systemd/systemd'],
    ])
    expect((await parentChain(t, t.of(30))).map((a) => a.pid)).toEqual([29])
    const direct = table([
      [40, 39, 40, '/usr/bin/ssh'],
      [39, 1, 39, '/usr/bin/cronish'],
    ])
    expect((await parentChain(direct, direct.of(40))).map((a) => a.pid)).toEqual([39])
  })
})
