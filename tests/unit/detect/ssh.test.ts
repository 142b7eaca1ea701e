import { describe, expect, it } from 'vitest'
import { detectAll } from '@engine/detect/index'
import { hostFromControlPath } from '@engine/detect/ssh-control-path'
import type { Detected, SshEffectiveConfig } from '@engine/detect/types'
import { ctx, padded, proc, sock } from './helpers'
import type { ProcessInfo, SocketInfo } from '@engine/probe/types'

const only = (procs: ProcessInfo[], sockets: SocketInfo[] = []): Detected => {
  const found = detectAll(ctx(procs, sockets))
  expect(found).toHaveLength(1)
  const d = found[0]
  if (!d) throw new Error('no session')
  return d
}
const none = (procs: ProcessInfo[], sockets: SocketInfo[] = []): void => {
  expect(detectAll(ctx(procs, sockets))).toEqual([])
}

describe('ssh: plain sessions', () => {
  it('one ssh with its connection', () => {
    const p = proc(100, ['ssh', 'alice@web1.example'])
    const s = sock(100, '203.0.113.7', 22, { local: '192.168.1.10', localPort: 51000 })
    const d = only([p], [s])
    expect(d).toEqual({
      key: `ssh:100:${p.startTime}`,
      resourceType: 'ssh',
      resourceName: 'web1.example',
      host: 'web1.example',
      user: 'alice',
      client: 'ssh',
      root: p,
      members: [],
      sockets: [s],
      remoteAddress: '203.0.113.7',
      remotePort: 22,
      localAddress: '192.168.1.10',
      flags: [],
      endable: true,
      resourceId: null,
    })
  })

  it.each<[string[], string, string | null, number]>([
    [['ssh', 'prod'], 'prod', null, 22],
    [['ssh', '-l', 'deploy', 'prod'], 'prod', 'deploy', 22],
    [['ssh', '-p', '2222', 'bob@10.0.0.5'], '10.0.0.5', 'bob', 2222],
    [['ssh', 'prod', '-p2222', 'uptime'], 'prod', null, 2222],
    [['ssh', 'ssh://ops@db.example:2200'], 'db.example', 'ops', 2200],
    [['ssh', '-o', 'HostName=10.9.9.9', '-o', 'User=svc', 'nas'], 'nas', 'svc', 22],
    [['/usr/bin/ssh', '-t', 'alice@db1', 'sudo', '-i'], 'db1', 'alice', 22],
  ])('%j', (argv, host, user, port) => {
    const d = only([proc(100, argv)], [sock(100, '10.0.0.5', port)])
    expect([d.resourceName, d.host, d.user, d.remotePort]).toEqual([host, host, user, port])
  })

  it('IPv6 destination and connection', () => {
    const d = only(
      [proc(100, ['ssh', 'alice@2001:db8::5'])],
      [sock(100, '2001:db8::5', 22, { local: '2001:db8::10' })],
    )
    expect(d).toMatchObject({
      host: '2001:db8::5',
      user: 'alice',
      remoteAddress: '2001:db8::5',
      localAddress: '2001:db8::10',
    })
  })

  it('Windows OpenSSH (backslash path, .exe, any case)', () => {
    const p = proc(100, ['ssh.exe', 'admin@srv01'], { exe: 'C:\\Windows\\System32\\OpenSSH\\SSH.EXE' })
    expect(only([p], [sock(100, '10.1.1.1', 22)])).toMatchObject({ host: 'srv01', client: 'ssh' })
  })

  it('an upgraded binary ("/usr/bin/ssh (deleted)") and an unreadable exe still count', () => {
    only([proc(100, ['ssh', 'a'], { exe: '/usr/bin/ssh (deleted)' })], [sock(100, '10.0.0.1', 22)])
    only([proc(100, ['ssh', 'a'], { exe: '' })], [sock(100, '10.0.0.1', 22)])
  })

  it('keeps the uid (other users are the engine’s call)', () => {
    expect(only([proc(100, ['ssh', 'h'], { uid: 1234 })], [sock(100, '10.0.0.1', 22)]).root.uid).toBe(1234)
  })

  it('sockets shared after fork (ssh -f): one session, rooted at the child that lives on', () => {
    const parent = proc(100, ['ssh', '-f', '-N', '-L', '8080:localhost:80', 'web1'])
    const child = proc(101, ['ssh', '-f', '-N', '-L', '8080:localhost:80', 'web1'], { ppid: 100 })
    const d = only([parent, child], [sock([100, 101], '10.0.0.1', 22)])
    expect(d.root.pid).toBe(101)
    expect(d.members.map((m) => m.pid)).toEqual([100])
  })

  it('key is stable and built from pid and start time', () => {
    const p = proc(4242, ['ssh', 'h'], { startTime: 1_700_000_123_456 })
    expect(only([p], [sock(4242, '10.0.0.1', 22)]).key).toBe('ssh:4242:1700000123456')
  })
})

