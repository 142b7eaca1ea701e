// The shim and the alias run in a real sh / bash and hand warden the user's arguments untouched
// (src/main/recording/shim.ts). A stand-in "warden" prints its argv, one per line.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { installShim, shimPath } from '../../../src/main/recording/shim'

let home = ''
beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-shim-'))
})
afterEach(() => {
  fs.rmSync(home, { recursive: true, force: true })
})

describe('the shim in a real shell', () => {
  it('the script runs warden with the arguments untouched (a real sh)', () => {
    // a stand-in "warden" that prints its argv, one per line
    const fake = path.join(home, 'print-args')
    fs.writeFileSync(fake, '#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done\n', { mode: 0o755 })
    installShim({ home, warden: [fake], alias: false })
    const out = execFileSync(shimPath(home), ['-o', 'A=b c', "it's", ''], { encoding: 'utf8' })
    expect(out).toBe(['ssh', '-o', 'A=b c', "it's", '', ''].join('\n'))
  })

  it('the alias expands to warden ssh in a real bash', () => {
    const fake = path.join(home, 'print-args')
    fs.writeFileSync(fake, '#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done\n', { mode: 0o755 })
    fs.writeFileSync(path.join(home, '.bashrc'), '')
    installShim({ home, warden: [fake], alias: true })
    const out = execFileSync('bash', ['-c', `shopt -s expand_aliases; . ~/.bashrc\nssh -p 1 'a b'`], {
      encoding: 'utf8',
      env: { HOME: home, PATH: '/usr/bin:/bin' },
    })
    expect(out).toBe('ssh\n-p\n1\na b\n')
  })
})
