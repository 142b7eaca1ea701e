import fc from 'fast-check'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Session } from '@shared/model'
import { download, toCsv, toJson } from '@renderer/lib/export'
import { makeSession } from './support/sessions'

const HEADER = [
  'id',
  'resourceName',
  'resourceType',
  'host',
  'user',
  'device',
  'ipAddress',
  'location',
  'startTime',
  'endTime',
  'duration',
  'durationMs',
  'status',
  'endReason',
  'endedBy',
  'client',
  'flags',
]

/** A strict RFC 4180 reader: CRLF records, quoted fields with "" for a quote. Throws on bad input. */
function parseCsv(text: string): string[][] {
  if (!text.startsWith('\uFEFF')) throw new Error('CSV without its UTF-8 byte-order mark')
  text = text.slice(1)
  const records: string[][] = []
  let record: string[] = []
  let i = 0
  for (;;) {
    let field = ''
    if (text[i] === '"') {
      i++
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quoted field')
        const c = text.charAt(i)
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"'
            i += 2
          } else {
            i++
            break
          }
        } else {
          field += c
          i++
        }
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r') {
        const c = text.charAt(i)
        if (c === '"' || c === '\n') throw new Error(`bare ${JSON.stringify(c)} at ${i}`)
        field += c
        i++
      }
    }
    record.push(field)
    if (text[i] === ',') {
      i++
      continue
    }
    if (text.startsWith('\r\n', i)) {
      i += 2
      records.push(record)
      record = []
      if (i === text.length) return records
      continue
    }
    throw new Error(`expected , or CRLF at ${i}`)
  }
}

function cellsOf(csv: string): Record<string, string>[] {
  const [head, ...rows] = parseCsv(csv)
  expect(head).toEqual(HEADER)
  return rows.map((r) => {
    expect(r).toHaveLength(HEADER.length)
    return Object.fromEntries(HEADER.map((h, i) => [h, r[i] ?? '']))
  })
}

describe('toCsv', () => {
  it('writes the byte-order mark and only the header, CRLF-terminated, for no rows', () => {
    expect(toCsv([])).toBe(`\uFEFF${HEADER.join(',')}\r\n`)
  })

  it('quotes commas, quotes and newlines, and reads back to the same values', () => {
    const s = makeSession({
      resourceName: 'db, primary',
      host: 'say "hi"',
      location: 'line one\nline two',
      device: 'cr\rhere',
      client: 'plain',
    })
    const csv = toCsv([s])
    expect(csv.endsWith('\r\n')).toBe(true)
    expect(csv).toContain('"db, primary"')
    expect(csv).toContain('"say ""hi"""')
    const [row] = cellsOf(csv)
    expect(row).toMatchObject({
      id: s.id,
      resourceName: 'db, primary',
      host: 'say "hi"',
      location: 'line one\nline two',
      device: 'cr\rhere',
      client: 'plain',
      durationMs: String(s.durationMs),
      status: 'active',
    })
  })

  it('keeps formula-like text as text with a leading quote', () => {
    const s = makeSession({
      resourceName: '=cmd|"/c calc"!A1',
      host: '+1',
      device: '-1',
      location: '@x',
      client: '\tTAB',
      user: 'a=b',
    })
    const [row] = cellsOf(toCsv([s]))
    expect(row).toMatchObject({
      resourceName: `'=cmd|"/c calc"!A1`,
      host: "'+1",
      device: "'-1",
      location: "'@x",
      client: "'\tTAB",
      // only a leading sign makes a formula
      user: 'a=b',
    })
  })

  it('joins flags with a space and writes null as an empty cell', () => {
    const s = makeSession({
      status: 'disconnected',
      flags: ['tunnel', 'jump', 'new-location'],
      user: null,
      endTime: '2026-03-04T15:00:00.000Z',
      endReason: 'idle-timeout',
      endedBy: null,
    })
    const [row] = cellsOf(toCsv([s]))
    expect(row).toMatchObject({
      flags: 'tunnel jump new-location',
      user: '',
      endedBy: '',
      endReason: 'idle-timeout',
      endTime: '2026-03-04T15:00:00.000Z',
    })
    const open = cellsOf(toCsv([makeSession({ flags: [] })]))[0]
    expect(open).toMatchObject({ flags: '', endTime: '', endReason: '' })
  })

  it('one record per row, in order', () => {
    const rows = [makeSession(), makeSession({ resourceName: 'two\r\nlines' }), makeSession()]
    const read = cellsOf(toCsv(rows))
    expect(read.map((r) => r.id)).toEqual(rows.map((r) => r.id))
    expect(read[1]?.resourceName).toBe('two\r\nlines')
  })

  it('reads back any text, apart from the quote it adds to formula-like text', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 40 }),
        fc.string({ maxLength: 40 }),
        (name, host) => {
          const [row] = cellsOf(toCsv([makeSession({ resourceName: name, host })]))
          const expectText = (t: string) => (/^[=+\-@\t\r]/.test(t) ? `'${t}` : t)
          expect(row?.resourceName).toBe(expectText(name))
          expect(row?.host).toBe(expectText(host))
        },
      ),
    )
  })
})

describe('toJson', () => {
  it('round-trips every field and ends with a newline', () => {
    const rows: Session[] = [
      makeSession({ flags: ['in-browser'], user: null }),
      makeSession({ status: 'disconnected', resourceName: '=x, "y"\n' }),
    ]
    const json = toJson(rows)
    expect(json.endsWith('}\n]\n')).toBe(true)
    expect(JSON.parse(json)).toEqual(rows)
    expect(toJson([])).toBe('[]\n')
  })
})

describe('download', () => {
  afterEach(() => {
    vi.restoreAllMocks()
    vi.useRealTimers()
  })

  it('clicks a temporary link to a blob with the name, then frees it', async () => {
    vi.useFakeTimers()
    const created = vi.spyOn(URL, 'createObjectURL').mockReturnValue('blob:fake-1')
    const revoked = vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => undefined)
    const clicked: { download: string; href: string; inDocument: boolean }[] = []
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push({ download: this.download, href: this.href, inDocument: document.body.contains(this) })
    })

    download('history.csv', 'a,b\r\n', 'text/csv')

    expect(clicked).toEqual([{ download: 'history.csv', href: 'blob:fake-1', inDocument: true }])
    const blob = created.mock.calls[0]?.[0]
    expect(blob).toBeInstanceOf(Blob)
    expect(blob instanceof Blob ? await blob.text() : null).toBe('a,b\r\n')
    expect(blob instanceof Blob ? blob.type : null).toBe('text/csv')
    expect(document.querySelector('a[download]')).toBeNull()
    expect(revoked).not.toHaveBeenCalled()
    vi.advanceTimersByTime(10_000)
    expect(revoked).toHaveBeenCalledWith('blob:fake-1')
  })
})
