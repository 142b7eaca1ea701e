import { chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { stableBootMs } from '@engine/probe/linux'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'warden-boot-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

describe('stable boot time', () => {
  it('every reader of one boot uses the first reading, so start times agree across processes', () => {
    const first = stableBootMs('/proc', 1_700_000_000_000, dir)
    expect(first).toBe(1_700_000_000_000)
    // the kernel's btime read a second later by another process (the CLI beside the app)
    expect(stableBootMs('/proc', 1_700_000_001_000, dir)).toBe(1_700_000_000_000)
  })

  it('ignores a recorded value that is not ours or not sane', () => {
    const uid = process.getuid?.() ?? 0
    const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()
    const file = join(dir, `session-warden-${String(uid)}-boot-${bootId}`)
    writeFileSync(file, String(5))
    expect(stableBootMs('/proc', 1_700_000_000_000, dir)).toBe(1_700_000_000_000)
    if (uid === 0) {
      writeFileSync(file, String(1_700_000_000_500))
      chownSync(file, 12345, 12345) // planted by another user in a shared folder
      expect(stableBootMs('/proc', 1_700_000_000_000, dir)).toBe(1_700_000_000_000)
    }
  })

  it('without a boot id (a fake /proc) uses the reading as it is', () => {
    expect(stableBootMs(dir, 42_000, dir)).toBe(42_000)
  })
})
