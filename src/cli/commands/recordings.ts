import type { Recording } from '@shared/recording'
import { UsageError } from '../args'
import { defineCommand, JSON_OPTION, printJson, type CommandGroup } from '../command'
import { table } from '../format'

// Recordings (issue 12) as the CLI shows them. The checks (a file's sha256 against its row, what may be
// served or copied) are the engine's (src/main/engine/recordings.ts); this file only words them.

/** An id as typed: a whole number from 1 (the engine checks it again). */
function recordingId(text: string): number {
  if (!/^\d{1,15}$/.test(text) || Number(text) < 1)
    throw new UsageError(
      `"${text}" is not a recording id (a whole number from 1; see: warden recordings list)`,
    )
  return Number(text)
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`
}

/** What `list --json` prints: the row, in the words (durationSec, sha256 …). */
function shown(r: Recording) {
  return {
    id: r.id,
    sessionId: r.sessionId,
    kind: r.kind,
    file: r.file,
    bytes: r.bytes,
    durationSec: r.durationSec,
    sha256: r.sha256,
    status: r.status,
    startedAt: r.startedAt,
    inputRecorded: r.inputRecorded,
    title: r.title,
    detail: r.detail,
  }
}

const list = defineCommand({
  name: 'list',
  summary: 'the recordings, newest first',
  usage: ['recordings list [--json]'],
  options: JSON_OPTION,
  args: [0, 0],
  async run({ io, values, open }) {
    const engine = await open()
    const rows = engine.recordings.list()
    if (values.json) printJson(io, rows.map(shown))
    else if (rows.length === 0)
      io.out(
        'No recordings. Recording is off unless the recordSsh / recordRdp settings or a resource say so.',
      )
    else
      io.out(
        table(
          ['ID', 'SESSION', 'KIND', 'STARTED', 'DURATION', 'SIZE', 'STATUS', 'FILE'],
          rows.map((r) => [
            String(r.id),
            r.sessionId ?? '-',
            r.kind,
            r.startedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
            `${r.durationSec.toFixed(1)}s`,
            size(r.bytes),
            r.status + (r.inputRecorded ? ' (keystrokes)' : ''),
            r.file,
          ]),
        ),
      )
    return 0
  },
})

const exportCommand = defineCommand({
  name: 'export',
  summary: 'copy a recording into a folder, after checking its sha256',
  usage: ['recordings export ID DIR'],
  notes: [
    'The file is checked against the sha256 recorded when it closed; an altered or missing recording is',
    'refused (exit 1) and nothing is written. An existing file in DIR is never overwritten.',
  ],
  options: {},
  args: [2, 2],
  async run({ io, positionals, open }) {
    const [idText, dir] = positionals as [string, string]
    const id = recordingId(idText)
    const engine = await open()
    const copy = await engine.recordings.exportTo(id, dir)
    io.out(`exported recording ${id} to ${copy.path} (${size(copy.bytes)}, sha256 ${copy.sha256})`)
    return 0
  },
})

const verify = defineCommand({
  name: 'verify',
  summary: "check a recording's file against its sha256",
  usage: ['recordings verify ID'],
  notes: ['Exit status 0 when intact; 1 when altered, missing or still being recorded.'],
  options: {},
  args: [1, 1],
  async run({ io, positionals, open }) {
    const id = recordingId(positionals[0] as string)
    const engine = await open()
    const check = await engine.recordings.verify(id)
    const line = `recording ${id}: ${check.integrity} (${check.detail})`
    if (check.integrity === 'intact') io.out(line)
    else io.err(line)
    return check.integrity === 'intact' ? 0 : 1
  },
})

export const recordingsCommand: CommandGroup = {
  name: 'recordings',
  summary: 'recorded ssh and rdp sessions: list, export, verify',
  subcommands: [list, exportCommand, verify],
}
