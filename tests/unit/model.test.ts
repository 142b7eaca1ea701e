import { describe, expect, it } from 'vitest'
import { computeStats } from '@shared/model'
import { formatDuration } from '@shared/duration'
import { parseSettingText, validateSetting, DEFAULT_SETTINGS } from '@shared/settings'

const M = 60_000
const H = 60 * M
const D = 24 * H

describe('formatDuration', () => {
  it('formats as the Sessions page: 32m, 2h 30m, 1h 05m, 2d 4h', () => {
    expect(formatDuration(32 * M)).toBe('32m')
    expect(formatDuration(2.5 * H)).toBe('2h 30m')
    expect(formatDuration(H + 5 * M)).toBe('1h 05m')
    expect(formatDuration(2 * D + 4 * H + 59 * M)).toBe('2d 4h')
  })
  it('has a defined form under a minute and at the boundaries', () => {
    expect(formatDuration(0)).toBe('<1m')
    expect(formatDuration(59_999)).toBe('<1m')
    expect(formatDuration(M)).toBe('1m')
    expect(formatDuration(H - 1)).toBe('59m')
    expect(formatDuration(H)).toBe('1h 00m')
    expect(formatDuration(D - 1)).toBe('23h 59m')
    expect(formatDuration(D)).toBe('1d 0h')
  })
  it('never prints nonsense for bad input', () => {
    expect(formatDuration(-5)).toBe('<1m')
    expect(formatDuration(Number.NaN)).toBe('<1m')
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('<1m')
  })
})

describe('computeStats', () => {
  it('counts active and idle and sums the duration of active sessions only', () => {
    const st = computeStats([
      { status: 'active', durationMs: 2 * H },
      { status: 'active', durationMs: 2 * H + 7 * M },
      { status: 'idle', durationMs: 10 * H },
      { status: 'disconnected', durationMs: 99 * H },
    ])
    expect(st).toEqual({ active: 2, idle: 1, totalDurationMs: 4 * H + 7 * M, totalDuration: '4h 07m' })
  })
})

describe('settings validation', () => {
  it('accepts good values and refuses bad ones with the reason', () => {
    expect(validateSetting('idleAfterSec', 60)).toEqual({ ok: true, value: 60 })
    const bad = validateSetting('idleAfterSec', -1)
    expect(bad.ok).toBe(false)
    expect(!bad.ok && bad.error).toBe(
      'idleAfterSec must be a whole number of seconds from 5 to 86400 (got -1)',
    )
    expect(validateSetting('pollIntervalMs', 1.5).ok).toBe(false)
    expect(validateSetting('limitAction', 'explode').ok).toBe(false)
  })
  it('parses CLI text strictly', () => {
    expect(parseSettingText('warnAfterSec', '0')).toEqual({ ok: true, key: 'warnAfterSec', value: 0 })
    expect(parseSettingText('notifications', 'false')).toEqual({
      ok: true,
      key: 'notifications',
      value: false,
    })
    expect(parseSettingText('notifications', 'no').ok).toBe(false)
    expect(parseSettingText('idleAfterSec', '10s').ok).toBe(false)
    expect(parseSettingText('idleAfterSec', '1e3').ok).toBe(false)
    const unknown = parseSettingText('nope', '1')
    expect(!unknown.ok && unknown.error).toMatch(/unknown setting/)
    expect(parseSettingText('limitAction', 'end-newest').ok).toBe(true)
  })
  it('has defaults of 5 min idle, 10 min warning, 30 min auto-disconnect, 90 days retention', () => {
    expect(DEFAULT_SETTINGS).toMatchObject({
      idleAfterSec: 300,
      warnAfterSec: 600,
      disconnectAfterSec: 1800,
      retentionDays: 90,
      pollIntervalMs: 1000,
    })
  })
})
