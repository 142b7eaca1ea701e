import { describe, expect, it } from 'vitest'
import { parseSshG, SshConfigResolver, type SshG } from '@engine/ssh-config'
import type { ProcessInfo, Snapshot } from '@engine/probe/types'

const proc = (pid: number, argv: string[], over: Partial<ProcessInfo> = {}): ProcessInfo => ({
  pid,
  ppid: 1,
  uid: 1000,
  startTime: 1_000 + pid,
  exe: '/usr/bin/ssh',
  argv,
  comm: 'ssh',
  ...over,
})
const snap = (...ps: ProcessInfo[]): Snapshot => ({
  takenAt: 0,
  processes: new Map(ps.map((p) => [p.pid, p])),
  sockets: [],
})

describe('ssh -G', () => {
  it('parses the expanded control path and master setting', () => {
    expect(
      parseSshG('user root\ncontrolmaster auto\ncontrolpath /tmp/cm-root@10.0.0.1:22\nport 22\n'),
    ).toEqual({
      controlPath: '/tmp/cm-root@10.0.0.1:22',
      controlMaster: 'auto',
    })
    expect(parseSshG('controlmaster false\ncontrolpath none\n')).toEqual({
      controlPath: null,
      controlMaster: 'false',
    })
  })

  it('asks once per process, with its options and never its remote command, only for this user', async () => {
    const calls: string[][] = []
    const sshG: SshG = (_ssh, args) => {
      calls.push([...args])
      return Promise.resolve('controlmaster auto\ncontrolpath /tmp/cm\n')
    }
    const r = new SshConfigResolver(sshG)
    const a = proc(10, ['ssh', '-F', '/cfg', 'prod', 'rm', '-rf', '/tmp/x'])
    const b = proc(11, ['ssh', '-S', '/tmp/explicit', 'prod']) // says it already
    const c = proc(12, ['ssh', 'other'], { uid: 0 }) // another user's
    const d = proc(13, ['vim', '/root/.ssh/config'], { exe: '/usr/bin/vim', comm: 'vim' })
    const e = proc(14, ['ssh', '-G', 'prod']) // a query, not a session
    const first = await r.resolve(snap(a, b, c, d, e), 1000)
    expect(calls).toEqual([['-F', '/cfg', 'prod']])
    expect(first.get(10)).toEqual({ startTime: a.startTime, controlPath: '/tmp/cm', controlMaster: 'auto' })
    await r.resolve(snap(a, b, c, d, e), 1000)
    expect(calls).toHaveLength(1) // cached by pid + start time
    // the pid is reused by a new ssh: asked again
    await r.resolve(snap({ ...a, startTime: a.startTime + 1 }), 1000)
    expect(calls).toHaveLength(2)
  })
})