describe('ssh: not sessions', () => {
  const s = (pid: number): SocketInfo => sock(pid, '10.0.0.1', 22)
  it.each<[string, ProcessInfo]>([
    [
      'sshd listener',
      proc(10, ['sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups'], { exe: '/usr/sbin/sshd' }),
    ],
    ['sshd session', proc(10, ['sshd: alice@pts/0'], { exe: '/usr/sbin/sshd' })],
    ['sshd priv', proc(10, ['sshd: alice [priv]'], { exe: '/usr/sbin/sshd' })],
    ['sshd notty', proc(10, padded('sshd: root@notty'), { exe: '/usr/sbin/sshd' })],
    ['sshd, exe unreadable', proc(10, ['sshd: alice@pts/0'], { exe: '' })],
    [
      'sshd-session (OpenSSH 9.8+)',
      proc(10, ['sshd-session: alice@pts/1'], { exe: '/usr/lib/openssh/sshd-session' }),
    ],
    ['ssh-agent', proc(10, ['ssh-agent', '-s'])],
    ['ssh-keygen', proc(10, ['ssh-keygen', '-R', 'web1'])],
    ['ssh-add', proc(10, ['ssh-add', '-l'])],
    ['ssh-keyscan', proc(10, ['ssh-keyscan', 'web1'])],
    ['ssh -G', proc(10, ['ssh', '-G', 'web1'])],
    ['ssh -V', proc(10, ['ssh', '-V'])],
    ['ssh -Q', proc(10, ['ssh', '-Q', 'cipher'])],
    ['ssh -O check', proc(10, ['ssh', '-O', 'check', 'web1'])],
    ['ssh -O exit', proc(10, ['ssh', '-S', '/tmp/cm', '-O', 'exit', 'web1'])],
    ['ssh -O stop', proc(10, ['ssh', '-Ostop', 'web1'])],
    ['ssh -O forward', proc(10, ['ssh', '-O', 'forward', '-L', '1:h:2', 'web1'])],
    ['ssh -O cancel', proc(10, ['ssh', '-O', 'cancel', '-L', '1:h:2', 'web1'])],
    ['editor on ~/.ssh/config', proc(10, ['vim', '/home/alice/.ssh/config'])],
    ['grep ssh', proc(10, ['grep', 'ssh'])],
    ['shell running ssh', proc(10, ['bash', '-c', 'ssh web1'])],
    ['exe is something else, argv says ssh', proc(10, ['ssh', 'web1'], { exe: '/usr/bin/python3.11' })],
    ['sshpass wrapper itself', proc(10, ['sshpass', '-p', 'x', 'ssh', 'web1'])],
  ])('%s', (_name, p) => {
    none([p], [s(p.pid)])
  })

  it('a client without an established connection yet (resolving, refused, SYN-SENT)', () => {
    none([proc(10, ['ssh', 'alice@web1'])])
    none([
      proc(10, ['ssh', '-J', 'bastion', 'web1']),
      proc(11, ['ssh', '-W', '[web1]:22', 'bastion'], { ppid: 10 }),
    ])
  })

  it('our own process', () => {
    expect(detectAll(ctx([proc(10, ['ssh', 'web1'])], [s(10)], { selfPid: 10 }))).toEqual([])
  })

  it('an inbound connection owned by sshd', () => {
    none(
      [proc(10, ['sshd: bob@pts/3'], { exe: '/usr/sbin/sshd' })],
      [sock(10, '198.51.100.9', 53211, { localPort: 22 })],
    )
  })
})

