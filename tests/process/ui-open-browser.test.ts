import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openBrowser } from '../../src/main/ui-server/open-browser'
import { waitFor } from '../support/peers'

// `warden ui`'s opener as a process: a stand-in xdg-open first on PATH records the one argument it got.

const dir = mkdtempSync(join(tmpdir(), 'warden-opener-'))
const savedPath = process.env.PATH
afterAll(() => {
  process.env.PATH = savedPath
  rmSync(dir, { recursive: true, force: true })
})

describe('openBrowser', () => {
  it('hands the whole address, fragment and all, to xdg-open as one argument, without a shell', async () => {
    const seen = join(dir, 'argv')
    const opener = join(dir, 'xdg-open')
    writeFileSync(
      opener,
      `#!/bin/sh\nprintf '%s\\n' "$#" "$@" > '${seen}.tmp' && mv '${seen}.tmp' '${seen}'\n`,
    )
    chmodSync(opener, 0o755)
    process.env.PATH = `${dir}:${savedPath ?? ''}`
    const url = 'http://127.0.0.1:8765/#token=a-b_c&x=$(touch /tmp/never);`id`'
    expect(await openBrowser(url, 'linux')).toBeNull()
    await waitFor(() => existsSync(seen), 10_000, 'the stand-in opener to run')
    expect(readFileSync(seen, 'utf8')).toBe(`1\n${url}\n`)
  })

  it('says why when there is no opener (the control: nothing on PATH)', async () => {
    process.env.PATH = join(dir, 'empty')
    const reason = await openBrowser('http://127.0.0.1:1/', 'linux')
    expect(reason).toMatch(/^xdg-open: spawn xdg-open ENOENT/)
  })
})
