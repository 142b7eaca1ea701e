import { describe, expect, it } from 'vitest'
import { formatIPv6, normalizeAddress, parseEndpoint, procNetHexToAddress } from '@engine/probe/addr'

describe('parseEndpoint', () => {
  it.each([
    ['127.0.0.1:40123', '127.0.0.1', 40123],
    ['[::1]:48814', '::1', 48814],
    ['[::ffff:127.0.0.1]:40124', '127.0.0.1', 40124],
    // ss puts the zone after the bracket, netstat and lsof inside it
    ['[fe80::fc:ff:fe00:1]%eth0:40200', 'fe80::fc:ff:fe00:1%eth0', 40200],
    ['[fe80::5d2c:1a7:3e9b:44f0%12]:52330', 'fe80::5d2c:1a7:3e9b:44f0%12', 52330],
    // old ss printed IPv6 without brackets
    ['::1:22', '::1', 22],
    ['::ffff:10.0.0.5:22', '10.0.0.5', 22],
    // a socket bound to a device: ss prints %dev, which is not part of an IPv4 address
    ['192.168.1.5%wlan0:50000', '192.168.1.5', 50000],
    ['[2A00:1450:4001:82B::200E]:443', '2a00:1450:4001:82b::200e', 443],
    ['*:22', '*', 22],
    ['0.0.0.0:*', '0.0.0.0', 0],
  ])('%s', (text, address, port) => {
    expect(parseEndpoint(text)).toEqual({ address, port })
  })

  it.each(['', 'nonsense', '[::1]', '1.2.3.4:', '1.2.3.4:99999', '1.2.3.4:x'])('rejects %j', (text) => {
    expect(parseEndpoint(text)).toBeNull()
  })
})

describe('normalizeAddress', () => {
  it('keeps an IPv6 zone, drops it with the mapping of an IPv4 address', () => {
    expect(normalizeAddress('fe80::1%eth0')).toBe('fe80::1%eth0')
    expect(normalizeAddress('::FFFF:192.0.2.1')).toBe('192.0.2.1')
    expect(normalizeAddress('10.0.0.1')).toBe('10.0.0.1')
  })
})

describe('formatIPv6 (as inet_ntop)', () => {
  const bytes = (...words: number[]): Uint8Array => {
    const b = new Uint8Array(16)
    words.forEach((w, i) => {
      b[i * 2] = w >> 8
      b[i * 2 + 1] = w & 0xff
    })
    return b
  }
  it.each([
    [bytes(0, 0, 0, 0, 0, 0, 0, 0), '::'],
    [bytes(0, 0, 0, 0, 0, 0, 0, 1), '::1'],
    [bytes(0xfe80, 0, 0, 0, 0xfc, 0xff, 0xfe00, 1), 'fe80::fc:ff:fe00:1'],
    [bytes(0xfe80, 0, 0, 0, 0, 0, 0, 0), 'fe80::'],
    [bytes(0x2001, 0xdb8, 0, 1, 0, 0, 0, 1), '2001:db8:0:1::1'],
    // a single zero word is not compressed; on a tie the first run is
    [bytes(0x2001, 0xdb8, 0, 1, 1, 1, 1, 1), '2001:db8:0:1:1:1:1:1'],
    [bytes(0x2001, 0, 0, 1, 0, 0, 1, 1), '2001::1:0:0:1:1'],
    [bytes(0, 0, 0, 0, 0, 0xffff, 0x7f00, 1), '127.0.0.1'],
    [bytes(0, 0, 0, 0, 0, 0, 0x0102, 0x0304), '::1.2.3.4'],
  ])('%#', (b, text) => {
    expect(formatIPv6(b)).toBe(text)
  })
})

describe('procNetHexToAddress', () => {
  it('reads little-endian words as the kernel prints them on x86', () => {
    expect(procNetHexToAddress('0100007F')).toBe('127.0.0.1')
    expect(procNetHexToAddress('000080FE00000000FF00FC00010000FE')).toBe('fe80::fc:ff:fe00:1')
    expect(procNetHexToAddress('0000000000000000FFFF00000100007F')).toBe('127.0.0.1')
    expect(procNetHexToAddress('00000000000000000000000001000000')).toBe('::1')
  })
  it('reads big-endian words on big-endian hosts', () => {
    expect(procNetHexToAddress('7F000001', false)).toBe('127.0.0.1')
  })
  it('rejects other widths', () => {
    expect(procNetHexToAddress('7F0000')).toBeNull()
  })
})
