import { describe, expect, it, vi } from 'vitest'
import {
  parseForward,
  parseJumpSpec,
  parseSshArgs,
  parseSshConfigOption,
  parseSshDestination,
  parseSshUri,
  type SshArgs,
} from '@engine/detect/ssh-args'

const p = (...args: string[]): SshArgs => parseSshArgs(['ssh', ...args])

describe('parseSshArgs: destination, user, port', () => {
  it.each<[string[], Partial<SshArgs>]>([
    [['web1'], { destination: 'web1', host: 'web1', user: null, port: null, command: [] }],
    [['alice@web1'], { destination: 'alice@web1', host: 'web1', user: 'alice' }],
    [['alice@corp.example@web1'], { host: 'web1', user: 'alice@corp.example' }], // last '@'
    [['-l', 'bob', 'web1'], { host: 'web1', user: 'bob' }],
    [['-lbob', 'web1'], { host: 'web1', user: 'bob' }],
    [['-l', 'bob', 'alice@web1'], { user: 'bob' }], // first wins: -l came first
    [['alice@web1', '-l', 'bob'], { user: 'alice' }], // first wins: user@ came first
    [['-o', 'User=carol', '-l', 'bob', 'web1'], { user: 'carol' }],
    [['-p', '2222', 'web1'], { port: 2222 }],
    [['-p2222', 'web1'], { port: 2222 }],
    [['-vp2222', 'web1'], { port: 2222 }],
    [['-vp', '2222', 'web1'], { port: 2222 }],
    [['web1', '-p', '2222'], { host: 'web1', port: 2222, command: [] }], // options after the destination
    [['-p', '22', '-p', '2222', 'web1'], { port: 22 }], // first wins
    [['-o', 'Port=2200', 'web1'], { port: 2200 }],
    [['-oPort=2200', 'web1'], { port: 2200 }],
    [['-o', 'Port 2200', 'web1'], { port: 2200 }],
    [['-o', 'port = 2200', 'web1'], { port: 2200 }],
    [['-oPort 2022', 'web1'], { port: 2022 }], // sftp's child writes it this way
    [['ssh://bob@db.example:2222'], { host: 'db.example', user: 'bob', port: 2222 }],
    [['ssh://db.example'], { host: 'db.example', user: null, port: null }],
    [['ssh://db.example/'], { host: 'db.example' }],
    [['ssh://bob;fingerprint=SHA256-xyz@db.example'], { user: 'bob', host: 'db.example' }],
    [['-p', '22', 'ssh://db.example:2222'], { port: 22 }],
    [['alice@2001:db8::5'], { host: '2001:db8::5', user: 'alice' }],
    [['alice@[2001:db8::5]'], { host: '2001:db8::5', user: 'alice' }],
    [['-o', 'HostName=10.0.0.5', 'prod'], { host: 'prod', hostName: '10.0.0.5' }],
  ])('%j', (args, expected) => {
    const r = p(...args)
    expect(r).toMatchObject(expected)
    expect(r.valid).toBe(true)
  })

  it('keeps argv[0] out of the parse, whatever it is', () => {
    expect(parseSshArgs(['/usr/bin/ssh', 'web1']).host).toBe('web1')
    expect(parseSshArgs(['C:\\Windows\\System32\\OpenSSH\\ssh.exe', 'web1']).host).toBe('web1')
  })

  it('no destination at all', () => {
    expect(p()).toMatchObject({ destination: null, host: null })
    expect(p('-v')).toMatchObject({ destination: null })
  })
})

describe('parseSshArgs: remote command and "--"', () => {
  it.each<[string[], string | null, string[], number | null]>([
    [['web1', 'uptime'], 'web1', ['uptime'], null],
    [['web1', 'ls', '-la', '/tmp'], 'web1', ['ls', '-la', '/tmp'], null],
    [['web1', '-p', '2222', 'ls', '-p', '5'], 'web1', ['ls', '-p', '5'], 2222],
    [['--', 'web1', 'ls', '-la'], 'web1', ['ls', '-la'], null],
    [['--', 'web1', '-p', '2222'], 'web1', ['-p', '2222'], null], // no re-parse after "--"
    [['web1', '--', '-p', '2222'], 'web1', ['-p', '2222'], null],
    [['-v', '--', 'web1'], 'web1', [], null],
    [['-t', 'web1', 'sudo', '-i'], 'web1', ['sudo', '-i'], null],
  ])('%j', (args, host, command, port) => {
    const r = p(...args)
    expect(r.host).toBe(host)
    expect(r.command).toEqual(command)
    expect(r.port).toBe(port)
  })
})

