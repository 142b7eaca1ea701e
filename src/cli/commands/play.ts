import fs from 'node:fs'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { defaultDbPath, openStore } from '@engine/store'
import { UsageError } from '../args'
import { defineCommand } from '../command'
import { CastFormatError, parseCast, playCast } from '../../main/recording/cast-play'
import {
  checkIntegrity,
  fileState,
  openRecordingForRead,
  recordingPath,
  recordingsDirOf,
} from '../../main/recording/files'

function parseSpeed(v: string | undefined): number {
  if (v === undefined) return 1
  const n = Number(v)
  if (!Number.isFinite(n) || n <= 0 || n > 1000)
    throw new UsageError(`--speed must be a number above 0 and at most 1000 (got "${v}")`)
  return n
}

function parseId(v: string): number {
  if (!/^\d{1,15}$/.test(v) || Number(v) < 1)
    throw new UsageError(`"${v}" is not a recording id (see: warden recordings list)`)
  return Number(v)
}

/** The file's text, refused unless it is the very state whose sha256 matched its row. */
async function verifiedText(dbPath: string, id: number): Promise<{ text: string } | { refused: string }> {
  const store = openStore({ path: dbPath })
  try {
    const row = store.getRecording(id)
    if (row === null) return { refused: `no recording ${id}` }
    if (row.kind !== 'ssh-cast') return { refused: `recording ${id} is a video; open it in the window` }
    const dir = recordingsDirOf(store.path)
    const check = await checkIntegrity(row, dir)
    if (check.integrity !== 'intact' || check.state === null)
      return { refused: `recording ${id} is not played: ${check.integrity}: ${check.detail}` }
    const fd = openRecordingForRead(recordingPath(dir, row.file))
    try {
      const text = fs.readFileSync(fd, 'utf8')
      // changed since it was hashed: what would play is not what was verified
      if (fileState(fs.fstatSync(fd)) !== check.state)
        return {
          refused: `recording ${id} is not played: altered: ${row.file} changed while it was being read`,
        }
      return { text }
    } finally {
      fs.closeSync(fd)
    }
  } finally {
    store.close()
  }
}

export const playCommand = defineCommand({
  name: 'play',
  summary: 'play a recorded ssh session in the terminal, with its timing',
  usage: ['play ID [--speed N]'],
  notes: [
    'The file is checked against the sha256 recorded when it closed: a missing or altered',
    'recording is refused (exit status 1), never played as if intact.',
  ],
  options: { speed: { type: 'string', value: 'N', help: 'play N times as fast (default 1)' } },
  args: [1, 1],
  async run({ io, positionals, values }) {
    const id = parseId(positionals[0] as string)
    const speed = parseSpeed(values.speed)
    const db = (values as { db?: string }).db ?? io.env.WARDEN_DB ?? defaultDbPath()
    const got = await verifiedText(path.resolve(db), id)
    if ('refused' in got) {
      io.err(`warden: ${got.refused}`)
      return 1
    }
    let cast
    try {
      cast = parseCast(got.text)
    } catch (e) {
      if (e instanceof CastFormatError) {
        io.err(`warden: recording ${id} is not a readable asciicast: ${e.message}`)
        return 1
      }
      throw e
    }
    const out = process.stdout
    const done = await playCast(cast, {
      speed,
      now: () => performance.now(),
      sleep: (ms) => sleep(ms, undefined, io.stop ? { signal: io.stop } : {}).catch(() => undefined),
      write: (data) =>
        new Promise<void>((resolve) => (out.write(data) ? resolve() : out.once('drain', resolve))),
      ...(io.stop ? { signal: io.stop } : {}),
    })
    return done ? 0 : 130
  },
})
