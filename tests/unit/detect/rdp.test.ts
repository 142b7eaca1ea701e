import { describe, expect, it } from 'vitest'
import { detectRdp } from '@engine/detect/rdp'
import {
  parseRdesktopArgs,
  parseRdpUri,
  parseRemminaArgs,
  parseSlashRdpArgs,
  rdpClientKind,
  type RdpArgs,
} from '@engine/detect/rdp-args'
import type { Detected } from '@engine/detect/types'
import type { ProcessInfo, SocketInfo } from '@engine/probe/types'
import { ctx, proc, run, sock } from './helpers'

const detect = (procs: ProcessInfo[], sockets: SocketInfo[] = []): Detected[] =>
  run(detectRdp, ctx(procs, sockets))
const only = (procs: ProcessInfo[], sockets: SocketInfo[] = []): Detected => {
  const found = detect(procs, sockets)
  expect(found).toHaveLength(1)
  const d = found[0]
  if (!d) throw new Error('no session')
  return d
}

describe('FreeRDP / mstsc argument parsing', () => {
  it.each<[string[], Partial<RdpArgs>]>([
    // observed (freerdp2-x11 2.11, password masked by FreeRDP itself)
    [
      ['xfreerdp', '/v:127.0.0.1:2222', '/u:CORP\\bob', '/p:******', '/cert:ignore', '/size:800x600'],
      { host: '127.0.0.1', port: 2222, user: 'CORP\\bob', name: '127.0.0.1' },
    ],
    [
      ['xfreerdp', '/v:localhost', '/port:2223', '/u:bob@corp.example', '/cert:ignore'],
      { host: 'localhost', port: 2223, user: 'bob@corp.example' },
    ],
    [['xfreerdp3', '/v:ts01.corp.local'], { host: 'ts01.corp.local', port: null, user: null }],
    [['xfreerdp', '/v:[2001:db8::10]:3390'], { host: '2001:db8::10', port: 3390 }],
    [['xfreerdp', '/v:[2001:db8::10]'], { host: '2001:db8::10', port: null }],
    [['xfreerdp', '/v:2001:db8::10'], { host: '2001:db8::10', port: null }],
    [['xfreerdp', '/port:3390', '/v:ts01:3391'], { host: 'ts01', port: 3390 }], // /port: wins
    [['xfreerdp', '+clipboard', '-wallpaper', '/d:CORP', '/u:bob', '/v:ts01'], { host: 'ts01', user: 'bob' }],
    [
      ['xfreerdp', '/home/bob/work desk.rdp', '/p:x'],
      { host: null, file: '/home/bob/work desk.rdp', name: 'work desk' },
    ],
    [['xfreerdp', 'work.rdp', '/v:ts02'], { host: 'ts02', name: 'ts02', file: 'work.rdp' }],
    [['xfreerdp', '/gateway:g:gw.corp.local,u:bob', '/v:ts01'], { host: 'ts01', user: null }],
    [['mstsc.exe', '/V:TS01.corp.local:3390', '/admin'], { host: 'TS01.corp.local', port: 3390 }],
    [['mstsc.exe', 'C:\\Users\\bob\\Documents\\Finance.rdp'], { host: null, name: 'Finance' }],
    [
      ['msrdc.exe', 'C:\\Users\\bob\\AppData\\Local\\Temp\\Desk 1.rdp', '/u:bob'],
      { name: 'Desk 1', user: 'bob' },
    ],
    [['xfreerdp'], { host: null, name: null }],
  ])('%j', (argv, expected) => {
    expect(parseSlashRdpArgs(argv)).toMatchObject(expected)
  })
})

