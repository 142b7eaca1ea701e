import { describe, expect, it } from 'vitest'
import { Device, interfaceFingerprint } from '@engine/device'

describe('device', () => {
  it('has a stable id, the host name, an OS and a model', async () => {
    const a = await new Device().load()
    const b = await new Device().load()
    expect(a.id).toMatch(/^[0-9a-f]{16}$/)
    expect(b.id).toBe(a.id)
    expect(a.name.length).toBeGreaterThan(0)
    expect(a.os).toMatch(/\S/)
    expect(a.model).toMatch(/\S/)
  })

  it('lists interfaces and re-reads them only when they changed', async () => {
    const d = new Device(0)
    const first = await d.interfaces(1)
    expect(first.some((i) => i.address === '127.0.0.1' && i.internal)).toBe(true)
    const fp = d.networkFingerprint
    expect(await d.interfaces(2)).toBe(first) // same array: not fetched again
    expect(d.networkFingerprint).toBe(fp)
  })

  it('fingerprints interfaces independently of order', () => {
    const x = {
      family: 'IPv4',
      address: '10.0.0.2',
      netmask: '',
      mac: '',
      internal: false,
      cidr: null,
    } as const
    const y = { ...x, address: '10.0.0.3' }
    expect(interfaceFingerprint({ eth0: [x], eth1: [y] })).toBe(
      interfaceFingerprint({ eth1: [y], eth0: [x] }),
    )
    expect(interfaceFingerprint({ eth0: [x] })).not.toBe(interfaceFingerprint({ eth0: [y] }))
  })
})