describe('ssh: ProxyJump is one session', () => {
  // observed: ssh -J jumpuser@127.0.0.1:2222 alice@target.example -p 2200
  const parent = proc(200, [
    'ssh',
    '-o',
    'BatchMode=yes',
    '-J',
    'jumpuser@127.0.0.1:2222',
    'alice@target.example',
    '-p',
    '2200',
  ])
  const child = proc(
    201,
    ['ssh', '-l', 'jumpuser', '-p', '2222', '-W', '[target.example]:2200', '127.0.0.1'],
    { ppid: 200 },
  )
  const s = sock(201, '127.0.0.1', 2222, { local: '127.0.0.1' })

  it('root = the parent, the -W child holds the socket and is a member', () => {
    const d = only([parent, child], [s])
    expect(d).toMatchObject({
      key: `ssh:200:${parent.startTime}`,
      resourceName: 'target.example',
      host: 'target.example',
      user: 'alice',
      client: 'ssh',
      remoteAddress: '127.0.0.1', // the jump host
      remotePort: 2222,
      flags: ['jump'],
    })
    expect(d.root).toBe(parent)
    expect(d.members).toEqual([child])
    expect(d.sockets).toEqual([s])
  })

  it('two hops: a chain of -W helpers, still one session', () => {
    // observed: ssh -J u1@127.0.0.1:2222,127.0.0.1:2223 bob@final
    const top = proc(300, ['ssh', '-J', 'u1@127.0.0.1:2222,127.0.0.1:2223', 'bob@final'])
    const mid = proc(301, ['ssh', '-p', '2223', '-J', 'u1@127.0.0.1:2222', '-W', '[final]:22', '127.0.0.1'], {
      ppid: 300,
    })
    const last = proc(302, ['ssh', '-l', 'u1', '-p', '2222', '-W', '[127.0.0.1]:2223', '127.0.0.1'], {
      ppid: 301,
    })
    const d = only([top, mid, last], [sock(302, '127.0.0.1', 2222)])
    expect(d).toMatchObject({ resourceName: 'final', user: 'bob', remotePort: 2222, flags: ['jump'] })
    expect(d.root).toBe(top)
    expect(d.members.map((m) => m.pid)).toEqual([301, 302])
  })

  it('ProxyCommand "ssh -W %h:%p bastion" (observed child: ssh -W pc-target:22 -p 2223 127.0.0.1)', () => {
    const top = proc(400, ['ssh', '-o', 'ProxyCommand=ssh -W %h:%p -p 2223 127.0.0.1', 'pc-target'])
    const helper = proc(401, ['ssh', '-W', 'pc-target:22', '-p', '2223', '127.0.0.1'], { ppid: 400 })
    const d = only([top, helper], [sock(401, '127.0.0.1', 2223)])
    expect(d).toMatchObject({ resourceName: 'pc-target', flags: ['jump'], remotePort: 2223 })
    expect(d.root).toBe(top)
  })

  it('ProxyCommand through nc: the helper holds the socket, ssh is the root', () => {
    const top = proc(500, ['ssh', '-o', 'ProxyCommand=nc -X 5 -x proxy:1080 %h %p', 'web1'])
    const nc = proc(501, ['nc', '-X', '5', '-x', 'proxy:1080', 'web1', '22'], { ppid: 500 })
    const d = only([top, nc], [sock(501, '10.0.0.99', 1080)])
    expect(d).toMatchObject({ resourceName: 'web1', remoteAddress: '10.0.0.99', flags: [] })
    expect(d.root).toBe(top)
    expect(d.members).toEqual([nc])
  })

  it('ProxyJump with local forwards: the server connection wins over forwarded ones', () => {
    const top = proc(600, ['ssh', '-J', 'bastion', '-L', '8080:intranet:80', 'web1'])
    const helper = proc(601, ['ssh', '-W', '[web1]:22', 'bastion'], { ppid: 600 })
    const accepted = sock(600, '127.0.0.1', 51234, { local: '127.0.0.1', localPort: 8080 })
    const server = sock(601, '198.51.100.1', 22)
    const d = only([top, helper], [accepted, server])
    expect(d.sockets).toEqual([server, accepted])
    expect(d.remoteAddress).toBe('198.51.100.1')
    expect(d.flags).toEqual(['tunnel', 'jump'])
  })
})