describe('rdesktop argument parsing (getopt, -P takes no argument)', () => {
  it.each<[string[], Partial<RdpArgs>]>([
    [['rdesktop', 'ts01'], { host: 'ts01', port: null }],
    [
      ['rdesktop', '-u', 'bob', '-d', 'CORP', '-g', '1024x768', 'ts01:3390'],
      { host: 'ts01', port: 3390, user: 'bob' },
    ],
    [['rdesktop', '-P', 'ts01'], { host: 'ts01' }],
    [['rdesktop', '-Pz', '-a', '16', 'ts01'], { host: 'ts01' }],
    [['rdesktop', '-ubob', '-pXXXX', 'ts01'], { host: 'ts01', user: 'bob' }],
    [['rdesktop', '-fPzu', 'bob', 'ts01'], { host: 'ts01', user: 'bob' }],
    [['rdesktop', 'ts01', '-u', 'bob'], { host: 'ts01', user: 'bob' }], // glibc permutes
    [
      ['rdesktop', '-r', 'disk:home=/home/bob', '-x', 'lan', '-k', 'de', '-n', 'pc1', 'ts01'],
      { host: 'ts01' },
    ],
    [['rdesktop', '-A', '/opt/seamless/shell.exe', '-s', 'notepad', 'ts01'], { host: 'ts01' }],
    [
      [
        'rdesktop',
        '-T',
        'My Desk',
        '-S',
        'standard',
        '-X',
        '0x2a',
        '-o',
        'side_bell=1',
        '-c',
        'C:\\',
        '-L',
        'UTF-8',
        'ts01',
      ],
      { host: 'ts01' },
    ],
    [['rdesktop', '[2001:db8::3]:3390'], { host: '2001:db8::3', port: 3390 }],
    [['rdesktop', '2001:db8::3'], { host: '2001:db8::3', port: null }],
    [['rdesktop', '--', '-odd-host'], { host: '-odd-host' }],
  ])('%j', (argv, expected) => {
    expect(parseRdesktopArgs(argv)).toMatchObject(expected)
  })
})

describe('Remmina argument parsing', () => {
  it.each<[string[], Partial<RdpArgs>]>([
    [
      ['remmina', '-c', '/home/bob/.local/share/remmina/group_rdp_finance_ts01.remmina'],
      {
        file: '/home/bob/.local/share/remmina/group_rdp_finance_ts01.remmina',
        name: 'group_rdp_finance_ts01',
      },
    ],
    [
      ['remmina', '--connect', 'rdp://alice@ts.example:3390'],
      { host: 'ts.example', port: 3390, user: 'alice' },
    ],
    [['remmina', '--connect=rdp://ts.example'], { host: 'ts.example', port: null }],
    [
      ['remmina', '-c', 'rdp://CORP%5Cbob:secret@[2001:db8::9]:3391'],
      { host: '2001:db8::9', port: 3391, user: 'CORP\\bob' },
    ],
    [['remmina', '-c', 'vnc://desk:5900'], { host: null, name: null }],
    [['remmina', '-i'], { host: null, name: null }],
  ])('%j', (argv, expected) => {
    expect(parseRemminaArgs(argv)).toMatchObject(expected)
  })
  it('parseRdpUri', () => {
    expect(parseRdpUri('RDP://h/path')).toMatchObject({ host: 'h' })
    expect(parseRdpUri('rdp://')).toBeNull()
    expect(parseRdpUri('http://h')).toBeNull()
  })
})

describe('RDP client names', () => {
  it.each([
    ['xfreerdp', 'freerdp'],
    ['xfreerdp3', 'freerdp'],
    ['wlfreerdp', 'freerdp'],
    ['sdl-freerdp', 'freerdp'],
    ['sdl-freerdp3', 'freerdp'],
    ['wfreerdp.exe', 'freerdp'],
    ['MSTSC.EXE', 'mstsc'],
    ['C:\\Windows\\System32\\mstsc.exe', 'mstsc'],
    ['msrdc', 'msrdc'],
    ['rdesktop', 'rdesktop'],
    ['remmina', 'remmina'],
    ['Windows App', 'rdp-app'],
    ['freerdp-shadow-cli', null],
    ['xrdp', null],
  ])('%s → %s', (name, kind) => {
    expect(rdpClientKind(name)).toBe(kind)
  })
})