describe('parseSshArgs: every option with an argument consumes it', () => {
  it.each([
    'B',
    'b',
    'c',
    'D',
    'E',
    'e',
    'F',
    'I',
    'i',
    'J',
    'L',
    'l',
    'm',
    'O',
    'o',
    'P',
    'p',
    'Q',
    'R',
    'S',
    'W',
    'w',
  ])('-%s', (opt) => {
    const value =
      opt === 'p' ? '2222' : opt === 'o' ? 'Compression=yes' : opt === 'L' || opt === 'R' ? '1:h:2' : 'x1'
    const sep = p(`-${opt}`, value, 'host1', 'cmd')
    const att = p(`-${opt}${value}`, 'host1', 'cmd')
    for (const r of [sep, att]) {
      expect(r.destination).toBe('host1')
      expect(r.command).toEqual(['cmd'])
    }
  })

  it.each([
    '1',
    '2',
    '4',
    '6',
    'A',
    'a',
    'C',
    'f',
    'G',
    'g',
    'K',
    'k',
    'M',
    'N',
    'n',
    'q',
    's',
    'T',
    't',
    'V',
    'v',
    'X',
    'x',
    'Y',
    'y',
  ])('flag -%s takes no argument', (flag) => {
    const r = p(`-${flag}`, 'host1', 'cmd') // -s needs a command (the subsystem)
    expect(r.destination).toBe('host1')
    expect(r.valid).toBe(true)
  })

  it('bundles flags and ends a bundle at the first option with an argument', () => {
    const r = p('-vNTL8080:localhost:80', 'web1')
    expect(r.noCommand).toBe(true)
    expect(r.forwards).toEqual([
      { kind: 'L', spec: '8080:localhost:80', listenPort: 8080, targetPort: null, targetHost: null },
    ])
    expect(r.host).toBe('web1')
    expect(p('-fNT', 'web1')).toMatchObject({ background: true, noCommand: true })
  })

  it('marks command lines ssh would refuse', () => {
    expect(p('-p').valid).toBe(false) // missing argument
    expect(p('web1', '-l').valid).toBe(false)
    expect(p('-Z', 'web1').valid).toBe(false) // unknown option
    expect(p('-p', 'no-such-service', 'web1').valid).toBe(false) // bad port
    expect(p('-p', '0', 'web1').valid).toBe(false)
    expect(p('ssh://[2001:db8::7]:2200').valid).toBe(false) // a URI's host is a domain name (misc.c valid_domain)
    expect(p('-p', '70000', 'web1').valid).toBe(false)
    expect(p('-J', 'a', '-J', 'b', 'web1').valid).toBe(false) // only one -J
    expect(p('@web1').valid).toBe(false)
    expect(p('ssh://db.example/path').valid).toBe(false)
  })
})

describe('parseSshArgs: -o options', () => {
  it.each<[string[], string, string]>([
    [['-o', 'ServerAliveInterval=30'], 'serveraliveinterval', '30'],
    [['-oServerAliveInterval=30'], 'serveraliveinterval', '30'],
    [['-o', 'ServerAliveInterval 30'], 'serveraliveinterval', '30'],
    [['-o', 'ServerAliveInterval = 30'], 'serveraliveinterval', '30'],
    [['-o', 'ProxyCommand "nc -X 5 -x proxy:1080 %h %p"'], 'proxycommand', 'nc -X 5 -x proxy:1080 %h %p'],
    [['-o', 'SERVERALIVEINTERVAL=30', '-o', 'ServerAliveInterval=60'], 'serveraliveinterval', '30'],
  ])('%j', (args, key, value) => {
    expect(p(...args, 'web1').options.get(key)).toBe(value)
  })

  it('does not name the session after HostName, Port or User', () => {
    const r = p('-o', 'HostName=10.1.2.3', '-o', 'Port=2200', '-o', 'User=deploy', 'prod')
    expect(r).toMatchObject({
      host: 'prod',
      destination: 'prod',
      hostName: '10.1.2.3',
      port: 2200,
      user: 'deploy',
    })
  })

  it('ProxyJump / ProxyCommand / none', () => {
    expect(p('-o', 'ProxyJump=bastion', 'web1')).toMatchObject({ jump: 'bastion', proxyCommand: null })
    expect(p('-o', 'ProxyJump=none', 'web1').jump).toBeNull()
    expect(p('-o', 'ProxyCommand=ssh -W %h:%p bastion', 'web1').proxyCommand).toBe('ssh -W %h:%p bastion')
    expect(p('-o', 'ProxyCommand=none', 'web1').proxyCommand).toBeNull()
  })
})

