import { describe, expect, it } from 'vitest'
import { activitySeries, bytesText, sparkPoints, sshCommand } from '@renderer/lib/session-details'

// The details drawer's pure parts (src/renderer/src/lib/session-details.ts).

describe('sshCommand', () => {
  it('leaves port 22 out, adds -p and -J, quotes what a shell would split', () => {
    expect(sshCommand({ user: 'alice', host: 'web1', remotePort: 22 }, [])).toBe('ssh alice@web1')
    expect(sshCommand({ user: null, host: '10.0.0.5', remotePort: 2200 }, ['hop@198.51.100.9:2222'])).toBe(
      'ssh -J hop@198.51.100.9:2222 -p 2200 10.0.0.5',
    )
    expect(sshCommand({ user: "o'brien", host: 'db;rm', remotePort: 22 }, [])).toBe(`ssh 'o'\\''brien@db;rm'`)
  })
})

describe('activity series', () => {
  it('bytes moved per interval where counted, else activity moved; points by time', () => {
    const series = activitySeries([
      { at: 0, bytesIn: 10, bytesOut: 0, lastActivity: 0 },
      { at: 1000, bytesIn: 30, bytesOut: 5, lastActivity: 1000 },
      { at: 3000, bytesIn: null, bytesOut: null, lastActivity: 1000 },
      { at: 4000, bytesIn: null, bytesOut: null, lastActivity: 4000 },
    ])
    expect(series).toEqual([
      { at: 1000, v: 25 },
      { at: 3000, v: 0 },
      { at: 4000, v: 1 },
    ])
    expect(sparkPoints(series, 300, 48)).toBe('0.0,1.0 200.0,47.0 300.0,45.2')
    expect(sparkPoints(series.slice(0, 1), 300, 48)).toBe('')
    expect(bytesText(null)).toBe('not counted')
    expect(bytesText(3788)).toBe('3.7 KB')
  })
})
