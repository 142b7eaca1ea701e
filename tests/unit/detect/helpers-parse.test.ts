// Small pure helpers: addresses, program names, PuTTY and mosh command lines.
import { describe, expect, it } from 'vitest'
import { isIpLiteral, normalizeAddress } from '@engine/probe/addr'
import { parsePort, splitHostPort } from '@engine/detect/net'
import { argv0Program, muxMasterPath, programName, trimArgv } from '@engine/detect/proc-name'
import { parsePuttyArgs, type PuttyArgs } from '@engine/detect/putty-args'
import { parseMoshClientArgs } from '@engine/detect/mosh-args'
import { padded, proc } from './helpers'

describe('net', () => {
  it.each([
    ['10.0.0.1', '10.0.0.1'],
    [' 10.0.0.1 ', '10.0.0.1'],
    ['::1', '::1'],
    ['[::1]', '::1'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['fe80::1%eth0', 'fe80::1%eth0'], // link-local: the zone names the link (probe/addr.ts)
    ['2001:db8::1%eth0', '2001:db8::1'],
    ['::ffff:10.0.0.5', '10.0.0.5'],
    ['::FFFF:0a00:0005', '10.0.0.5'],
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
    ['::', '::'],
    ['CRM.example.com', 'crm.example.com'],
    ['1::2::3', '1::2::3'], // not an address: left alone
  ])('normalizeAddress(%s) = %s', (input, out) => {
    expect(normalizeAddress(input)).toBe(out)
  })

  it('splitHostPort', () => {
    expect(splitHostPort('h:22')).toEqual({ host: 'h', port: 22 })
    expect(splitHostPort('h')).toEqual({ host: 'h', port: null })
    expect(splitHostPort('[::1]:22')).toEqual({ host: '::1', port: 22 })
    expect(splitHostPort('[::1]')).toEqual({ host: '::1', port: null })
    expect(splitHostPort('::1')).toEqual({ host: '::1', port: null })
    expect(splitHostPort('h:x')).toEqual({ host: 'h', port: null })
  })

  it('parsePort and isIpLiteral', () => {
    expect([
      parsePort('1'),
      parsePort('65535'),
      parsePort('0'),
      parsePort('65536'),
      parsePort('2a'),
      parsePort(''),
    ]).toEqual([1, 65535, null, null, null, null])
    expect(
      ['10.0.0.5', '2001:db8::5', '[::1]', 'fe80::1%en0', '10.0.0', 'db1', '300.1.1.1'].map(isIpLiteral),
    ).toEqual([true, true, true, true, false, false, false])
  })
})

describe('program names', () => {
  it.each<[Parameters<typeof proc>[2], string[], string]>([
    [{ exe: '/usr/bin/ssh' }, ['ssh: /tmp/cm [mux]'], 'ssh'],
    [{ exe: '' }, ['ssh: /tmp/cm [mux]'], 'ssh'],
    [{ exe: '' }, ['sshd: alice@pts/0'], 'sshd'],
    [{ exe: '' }, ['/usr/lib/chromium/chromium --type=utility --user-data-dir=/tmp/x'], 'chromium'],
    [
      { exe: '' },
      ['/Applications/Google Chrome.app/Contents/MacOS/Google Chrome --type=gpu-process'],
      'google chrome',
    ],
    [{ exe: 'C:\\Windows\\System32\\OpenSSH\\ssh.exe' }, ['ssh'], 'ssh'],
    [{ exe: '/usr/bin/ssh (deleted)' }, ['ssh'], 'ssh'],
    [{ exe: '/usr/bin/python3.11' }, ['ssh', 'host'], 'python3.11'],
    [{ exe: '', comm: 'xfreerdp' }, [], 'xfreerdp'],
    [{ exe: '' }, ['C:\\Program Files\\PuTTY\\PLINK.EXE', '-ssh'], 'plink'],
  ])('%j %j → %s', (opts, argv, name) => {
    expect(programName(proc(1, argv, opts))).toBe(name)
  })

  it('argv0Program', () => {
    expect(argv0Program('C:\\Program Files\\x.exe')).toBe('C:\\Program Files\\x.exe')
    expect(argv0Program('/usr/bin/a -b')).toBe('/usr/bin/a')
  })

  it('muxMasterPath and proctitle padding (observed)', () => {
    expect(muxMasterPath(padded('ssh: /tmp/sshdt/cm-root@127.0.0.1:2022 [mux]'))).toBe(
      '/tmp/sshdt/cm-root@127.0.0.1:2022',
    )
    expect(muxMasterPath(['ssh:', '/tmp/my', 'dir/cm', '[mux]'])).toBe('/tmp/my dir/cm') // a ps-split title
    expect(muxMasterPath(['ssh', 'host'])).toBeNull()
    expect(muxMasterPath(['sshd: root@notty'])).toBeNull()
    expect(muxMasterPath(['ssh:  [mux]'])).toBeNull()
    expect(trimArgv(padded('x', 3))).toEqual(['x'])
  })
})

describe('PuTTY command lines', () => {
  it.each<[Parameters<typeof parsePuttyArgs>[0], string[], Partial<PuttyArgs>]>([
    [
      'plink',
      ['plink', '-ssh', 'alice@web1', '-P', '22'],
      { host: 'web1', user: 'alice', port: 22, ssh: true },
    ],
    [
      'plink',
      ['plink', '-batch', '-pw', 'secret', '-l', 'bob', 'web1', 'ls', '-l'],
      { host: 'web1', user: 'bob' },
    ],
    ['plink', ['plink', '-l', 'bob', 'alice@web1'], { user: 'bob' }], // -l beats user@ in PuTTY
    ['plink', ['plink', 'ssh,alice@web1'], { host: 'web1', user: 'alice', ssh: true }],
    ['plink', ['plink', 'telnet,web1'], { ssh: false }],
    ['plink', ['plink', '-raw', 'web1'], { ssh: false }],
    [
      'plink',
      ['plink', '-i', 'key.ppk', '-hostkey', 'SHA256:x', '-N', '-L', '8080:db:80', 'gw'],
      { host: 'gw', noShell: true },
    ],
    ['plink', ['plink', '-nc', 'db:5432', 'gw'], { host: 'gw', nc: 'db:5432' }],
    ['putty', ['putty', '-ssh', 'web1'], { host: 'web1' }],
    ['putty', ['putty', 'web1', '2222'], { host: 'web1', port: 2222 }],
    ['putty', ['putty', '-load', 'Prod DB'], { host: 'Prod DB', session: 'Prod DB' }],
    ['putty', ['putty', '-title', 'x y', '-geometry', '80x24', 'web1'], { host: 'web1' }],
    ['putty', ['putty', 'telnet://switch1:23'], { ssh: false, host: 'switch1' }],
    ['putty', ['putty', '-serial', '/dev/ttyS0'], { ssh: false }],
    [
      'pscp',
      ['pscp', '-P', '2222', 'C:\\f.txt', 'bob@web1:/tmp/'],
      { host: 'web1', user: 'bob', port: 2222 },
    ],
    ['pscp', ['pscp', 'web1:/etc/hosts', '.'], { host: 'web1', user: null }],
    ['psftp', ['psftp', '-b', 'batch.txt', '-l', 'bob', 'web1'], { host: 'web1', user: 'bob' }],
  ])('%s %j', (tool, argv, expected) => {
    expect(parsePuttyArgs(tool, argv)).toMatchObject(expected)
  })
})

describe('mosh-client command lines', () => {
  it('as mosh execs it', () => {
    expect(parseMoshClientArgs(['mosh-client', '-# alice@db1 tmux a |', '10.0.0.5', '60001'])).toEqual({
      destination: 'alice@db1',
      host: 'db1',
      user: 'alice',
      ip: '10.0.0.5',
      port: 60001,
    })
  })
  it('with client options between the -# word and the address (newer mosh)', () => {
    expect(
      parseMoshClientArgs([
        'mosh-client',
        '-# -p 60005 --predict=always db1 |',
        '--no-kitty',
        '-L',
        '8080:x:80',
        '10.0.0.5',
        '60005',
      ]),
    ).toMatchObject({ host: 'db1', port: 60005 })
  })
  it('"--" before the destination', () => {
    expect(parseMoshClientArgs(['mosh-client', '-# -- db1 ls |', '10.0.0.5', '60001'])?.host).toBe('db1')
  })
  it('not connected', () => {
    expect(parseMoshClientArgs(['mosh-client', '-c'])).toBeNull()
    expect(parseMoshClientArgs(['mosh-client', '--version'])).toBeNull()
    expect(parseMoshClientArgs(['mosh-client', 'db1', '60001'])).toBeNull()
    expect(parseMoshClientArgs(['mosh-client', '10.0.0.5', 'x'])).toBeNull()
  })
})