describe('ssh: ControlMaster multiplexing', () => {
  const CP = '/tmp/sshdt/cm-%r@%h:%p'
  const PATH = '/tmp/sshdt/cm-root@127.0.0.1:2022'
  // observed: the ControlPersist master and its creator share the socket
  const master = proc(700, padded(`ssh: ${PATH} [mux]`), { exe: '/usr/bin/ssh' })
  const creator = proc(690, [
    'ssh',
    '-F',
    '/tmp/sshdt/ssh_config',
    '-o',
    'ControlMaster=auto',
    '-o',
    'ControlPersist=60',
    '-o',
    `ControlPath=${CP}`,
    'myalias',
    'sleep',
    '30',
  ])
  const client1 = proc(710, [
    'ssh',
    '-F',
    '/tmp/sshdt/ssh_config',
    '-o',
    'ControlMaster=auto',
    '-o',
    `ControlPath=${CP}`,
    'myalias',
    'sleep',
    '31',
  ])
  const client2 = proc(720, ['ssh', '-F', '/tmp/sshdt/ssh_config', '-S', PATH, 'myalias', 'sleep', '32'])
  const shared = sock([700, 690], '127.0.0.1', 2022, { local: '127.0.0.1' })

  it('master + creator + 2 clients = one session with members', () => {
    const d = only([master, creator, client1, client2], [shared])
    expect(d).toMatchObject({
      key: `ssh:700:${master.startTime}`,
      resourceName: 'myalias',
      host: 'myalias',
      client: 'ssh',
      remotePort: 2022,
      flags: ['multiplexed'],
    })
    expect(d.root).toBe(master)
    expect(d.members.map((m) => m.pid)).toEqual([690, 710, 720])
  })

  it('a background master with the creator gone takes the name from the first client', () => {
    const d = only([master, client2, client1], [sock(700, '127.0.0.1', 2022)])
    expect(d.resourceName).toBe('myalias')
    expect(d.members.map((m) => m.pid)).toEqual([710, 720])
  })

  it('a background master alone: host (and user) from the control path', () => {
    const d = only([master], [sock(700, '127.0.0.1', 2022)])
    expect(d).toMatchObject({
      resourceName: '127.0.0.1',
      host: '127.0.0.1',
      user: 'root',
      flags: ['multiplexed'],
    })
    expect(d.members).toEqual([])
  })

  it('a background master with a hashed path (%C): the remote address', () => {
    const m = proc(700, [`ssh: /home/a/.ssh/cm/6b1f0a2dd1a0e4c1e0a5c9b8f7e6d5c4b3a29180 [mux]`], {
      exe: '/usr/bin/ssh',
    })
    expect(only([m], [sock(700, '198.51.100.4', 22)]).resourceName).toBe('198.51.100.4')
  })

  it('the proctitle is recognized without exe (other user) and as one argv string', () => {
    const m = proc(700, [`ssh: ${PATH} [mux]`], { exe: '' })
    expect(only([m], [sock(700, '127.0.0.1', 2022)]).flags).toEqual(['multiplexed'])
  })

  it('a foreground master (no ControlPersist) with a client', () => {
    const fg = proc(800, ['ssh', '-M', '-S', '~/.ssh/cm-%r@%h:%p', 'alice@db1'])
    const cl = proc(810, ['ssh', '-S', '/home/alice/.ssh/cm-alice@db1:22', 'db1', 'uptime'])
    const d = only([fg, cl], [sock(800, '10.0.0.8', 22)])
    expect(d).toMatchObject({ resourceName: 'db1', user: 'alice', flags: ['multiplexed'] })
    expect(d.root).toBe(fg)
    expect(d.members).toEqual([cl])
  })

  it('a master by argv without clients is still flagged multiplexed', () => {
    const fg = proc(800, ['ssh', '-o', 'ControlMaster=auto', '-o', 'ControlPath=~/.ssh/%C', 'db1'])
    expect(only([fg], [sock(800, '10.0.0.8', 22)]).flags).toEqual(['multiplexed'])
  })

  it('ControlMaster=no with a path is not a master', () => {
    const fg = proc(800, ['ssh', '-o', 'ControlMaster=no', '-o', 'ControlPath=~/.ssh/%C', 'db1'])
    expect(only([fg], [sock(800, '10.0.0.8', 22)]).flags).toEqual([])
  })

  it('two masters with the same template: each client goes to its own host', () => {
    const mA = proc(900, ['ssh: /home/a/.ssh/cm-a@web1:22 [mux]'], { exe: '/usr/bin/ssh' })
    const mB = proc(901, ['ssh: /home/a/.ssh/cm-a@web2:22 [mux]'], { exe: '/usr/bin/ssh' })
    const cA = proc(910, ['ssh', '-o', 'ControlPath=~/.ssh/cm-%r@%h:%p', 'web1', 'ls'])
    const cB = proc(911, ['ssh', '-o', 'ControlPath=~/.ssh/cm-%r@%h:%p', 'web2', 'ls'])
    const found = detectAll(ctx([mA, mB, cA, cB], [sock(900, '10.0.0.1', 22), sock(901, '10.0.0.2', 22)]))
    expect(found.map((d) => [d.root.pid, d.resourceName, d.members.map((m) => m.pid)])).toEqual([
      [900, 'web1', [910]],
      [901, 'web2', [911]],
    ])
  })

  it('a client whose ControlPath comes from ssh_config matches by host name', () => {
    const fg = proc(800, [
      'ssh',
      '-o',
      'ControlMaster=auto',
      '-o',
      'ControlPath=~/.ssh/cm-%C',
      '-o',
      'ControlPersist=5m',
      'db1',
    ])
    const cl = proc(810, ['ssh', 'db1', 'df', '-h'])
    const other = proc(820, ['ssh', 'db2']) // no socket, no master: not a session, not a member
    const d = only([fg, cl, other], [sock(800, '10.0.0.8', 22)])
    expect(d.members).toEqual([cl])
  })

  it('ControlPath with ${ENV}, %C and %% in the client template', () => {
    const m = proc(940, ['ssh: /run/user/1000/ssh-%-6b1f0a2dd1 [mux]'], { exe: '/usr/bin/ssh' })
    const c = proc(941, ['ssh', '-o', 'ControlPath=${XDG_RUNTIME_DIR}/ssh-%%-%C', 'db9'])
    const other = proc(942, ['ssh', '-o', 'ControlPath=${XDG_RUNTIME_DIR}/other-%C', 'db9'])
    const d = only([m, c, other], [sock(940, '10.0.0.9', 22)])
    expect(d.members).toEqual([c])
    expect(d.resourceName).toBe('db9')
  })

  it('clients of a master that is not there are nothing', () => {
    none([
      proc(710, ['ssh', '-S', PATH, 'myalias', 'ls']),
      proc(711, ['ssh', '-o', `ControlPath=${CP}`, 'myalias']),
    ])
  })

  it('ssh -O check against the master is not a member', () => {
    const check = proc(730, ['ssh', '-S', PATH, '-O', 'check', 'myalias'])
    const d = only([master, creator, check], [shared])
    expect(d.members.map((m) => m.pid)).toEqual([690])
  })

  it('hostFromControlPath', () => {
    expect(hostFromControlPath('/root/.ssh/cm-root@db1:22', 22)).toEqual({ host: 'db1', user: 'root' })
    expect(hostFromControlPath('/root/.ssh/sockets/alice@web-01-2222', 2222)).toEqual({
      host: 'web-01',
      user: 'alice',
    })
    expect(hostFromControlPath('/root/.ssh/alice@web-01', 22)).toEqual({ host: 'web-01', user: 'alice' })
    expect(hostFromControlPath('/tmp/ssh_mux_db1_22_bob', 22)).toBeNull()
    expect(hostFromControlPath('/tmp/master-john-doe@db1:22', 22)).toEqual({ host: 'db1', user: 'john-doe' })
    expect(hostFromControlPath('/tmp/x-john-doe@db1:22', 22)).toEqual({ host: 'db1', user: null })
    expect(hostFromControlPath('/tmp/cm-root@::1:22', 22)).toEqual({ host: '::1', user: 'root' })
    expect(hostFromControlPath('/tmp/db1:22', 22)).toEqual({ host: 'db1', user: null })
    expect(hostFromControlPath('/home/a/.ssh/6b1f0a2dd1a0e4c1', 22)).toBeNull()
  })
})

