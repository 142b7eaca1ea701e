import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createHash } from 'node:crypto'
import { afterEach, beforeEach } from 'vitest'
import Database from 'better-sqlite3'
import { openStore, StoreError } from '@engine/store'
import type { NewSession, OpenStoreOptions, Store } from '@engine/store'

/** A fresh temp folder per test, removed after; stores opened through it are closed first. */
export function useTempDir(): {
  dir: () => string
  db: () => string
  open: (o?: Partial<OpenStoreOptions>) => Store
} {
  let dir = ''
  const stores: Store[] = []
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-store-'))
  })
  afterEach(() => {
    for (const s of stores.splice(0)) s.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })
  const db = (): string => path.join(dir, 'warden.db')
  return {
    dir: () => dir,
    db,
    open: (o = {}) => {
      const s = openStore({ path: db(), ...o })
      stores.push(s)
      return s
    },
  }
}

let seq = 0

/** A NewSession with plausible values; override what the test is about. */
export function newSession(resourceId: number, o: Partial<NewSession> = {}): NewSession {
  seq++
  const id = o.id ?? `sess-${String(seq).padStart(6, '0')}`
  return {
    id,
    key: `key-${id}`,
    resourceId,
    deviceId: 'dev-1',
    startTime: 1_700_000_000_000,
    lastActivity: 1_700_000_000_000,
    lastSeen: 1_700_000_000_000,
    status: 'active',
    pid: 1000 + seq,
    processStart: 1_699_999_999_000,
    exe: '/usr/bin/ssh',
    client: 'ssh',
    host: 'prod.example.com',
    user: 'alice',
    ipAddress: '192.0.2.10',
    remotePort: 22,
    localAddress: '10.0.0.2',
    location: 'Berlin, DE',
    flags: [],
    endable: true,
    ...o,
  }
}

/** A store file with one resource and one session ('seeded'), closed (so the main file holds everything). */
export function seed(file: string): void {
  const s = openStore({ path: file })
  const r = s.ensureResource('ssh', 'prod', 'prod.example.com')
  s.applyTick([newSession(r.id, { id: 'seeded' })], [], 1)
  s.close()
}

/** Overwrites every page but the first: the header still says the file is ours, its tables are garbage. */
export function damagePages(file: string): void {
  const raw = new Database(file, { readonly: true })
  const pageSize = raw.pragma('page_size', { simple: true }) as number
  raw.close()
  const buf = fs.readFileSync(file)
  buf.fill(0x5a, pageSize)
  fs.writeFileSync(file, buf)
}

export function sha1(file: string): string {
  return createHash('sha1').update(fs.readFileSync(file)).digest('hex')
}

function walChecksum(buf: Buffer, s: [number, number]): [number, number] {
  let [s0, s1] = s
  for (let i = 0; i < buf.length; i += 8) {
    s0 = (s0 + buf.readUInt32BE(i) + s1) >>> 0
    s1 = (s1 + buf.readUInt32BE(i + 4) + s0) >>> 0
  }
  return [s0, s1]
}

/**
 * Writes a WAL file SQLite accepts (valid header, salts and checksums; big-endian variant) holding the
 * given page images. SQLite ignores a WAL whose framing is broken, so this is how a "garbage WAL" can
 * reach the database at all: well-framed frames with damaged page contents.
 */
export function writeWal(
  walPath: string,
  pageSize: number,
  dbPages: number,
  frames: { pgno: number; data: Buffer }[],
): void {
  const header = Buffer.alloc(32)
  header.writeUInt32BE(0x377f0683, 0)
  header.writeUInt32BE(3007000, 4)
  header.writeUInt32BE(pageSize, 8)
  header.writeUInt32BE(0, 12)
  const salt1 = 0x1234_5678
  const salt2 = 0x0abc_def0
  header.writeUInt32BE(salt1, 16)
  header.writeUInt32BE(salt2, 20)
  let sum = walChecksum(header.subarray(0, 24), [0, 0])
  header.writeUInt32BE(sum[0], 24)
  header.writeUInt32BE(sum[1], 28)
  const parts: Buffer[] = [header]
  frames.forEach((f, i) => {
    if (f.data.length !== pageSize) throw new Error('page image must be one page')
    const fh = Buffer.alloc(24)
    fh.writeUInt32BE(f.pgno, 0)
    // The last frame commits the transaction: it carries the database size in pages.
    fh.writeUInt32BE(i === frames.length - 1 ? dbPages : 0, 4)
    fh.writeUInt32BE(salt1, 8)
    fh.writeUInt32BE(salt2, 12)
    sum = walChecksum(fh.subarray(0, 8), sum)
    sum = walChecksum(f.data, sum)
    fh.writeUInt32BE(sum[0], 16)
    fh.writeUInt32BE(sum[1], 20)
    parts.push(fh, f.data)
  })
  fs.writeFileSync(walPath, Buffer.concat(parts))
}

/** The StoreError code a call throws, or 'no error'; any other error is rethrown. */
export function storeErrorCode(fn: () => unknown): string {
  try {
    fn()
  } catch (e) {
    if (e instanceof StoreError) return e.code
    throw e
  }
  return 'no error'
}
