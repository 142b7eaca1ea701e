import { describe, expect, it } from 'vitest'
import { createProbe } from '@engine/probe/index'

describe('createProbe', () => {
  it('gives a probe for each supported OS', () => {
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      const probe = createProbe(platform)
      expect(typeof probe.snapshot).toBe('function')
      expect(typeof probe.readProcess).toBe('function')
    }
  })

  it('refuses an OS it has no probe for', () => {
    expect(() => createProbe('freebsd')).toThrow(/no process probe for freebsd/)
  })

  // the default probe on this machine (it runs ss): tests/process/probe/linux-probe.test.ts
})