describe('ssh: file transfers', () => {
  it('scp: root = scp, its ssh child holds the socket (observed shapes)', () => {
    const scp = proc(1000, [
      'scp',
      '-F',
      '/tmp/sshdt/ssh_config',
      '-l',
      '800',
      '/tmp/big.bin',
      'myalias:/tmp/copy1.bin',
    ])
    const child = proc(
      1001,
      [
        '/usr/bin/ssh',
        '-x',
        '-oPermitLocalCommand=no',
        '-oClearAllForwardings=yes',
        '-oRemoteCommand=none',
        '-oRequestTTY=no',
        '-F',
        '/tmp/sshdt/ssh_config',
        '-oForwardAgent=no',
        '-s',
        '--',
        'myalias',
        'sftp',
      ],
      { ppid: 1000 },
    )
    const d = only([scp, child], [sock(1001, '127.0.0.1', 2022)])
    expect(d).toMatchObject({
      key: `ssh:1000:${scp.startTime}`,
      client: 'scp',
      resourceName: 'myalias',
      flags: ['file-transfer'],
      remotePort: 2022,
    })
    expect(d.members).toEqual([child])
  })

  it('sftp with user@host and -P (observed child: -oPort 2022 -l root -s -- 127.0.0.1 sftp)', () => {
    const sftp = proc(1100, ['sftp', '-P', '2022', '-b', '-', 'root@127.0.0.1'])
    const child = proc(
      1101,
      [
        '/usr/bin/ssh',
        '-oForwardX11 no',
        '-oPermitLocalCommand no',
        '-oClearAllForwardings yes',
        '-obatchmode yes',
        '-oForwardAgent no',
        '-oPort 2022',
        '-l',
        'root',
        '-s',
        '--',
        '127.0.0.1',
        'sftp',
      ],
      { ppid: 1100 },
    )
    const d = only([sftp, child], [sock(1101, '127.0.0.1', 2022)])
    expect(d).toMatchObject({
      client: 'sftp',
      resourceName: '127.0.0.1',
      user: 'root',
      flags: ['file-transfer'],
    })
    expect(d.root).toBe(sftp)
  })

  it('rsync over ssh', () => {
    const rsync = proc(1200, ['rsync', '-av', 'src/', 'deploy@web1:/srv/app/'])
    const child = proc(
      1201,
      ['ssh', '-l', 'deploy', 'web1', 'rsync', '--server', '-vlogDtpre.iLsfxCIvu', '.', '/srv/app/'],
      { ppid: 1200 },
    )
    expect(only([rsync, child], [sock(1201, '10.0.0.3', 22)])).toMatchObject({
      client: 'rsync',
      resourceName: 'web1',
      user: 'deploy',
      flags: ['file-transfer'],
    })
  })

  it('sshfs mount', () => {
    const fs = proc(1250, ['sshfs', 'alice@nas:/data', '/mnt/nas'])
    const child = proc(
      1251,
      ['ssh', '-x', '-a', '-oClearAllForwardings=yes', '-2', 'alice@nas', '-s', 'sftp'],
      { ppid: 1250 },
    )
    expect(only([fs, child], [sock(1251, '10.0.0.9', 22)])).toMatchObject({
      client: 'sshfs',
      resourceName: 'nas',
      flags: ['file-transfer'],
    })
  })

  it('scp through a jump host: scp → ssh -J → ssh -W', () => {
    const scp = proc(1300, ['scp', '-J', 'bastion', 'f', 'web1:/tmp/'])
    const ssh = proc(
      1301,
      ['/usr/bin/ssh', '-x', '-oClearAllForwardings=yes', '-J', 'bastion', '-s', '--', 'web1', 'sftp'],
      { ppid: 1300 },
    )
    const helper = proc(1302, ['ssh', '-W', '[web1]:22', 'bastion'], { ppid: 1301 })
    const d = only([scp, ssh, helper], [sock(1302, '198.51.100.1', 22)])
    expect(d).toMatchObject({ client: 'scp', resourceName: 'web1', flags: ['jump', 'file-transfer'] })
    expect(d.members.map((m) => m.pid)).toEqual([1301, 1302])
  })

  it('scp -3 (two ssh children) is still one session', () => {
    const scp = proc(1400, ['scp', '-3', 'a:/x', 'b:/y'])
    const c1 = proc(1401, ['/usr/bin/ssh', '-x', '--', 'a', 'sftp'], { ppid: 1400 })
    const c2 = proc(1402, ['/usr/bin/ssh', '-x', '--', 'b', 'sftp'], { ppid: 1400 })
    const d = only([scp, c1, c2], [sock(1401, '10.0.0.1', 22), sock(1402, '10.0.0.2', 22)])
    expect(d.sockets).toHaveLength(2)
    expect(d.members).toHaveLength(2)
  })

  it('autossh supervising ssh: autossh is the root (ending ssh alone would only restart it)', () => {
    const a = proc(1500, ['autossh', '-M', '0', '-N', '-L', '5432:db:5432', 'bastion'])
    const s = proc(1501, ['/usr/bin/ssh', '-N', '-L', '5432:db:5432', 'bastion'], { ppid: 1500 })
    const d = only([a, s], [sock(1501, '10.0.0.1', 22)])
    expect(d).toMatchObject({ client: 'autossh', flags: ['tunnel'], resourceName: 'bastion' })
    expect(d.root).toBe(a)
  })
})