describe('rdp detector', () => {
  it('xfreerdp (observed argv) with its connection', () => {
    const p = proc(100, ['xfreerdp', '/v:127.0.0.1:2222', '/u:CORP\\bob', '/p:******', '/cert:ignore'])
    const s = sock(100, '127.0.0.1', 2222, { local: '127.0.0.1' })
    expect(only([p], [s])).toEqual({
      key: `rdp:100:${p.startTime}`,
      resourceType: 'rdp',
      resourceName: '127.0.0.1',
      host: '127.0.0.1',
      user: 'CORP\\bob',
      client: 'xfreerdp',
      root: p,
      members: [],
      sockets: [s],
      remoteAddress: '127.0.0.1',
      remotePort: 2222,
      localAddress: '127.0.0.1',
      flags: [],
      endable: true,
      resourceId: null,
    })
  })

  it.each(['xfreerdp3', 'wlfreerdp', 'sdl-freerdp', 'sdl-freerdp3'])('%s /v:host', (bin) => {
    const d = only([proc(100, [bin, '/v:ts01.corp.local', '/u:alice'])], [sock(100, '10.0.0.20', 3389)])
    expect(d).toMatchObject({ resourceName: 'ts01.corp.local', user: 'alice', client: bin, remotePort: 3389 })
  })

  it('IPv6 /v:[addr]:port', () => {
    const d = only([proc(100, ['xfreerdp', '/v:[2001:db8::10]:3390'])], [sock(100, '2001:db8::10', 3390)])
    expect(d).toMatchObject({ host: '2001:db8::10', remoteAddress: '2001:db8::10', remotePort: 3390 })
  })

  it('a .rdp file without /v: is named after the file', () => {
    const d = only([proc(100, ['xfreerdp', '/home/bob/finance.rdp'])], [sock(100, '10.0.0.20', 3389)])
    expect(d).toMatchObject({ resourceName: 'finance', host: '10.0.0.20' })
  })

  it('the RDP connection is chosen over a gateway/other one', () => {
    const p = proc(100, ['xfreerdp', '/v:ts01', '/gateway:g:gw.corp.local'])
    const gw = sock(100, '10.0.0.1', 443)
    const rdp = sock(100, '10.0.0.20', 3389)
    expect(only([p], [gw, rdp]).sockets).toEqual([rdp, gw])
  })

  it('rdesktop', () => {
    const d = only(
      [proc(100, ['rdesktop', '-u', 'bob', '-P', '-g', '1280x800', 'ts01:3390'])],
      [sock(100, '10.0.0.20', 3390)],
    )
    expect(d).toMatchObject({ resourceName: 'ts01', user: 'bob', client: 'rdesktop', remotePort: 3390 })
  })

  it('mstsc.exe with a Windows path', () => {
    const p = proc(100, ['mstsc.exe', '/v:ts01.corp.local:3390'], { exe: 'C:\\Windows\\System32\\mstsc.exe' })
    expect(only([p], [sock(100, '10.0.0.20', 3390)])).toMatchObject({
      resourceName: 'ts01.corp.local',
      client: 'mstsc',
    })
  })

  it('msrdc.exe: named after the .rdp file, else the peer', () => {
    const exe = 'C:\\Program Files\\Remote Desktop\\msrdc.exe'
    const withFile = proc(100, ['msrdc.exe', 'C:\\Users\\bob\\AppData\\Local\\Temp\\Desk 1.rdp'], { exe })
    expect(only([withFile], [sock(100, '10.0.0.20', 3389)]).resourceName).toBe('Desk 1')
    const bare = proc(101, ['msrdc.exe'], { exe })
    expect(only([bare], [sock(101, '10.0.0.21', 3389)]).resourceName).toBe('10.0.0.21')
  })

  it('Remmina: only its RDP connections count, named after -c', () => {
    const p = proc(100, ['remmina', '-c', '/home/bob/.local/share/remmina/finance.remmina'])
    const https = sock(100, '140.82.121.4', 443)
    const rdp = sock(100, '10.0.0.20', 3389)
    const d = only([p], [https, rdp])
    expect(d).toMatchObject({ resourceName: 'finance', client: 'remmina', remoteAddress: '10.0.0.20' })
    expect(d.sockets).toEqual([rdp])
  })

  it('Remmina rdp:// URI with a port', () => {
    const p = proc(100, ['remmina', '-c', 'rdp://alice@ts.example:3390'])
    expect(only([p], [sock(100, '10.0.0.20', 3390)])).toMatchObject({
      resourceName: 'ts.example',
      user: 'alice',
    })
  })

  it('Remmina with no RDP connection (VNC, SSH only) is not an RDP session', () => {
    const p = proc(100, ['remmina'])
    expect(detect([p], [sock(100, '10.0.0.5', 5900), sock(100, '10.0.0.6', 22)])).toEqual([])
  })

  it('macOS Windows App: only port 3389', () => {
    const p = proc(100, ['/Applications/Windows App.app/Contents/MacOS/Windows App'])
    const d = only([p], [sock(100, '20.1.2.3', 443), sock(100, '10.0.0.20', 3389)])
    expect(d).toMatchObject({ resourceName: '10.0.0.20', client: 'windows app' })
  })

  it('not sessions: no socket yet, xrdp server, our own process', () => {
    expect(detect([proc(100, ['xfreerdp', '/v:ts01'])])).toEqual([])
    expect(detect([proc(100, ['xrdp', '--nodaemon'])], [sock(100, '10.0.0.9', 51000)])).toEqual([])
    expect(
      run(
        detectRdp,
        ctx([proc(100, ['xfreerdp', '/v:ts01'])], [sock(100, '10.0.0.9', 3389)], { selfPid: 100 }),
      ),
    ).toEqual([])
  })
})
