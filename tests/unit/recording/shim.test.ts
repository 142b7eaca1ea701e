// `warden shim install | remove | status` (src/main/recording/shim.ts) in a temp HOME.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  ALIAS_BEGIN,
  installShim,
  removeShim,
  shellQuote,
  ShimError,
  shimPath,
  shimStatus,
} from '../../../src/main/recording/shim'

let home = ''
beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-shim-'))
})
afterEach(() => {
  fs.rmSync(home, { recursive: true, force: true })
})

const warden = ['/usr/bin/node', "/opt/it's warden/bin/warden.js"]

function snapshot(): Record<string, string> {
  const out: Record<string, string> = {}
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name)
      if (e.isDirectory()) walk(p)
      else out[path.relative(home, p)] = fs.readFileSync(p, 'utf8')
    }
  }
  walk(home)
  return out
}

describe('the ~/.local/bin/ssh shim', () => {
  it('installs an executable script, idempotently, and removes exactly it', () => {
    expect(installShim({ home, warden, alias: false })).toEqual([`${shimPath(home)}: installed`])
    const st = fs.statSync(shimPath(home))
    expect(st.mode & 0o777).toBe(0o755)
    const text = fs.readFileSync(shimPath(home), 'utf8')
    expect(text).toContain(`exec ${shellQuote(warden[0] ?? '')} ${shellQuote(warden[1] ?? '')} ssh "$@"`)
    expect(installShim({ home, warden, alias: false })).toEqual([`${shimPath(home)}: already installed`])
    expect(fs.readFileSync(shimPath(home), 'utf8')).toBe(text)
    expect(shimStatus({ home, env: { PATH: path.dirname(shimPath(home)) } })).toMatchObject({
      file: { state: 'installed' },
      onPath: shimPath(home),
      realSsh: null,
    })
    expect(removeShim({ home })).toEqual([`${shimPath(home)}: removed`])
    expect(fs.existsSync(shimPath(home))).toBe(false)
    expect(removeShim({ home })).toEqual(['nothing to remove'])
  })

  it('refuses to overwrite a foreign ~/.local/bin/ssh, and remove leaves it alone', () => {
    fs.mkdirSync(path.dirname(shimPath(home)), { recursive: true })
    fs.writeFileSync(shimPath(home), '#!/bin/sh\nexec /usr/bin/ssh "$@"\n', { mode: 0o755 })
    const before = snapshot()
    expect(() => installShim({ home, warden, alias: false })).toThrow(ShimError)
    expect(() => installShim({ home, warden, alias: false })).toThrow(/not Session Warden's shim/)
    expect(snapshot()).toEqual(before)
    expect(removeShim({ home })).toEqual([`${shimPath(home)}: not Session Warden's shim; left alone`])
    expect(snapshot()).toEqual(before)
    expect(shimStatus({ home, env: {} }).file.state).toBe('foreign')
  })
})

describe('the alias in ~/.bashrc / ~/.zshrc', () => {
  it('adds one block to each rc file, idempotently, and remove restores the files', () => {
    const bashrc = path.join(home, '.bashrc')
    const zshrc = path.join(home, '.zshrc')
    fs.writeFileSync(bashrc, 'export A=1\n')
    fs.writeFileSync(zshrc, 'export B=2\n')
    const before = snapshot()
    expect(installShim({ home, warden, alias: true })).toEqual([
      `${bashrc}: alias added`,
      `${zshrc}: alias added`,
    ])
    expect(installShim({ home, warden, alias: true })).toEqual([
      `${bashrc}: already installed`,
      `${zshrc}: already installed`,
    ])
    const text = fs.readFileSync(bashrc, 'utf8')
    expect(text.split('\n').filter((l) => l === ALIAS_BEGIN)).toHaveLength(1)
    expect(shimStatus({ home, env: {} }).aliases).toEqual([bashrc, zshrc])
    expect(removeShim({ home })).toEqual([`${bashrc}: alias removed`, `${zshrc}: alias removed`])
    expect(snapshot()).toEqual(before)
  })

  it("creates the rc file of the user's $SHELL when there is none", () => {
    expect(installShim({ home, warden, alias: true, shell: '/usr/bin/zsh' })).toEqual([
      `${path.join(home, '.zshrc')}: alias added`,
    ])
  })

  it('refuses a broken block and changes no file', () => {
    fs.writeFileSync(path.join(home, '.bashrc'), `x\n${ALIAS_BEGIN}\nalias ssh=foo\n`)
    fs.writeFileSync(path.join(home, '.zshrc'), 'y\n')
    const before = snapshot()
    expect(() => installShim({ home, warden, alias: true })).toThrow(/broken Session Warden alias block/)
    expect(snapshot()).toEqual(before)
  })

  it('with no rc file and no known $SHELL, says so and creates nothing', () => {
    expect(() => installShim({ home, warden, alias: true, shell: '/bin/fish' })).toThrow(
      /nothing was changed/,
    )
    expect(snapshot()).toEqual({})
  })
})
