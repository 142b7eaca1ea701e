import { describe, expect, it } from 'vitest'
import { ancestryOf, parentHits, type Ancestor } from '@engine/anomaly/ancestry'
import { addressBytes, parseAsnLine } from '@engine/anomaly/asn'
import { awayHits } from '@engine/anomaly/away'
import { binaryHits, isInstalledPath } from '@engine/anomaly/binary'
import { countryOf, hourOfWeek, learnedHits, learning } from '@engine/anomaly/learned'
import type { ProcessInfo } from '@engine/probe/types'
import type { LearnedHistory } from '@engine/store/review-history'
import { needsReview, parseSecurityContact, reviewScore, RULE_WEIGHTS } from '@shared/review'

const SHA = 'a'.repeat(64)
const DAY = 86_400_000

describe('the client binary rule', () => {
  it('knows package-manager locations on each platform, and never a temp folder or a path with ..', () => {
    expect(isInstalledPath('/usr/bin/ssh', 'linux')).toBe(true)
    expect(isInstalledPath('/opt/homebrew/bin/ssh', 'darwin')).toBe(true)
    expect(isInstalledPath('/Applications/Remmina.app/Contents/MacOS/remmina', 'darwin')).toBe(true)
    expect(isInstalledPath('C:\\Program Files\\OpenSSH\\ssh.exe', 'win32')).toBe(true)
    expect(isInstalledPath('D:\\Program Files (x86)\\PuTTY\\plink.exe', 'win32')).toBe(true)
    expect(isInstalledPath('/tmp/x/ssh', 'linux')).toBe(false)
    expect(isInstalledPath('/home/me/bin/ssh', 'linux')).toBe(false)
    expect(isInstalledPath('/usr/bin/../../tmp/ssh', 'linux')).toBe(false)
    expect(isInstalledPath('C:\\Users\\me\\AppData\\Local\\Temp\\ssh.exe', 'win32')).toBe(false)
  })

  it('flags an uninstalled binary with its path and hash, a changed one with both hashes; an installed one not', () => {
    const unknown = binaryHits({ path: '/tmp/w/ssh', sha256: SHA, previous: null, platform: 'linux' })
    expect(unknown).toHaveLength(1)
    expect(unknown[0]?.rule).toBe('unknown-binary')
    expect(unknown[0]?.key).toBe(`exe:${SHA}`)
    expect(unknown[0]?.reason).toContain('/tmp/w/ssh')
    expect(unknown[0]?.reason).toContain(SHA)
    expect(binaryHits({ path: '/usr/bin/ssh', sha256: SHA, previous: null, platform: 'linux' })).toEqual([])
    const changed = binaryHits({
      path: '/usr/bin/ssh',
      sha256: SHA,
      previous: { sha256: 'b'.repeat(64), firstSeen: Date.UTC(2026, 0, 2) },
      platform: 'linux',
    })
    expect(changed.map((h) => h.rule)).toEqual(['changed-binary'])
    expect(changed[0]?.reason).toContain('2026-01-02')
    // unreadable: nothing is judged on a guess
    expect(binaryHits({ path: '/tmp/w/ssh', sha256: null, previous: null, platform: 'linux' })).toEqual([])
  })
})

function proc(pid: number, ppid: number, exe: string, argv: string[]): ProcessInfo {
  return { pid, ppid, uid: 1000, startTime: 0, exe, argv, comm: exe.split('/').pop()?.slice(0, 15) ?? '' }
}

