import { describe, expect, it } from 'vitest'
import type { Detected } from '@engine/detect/types'
import { SampleRing } from '@engine/samples'
import type { SessionRow } from '@engine/store/types'
import { SAMPLE_RING_SIZE } from '@shared/session-details'
import { engineFactory, FakeOs, S } from '../support/fake-os'

// The details drawer's sample ring (src/main/engine/samples.ts): bounded, per session, dropped with
// its session; and getSessionDetails over the engine on the scripted OS.

const makeEngine = engineFactory('warden-samples-')

function row(id: string, key: string, lastActivity: number): SessionRow {
  return { id, key, lastActivity, ipAddress: '203.0.113.7' } as SessionRow
}
function det(key: string, sent: number, received: number): Detected {
  const socket = {
    pids: [1],
    localAddress: '127.0.0.1',
    localPort: 40_001,
    remoteAddress: '203.0.113.7',
    remotePort: 22,
    bytesSent: sent,
    bytesReceived: received,
  }
  return { key, sockets: [socket] } as unknown as Detected
}

describe('SampleRing', () => {
  it('keeps at most its size per session, oldest dropped first, with bytes per direction', () => {
    const ring = new SampleRing(3)
    for (let t = 1; t <= 5; t++)
      ring.record([row('a', 'ka', t), row('b', 'kb', t)], [det('ka', t * 10, t * 100), det('kb', 1, 2)], t)
    const a = ring.of('a')
    expect(a.samples.map((s) => s.at)).toEqual([3, 4, 5])
    expect(a.samples.at(-1)).toMatchObject({ bytesOut: 50, bytesIn: 500, lastActivity: 5 })
    expect(a.localPort).toBe(40_001)
    expect(ring.of('b').samples.map((s) => s.bytesIn)).toEqual([2, 2, 2])
  })

  it("drops a session's ring when it leaves the open rows; null bytes without counters", () => {
    const ring = new SampleRing(3)
    ring.record([row('a', 'ka', 1), row('b', 'kb', 1)], [det('ka', 1, 1)], 1)
    expect(ring.of('b').samples[0]).toMatchObject({ bytesIn: null, bytesOut: null })
    ring.record([row('b', 'kb', 2)], [], 2)
    expect(ring.sessions).toBe(1)
    expect(ring.of('a')).toEqual({ samples: [], localPort: null })
  })

  it("a tick on a reused socket reading adds no sample, except a session's first", () => {
    const ring = new SampleRing(3)
    ring.record([row('a', 'ka', 1)], [det('ka', 1, 1)], 1, false)
    ring.record([row('a', 'ka', 1)], [det('ka', 1, 1)], 2, false)
    expect(ring.of('a').samples.map((s) => s.at)).toEqual([1])
    ring.record([row('a', 'ka', 3)], [det('ka', 5, 5)], 3, true)
    expect(ring.of('a').samples.map((s) => s.at)).toEqual([1, 3])
  })
})

describe('engine.details', () => {
  it('a sample per tick up to the ring size, the parent chain read on request, gone when it ends', async () => {
    const os = new FakeOs()
    const { engine } = makeEngine(os)
    os.procs.set(50, {
      pid: 50,
      ppid: 1,
      uid: 0,
      startTime: os.now,
      exe: '/bin/bash',
      argv: ['bash'],
      comm: 'bash',
    })
    const p = os.ssh(4242, ['ssh', '-J', 'hop@198.51.100.9:2222', '-p', '2200', 'admin@db1'])
    p.ppid = 50
    os.ssh(4343, ['ssh', 'web1'])
    for (let i = 0; i < SAMPLE_RING_SIZE + 5; i++) {
      await engine.tick()
      os.now += S
    }
    const [one, two] = engine.list().sort((x, y) => x.pid - y.pid)
    const d = await engine.details(one?.id ?? '')
    expect(d.samples).toHaveLength(SAMPLE_RING_SIZE)
    expect(d.session.pid).toBe(4242)
    expect(d.remotePort).toBe(d.session.remotePort)
    expect(d.localPort).toBeGreaterThanOrEqual(40_000)
    expect(d.jumpChain).toEqual(['hop@198.51.100.9:2222'])
    expect(d.parents.map((a) => a.pid)).toEqual([50])
    expect(d.argv?.[0]).toBe('ssh')
    expect((await engine.details(two?.id ?? '')).parents).toEqual([])
    os.kill(4242)
    await engine.tick()
    await engine.tick()
    const gone = await engine.details(one?.id ?? '')
    expect(gone.samples).toEqual([])
    expect(gone.argv).toBeNull()
    expect(gone.jumpChain).toBeUndefined() // cannot be told without the process: left out
    expect((await engine.details(two?.id ?? '')).samples).toHaveLength(SAMPLE_RING_SIZE)
  })

  it('an unknown or malformed id is refused with a clear error', async () => {
    const { engine } = makeEngine(new FakeOs())
    await expect(engine.details('0123456789ab')).rejects.toMatchObject({ code: 'UNKNOWN_SESSION' })
    await expect(engine.details('nope')).rejects.toThrow(/id/)
  })
})
