// One address module for probe and detection (src/main/engine/probe/addr.ts). Before it, the
// probe kept IPv6 zones and left IPv6 uncompressed, while detection dropped zones and compressed:
// the two disagreed on fe80::1%eth0 and on any spelling but the canonical one. These properties
// hold every spelling of an address against the one form, through both old call sites: the
// probe's socket parsers (parseEndpoint, /proc/net) and detection's matching (web hosts).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  formatIPv6,
  isIpLiteral,
  isLoopback,
  normalizeAddress,
  parseEndpoint,
  procNetHexToAddress,
  sameAddress,
  withoutZone,
} from '@engine/probe/addr'
import { detectAll } from '@engine/detect/index'
import { ctx, proc } from '../detect/helpers'

const SEED = 20_261_202
const RUNS = { seed: SEED, numRuns: 400 }

const word = fc.integer({ min: 0, max: 0xffff })
const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255))

/** 8 groups, biased to the cases that matter: zero runs, link-local, mapped, loopback. */
const words: fc.Arbitrary<number[]> = fc.oneof(
  fc.array(word, { minLength: 8, maxLength: 8 }),
  fc.array(fc.constantFrom<number>(0, 0, 0, 1, 0xffff), { minLength: 8, maxLength: 8 }),
  fc.array(word, { minLength: 4, maxLength: 4 }).map((tail) => [0xfe80, 0, 0, 0, ...tail]),
  fc.tuple(fc.constantFrom(0xff01, 0xff02, 0xff05, 0xff0e), word).map(([m, w]) => [m, 0, 0, 0, 0, 0, 0, w]),
  v4.map(([a, b, c, d]) => [0, 0, 0, 0, 0, 0xffff, (a << 8) | b, (c << 8) | d]),
  fc.constant<number[]>([0, 0, 0, 0, 0, 0, 0, 1]),
)

/** How to write the groups: case, leading zeros, which zero run is "::", an IPv4 tail. */
const style = fc.record({
  upper: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
  pad: fc.array(fc.nat(3), { minLength: 8, maxLength: 8 }),
  compress: fc.nat(7),
  dottedTail: fc.boolean(),
})

type Style = typeof style extends fc.Arbitrary<infer T> ? T : never

function spell(w: readonly number[], s: Style): string {
  const groups = w.map((g, i) => {
    const hex = g.toString(16)
    const text = '0'.repeat(Math.min(s.pad[i] ?? 0, 4 - hex.length)) + hex
    return s.upper[i] === true ? text.toUpperCase() : text
  })
  let tail: string[] = []
  let head = groups
  if (s.dottedTail) {
    const a = w[6] ?? 0
    const b = w[7] ?? 0
    head = groups.slice(0, 6)
    tail = [`${a >> 8}.${a & 255}.${b >> 8}.${b & 255}`]
  }
  // "::" over the zero run starting at the chosen group, if there is one there
  let from = s.compress
  while (from < head.length && (w[from] ?? 1) !== 0) from++
  let to = from
  while (to < head.length && w[to] === 0) to++
  if (from >= head.length) return [...head, ...tail].join(':')
  const left = head.slice(0, from).join(':')
  const right = [...head.slice(to), ...tail].join(':')
  return `${left}::${right}`
}

function bytesOf(w: readonly number[]): Uint8Array {
  const b = new Uint8Array(16)
  w.forEach((g, i) => {
    b[i * 2] = g >> 8
    b[i * 2 + 1] = g & 0xff
  })
  return b
}

/** /proc/net/tcp6 text of the address on a little-endian host (the kernel's raw 32-bit words). */
function procHex(b: Uint8Array): string {
  let out = ''
  for (let w = 0; w < 4; w++)
    for (let k = 3; k >= 0; k--) out += (b[w * 4 + k] ?? 0).toString(16).padStart(2, '0').toUpperCase()
  return out
}

const zoneOf = fc.option(fc.constantFrom('eth0', 'wlan0', 'Eth1', '12'), { nil: undefined })

/** The expected canonical text, stated independently of the module: inet_ntop form + scoped zone. */
function expected(w: readonly number[], zone: string | undefined): string {
  const text = formatIPv6(bytesOf(w))
  const first = w[0] ?? 0
  const scoped = (first & 0xffc0) === 0xfe80 || (first >> 8 === 0xff && (first & 0xf) <= 2)
  return zone !== undefined && zone !== '' && scoped ? `${text}%${zone}` : text
}

