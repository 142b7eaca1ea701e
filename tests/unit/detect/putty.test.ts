// PuTTY's plink in the shapes where it serves another program: an ssh's ProxyCommand helper
// (issue 11, fault 5) and rsync's remote shell (fault 7).
import { describe, expect, it } from 'vitest'
import { detectAll } from '@engine/detect'
import type { Detected } from '@engine/detect/types'
import type { ProcessInfo, SocketInfo } from '@engine/probe/types'
import { ctx, proc, sock } from './helpers'

const all = (procs: ProcessInfo[], sockets: SocketInfo[]): Detected[] => detectAll(ctx(procs, sockets))

describe('plink as an ssh ProxyCommand helper', () => {
  // sshconnect.c runs the ProxyCommand through "exec …": plink's parent is the ssh itself
  const proxyCommand = 'ProxyCommand=plink -batch -P 2222 -l jump -hostkey SHA256:abc bastion -nc %h:%p'
  const ssh = proc(700, ['ssh', '-o', proxyCommand, 'lab'])
  const plink = proc(
    701,
    ['plink', '-batch', '-P', '2222', '-l', 'jump', '-hostkey', 'SHA256:abc', 'bastion', '-nc', 'lab:22'],
    { ppid: 700 },
  )

  it('is part of the ssh session, which is flagged jump: one row, not two', () => {
    const found = all([ssh, plink], [sock(701, '198.51.100.7', 2222)])
    expect(found).toHaveLength(1)
    expect(found[0]).toMatchObject({ client: 'ssh', resourceName: 'lab', flags: ['jump'], remotePort: 2222 })
    expect(found[0]?.root).toBe(ssh)
    expect(found[0]?.members).toEqual([plink])
  })

  it('also when the ProxyCommand comes from ssh_config (argv does not show it)', () => {
    const bare = proc(710, ['ssh', 'lab'])
    const helper = proc(711, plink.argv, { ppid: 710 })
    const found = all([bare, helper], [sock(711, '198.51.100.7', 2222)])
    expect(found.map((d) => [d.root.pid, d.flags])).toEqual([[710, ['jump']]])
  })

  it('a plink -nc started by anything but ssh stays a session of its own', () => {
    const shell = proc(720, ['bash'])
    const own = proc(721, plink.argv, { ppid: 720 })
    const found = all([shell, own], [sock(721, '198.51.100.7', 2222)])
    expect(found.map((d) => [d.root.pid, d.client])).toEqual([[721, 'plink']])
  })
})

describe('rsync -e plink', () => {
  it('is grouped like rsync -e ssh: rsync is the root, plink a member, flagged file-transfer', () => {
    const rsync = proc(800, ['rsync', '-av', '-e', 'plink -batch -P 2222', 'src/', 'deploy@web1:/srv/'])
    const plink = proc(
      801,
      [
        'plink',
        '-batch',
        '-P',
        '2222',
        '-l',
        'deploy',
        'web1',
        'rsync',
        '--server',
        '-vlogDtpre.iLsfxCIvu',
        '.',
        '/srv/',
      ],
      { ppid: 800 },
    )
    const found = all([rsync, plink], [sock(801, '10.0.0.3', 2222)])
    expect(found).toHaveLength(1)
    expect(found[0]).toMatchObject({
      client: 'rsync',
      resourceName: 'web1',
      user: 'deploy',
      flags: ['file-transfer'],
      key: `ssh:800:${rsync.startTime}`,
    })
    expect(found[0]?.root).toBe(rsync)
    expect(found[0]?.members).toEqual([plink])
  })
})