describe('the unusual-parent rule', () => {
  const table = (...ps: ProcessInfo[]): Map<number, ProcessInfo> => new Map(ps.map((p) => [p.pid, p]))

  it('walks through shells to who decided: a terminal, an installed program or Session Warden are usual', () => {
    const fromTerminal = table(
      proc(50, 40, '/usr/bin/ssh', ['ssh', 'db']),
      proc(40, 30, '/usr/bin/bash', ['bash']),
      proc(30, 1, '/usr/libexec/gnome-terminal-server', ['gnome-terminal-server']),
    )
    expect(parentHits('ssh', ancestryOf(fromTerminal, 50), 999, 'linux')).toEqual([])
    const fromSelf = table(
      proc(50, 7, '/usr/bin/ssh', ['ssh']),
      proc(7, 1, '/tmp/.mount_warden/warden', ['warden']),
    )
    expect(parentHits('ssh', ancestryOf(fromSelf, 50), 7, 'linux')).toEqual([])
  })

  it('flags cron (through sh -c), a script in /tmp and an uninstalled program, and shows the chain', () => {
    const cron = table(
      proc(50, 40, '/usr/bin/ssh', ['ssh', 'db']),
      proc(40, 30, '/usr/bin/dash', ['/bin/sh', '-c', 'ssh db']),
      proc(30, 1, '/usr/sbin/cron', ['/usr/sbin/cron', '-f']),
    )
    const [hit] = parentHits('ssh', ancestryOf(cron, 50), 999, 'linux')
    expect(hit?.rule).toBe('unusual-parent')
    expect(hit?.reason).toContain('scheduler cron')
    expect(hit?.reason).toContain('ssh ← /bin/sh -c ssh db (pid 40) ← /usr/sbin/cron -f (pid 30)')
    const script = table(
      proc(50, 40, '/usr/bin/ssh', ['ssh']),
      proc(40, 1, '/usr/bin/bash', ['bash', '/tmp/x/run.sh']),
    )
    expect(parentHits('ssh', ancestryOf(script, 50), 999, 'linux')[0]?.key).toBe('parent:/tmp/x/run.sh')
    const odd = table(
      proc(50, 40, '/usr/bin/ssh', ['ssh']),
      proc(40, 1, '/home/me/.local/bin/agent', ['agent']),
    )
    expect(parentHits('ssh', ancestryOf(odd, 50), 999, 'linux')[0]?.reason).toContain('did not install')
  })

  it('stops on a pid loop and at a pid the snapshot lacks', () => {
    const loop = table(
      proc(50, 40, '/usr/bin/ssh', ['ssh']),
      proc(40, 41, '/usr/bin/bash', ['bash']),
      proc(41, 40, '/usr/bin/bash', ['bash']),
    )
    expect(ancestryOf(loop, 50).map((a: Ancestor) => a.pid)).toEqual([40, 41])
    expect(ancestryOf(table(proc(50, 40, '/usr/bin/ssh', ['ssh'])), 50)).toEqual([])
  })
})

describe('the away rule', () => {
  const base = { idleAfterMs: 300_000, at: 1_000_000, type: 'ssh', resourceName: 'db' }
  it('fires while locked or idle past idle-after; not while present (negative control)', () => {
    expect(awayHits({ ...base, lockedSince: 400_000, idleMs: null })[0]?.reason).toContain(
      'screen was locked',
    )
    expect(awayHits({ ...base, lockedSince: null, idleMs: 600_000 })[0]?.reason).toContain(
      'no keyboard or mouse input',
    )
    expect(awayHits({ ...base, lockedSince: null, idleMs: 2_000 })).toEqual([])
    expect(awayHits({ ...base, lockedSince: null, idleMs: null })).toEqual([])
  })
})

function history(over: Partial<LearnedHistory> = {}): LearnedHistory {
  const start = Date.UTC(2026, 0, 5, 9)
  const hours = Array.from({ length: 100 }, (_, i) => ({
    hour: Math.floor((start + i * DAY) / 3_600_000),
    count: 1,
  }))
  return {
    count: 100,
    firstAt: start,
    addresses: [
      { ip: '198.51.100.7', location: 'Amsterdam, NL', count: 60 },
      { ip: '203.0.113.9', location: 'US', count: 40 },
    ],
    hours,
    hostSeen: true,
    ...over,
  }
}

