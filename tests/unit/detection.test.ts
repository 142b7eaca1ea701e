import { describe, expect, it, vi } from 'vitest'
import * as detect from '@engine/detect'
import { Detection } from '@engine/detection'
import type { WebResource } from '@engine/detect/types'
import type { Snapshot, SocketInfo } from '@engine/probe/types'
import { proc, snap, sock } from './detect/helpers'

// Detection reruns the detectors only when the probe says the sessions may differ; a snapshot
// with only new counters (sameSessions) gets the last answer with the new socket readings.

vi.mock('@engine/detect', async (importOriginal) => {
  const real = await importOriginal<typeof detect>()
  return { ...real, detectAll: vi.fn(real.detectAll) }
})
const detectAll = vi.mocked(detect.detectAll)

const ssh = proc(100, ['ssh', 'user@lab.example'])
const other = proc(200, ['ssh', 'other.example'])

function reading(s: SocketInfo, inode: number, lastRecvMs: number): SocketInfo {
  return { ...s, inode, bytesSent: lastRecvMs * 10, bytesReceived: 5, lastSendMs: lastRecvMs, lastRecvMs }
}

const base = sock(100, '198.51.100.7', 22, { localPort: 41000 })
const baseOther = sock(200, '198.51.100.8', 22, { localPort: 41001 })

function snapshot(sockets: SocketInfo[], flags: Partial<Snapshot> = {}, procs = [ssh]): Snapshot {
  return { ...snap(procs, sockets), ...flags }
}

function newDetection(): Detection {
  // ssh -G is not run: every ssh here says all detection needs on its command line
  return new Detection({ uid: null, selfPid: 999_999, sshG: () => Promise.resolve(null) })
}

const run = (d: Detection, s: Snapshot, web: readonly WebResource[] = []): ReturnType<Detection['detect']> =>
  d.detect(s, web, new Map(), new Map())

describe('Detection: reuse while the sessions are the same', () => {
  it('a snapshot with only new counters gets the new readings without running the detectors', async () => {
    const d = newDetection()
    await run(d, snapshot([reading(base, 7, 9000)]))
    detectAll.mockClear()
    const fresh = reading(base, 7, 40)
    const r = await run(d, snapshot([fresh], { sameSessions: true }))
    expect(detectAll).not.toHaveBeenCalled()
    expect(r.fresh).toBe(true)
    expect(r.detected).toHaveLength(1)
    expect(r.detected[0]?.sockets).toEqual([fresh])
    // exactly what detecting afresh finds in that snapshot
    expect(r.detected).toEqual((await run(newDetection(), snapshot([fresh]))).detected)
  })

  it('an unchanged snapshot reuses the very same answer, not fresh', async () => {
    const d = newDetection()
    const first = await run(d, snapshot([reading(base, 7, 9000)]))
    detectAll.mockClear()
    const r = await run(d, snapshot([reading(base, 7, 9100)], { unchanged: true, sameSessions: true }))
    expect(detectAll).not.toHaveBeenCalled()
    expect(r).toEqual({ detected: first.detected, fresh: false })
  })

  it('detects afresh when the probe does not vouch for the same sessions', async () => {
    const d = newDetection()
    await run(d, snapshot([reading(base, 7, 9000)]))
    detectAll.mockClear()
    const r = await run(d, snapshot([reading(base, 7, 10), reading(baseOther, 8, 10)], {}, [ssh, other]))
    expect(detectAll).toHaveBeenCalledTimes(1)
    expect(r.detected.map((x) => x.root.pid)).toEqual([100, 200])
  })

  it('detects afresh when the inputs changed (a web resource), whatever the probe says', async () => {
    const d = newDetection()
    await run(d, snapshot([reading(base, 7, 9000)]))
    detectAll.mockClear()
    const web = [{ id: 3, name: 'wiki', url: 'https://wiki.example' }]
    await run(d, snapshot([reading(base, 7, 10)], { sameSessions: true }), web)
    await run(d, snapshot([reading(base, 7, 10)], { unchanged: true, sameSessions: true }))
    expect(detectAll).toHaveBeenCalledTimes(2)
  })

  it('the first snapshot is always detected', async () => {
    const d = newDetection()
    detectAll.mockClear()
    const r = await run(d, snapshot([reading(base, 7, 10)], { unchanged: true, sameSessions: true }))
    expect(detectAll).toHaveBeenCalledTimes(1)
    expect(r.fresh).toBe(true)
    expect(r.detected).toHaveLength(1)
  })
})
