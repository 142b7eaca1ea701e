import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createHash } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  checkIntegrity,
  createRecordingFile,
  recordingPath,
  recordingsDir,
  recordingsDirOf,
  removeRecordingFile,
  sha256File,
} from '../../../src/main/recording/files'
import { RECORDING_FILE_RE } from '@shared/recording'

let data = ''
beforeEach(() => {
  data = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-rec-files-'))
})
afterEach(() => {
  fs.rmSync(data, { recursive: true, force: true })
})

const mode = (p: string): number => fs.statSync(p).mode & 0o777

/** A closed recording with known content, as its row would say. */
function written(dir: string, content: Buffer) {
  const f = createRecordingFile(dir, 'ssh-cast', Date.UTC(2026, 10, 27, 9))
  fs.writeSync(f.fd, content)
  fs.closeSync(f.fd)
  const sha256 = createHash('sha256').update(content).digest('hex')
  return { id: 1, file: f.file, path: f.path, status: 'complete' as const, bytes: content.length, sha256 }
}

describe('the recordings folder', () => {
  it('is made 0700 beside the database, even under a lax umask or when it existed wider', () => {
    expect(recordingsDirOf('/x/y/warden.db')).toBe('/x/y/recordings')
    const old = process.umask(0o022)
    try {
      const dir = recordingsDir(data)
      expect(dir).toBe(path.join(data, 'recordings'))
      expect(mode(dir)).toBe(0o700)
      fs.chmodSync(dir, 0o755)
      expect(mode(recordingsDir(data))).toBe(0o700)
    } finally {
      process.umask(old)
    }
  })

  it('refuses a symbolic link planted where the folder goes', () => {
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-rec-elsewhere-'))
    fs.chmodSync(elsewhere, 0o755)
    try {
      fs.symlinkSync(elsewhere, path.join(data, 'recordings'))
      expect(() => recordingsDir(data)).toThrow(/not a folder/)
      expect(mode(elsewhere)).toBe(0o755) // the link's target is left as it was
    } finally {
      fs.rmSync(elsewhere, { recursive: true, force: true })
    }
  })
})

describe('recording files', () => {
  it('are new 0600 files with names the app chose', () => {
    const dir = recordingsDir(data)
    const old = process.umask(0)
    try {
      const a = createRecordingFile(dir, 'ssh-cast', Date.UTC(2026, 10, 27, 9))
      const b = createRecordingFile(dir, 'rdp-video', Date.UTC(2026, 10, 27, 9))
      const c = createRecordingFile(dir, 'rdp-video', Date.UTC(2026, 10, 27, 9), 'mkv')
      for (const f of [a, b, c]) {
        fs.closeSync(f.fd)
        expect(mode(f.path)).toBe(0o600)
        expect(f.file).toMatch(RECORDING_FILE_RE)
        expect(path.dirname(f.path)).toBe(dir)
      }
      expect(a.file).toMatch(/^20261127T090000Z-[0-9a-f]{12}\.cast$/)
      expect(b.file).toMatch(/\.webm$/)
      expect(c.file).toMatch(/\.mkv$/)
      expect(new Set([a.file, b.file, c.file]).size).toBe(3)
    } finally {
      process.umask(old)
    }
  })

  it('never resolve a name that is not a recording file name', () => {
    expect(() => recordingPath('/r', '../warden.db')).toThrow(/not a recording file name/)
    expect(() => recordingPath('/r', 'a/b.cast')).toThrow(/not a recording file name/)
    expect(() => recordingPath('/r', '.hidden.cast')).toThrow(/not a recording file name/)
  })
})

describe('integrity', () => {
  const content = Buffer.from('{"version":2,"width":80,"height":24}\n[0.1,"o","hello"]\n')

  it('a file as it was closed is intact; sha256File agrees with its row', async () => {
    const dir = recordingsDir(data)
    const row = written(dir, content)
    expect(await sha256File(row.path)).toBe(row.sha256)
    expect(await checkIntegrity(row, dir)).toMatchObject({ id: 1, integrity: 'intact' })
  })

  it('one byte changed (same size) is altered', async () => {
    const dir = recordingsDir(data)
    const row = written(dir, content)
    const fd = fs.openSync(row.path, 'r+')
    fs.writeSync(fd, Buffer.from('H'), 0, 1, content.indexOf('hello'))
    fs.closeSync(fd)
    const r = await checkIntegrity(row, dir)
    expect(r.integrity).toBe('altered')
    expect(r.detail).toMatch(/does not match its recorded sha256/)
  })

  it('a file cut short or grown is altered', async () => {
    const dir = recordingsDir(data)
    const row = written(dir, content)
    fs.truncateSync(row.path, 10)
    expect((await checkIntegrity(row, dir)).detail).toMatch(/has 10 bytes; \d+ were recorded/)
    fs.appendFileSync(row.path, 'x'.repeat(200))
    expect((await checkIntegrity(row, dir)).integrity).toBe('altered')
  })

  it('a deleted file is missing; a symbolic link in its place is altered, not followed', async () => {
    const dir = recordingsDir(data)
    const row = written(dir, content)
    const copy = path.join(data, 'copy.cast')
    fs.copyFileSync(row.path, copy)
    removeRecordingFile(dir, row.file)
    removeRecordingFile(dir, row.file) // already gone: not an error
    expect(await checkIntegrity(row, dir)).toMatchObject({ integrity: 'missing' })
    fs.symlinkSync(copy, row.path)
    expect(await checkIntegrity(row, dir)).toMatchObject({ integrity: 'altered' })
  })

  it('a recording still being written is open (no hash yet)', async () => {
    const dir = recordingsDir(data)
    const row = written(dir, content)
    expect(await checkIntegrity({ ...row, status: 'recording', sha256: null }, dir)).toMatchObject({
      integrity: 'open',
    })
  })
})