describe('ssh: tunnels', () => {
  it.each<[string[], boolean]>([
    [['ssh', '-N', '-L', '8080:localhost:80', 'web1'], true],
    [['ssh', '-f', '-N', '-L', '18080:localhost:80', 'myalias'], true], // observed
    [['ssh', '-N', '-D', '1080', '-R', '9000:localhost:22', 'myalias'], true], // observed
    [['ssh', '-L', '8080:localhost:80', 'web1'], true],
    [['ssh', '-D', '1080', 'web1'], true],
    [['ssh', '-R', '9000:localhost:22', 'web1'], true],
    [['ssh', '-o', 'LocalForward=5432 db:5432', 'web1'], true],
    [['ssh', '-N', 'web1'], false], // -N is only "no remote command" (ssh(1))
    [['ssh', '-M', '-N', '-f', 'web1'], false], // a master kept open
    [['ssh', '-w', '0:0', 'web1'], true],
    [['ssh', 'web1'], false],
    [['ssh', 'web1', 'uptime'], false],
    [['ssh', '-W', 'db:5432', 'web1'], false], // stdio forwarding is not a tunnel
    [['ssh', '-oClearAllForwardings=yes', '-L', '1:h:2', 'web1'], false],
  ])('%j → tunnel %s', (argv, tunnel) => {
    const d = only([proc(100, argv)], [sock(100, '10.0.0.1', 22)])
    expect(d.flags.includes('tunnel')).toBe(tunnel)
  })

  describe('with the forwards `ssh -G` resolved from ssh_config', () => {
    const cfg = (p: ProcessInfo, over: Partial<SshEffectiveConfig>): [number, SshEffectiveConfig] => [
      p.pid,
      { startTime: p.startTime, controlPath: null, controlMaster: null, ...over },
    ]
    const flagsOf = (p: ProcessInfo, c: [number, SshEffectiveConfig]): string[] =>
      detectAll(ctx([p], [sock(p.pid, '10.0.0.1', 22)], { sshConfig: [c] }))[0]?.flags ?? []

    it('ssh -N with a LocalForward in ~/.ssh/config is a tunnel; with none it is not', () => {
      const p = proc(100, ['ssh', '-N', 'web1'])
      expect(flagsOf(p, cfg(p, { forwards: 1, tunnel: false }))).toEqual(['tunnel'])
      expect(flagsOf(p, cfg(p, { forwards: 0, tunnel: false }))).toEqual([])
      expect(flagsOf(p, cfg(p, { forwards: 0, tunnel: true }))).toEqual(['tunnel']) // Tunnel yes
    })

    it('ClearAllForwardings in ssh_config clears argv forwards (ssh -G prints none)', () => {
      const p = proc(100, ['ssh', '-N', '-L', '8080:localhost:80', 'web1'])
      expect(flagsOf(p, cfg(p, { forwards: 0, tunnel: false }))).toEqual([])
    })

    it('not resolved (ssh -G failed), or resolved for an earlier process with this pid: argv decides', () => {
      const bare = proc(100, ['ssh', '-N', 'web1'])
      expect(flagsOf(bare, cfg(bare, {}))).toEqual([])
      const reused = cfg(bare, { forwards: 2, tunnel: false })
      reused[1].startTime -= 1
      expect(flagsOf(bare, reused)).toEqual([])
      const fwd = proc(100, ['ssh', '-N', '-D', '1080', 'web1'])
      expect(flagsOf(fwd, cfg(fwd, {}))).toEqual(['tunnel'])
    })
  })

  it('the connection to the server is chosen over accepted and outgoing forwarded connections', () => {
    const p = proc(100, ['ssh', '-L', '8080:intranet:80', '-R', '9000:localhost:22', 'web1'])
    const accepted = sock(100, '127.0.0.1', 50111, { local: '127.0.0.1', localPort: 8080 })
    const outgoing = sock(100, '127.0.0.1', 22, { local: '127.0.0.1' })
    const server = sock(100, '203.0.113.5', 22)
    const d = only([p], [accepted, outgoing, server])
    expect(d.remoteAddress).toBe('203.0.113.5')
    expect(d.sockets[0]).toBe(server)
    expect(d.sockets).toHaveLength(3)
  })

  it('the port named on the command line wins', () => {
    const p = proc(100, ['ssh', '-p', '2222', '-R', '8022:localhost:8022', 'web1'])
    const d = only([p], [sock(100, '127.0.0.1', 8022), sock(100, '203.0.113.5', 2222)])
    expect(d.remotePort).toBe(2222)
  })
})

