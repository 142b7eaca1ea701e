import { describe, expect, it } from 'vitest'
import { windowSizeOf, windowTitleSuffix, type Recording, type RecordingIntegrity } from '@shared/recording'
import {
  castText,
  formatBytes,
  formatLength,
  loadRecording,
  mimeOf,
  PLAY_MAX_BYTES,
  recordingTag,
  RecordingRefused,
  segmentFacts,
  sessionSegments,
  RDP_NOT_RECORDED_HINT,
  shortSha,
  SSH_NOT_RECORDED_HINT,
  type RecordingSource,
} from '@renderer/lib/recordings'

type Row = Parameters<typeof recordingTag>[0]
const live = (o: Partial<Row> = {}): Row => ({
  status: 'active',
  resourceType: 'ssh',
  recording: null,
  ...o,
})

describe('the row’s recording tag', () => {
  it('says Recording while the file is written (not playable), Recorded once closed (playable)', () => {
    const rec = recordingTag(live({ recording: { id: 1, kind: 'ssh-cast', status: 'recording' } }), true)
    expect(rec).toMatchObject({ state: 'recording', label: 'Recording', playable: false })
    const done = recordingTag(live({ recording: { id: 1, kind: 'ssh-cast', status: 'complete' } }), false)
    expect(done).toMatchObject({ state: 'recorded', label: 'Recorded', playable: true })
    const failed = recordingTag(
      live({ status: 'disconnected', recording: { id: 2, kind: 'rdp-video', status: 'failed' } }),
      false,
    )
    expect(failed).toMatchObject({ state: 'partial', label: 'Recorded (partial)', playable: true })
  })

  it('says Not recorded, why and how, for an open session the policy wants recorded', () => {
    const ssh = recordingTag(live(), true)
    expect(ssh).toMatchObject({ state: 'not-recorded', label: 'Not recorded', playable: false })
    expect(ssh?.hint).toBe(SSH_NOT_RECORDED_HINT)
    expect(SSH_NOT_RECORDED_HINT).toContain('cannot be read')
    expect(SSH_NOT_RECORDED_HINT).toContain('warden ssh')
    expect(SSH_NOT_RECORDED_HINT).toContain('warden shim install')
    expect(recordingTag(live({ resourceType: 'rdp', status: 'idle' }), true)?.hint).toBe(
      RDP_NOT_RECORDED_HINT,
    )
  })

  it('says nothing when the policy does not record, for web sessions, and for ended sessions', () => {
    expect(recordingTag(live(), false)).toBeNull()
    expect(recordingTag(live({ resourceType: 'web' }), true)).toBeNull()
    // the policy of today is not the one an ended session ran under
    expect(recordingTag(live({ status: 'disconnected' }), true)).toBeNull()
  })
})

describe('recording facts', () => {
  it('sizes, lengths, a short sha256 and the MIME type', () => {
    expect([0, 999, 1000, 1_400_000, 2_000_000_000].map(formatBytes)).toEqual([
      '0 B',
      '999 B',
      '1.0 kB',
      '1.4 MB',
      '2.0 GB',
    ])
    expect([0, 65, 3723, 0.4].map(formatLength)).toEqual(['0:00', '1:05', '1:02:03', '0:00'])
    expect(shortSha('a'.repeat(64))).toBe(`${'a'.repeat(12)}…`)
    expect(shortSha(null)).toBe('—')
    expect(mimeOf({ kind: 'ssh-cast', file: 'x.cast' })).toBe('application/x-asciicast')
    expect(mimeOf({ kind: 'rdp-video', file: 'x.webm' })).toBe('video/webm')
    expect(mimeOf({ kind: 'rdp-video', file: 'x.MP4' })).toBe('video/mp4')
  })
})

/** A source over `bytes` in chunks of `size`, checked as `integrity`; it counts its reads. */
function sourceOf(bytes: Uint8Array, integrity: RecordingIntegrity = 'intact', size = 5) {
  const reads: number[] = []
  const source: RecordingSource = {
    verify: (id) => Promise.resolve({ id, integrity, detail: integrity === 'intact' ? '' : 'on disk' }),
    read: (id, offset) => {
      reads.push(offset)
      const part = bytes.subarray(offset, offset + size)
      const done = offset + part.length >= bytes.length
      return Promise.resolve({
        id,
        offset,
        data: btoa(String.fromCharCode(...part)),
        total: bytes.length,
        done,
      })
    },
  }
  return { source, reads }
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)

