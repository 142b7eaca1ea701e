import { describe, expect, it } from 'vitest'
import { classifyAddress, createGeoLocator } from '@engine/geo'

describe('geolocation', () => {
  it('names private and loopback ranges without a lookup', () => {
    const geo = createGeoLocator()
    expect(geo.locate('127.0.0.1')).toBe('This device')
    expect(geo.locate('::1')).toBe('This device')
    expect(geo.locate('10.1.2.3')).toBe('Private network')
    expect(geo.locate('172.20.0.1')).toBe('Private network')
    expect(geo.locate('192.168.1.10')).toBe('Private network')
    expect(geo.locate('fd00::1')).toBe('Private network')
    expect(geo.locate('not an ip')).toBe('Unknown')
    expect(classifyAddress('172.32.0.1')).toBe('public')
    expect(classifyAddress('::ffff:192.168.0.1')).toBe('private')
  })
  it('locates public addresses from the offline GeoLite2 data', () => {
    const geo = createGeoLocator()
    expect(geo.locate('189.203.0.1')).toBe('Mexico City, MX')
    expect(geo.locate('8.8.8.8')).toMatch(/US$/)
    expect(geo.locate('2001:4860:4860::8888')).toMatch(/US$/)
  })
})