describe('ssh: PuTTY family', () => {
  it('plink -ssh user@host -P 22', () => {
    const p = proc(100, ['plink', '-ssh', 'alice@web1', '-P', '22', 'uptime'])
    expect(only([p], [sock(100, '10.0.0.1', 22)])).toMatchObject({
      resourceName: 'web1',
      user: 'alice',
      client: 'plink',
      flags: [],
    })
  })
  it('putty -ssh host (Windows)', () => {
    const p = proc(100, ['C:\\Program Files\\PuTTY\\putty.exe', '-ssh', 'web1'], {
      exe: 'C:\\Program Files\\PuTTY\\putty.exe',
    })
    expect(only([p], [sock(100, '10.0.0.1', 22)])).toMatchObject({ resourceName: 'web1', client: 'putty' })
  })
  it('putty host port, putty -load session', () => {
    expect(only([proc(100, ['putty', 'bob@web1', '2222'])], [sock(100, '10.0.0.1', 2222)])).toMatchObject({
      resourceName: 'web1',
      user: 'bob',
    })
    expect(only([proc(100, ['putty', '-load', 'Prod DB'])], [sock(100, '10.0.0.1', 22)]).resourceName).toBe(
      'Prod DB',
    )
  })
  it('plink tunnel, pscp/psftp transfers', () => {
    expect(
      only([proc(100, ['plink', '-N', '-L', '3389:desk:3389', 'gw'])], [sock(100, '10.0.0.1', 22)]).flags,
    ).toEqual(['tunnel'])
    // -N alone is no tunnel; with a saved session it may be (its tunnels are not on the command line)
    expect(only([proc(100, ['plink', '-N', 'gw'])], [sock(100, '10.0.0.1', 22)]).flags).toEqual([])
    expect(only([proc(100, ['plink', '-N', '-load', 'Prod'])], [sock(100, '10.0.0.1', 22)]).flags).toEqual([
      'tunnel',
    ])
    expect(
      only([proc(100, ['pscp', '-P', '22', 'f.txt', 'bob@web1:/tmp/'])], [sock(100, '10.0.0.1', 22)]),
    ).toMatchObject({
      resourceName: 'web1',
      user: 'bob',
      client: 'pscp',
      flags: ['file-transfer'],
    })
    expect(
      only([proc(100, ['psftp', '-b', 'batch.txt', 'web1'])], [sock(100, '10.0.0.1', 22)]),
    ).toMatchObject({
      resourceName: 'web1',
      client: 'psftp',
    })
  })
  it('non-SSH protocols and unconnected PuTTY are not sessions', () => {
    none([proc(100, ['plink', '-telnet', 'switch1'])], [sock(100, '10.0.0.1', 23)])
    none([proc(100, ['putty', '-serial', '/dev/ttyS0'])], [sock(100, '10.0.0.1', 23)])
    none([proc(100, ['plink', 'telnet,switch1'])], [sock(100, '10.0.0.1', 23)])
    none([proc(100, ['putty', 'web1'])])
  })
})

