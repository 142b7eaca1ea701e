import { describe, expect, it } from 'vitest'
import { createGeoLocator } from '@engine/geo'
import { seenAddress } from '../../src/main/fleet/fleet'
import { deviceLocation } from '../../src/main/fleet/protocol'

// Issue 14: a device's row shows where the device is: the location its user set, else the
// geolocated address the NATS server saw it connect from (client_ip in the server's INFO).
// The real-server side (loopback) is tests/integration/fleet-mirror.test.ts.

const geo = createGeoLocator()

describe('where a device is', () => {
  it('a public server-seen address is geolocated from the offline data', () => {
    const seen = seenAddress('189.203.0.1', geo)
    expect(seen).toEqual({ seenFrom: '189.203.0.1', seenLocation: 'Mexico City, MX' })
    expect(deviceLocation(seen)).toBe('Mexico City, MX')
  })
  it('the location the user set wins over the server-seen one', () => {
    const seen = seenAddress('189.203.0.1', geo)
    expect(deviceLocation({ ...seen, location: 'Oslo office' })).toBe('Oslo office')
    // an empty setting is no setting
    expect(deviceLocation({ ...seen, location: '' })).toBe('Mexico City, MX')
  })
  it('loopback and private addresses are named by class; no address, no location', () => {
    expect(seenAddress('127.0.0.1', geo).seenLocation).toBe('This device')
    expect(seenAddress('10.20.30.40', geo).seenLocation).toBe('Private network')
    expect(seenAddress('100.64.1.2', geo).seenLocation).toBe('Private network')
    expect(seenAddress(undefined, geo)).toEqual({})
    expect(deviceLocation({})).toBeUndefined()
  })
  it("a device seen over loopback is on the fleet server's machine, not 'This device' (the reader's)", () => {
    const seen = seenAddress('127.0.0.1', geo)
    expect(deviceLocation(seen)).toBe("The fleet server's machine")
    expect(deviceLocation(seenAddress('::1', geo))).toBe("The fleet server's machine")
    expect(deviceLocation({ ...seen, location: 'Oslo office' })).toBe('Oslo office')
    expect(deviceLocation(seenAddress('10.20.30.40', geo))).toBe('Private network')
  })
})
