// Remmina (issue 11, item 1): profiles name its connections (faults 1 and 3), and each connection
// of the one Remmina process is its own session, flagged as ending its siblings (fault 2).
import { describe, expect, it } from 'vitest'
import { detectRdp } from '@engine/detect/rdp'
import {
  matchProfile,
  parseRemminaProfile,
  REMMINA_RDP_PORT,
  type RemminaProfile,
  type RemminaProfiles,
} from '@engine/detect/remmina'
import type { Detected } from '@engine/detect/types'
import type { ProcessInfo, SocketInfo } from '@engine/probe/types'
import { ctx, proc, run, sock } from './helpers'

// a profile as Remmina 1.4.29 writes it (keys in its order; the password is its encrypted blob)
const LAB = `[remmina]
password=c2VjcmV0LWVuY3J5cHRlZC1ibG9i
gateway_username=
name=Lab desktop
protocol=RDP
username=CORP\\bob
server=127.0.0.1:53779
cert_ignore=1
colordepth=32
`

const profile = (over: Partial<RemminaProfile>): RemminaProfile => ({
  name: null,
  user: null,
  host: null,
  port: REMMINA_RDP_PORT,
  protocol: 'RDP',
  ...over,
})

describe('Remmina profile parsing', () => {
  it('keeps name, username, server and protocol; nothing else (never the password)', () => {
    const p = parseRemminaProfile(LAB)
    expect(p).toEqual({
      name: 'Lab desktop',
      user: 'CORP\\bob',
      host: '127.0.0.1',
      port: 53779,
      protocol: 'RDP',
    })
    expect(JSON.stringify(p)).not.toContain('c2VjcmV0')
  })

  it.each<[string, Partial<RemminaProfile>]>([
    ['[remmina]\nserver=ts01.corp\n', { host: 'ts01.corp', port: 3389, name: null, user: null }],
    ['[remmina]\nserver=[2001:db8::5]:3390\n', { host: '2001:db8::5', port: 3390 }],
    ['[remmina]\nserver=\nname=\n', { host: null, name: null }],
    // keys outside the [remmina] group are not the profile's
    ['[other]\nname=x\nserver=h:1\n[remmina]\nserver=h:2\n', { name: null, port: 2 }],
    // CRLF line ends and spaces around '='
    [
      '[remmina]\r\nname = Win box \r\nserver=10.0.0.4:3391\r\n',
      { name: 'Win box', host: '10.0.0.4', port: 3391 },
    ],
    ['not a profile at all', { host: null, protocol: null }],
  ])('%j', (text, expected) => {
    expect(parseRemminaProfile(text)).toMatchObject(expected)
  })
})

describe('matching a Remmina socket to a profile', () => {
  const s = sock(1, '127.0.0.1', 53779)
  it.each<[string, RemminaProfile | null, RemminaProfile[], string | null]>([
    ['the -c profile', profile({ name: 'own', host: '127.0.0.1', port: 53779 }), [], 'own'],
    [
      'a saved profile by address and port',
      null,
      [profile({ name: 'saved', host: '127.0.0.1', port: 53779 })],
      'saved',
    ],
    ['"localhost" is loopback', null, [profile({ name: 'lh', host: 'localhost', port: 53779 })], 'lh'],
    ['another port does not match', null, [profile({ name: 'x', host: '127.0.0.1', port: 3389 })], null],
    ['another address does not match', null, [profile({ name: 'x', host: '10.0.0.1', port: 53779 })], null],
    [
      'a VNC profile is never RDP',
      null,
      [profile({ name: 'v', host: '127.0.0.1', port: 53779, protocol: 'VNC' })],
      null,
    ],
    [
      'an address beats a host name on the same port',
      null,
      [
        profile({ name: 'byname', host: 'lab', port: 53779 }),
        profile({ name: 'byip', host: '127.0.0.1', port: 53779 }),
      ],
      'byip',
    ],
    [
      'two host names on the same port: ambiguous, none',
      null,
      [profile({ name: 'a', host: 'lab1', port: 53779 }), profile({ name: 'b', host: 'lab2', port: 53779 })],
      null,
    ],
  ])('%s', (_what, own, saved, expected) => {
    expect(matchProfile(s, own, saved)?.name ?? null).toBe(expected)
  })
})

const remmina = (pid: number, argv: string[] = ['remmina']): ProcessInfo => proc(pid, argv)
const withProfiles = (
  procs: ProcessInfo[],
  sockets: SocketInfo[],
  remminaProfiles: RemminaProfiles,
): Detected[] => run(detectRdp, { ...ctx(procs, sockets), remmina: remminaProfiles })

describe('Remmina sessions', () => {
  const p = remmina(100, ['remmina', '-c', '/home/bob/lab.remmina'])
  const lab = parseRemminaProfile(LAB)
  const connect = new Map([[100, { startTime: p.startTime, profile: lab }]])

  it('a -c profile on a port other than 3389 is listed, with its name and user (faults 1, 3)', () => {
    const found = withProfiles([p], [sock(100, '127.0.0.1', 53779)], { connect, saved: [] })
    expect(found).toHaveLength(1)
    expect(found[0]).toMatchObject({
      resourceName: 'Lab desktop',
      user: 'CORP\\bob',
      host: '127.0.0.1',
      remotePort: 53779,
      client: 'remmina',
    })
  })

  it('a profile read for an earlier process with the same pid is not used', () => {
    const stale = new Map([[100, { startTime: p.startTime - 1, profile: lab }]])
    expect(withProfiles([p], [sock(100, '127.0.0.1', 53779)], { connect: stale, saved: [] })).toEqual([])
  })

  it('two connections of one process: two sessions, each keyed by its connection, flagged shared-process (fault 2)', () => {
    const other = profile({ name: 'Finance', user: 'alice', host: '10.0.0.20', port: 3390 })
    const a = sock(100, '127.0.0.1', 53779, { localPort: 41000 })
    const b = sock(100, '10.0.0.20', 3390, { localPort: 41001 })
    const vnc = sock(100, '10.0.0.30', 5900)
    const found = withProfiles([p], [a, vnc, b], { connect, saved: [lab, other] })
    expect(found.map((d) => [d.resourceName, d.user, d.key, d.flags, d.sockets])).toEqual([
      ['Lab desktop', 'CORP\\bob', `rdp:100:${p.startTime}:41000`, ['shared-process'], [a]],
      ['Finance', 'alice', `rdp:100:${p.startTime}:41001`, ['shared-process'], [b]],
    ])
  })

  it('a connection opened from the main window is named by the saved profile it matches', () => {
    const bare = remmina(200)
    const found = withProfiles([bare], [sock(200, '127.0.0.1', 53779)], { connect: new Map(), saved: [lab] })
    expect(found.map((d) => d.resourceName)).toEqual(['Lab desktop'])
  })

  it('without profiles a -c file still names its 3389 connection after the file (unread file)', () => {
    const found = withProfiles([p], [sock(100, '10.0.0.20', 3389)], { connect: new Map(), saved: [] })
    expect(found.map((d) => [d.resourceName, d.user])).toEqual([['lab', null]])
  })
})