describe('loadRecording', () => {
  it('reads every chunk in order and gives back the exact bytes (a character split across chunks too)', async () => {
    const text = '{"version": 2, "width": 80, "height": 24}\n[0.5, "o", "é€ ✓ done\\r\\n"]\n'
    const { source, reads } = sourceOf(utf8(text), 'intact', 7)
    const progress: number[] = []
    const parts = await loadRecording(source, 3, { progress: (read) => progress.push(read) })
    expect(castText(parts)).toBe(text)
    expect(reads[0]).toBe(0)
    expect(reads.every((r, i) => i === 0 || r - (reads[i - 1] ?? 0) === 7)).toBe(true)
    expect(progress.at(-1)).toBe(utf8(text).length)
  })

  for (const integrity of ['altered', 'missing', 'open'] as const)
    it(`refuses a recording the engine finds ${integrity}, and never reads it`, async () => {
      const { source, reads } = sourceOf(utf8('secret'), integrity)
      const seen: string[] = []
      const err = await loadRecording(source, 1, { verified: (c) => seen.push(c.integrity) }).catch(
        (e: unknown) => e,
      )
      expect(err).toBeInstanceOf(RecordingRefused)
      expect((err as Error).message).toMatch(
        integrity === 'altered' ? /sha256 no longer matches.*not played/ : /missing|still being written/,
      )
      expect(seen).toEqual([integrity])
      expect(reads).toEqual([])
    })

  it('refuses a file whose size changes while it is read, and a chunk from the wrong place', async () => {
    const bytes = utf8('0123456789abcdef')
    const { source } = sourceOf(bytes)
    let n = 0
    const growing: RecordingSource = {
      verify: source.verify,
      read: async (id, offset) => ({ ...(await source.read(id, offset)), total: bytes.length + n++ }),
    }
    await expect(loadRecording(growing, 1)).rejects.toThrow(/changed while it was read/)
    const skewed: RecordingSource = {
      verify: source.verify,
      read: async (id, offset) => ({ ...(await source.read(id, offset)), offset: offset + 1 }),
    }
    await expect(loadRecording(skewed, 1)).rejects.toThrow(/wrong part/)
    const short: RecordingSource = {
      verify: source.verify,
      read: async (id, offset) => ({ ...(await source.read(id, offset)), done: true, total: 99 }),
    }
    await expect(loadRecording(short, 1)).rejects.toThrow(/not the 99/)
  })

  it('refuses a recording too large for the window, before reading more than its first chunk', async () => {
    const { source, reads } = sourceOf(utf8('x'))
    const huge: RecordingSource = {
      verify: source.verify,
      read: async (id, offset) => ({
        ...(await source.read(id, offset)),
        total: PLAY_MAX_BYTES + 1,
        done: false,
      }),
    }
    await expect(loadRecording(huge, 4)).rejects.toThrow(/warden recordings export 4 DIR/)
    expect(reads).toEqual([0])
  })
})

describe('a session recorded in parts (a resized RDP window: one segment per size)', () => {
  const seg = (id: number, startedAt: string, title: string): Recording => ({
    id,
    sessionId: '0123456789ab',
    kind: 'rdp-video',
    file: `rdp-${id}.webm`,
    pid: 1,
    processStart: 1,
    startedAt,
    endedAt: null,
    bytes: 1_500_000,
    durationSec: 62,
    sha256: null,
    status: 'complete',
    detail: null,
    inputRecorded: false,
    title,
  })

  it('orders the parts oldest first (listRecordings gives them newest first), by id within a millisecond', () => {
    const rows = [
      seg(9, '2026-12-02T10:05:00.000Z', 'b'),
      seg(8, '2026-12-02T10:00:00.000Z', 'a'),
      seg(7, '2026-12-02T10:05:00.000Z', 'c'),
    ]
    expect(sessionSegments(rows).map((r) => r.id)).toEqual([8, 7, 9])
    expect(rows.map((r) => r.id)).toEqual([9, 8, 7]) // a copy: the caller's rows keep their order
  })

  it('reads the window size back from the title the recorder writes, and nothing from other titles', () => {
    const title = `xfreerdp alice@win1${windowTitleSuffix({ id: '0x2a00007', width: 480, height: 360 })}`
    expect(title).toBe('xfreerdp alice@win1 (window 0x2a00007, 480×360)')
    expect(windowSizeOf(title)).toEqual({ width: 480, height: 360 })
    for (const other of ['ssh db1', 'xfreerdp win1', 'x (window 0x1, 480x360)', 'x (window 0x1, ×360)'])
      expect(windowSizeOf(other)).toBeNull()
  })

  it('says of each part when it began, its size, bytes and length', () => {
    const f = segmentFacts(
      seg(
        1,
        '2026-12-02T10:00:00.000Z',
        `xfreerdp win1${windowTitleSuffix({ id: 7, width: 320, height: 240 })}`,
      ),
    )
    expect(f).toMatchObject({ size: '320×240', bytes: '1.5 MB', length: '1:02' })
    expect(f.start).toMatch(/\d{2}.\d{2}.\d{2}/)
    expect(segmentFacts(seg(2, '2026-12-02T10:00:00.000Z', 'ssh db1')).size).toBeNull()
  })
})