describe('parseSshArgs: jump hosts', () => {
  it('-J with user and port', () => {
    const r = p('-J', 'jumpuser@127.0.0.1:2222', 'alice@target.example', '-p', '2200')
    expect(r).toMatchObject({
      host: 'target.example',
      user: 'alice',
      port: 2200,
      jump: 'jumpuser@127.0.0.1:2222',
    })
    expect(r.jumpHosts).toEqual([{ user: 'jumpuser', host: '127.0.0.1', port: 2222 }])
  })
  it('-J with two hops, URIs and IPv6', () => {
    expect(p('-J', 'u1@127.0.0.1:2222,127.0.0.1:2223', 'bob@final').jumpHosts).toEqual([
      { user: 'u1', host: '127.0.0.1', port: 2222 },
      { user: null, host: '127.0.0.1', port: 2223 },
    ])
    expect(parseJumpSpec('ssh://ops@bastion:2200,[2001:db8::1]:22')).toEqual([
      { user: 'ops', host: 'bastion', port: 2200 },
      { user: null, host: '2001:db8::1', port: 22 },
    ])
    expect(p('-J', 'none', 'web1').jump).toBeNull()
  })
  it('the ProxyJump helper child as OpenSSH 9.2 spawns it', () => {
    // observed: parent `ssh -J jumpuser@127.0.0.1:2222 alice@target.example -p 2200`
    const r = parseSshArgs([
      'ssh',
      '-l',
      'jumpuser',
      '-p',
      '2222',
      '-W',
      '[target.example]:2200',
      '127.0.0.1',
    ])
    expect(r).toMatchObject({
      host: '127.0.0.1',
      user: 'jumpuser',
      port: 2222,
      stdioForward: '[target.example]:2200',
    })
    // observed: middle hop of -J u1@127.0.0.1:2222,127.0.0.1:2223
    const mid = parseSshArgs([
      'ssh',
      '-p',
      '2223',
      '-J',
      'u1@127.0.0.1:2222',
      '-W',
      '[final]:22',
      '127.0.0.1',
    ])
    expect(mid).toMatchObject({
      host: '127.0.0.1',
      port: 2223,
      stdioForward: '[final]:22',
      jump: 'u1@127.0.0.1:2222',
    })
    // observed: ProxyCommand "ssh -W %h:%p -p 2223 127.0.0.1" (sh exec's it: the child is ssh itself)
    expect(parseSshArgs(['ssh', '-W', 'pc-target:22', '-p', '2223', '127.0.0.1']).stdioForward).toBe(
      'pc-target:22',
    )
  })
})