describe('one address form for every spelling', () => {
  it('normalizeAddress: case, leading zeros, "::" anywhere, IPv4 tails, brackets, zones', () => {
    fc.assert(
      fc.property(words, style, zoneOf, fc.boolean(), (w, s, zone, bracket) => {
        const bare = spell(w, s) + (zone === undefined ? '' : `%${zone}`)
        const text = bracket ? `[${bare}]` : ` ${bare} `
        expect(isIpLiteral(text)).toBe(true)
        expect(normalizeAddress(text)).toBe(expected(w, zone))
      }),
      RUNS,
    )
  })

  it('the probe agrees: ss, netstat/lsof and /proc/net give the same address', () => {
    fc.assert(
      fc.property(words, style, zoneOf, fc.integer({ min: 1, max: 65535 }), (w, s, zone, port) => {
        const want = expected(w, zone)
        const z = zone === undefined ? '' : `%${zone}`
        expect(parseEndpoint(`[${spell(w, s)}]${z}:${port}`)).toEqual({ address: want, port }) // ss
        expect(parseEndpoint(`[${spell(w, s)}${z}]:${port}`)).toEqual({ address: want, port }) // netstat, lsof
        // /proc/net/tcp6 has no scope id: the same peer but for the zone
        const fromProc = procNetHexToAddress(procHex(bytesOf(w)))
        expect(fromProc).toBe(withoutZone(want))
        expect(sameAddress(fromProc ?? '', want)).toBe(true)
      }),
      RUNS,
    )
  })

  it('IPv4-mapped IPv6 is the IPv4 address, in any spelling', () => {
    fc.assert(
      fc.property(v4, style, ([a, b, c, d], s) => {
        const w = [0, 0, 0, 0, 0, 0xffff, (a << 8) | b, (c << 8) | d]
        const dotted = `${a}.${b}.${c}.${d}`
        expect(normalizeAddress(spell(w, s))).toBe(dotted)
        expect(normalizeAddress(`[${spell(w, s)}%eth0]`)).toBe(dotted) // no zone on IPv4
        expect(sameAddress(spell(w, s), dotted)).toBe(true)
        expect(isLoopback(spell(w, s))).toBe(a === 127)
      }),
      RUNS,
    )
  })

  it('is idempotent and never throws, whatever the text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[0-9a-fA-F:.%[\]]{0,45}$/)), (text) => {
        const once = normalizeAddress(text)
        expect(normalizeAddress(once)).toBe(once)
        expect(sameAddress(text, once)).toBe(true)
      }),
      RUNS,
    )
  })

  it('detection agrees: a browser socket the probe parsed matches a web resource however spelt', () => {
    fc.assert(
      fc.property(words, style, style, zoneOf, (w, urlStyle, ssStyle, zone) => {
        const z = zone === undefined ? '' : `%${zone}`
        const socket = parseEndpoint(`[${spell(w, ssStyle)}]${z}:8443`)
        if (!socket) throw new Error('unparsed')
        const found = detectAll(
          ctx(
            [proc(10, ['chromium'])],
            [
              {
                pids: [10],
                localAddress: '::1',
                localPort: 50000,
                remoteAddress: socket.address,
                remotePort: 8443,
              },
            ],
            { webResources: [{ id: 1, name: 'R', url: `https://[${spell(w, urlStyle)}]:8443/` }] },
          ),
        )
        expect(found.map((d) => d.resourceId)).toEqual([1])
      }),
      RUNS,
    )
  })
})

describe('zones and edge cases', () => {
  it.each([
    ['fe80::1%eth0', 'fe80::1%eth0'],
    ['FE80::1%Eth0', 'fe80::1%Eth0'], // interface names are case-sensitive on Linux
    ['[fe80::1%12]', 'fe80::1%12'],
    ['fe80::1%', 'fe80::1'],
    ['2001:db8::1%eth0', '2001:db8::1'], // a global address has one zone
    ['ff02::1%eth0', 'ff02::1%eth0'], // link-local multicast
    ['ff05::1%eth0', 'ff05::1'], // site-local multicast
    ['::ffff:127.0.0.1%lo', '127.0.0.1'],
    ['192.168.1.5%wlan0', '192.168.1.5'],
    ['::0.0.0.1', '::1'],
    ['::1.2.3.4', '::1.2.3.4'], // IPv4-compatible, as inet_ntop prints it
    ['0:0:0:0:0:0:0:0', '::'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ['010.0.0.1', '010.0.0.1'], // leading zero: octal to inet_aton, not an address here
    ['Host.Example.COM', 'host.example.com'],
    ['*', '*'],
    ['1::2::3', '1::2::3'],
    ['12345::1', '12345::1'],
  ])('%s → %s', (text, out) => {
    expect(normalizeAddress(text)).toBe(out)
  })

  it('sameAddress: a zone only one side knows matches, two different zones do not', () => {
    expect(sameAddress('fe80::1', 'fe80::1%eth0')).toBe(true)
    expect(sameAddress('fe80::1%eth0', 'FE80:0::1%eth0')).toBe(true)
    expect(sameAddress('fe80::1%eth0', 'fe80::1%eth1')).toBe(false)
    expect(sameAddress('10.0.0.1', '::ffff:a00:1')).toBe(true)
    expect(sameAddress('10.0.0.1', '10.0.0.2')).toBe(false)
  })

  it('isLoopback: 127/8, ::1 in any spelling, the loopback names', () => {
    expect(
      [
        '127.0.0.1',
        '127.1.2.3',
        '[::1]',
        '0:0:0:0:0:0:0:1',
        '::ffff:127.0.0.2',
        'LOCALHOST',
        'ip6-localhost',
      ].map(isLoopback),
    ).toEqual([true, true, true, true, true, true, true])
    expect(['10.0.0.1', '::2', '127.example.com', 'fe80::1'].map(isLoopback)).toEqual([
      false,
      false,
      false,
      false,
    ])
  })
})
