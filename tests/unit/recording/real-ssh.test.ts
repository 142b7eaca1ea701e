// Finding the real ssh past our own shim (src/main/recording/real-ssh.ts), on real files in temp dirs.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  findRealSsh,
  isShim,
  MAX_SSH_DEPTH,
  SSH_DEPTH_ENV,
  sshDepth,
  sshOnPath,
} from '../../../src/main/recording/real-ssh'
import { shimScript } from '../../../src/main/recording/shim'

let root = ''
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-realssh-'))
})
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true })
})

function dirWith(name: string, content: string | null, mode = 0o755): string {
  const d = path.join(root, name)
  fs.mkdirSync(d, { recursive: true })
  if (content !== null) fs.writeFileSync(path.join(d, 'ssh'), content, { mode })
  return d
}

const SHIM = shimScript(['/usr/bin/node', '/opt/warden/bin/warden.js'])
const REAL = '#!/bin/sh\necho real\n'

describe('findRealSsh', () => {
  it('skips the shim and returns the next ssh on PATH', () => {
    const shimDir = dirWith('shim', SHIM)
    const realDir = dirWith('real', REAL)
    const env = { PATH: [shimDir, realDir].join(path.delimiter) }
    expect(sshOnPath(env)[0]).toBe(path.join(shimDir, 'ssh'))
    expect(findRealSsh(env)).toBe(path.join(realDir, 'ssh'))
  })

  it('skips a symlink to the shim and a copy of it elsewhere', () => {
    const shimDir = dirWith('shim', SHIM)
    const linkDir = dirWith('link', null)
    fs.symlinkSync(path.join(shimDir, 'ssh'), path.join(linkDir, 'ssh'))
    const copyDir = dirWith('copy', SHIM)
    const realDir = dirWith('real', REAL)
    const env = { PATH: [linkDir, copyDir, shimDir, realDir].join(path.delimiter) }
    expect(isShim(path.join(linkDir, 'ssh'))).toBe(true)
    expect(findRealSsh(env)).toBe(path.join(realDir, 'ssh'))
  })

  it('returns null when only the shim is on PATH (never the shim itself: that would recurse)', () => {
    const shimDir = dirWith('shim', SHIM)
    expect(findRealSsh({ PATH: shimDir })).toBeNull()
  })

  it('skips empty and relative PATH entries, directories and files that cannot run', () => {
    const notExec = dirWith('noexec', REAL, 0o644)
    const isDir = path.join(root, 'dir')
    fs.mkdirSync(path.join(isDir, 'ssh'), { recursive: true })
    const realDir = dirWith('real', REAL)
    const env = { PATH: ['', 'relative/bin', notExec, isDir, realDir].join(path.delimiter) }
    expect(findRealSsh(env)).toBe(path.join(realDir, 'ssh'))
  })

  it('a wrapper that is not ours is the real ssh (negative control for the marker)', () => {
    const wrapper = dirWith('wrapper', '#!/bin/sh\nexec /usr/bin/ssh "$@"\n')
    expect(findRealSsh({ PATH: wrapper })).toBe(path.join(wrapper, 'ssh'))
  })
})

describe('the depth guard', () => {
  it('reads WARDEN_SSH_DEPTH, treating anything but a positive integer as 0', () => {
    expect(sshDepth({})).toBe(0)
    expect(sshDepth({ [SSH_DEPTH_ENV]: '2' })).toBe(2)
    for (const bad of ['', '-1', '1.5', 'x', '1e3x']) expect(sshDepth({ [SSH_DEPTH_ENV]: bad })).toBe(0)
    expect(MAX_SSH_DEPTH).toBeGreaterThan(1)
  })
})
