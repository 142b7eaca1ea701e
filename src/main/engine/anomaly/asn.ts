// Offline network (ASN) lookup for the new-network rule: @ip-location-db/asn's CSV (CC BY 4.0, README
// "Anomaly review") imported once into the store's asn_ranges table. The import reads the CSV as a
// stream and writes chunks of rows, one transaction each, so a running engine keeps scanning between
// them; it never runs inside a tick, and a version already imported is not imported again.
import { createReadStream } from 'node:fs'
import { createRequire } from 'node:module'
import { isIP } from 'node:net'
import { createInterface } from 'node:readline'
import type { AsnRange } from '../store/asn-ranges'
import type { Store } from '../store/types'

export interface AsnSource {
  /** names the data and its version: a new name replaces the imported ranges */
  name: string
  files: { path: string; family: 4 | 6 }[]
}

/** The installed @ip-location-db/asn (numeric CSVs), named by its version. */
export function packagedAsnSource(): AsnSource | null {
  try {
    const require = createRequire(import.meta.url)
    const pkg = require('@ip-location-db/asn/package.json') as { version: string }
    const file = (f: string): string => require.resolve(`@ip-location-db/asn/${f}`)
    return {
      name: `@ip-location-db/asn@${pkg.version}`,
      files: [
        { path: file('asn-ipv4-num.csv'), family: 4 },
        { path: file('asn-ipv6-num.csv'), family: 6 },
      ],
    }
  } catch {
    return null
  }
}

/** An address as 16 big-endian bytes (IPv4 as ::ffff:a.b.c.d), or null when it is not one. */
export function addressBytes(ip: string): Buffer | null {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)
  const text = mapped?.[1] ?? ip
  const kind = isIP(text)
  if (kind === 4) {
    const b = Buffer.alloc(16)
    b.writeUInt16BE(0xffff, 10)
    text.split('.').forEach((p, i) => b.writeUInt8(Number(p), 12 + i))
    return b
  }
  if (kind !== 6) return null
  const [head = '', tail] = text.split('::')
  const words = (s: string): string[] => (s === '' ? [] : s.split(':'))
  const left = words(head)
  const right = tail === undefined ? [] : words(tail)
  const fill = 8 - left.length - right.length
  const all = [...left, ...Array<string>(tail === undefined ? 0 : fill).fill('0'), ...right]
  const b = Buffer.alloc(16)
  all.forEach((w, i) => b.writeUInt16BE(parseInt(w, 16), i * 2))
  return b
}

function numberBytes(text: string, family: 4 | 6): Buffer {
  let n = BigInt(text)
  if (family === 4) n += 0xffff00000000n
  const b = Buffer.alloc(16)
  for (let i = 15; i >= 0; i--) {
    b[i] = Number(n & 0xffn)
    n >>= 8n
  }
  return b
}

/** One CSV line: start,end,asn,"org, with commas" (the addresses as text or as numbers). */
export function parseAsnLine(line: string, family: 4 | 6): AsnRange | null {
  const m = /^([^,]+),([^,]+),(\d+),(.*)$/.exec(line.trim())
  if (!m) return null
  const [, a = '', z = '', asn = '', org = ''] = m
  const bytes = (t: string): Buffer | null => (/^\d+$/.test(t) ? numberBytes(t, family) : addressBytes(t))
  const start = bytes(a)
  const end = bytes(z)
  if (!start || !end) return null
  return { start, end, asn: Number(asn), org: org.replace(/^"(.*)"$/, '$1').replace(/""/g, '"') }
}

const CHUNK = 20_000

/**
 * Imports the source once (a new source name replaces the old ranges). Resolves with the rows
 * imported, or the rows already there. Between chunks the event loop runs (the scan goes on).
 */
export async function importAsn(store: Store, source: AsnSource, now: () => number): Promise<number> {
  const done = store.asnImportedRows(source.name)
  if (done !== null) return done
  store.asnClear()
  let rows = 0
  for (const f of source.files) {
    let chunk: AsnRange[] = []
    const lines = createInterface({ input: createReadStream(f.path), crlfDelay: Infinity })
    for await (const line of lines) {
      const r = parseAsnLine(line, f.family)
      if (r) chunk.push(r)
      if (chunk.length >= CHUNK) {
        store.asnInsert(chunk)
        rows += chunk.length
        chunk = []
        await new Promise((r) => setImmediate(r))
      }
    }
    store.asnInsert(chunk)
    rows += chunk.length
  }
  store.asnMarkImported(source.name, rows, now())
  return rows
}

export interface AsnLookup {
  /** the network of a public address; null when unknown or the data is not there */
  lookup(ip: string): Promise<{ asn: number; org: string } | null>
}

/** Lookups over the store's ranges, importing the source first (once per process, shared). */
export function createAsnLookup(store: Store, source: AsnSource | null, now: () => number): AsnLookup {
  let ready: Promise<boolean> | null = null
  return {
    async lookup(ip) {
      if (source === null) return null
      ready ??= importAsn(store, source, now).then(
        () => true,
        () => false,
      )
      if (!(await ready)) return null
      const b = addressBytes(ip)
      return b ? store.asnLookup(b) : null
    },
  }
}
