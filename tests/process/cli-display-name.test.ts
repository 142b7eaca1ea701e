import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { wardenInProcess, type WardenRun } from '../support/warden-cli'
import { NAME_MAX } from '@shared/resource'

// `warden resources set NAME --display-name TEXT` (issue 15 part 3), on a real SQLite file.

let dir: string
let db: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'warden-cli-display-'))
  db = join(dir, 'w.db')
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const cli = (...argv: string[]): Promise<WardenRun> => wardenInProcess(argv, { env: { WARDEN_DB: db } })

async function shown(): Promise<{ name: string; displayName: string | null; warnAfterSec: number | null }[]> {
  return JSON.parse((await cli('resources', 'list', '--json')).out) as {
    name: string
    displayName: string | null
    warnAfterSec: number | null
  }[]
}

describe('warden resources set --display-name', () => {
  it('sets, refuses bad text with nothing changed, and clears with an empty one', async () => {
    expect((await cli('resources', 'add', '--type', 'ssh', 'db1', 'db1.example')).code).toBe(0)
    const set = await cli('resources', 'set', 'db1', '--display-name', 'Orders DB')
    expect(set).toMatchObject({ code: 0, out: 'updated db1 (shown as Orders DB)' })
    expect(await shown()).toMatchObject([{ name: 'db1', displayName: 'Orders DB' }])

    // too long, or with a terminal escape, together with a good policy change: nothing changes
    for (const bad of ['x'.repeat(NAME_MAX + 1), 'a\u001b[2Jb']) {
      const r = await cli('resources', 'set', 'db1', '--display-name', bad, '--warn-after', '900')
      expect(r.code).toBe(2)
      expect(r.err).toMatch(/display name/)
    }
    expect(await shown()).toMatchObject([{ name: 'db1', displayName: 'Orders DB', warnAfterSec: null }])

    // found by its display name too; '' clears it
    expect(await cli('resources', 'set', 'Orders DB', '--display-name', '')).toMatchObject({
      err: '',
      code: 0,
    })
    expect(await shown()).toMatchObject([{ name: 'db1', displayName: null }])
    expect((await cli('resources', 'set', 'nope', '--display-name', 'X')).code).toBe(2)
  })
})

describe('warden resources list', () => {
  it('shows the display name in its own column (SHOWN AS), "-" where there is none; --json has it too', async () => {
    await cli('resources', 'add', '--type', 'ssh', 'db1', 'db1.example')
    await cli('resources', 'add', '--type', 'ssh', 'web2', 'web2.example')
    await cli('resources', 'set', 'db1', '--display-name', 'Orders DB')
    const r = await cli('resources', 'list')
    expect(r.code).toBe(0)
    const [header, ...rows] = r.out.split('\n')
    const col = (header ?? '').indexOf('SHOWN AS')
    expect(col).toBeGreaterThan((header ?? '').indexOf('NAME'))
    const cell = (name: string): string => {
      const line = rows.find((l) => l.split(/\s+/)[1] === name) ?? ''
      return line.slice(col).split(/\s{2,}/)[0] ?? ''
    }
    expect(cell('db1')).toBe('Orders DB')
    expect(cell('web2')).toBe('-')
    expect(await shown()).toMatchObject([
      { name: 'db1', displayName: 'Orders DB' },
      { name: 'web2', displayName: null },
    ])
  })
})