describe('parseSshArgs: ControlMaster', () => {
  it.each<[string[], Partial<SshArgs>]>([
    [['-S', '/tmp/cm-root@h:22', 'h'], { controlPath: '/tmp/cm-root@h:22', controlMaster: null }],
    [['-S/tmp/cm', 'h'], { controlPath: '/tmp/cm' }],
    [['-S', 'none', 'h'], { controlPath: null }],
    [['-o', 'ControlPath=~/.ssh/cm-%r@%h:%p', 'h'], { controlPath: '~/.ssh/cm-%r@%h:%p' }],
    [['-o', 'ControlPath=a', '-S', 'b', 'h'], { controlPath: 'b' }], // -S replaces
    [['-S', 'b', '-o', 'ControlPath=a', 'h'], { controlPath: 'b' }],
    [['-S', 'a', '-S', 'b', 'h'], { controlPath: 'b' }], // last -S wins
    [['-o', 'ControlPath=a', '-o', 'ControlPath=b', 'h'], { controlPath: 'a' }], // first -o wins
    [['-M', '-S', '/tmp/cm', 'h'], { controlMaster: 'yes' }],
    [['-MM', '-S', '/tmp/cm', 'h'], { controlMaster: 'ask' }],
    [['-o', 'ControlMaster=auto', 'h'], { controlMaster: 'auto' }],
    [['-o', 'ControlMaster=autoask', 'h'], { controlMaster: 'autoask' }],
    [['-o', 'ControlMaster=no', 'h'], { controlMaster: 'no' }],
    [['-o', 'ControlMaster=no', '-M', 'h'], { controlMaster: 'yes' }],
    [['-o', 'ControlPersist=60', 'h'], { controlPersist: '60' }],
  ])('%j', (args, expected) => {
    expect(p(...args)).toMatchObject(expected)
  })

  it('the observed ControlPersist creator command line', () => {
    const r = parseSshArgs([
      'ssh',
      '-F',
      '/tmp/sshdt/ssh_config',
      '-o',
      'ControlMaster=auto',
      '-o',
      'ControlPersist=60',
      '-o',
      'ControlPath=/tmp/sshdt/cm-%r@%h:%p',
      'myalias',
      'sleep',
      '30',
    ])
    expect(r).toMatchObject({
      host: 'myalias',
      controlMaster: 'auto',
      controlPersist: '60',
      controlPath: '/tmp/sshdt/cm-%r@%h:%p',
      configFile: '/tmp/sshdt/ssh_config',
      command: ['sleep', '30'],
    })
  })
})

describe('parseSshArgs: control commands and queries are not sessions', () => {
  it.each(['check', 'exit', 'stop', 'forward', 'cancel', 'proxy'])('-O %s', (cmd) => {
    const r = p('-O', cmd, 'web1')
    expect(r).toMatchObject({ isControlCommand: true, controlCommand: cmd, host: 'web1' })
    expect(p(`-O${cmd}`, '-S', '/tmp/cm', 'web1').isControlCommand).toBe(true)
  })
  it.each<string[]>([['-G', 'web1'], ['-V'], ['-Q', 'cipher'], ['-Qkex'], ['-vG', 'web1']])(
    '%j',
    (...args) => {
      expect(p(...args).isQueryOnly).toBe(true)
    },
  )
  it('an ordinary command line is neither', () => {
    expect(p('web1')).toMatchObject({ isQueryOnly: false, isControlCommand: false })
  })
})

