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
      forwards: 0,
      tunnel: false,
    })
    expect(parseSshG('controlmaster false\ncontrolpath none\n')).toMatchObject({
      controlPath: null,
      controlMaster: 'false',
    })
  })

  // lines as OpenSSH 9.2p1 (Debian 12) prints them for
  // `ssh -G -N -L 8080:localhost:80 -R 9000:x:22 -D 1080 somehost`, and with -w any
  it('counts the forwards and reads the tunnel mode', () => {
    const forwarding = [
      'clearallforwardings no',
      'sessiontype none',
      'tunnel false',
      'dynamicforward 1080',
      'localforward 8080 [localhost]:80',
      'remoteforward 9000 [x]:22',
      'tunneldevice any:any',
    ].join('\n')
    expect(parseSshG(forwarding)).toMatchObject({ forwards: 3, tunnel: false })
    // after ClearAllForwardings=yes ssh -G prints no forward lines at all
    expect(parseSshG('clearallforwardings yes\ntunnel false\n')).toMatchObject({ forwards: 0, tunnel: false })
    expect(parseSshG('tunnel point-to-point\ntunneldevice any:any\n')).toMatchObject({ tunnel: true })
  })

  it('asks once per process, with its options and never its remote command, only for this user', async () => {
    const calls: string[][] = []
    const sshG: SshG = (_ssh, args) => {
      calls.push([...args])
      return Promise.resolve('controlmaster auto\ncontrolpath /tmp/cm\n')
    }
    const r = new SshConfigResolver(sshG)
    const a = proc(10, ['ssh', '-F', '/cfg', 'prod', 'rm', '-rf', '/tmp/x'])
    const b = proc(11, ['ssh', '-S', '/tmp/explicit', '-L', '1:h:2', 'prod']) // says it all already
    const c = proc(12, ['ssh', 'other'], { uid: 0 }) // another user's
    const d = proc(13, ['vim', '/root/.ssh/config'], { exe: '/usr/bin/vim', comm: 'vim' })
    const e = proc(14, ['ssh', '-G', 'prod']) // a query, not a session
    const first = await r.resolve(snap(a, b, c, d, e), 1000)
    expect(calls).toEqual([['-F', '/cfg', 'prod']])
    expect(first.get(10)).toEqual({
      startTime: a.startTime,
      controlPath: '/tmp/cm',
      controlMaster: 'auto',
      forwards: 0,
      tunnel: false,
    })
    await r.resolve(snap(a, b, c, d, e), 1000)
    expect(calls).toHaveLength(1) // cached by pid + start time
    // the pid is reused by a new ssh: asked again
    await r.resolve(snap({ ...a, startTime: a.startTime + 1 }), 1000)
    expect(calls).toHaveLength(2)
  })

  it('asks an ssh naming its ControlPath but no forwards: ssh_config may add some to -N', async () => {
    const calls: string[][] = []
    const r = new SshConfigResolver((_ssh, args) => {
      calls.push([...args])
      return Promise.resolve('localforward 8080 [localhost]:80\n')
    })
    const p = proc(20, ['ssh', '-S', '/tmp/explicit', '-N', 'prod'])
    const got = await r.resolve(snap(p), 1000)
    expect(calls).toEqual([['-S', '/tmp/explicit', '-N', 'prod']])
    expect(got.get(20)).toMatchObject({ forwards: 1, tunnel: false })
  })
})
