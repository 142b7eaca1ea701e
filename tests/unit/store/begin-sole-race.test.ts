import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { openStore } from '@engine/store'

// Two processes on one SQLite file (the app and `warden watch`) begin the same RDP recordings at the same
// moment: beginSoleRecording's check and insert run in one IMMEDIATE transaction, so each process's
// session gets one open row, never two (issue 12).

const WORKER = join(import.meta.dirname, '..', '..', 'support', 'begin-sole-worker.ts')
const COUNT = 300

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'warden-begin-sole-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

function worker(db: string, at: number): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', WORKER, db, String(at), String(COUNT)],
      { timeout: 60_000 },
      (err, out, errOut) => {
        if (err) reject(new Error(`worker: ${err.message}\n${errOut}`))
        else resolve(Number(out.trim()))
      },
    )
  })
}

it('two processes racing to begin the same recordings: one open row each, never two', async () => {
  const db = join(dir, 'w.db')
  openStore({ path: db }).close() // the schema first, so neither process migrates during the race
  // both start spinning well before the moment (a tsx start takes a second or two on a loaded machine)
  const at = Date.now() + 4000
  const [a, b] = await Promise.all([worker(db, at), worker(db, at)])
  const store = openStore({ path: db })
  try {
    const rows = store.listRecordings()
    const perProcess = new Map<number | null, number>()
    for (const r of rows) perProcess.set(r.pid, (perProcess.get(r.pid) ?? 0) + 1)
    expect(rows).toHaveLength(COUNT)
    expect([...perProcess.values()].every((n) => n === 1)).toBe(true)
    expect(a + b).toBe(COUNT)
  } finally {
    store.close()
  }
}, 90_000)