describe('parseSshArgs: forwarding, -N, -s, -f, tunnels', () => {
  it.each<[string[], Partial<SshArgs>]>([
    [['-N', 'h'], { noCommand: true }],
    [['-o', 'SessionType=none', 'h'], { noCommand: true }],
    [['-s', 'h', 'sftp'], { subsystem: true, command: ['sftp'] }],
    [['-o', 'SessionType=subsystem', 'h', 'sftp'], { subsystem: true }],
    [['-f', 'h'], { background: true }],
    [['-o', 'ForkAfterAuthentication=yes', 'h'], { background: true }],
    [['-w', '0:1', 'h'], { tunnelDevice: '0:1' }],
    [['-o', 'Tunnel=point-to-point', 'h'], { tunnelDevice: 'any:any' }],
    [['-o', 'Tunnel=yes', '-o', 'TunnelDevice=3:4', 'h'], { tunnelDevice: '3:4' }],
    [['-o', 'Tunnel=no', 'h'], { tunnelDevice: null }],
    [['-W', 'db:5432', 'h'], { stdioForward: 'db:5432' }],
    [['-oClearAllForwardings=yes', '-L', '1:h:2', 'h'], { clearAllForwardings: true }],
  ])('%j', (args, expected) => {
    expect(p(...args)).toMatchObject(expected)
  })

  it('collects -L/-R/-D and the config forms in order', () => {
    const r = p(
      '-L',
      '8080:localhost:80',
      '-R',
      '9000:localhost:22',
      '-D',
      '1080',
      '-o',
      'LocalForward=5432 db:5432',
      '-o',
      'RemoteForward 2222 localhost:22',
      '-o',
      'DynamicForward=127.0.0.1:1081',
      'h',
    )
    expect(r.forwards.map((f) => [f.kind, f.listenPort, f.targetPort, f.targetHost])).toEqual([
      ['L', 8080, null, null],
      ['R', 9000, 22, 'localhost'],
      ['D', 1080, null, null],
      ['L', 5432, null, null],
      ['R', 2222, 22, 'localhost'],
      ['D', 1081, null, null],
    ])
  })

  it.each<[Parameters<typeof parseForward>, number | null, number | null]>([
    [['L', '8080:localhost:80'], 8080, null],
    [['L', '127.0.0.1:8080:db:5432'], 8080, null],
    [['L', '[::1]:8080:db:5432'], 8080, null],
    [['L', '*:8080:db:5432'], 8080, null],
    [['L', '8080:/run/app.sock'], 8080, null],
    [['L', '/tmp/local.sock:db:5432'], null, null],
    [['L', '8080/localhost/80'], null, null], // one field, a path: ssh 9.2 refuses it
    [['D', '1080'], 1080, null],
    [['D', '127.0.0.1:1080'], 1080, null],
    [['D', '[::1]:1080'], 1080, null],
    [['R', '9000:localhost:22'], 9000, 22],
    [['R', '0.0.0.0:9000:10.0.0.8:3389'], 9000, 3389],
    [['R', '9000:[::1]:22'], 9000, 22],
    [['R', '1080'], 1080, null], // remote dynamic
  ])('parseForward %j', (args, listen, target) => {
    const f = parseForward(...args)
    expect([f.listenPort, f.targetPort]).toEqual([listen, target])
  })
})

describe('parseSshArgs: command lines observed on OpenSSH 9.2', () => {
  it("scp's ssh child (sftp protocol)", () => {
    const r = parseSshArgs([
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
    ])
    expect(r).toMatchObject({
      host: 'myalias',
      subsystem: true,
      command: ['sftp'],
      clearAllForwardings: true,
    })
  })
  it("scp -O's ssh child (legacy scp protocol)", () => {
    const r = parseSshArgs([
      '/usr/bin/ssh',
      '-x',
      '-oPermitLocalCommand=no',
      '-oClearAllForwardings=yes',
      '-oRemoteCommand=none',
      '-oRequestTTY=no',
      '-F',
      '/tmp/sshdt/ssh_config',
      '-oForwardAgent=no',
      '-p',
      '2022',
      '-l',
      'root',
      '--',
      '127.0.0.1',
      'scp -t /tmp/sshdt/copy2.bin',
    ])
    expect(r).toMatchObject({
      host: '127.0.0.1',
      user: 'root',
      port: 2022,
      command: ['scp -t /tmp/sshdt/copy2.bin'],
    })
  })
  it("sftp's ssh child", () => {
    const r = parseSshArgs([
      '/usr/bin/ssh',
      '-oForwardX11 no',
      '-oPermitLocalCommand no',
      '-oClearAllForwardings yes',
      '-F',
      '/tmp/sshdt/ssh_config',
      '-obatchmode yes',
      '-oForwardAgent no',
      '-oPort 2022',
      '-l',
      'root',
      '-s',
      '--',
      '127.0.0.1',
      'sftp',
    ])
    expect(r).toMatchObject({
      host: '127.0.0.1',
      user: 'root',
      port: 2022,
      subsystem: true,
      clearAllForwardings: true,
    })
    expect(r.options.get('batchmode')).toBe('yes')
  })
  it('VS Code Remote-SSH style', () => {
    const r = p('-T', '-D', '53211', '-o', 'ConnectTimeout=15', 'devbox', 'bash')
    expect(r).toMatchObject({ host: 'devbox', command: ['bash'] })
    expect(r.forwards[0]?.listenPort).toBe(53211)
  })
})