describe('ssh: mosh (the one session without a TCP socket)', () => {
  it('mosh-client as the mosh wrapper execs it', () => {
    const p = proc(100, ['mosh-client', '-# alice@db1 tmux a |', '10.0.0.5', '60001'])
    const d = only([p])
    expect(d).toMatchObject({
      key: `ssh:100:${p.startTime}`,
      resourceType: 'ssh',
      resourceName: 'db1',
      host: 'db1',
      user: 'alice',
      client: 'mosh',
      remoteAddress: '10.0.0.5',
      remotePort: 60001,
      localAddress: '',
      sockets: [],
      flags: [],
      endable: true,
    })
  })
  it('with mosh options and IPv6', () => {
    const p = proc(100, ['mosh-client', '-# --ssh=ssh -p 2222 -p 60010 db1 |', '2001:db8::5', '60010'])
    expect(only([p])).toMatchObject({
      resourceName: 'db1',
      user: null,
      remoteAddress: '2001:db8::5',
      remotePort: 60010,
    })
  })
  it('without the -# word: named after the address', () => {
    expect(only([proc(100, ['mosh-client', '10.0.0.5', '60001'])]).resourceName).toBe('10.0.0.5')
  })
  it('mosh-client that is not connected, and mosh-server, are nothing', () => {
    none([proc(100, ['mosh-client', '-c'])])
    none([proc(100, ['mosh-server', 'new', '-s', '-c', '256', '-l', 'LANG=en_US.UTF-8'])])
  })
})