describe('the learned rules', () => {
  const at = Date.UTC(2026, 4, 1, 9)
  const facts = {
    type: 'ssh',
    resourceName: 'db',
    location: 'Berlin, DE',
    asn: { asn: 3320, org: 'DTAG' },
    historyAsns: new Map([[1136, 'KPN']]),
    at,
  }

  it('stay quiet while learning: under 14 days or under 10 sessions, whichever is later', () => {
    expect(learning({ count: 9, firstAt: at - 30 * DAY }, at)).toBe(true)
    expect(learning({ count: 500, firstAt: at - 13 * DAY }, at)).toBe(true)
    expect(learning({ count: 10, firstAt: at - 14 * DAY }, at)).toBe(false)
    expect(learnedHits(history({ count: 5 }), facts)).toEqual([])
  })

  it('flag a new country and network with readable reasons; a known one not', () => {
    const hits = learnedHits(history(), facts)
    const country = hits.find((h) => h.rule === 'new-country')
    expect(country?.reason).toBe('First SSH session to a server in DE; 100 earlier sessions went to NL, US')
    expect(hits.find((h) => h.rule === 'new-asn')?.key).toBe('asn:ssh:3320')
    const known = learnedHits(history(), {
      ...facts,
      location: 'Rotterdam, NL',
      asn: { asn: 1136, org: 'KPN' },
    })
    expect(known.filter((h) => h.rule === 'new-country' || h.rule === 'new-asn')).toEqual([])
    expect(countryOf('Private network')).toBeNull()
    expect(countryOf('US')).toBe('US')
  })

  it('count a rare hour only together with another hit', () => {
    const night = Date.UTC(2026, 4, 3, 3) // no history at this hour
    const alone = learnedHits(history(), {
      ...facts,
      location: 'Rotterdam, NL',
      asn: { asn: 1136, org: 'KPN' },
      at: night,
    })
    expect(alone.map((h) => h.rule)).toEqual(['rare-hour'])
    expect(reviewScore(alone)).toBe(0)
    expect(needsReview(alone)).toBe(false)
    const withHost = learnedHits(history({ hostSeen: false }), {
      ...facts,
      location: 'Rotterdam, NL',
      asn: null,
      at: night,
    })
    expect(withHost.map((h) => h.rule).sort()).toEqual(['new-host', 'rare-hour'])
    expect(reviewScore(withHost)).toBe(RULE_WEIGHTS['new-host'] + RULE_WEIGHTS['rare-hour'])
    expect(needsReview(withHost)).toBe(true)
    expect(hourOfWeek(new Date(2026, 4, 4, 0, 30).getTime())).toBe(0) // a Monday, local time
  })
})

describe('ASN data and the security contact', () => {
  it('reads both CSV forms into one byte order', () => {
    const num = parseAsnLine('16777216,16777471,13335,"Cloudflare, Inc."', 4)
    const text = parseAsnLine('1.0.0.0,1.0.0.255,13335,"Cloudflare, Inc."', 4)
    expect(num).toEqual(text)
    expect(num?.org).toBe('Cloudflare, Inc.')
    expect(addressBytes('::ffff:1.0.0.1')).toEqual(addressBytes('1.0.0.1'))
    expect(addressBytes('2001:db8::1')?.toString('hex')).toBe('20010db8000000000000000000000001')
    expect(parseAsnLine('garbage', 4)).toBeNull()
  })

  it('accepts a mailto: and an https webhook; refuses http://, credentials and junk', () => {
    expect(parseSecurityContact('mailto:sec@example.com https://hooks.example.com/x')).toEqual({
      ok: true,
      value: { mailto: 'mailto:sec@example.com', webhook: 'https://hooks.example.com/x' },
    })
    expect(parseSecurityContact('')).toEqual({ ok: true, value: { mailto: null, webhook: null } })
    const refusal = (text: string): string => {
      const r = parseSecurityContact(text)
      return r.ok ? '' : r.error
    }
    expect(refusal('http://hooks.example.com')).toContain('https')
    expect(refusal('https://u:p@hooks.example.com')).toContain('credentials')
    expect(parseSecurityContact('mailto:nobody')).toMatchObject({ ok: false })
    expect(parseSecurityContact('ftp://x')).toMatchObject({ ok: false })
  })
})