describe('small parsers', () => {
  it('parseSshConfigOption', () => {
    expect(parseSshConfigOption('Port=22')).toEqual({ key: 'port', value: '22' })
    expect(parseSshConfigOption('  Port   22 ')).toEqual({ key: 'port', value: '22' })
    expect(parseSshConfigOption('Port\t=\t22')).toEqual({ key: 'port', value: '22' })
    expect(parseSshConfigOption('ControlPath "/tmp/my dir/cm"')).toEqual({
      key: 'controlpath',
      value: '/tmp/my dir/cm',
    })
    expect(parseSshConfigOption('')).toBeNull()
    expect(parseSshConfigOption('=x')).toBeNull()
  })
  it('parseSshDestination', () => {
    expect(parseSshDestination('a@b@c')).toEqual({ user: 'a@b', host: 'c', port: null })
    expect(parseSshDestination('@c')).toBeNull()
    expect(parseSshDestination('a@')).toBeNull()
  })
  it('parseSshUri', () => {
    expect(parseSshUri('ssh://h:2222')).toEqual({ user: null, host: 'h', port: 2222 })
    expect(parseSshUri('ssh://h:x')).toBeNull()
    expect(parseSshUri('ssh://[::1')).toBeNull()
    expect(parseSshUri('ssh://@h')).toBeNull()
    expect(parseSshUri('sftp://h')).toBeNull()
  })
})

// The classes where parseSshArgs and `ssh -G -F /dev/null` (OpenSSH 9.2p1 Debian) disagreed;
// tests/process/ssh-oracle.test.ts runs the same lines through the installed ssh.
describe('parseSshArgs: as ssh -G reads it', () => {
  it.each<[string[], Partial<SshArgs>]>([
    [['-p', 'http', 'h'], { port: 80 }], // a service name (misc.c a2port → getservbyname)
    [['-p', '0002222', 'h'], { port: 2222 }], // leading zeros (strtonum)
    [['-p', '+22', 'h'], { port: 22 }],
    [['ssh://bob@h:http'], { host: 'h', user: 'bob', port: 80 }],
    [['ssh://bob@h:http/'], { host: 'h', user: 'bob', port: 80 }],
    [['ssh://a%41+b@h'], { user: 'aA b' }], // the URI user is url-decoded
    [['ssh://h:'], { host: 'h', port: null }], // an empty port is no port
    [['db\u00a0prod'], { host: 'db\u00a0prod' }], // isspace(3) in the C locale: U+00A0 is no space
    [['-p', '22', '-p', '0', 'h'], { port: 22 }], // a later -p is not even read
    [['-o', 'Port=2200', '-p', '0', 'h'], { port: 2200 }],
    [['-o', 'ControlMaster=yes', '-M', 'h'], { controlMaster: 'ask' }], // -M after yes is ask
    [['-M', '-o', 'ControlMaster=no', 'h'], { controlMaster: 'yes' }], // first value wins
    [
      ['-o', 'SessionType=subsystem', '-o', 'SessionType=none', 'h', 'sftp'],
      { subsystem: true, noCommand: false },
    ],
    [
      ['-o', 'ClearAllForwardings=no', '-o', 'ClearAllForwardings=yes', '-L', '1:h:2', 'h'],
      { clearAllForwardings: false },
    ],
    [['-o', 'ProxyJump=a', '-o', 'ProxyJump=b', 'h'], { jump: 'a' }],
    [['-o', 'ProxyCommand=nc %h %p', '-o', 'ProxyJump=b', 'h'], { jump: null, proxyCommand: 'nc %h %p' }],
  ])('%j', (args, expected) => {
    const r = p(...args)
    expect(r).toMatchObject(expected)
    expect(r.valid).toBe(true)
  })

  it('-J hops: service-name ports, and only the first word of the value', () => {
    expect(p('-J', 'j:ssh', 'h').jumpHosts).toEqual([{ user: null, host: 'j', port: 22 }])
    expect(p('-J', 'a b', 'h').jumpHosts).toEqual([{ user: null, host: 'a', port: null }])
    expect(p('-J', 'ssh://u@j:http', 'h').jumpHosts).toEqual([{ user: 'u', host: 'j', port: 80 }])
    expect(p('-J', 'j#comment', 'h').jumpHosts).toEqual([{ user: null, host: 'j', port: null }])
    for (const bad of ['j:0', 'a,,b', '-x', 'a;b', 'j:nosuch'])
      expect(p('-J', bad, 'h').valid, bad).toBe(false)
  })

  it('-W clears every forward and means no shell', () => {
    const r = p('-L', '8080:localhost:80', '-W', 'db:5432', '-R', '9000:localhost:22', 'h')
    expect(r).toMatchObject({
      forwards: [],
      clearAllForwardings: true,
      noCommand: true,
      stdioForward: 'db:5432',
    })
    // unless ClearAllForwardings says no
    expect(p('-W', 'db:5432', '-o', 'ClearAllForwardings=no', '-L', '1:h:2', 'h').forwards).toHaveLength(1)
  })

  it('ClearAllForwardings=yes leaves no forward', () => {
    expect(p('-o', 'ClearAllForwardings=yes', '-L', '1:h:2', '-D', '1080', 'h').forwards).toEqual([])
  })

  it('a forward given twice counts once (readconf.c add_local_forward)', () => {
    expect(p('-L', '1:h:2', '-L', '1:h:2', '-o', 'LocalForward=1 h:2', 'h').forwards).toHaveLength(1)
    expect(p('-L', '1:h:2', '-R', '1:h:2', 'h').forwards).toHaveLength(2)
  })

  it('-R 0:h:22: the server picks the port', () => {
    const r = p('-R', '0:h:22', 'h')
    expect(r.valid).toBe(true)
    expect(r.forwards).toEqual([
      { kind: 'R', spec: '0:h:22', listenPort: 0, targetPort: 22, targetHost: 'h' },
    ])
    expect(p('-L', '0:h:22', 'h').valid).toBe(false) // a local listener needs a port
  })

  it.each<string[]>([
    ['-p', '0', 'h'],
    ['-p', '65536', 'h'],
    ['-o', 'Port=0', '-p', '22', 'h'], // Port is checked even when it would not be used
    ['-o', 'Port=22 33', 'h'], // extra arguments at end of line
    ['-N', '-s', 'h', 'sftp'],
    ['-W', 'a:1', '-W', 'b:1', 'h'],
    ['-W', 'a', 'h'],
    ['-O', 'bogus', 'h'],
    ['-o', 'ControlMaster=bogus', 'h'],
    ['-o', 'ProxyCommand=x', '-J', 'j', 'h'],
    ['-f', 'h'], // cannot fork into background without a command
    ['-s', 'h'], // no subsystem named
    ['-l', 'u;x', 'h'], // command-line user and host checks (ssh_valid_ruser / ssh_valid_hostname)
    ['h;x'],
    ['-J', 'bob@h', '-l', 'bob', 'h'], // jumphost loop
    [],
  ])('refused: %j', (...args) => {
    expect(p(...args).valid).toBe(false)
  })
})

describe('a2port (misc.c): numbers and service names', () => {
  it('numbers as strtonum reads them', async () => {
    const { a2port } = await import('@engine/detect/ssh-port')
    expect(['22', '0002222', '+22', ' 22', '0', '-0', '65535'].map(a2port)).toEqual([
      22, 2222, 22, 22, 0, 0, 65535,
    ])
    expect(['65536', '-1', '22 ', '0x16', '', '99999999999999999999'].map(a2port)).toEqual([
      -1, -1, -1, -1, -1, -1,
    ])
  })

  it('/etc/services lines: name and aliases, TCP only, the first line wins', async () => {
    const { parseServices } = await import('@engine/detect/ssh-port')
    const m = parseServices(
      'http 80/tcp www # WorldWideWeb\nhttp 8080/tcp\nntp 123/udp\n# ssh 1/tcp\nssh\t22/tcp\n',
    )
    expect([...m]).toEqual([
      ['http', 80],
      ['www', 80],
      ['ssh', 22],
    ])
  })

  it('without /etc/services: ssh, http and https still resolve', async () => {
    vi.resetModules()
    vi.doMock('node:fs', () => ({
      readFileSync: () => {
        throw new Error('ENOENT')
      },
    }))
    try {
      const { a2port } = await import('@engine/detect/ssh-port')
      expect(['ssh', 'http', 'https', 'www', 'HTTP'].map(a2port)).toEqual([22, 80, 443, -1, -1])
    } finally {
      vi.doUnmock('node:fs')
      vi.resetModules()
    }
  })
})
