import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import {
  currentBuild,
  decide,
  electronBinaryStatus,
  parseCompiledAbi,
  parseMarker,
  probeLoad,
} from '../../scripts/ensure-native.mjs'

const root = resolve(import.meta.dirname, '../..')
const requireFromRoot = createRequire(join(root, 'package.json'))
const electronDir = dirname(requireFromRoot.resolve('electron/package.json'))
const sqliteDir = dirname(requireFromRoot.resolve('better-sqlite3/package.json'))
const nodeAbi = Number(process.versions.modules)

/** The script for real, as npm would run it; without an Electron override from the caller's environment. */
function script(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env }
  delete env.ELECTRON_OVERRIDE_DIST_PATH
  delete env.WARDEN_DEBUG
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['scripts/ensure-native.mjs', ...args],
      { cwd: root, env, timeout: 30_000 },
      (error, out, err) => {
        done({ code: error ? Number(error.code ?? -1) : 0, out, err })
      },
    )
  })
}

/** One sentence: a single line ending in a full stop, with no full stop followed by another sentence. */
function expectOneSentence(text: string): void {
  expect(text).not.toContain('\n')
  expect(text).toMatch(/\.$/)
  expect(text).not.toMatch(/[.!?]\s+[A-Z]/)
}

const temps: string[] = []
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** A directory laid out like node_modules/electron after its binary was downloaded. */
function fakeElectron(withBinary: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), 'warden-electron-'))
  temps.push(dir)
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'electron', version: '41.7.1' }))
  writeFileSync(join(dir, 'path.txt'), 'electron')
  if (withBinary) {
    mkdirSync(join(dir, 'dist'))
    writeFileSync(join(dir, 'dist', 'electron'), '')
  }
  return dir
}

describe('electronBinaryStatus', () => {
  it('reports the missing binary here in one sentence naming the version and the fix', () => {
    const status = electronBinaryStatus(electronDir, {})
    expect(status.ok).toBe(false)
    if (status.ok) return
    expectOneSentence(status.message)
    expect(status.message).toContain('Electron 41.7.1')
    expect(status.message).toContain('install.js')
    expect(status.message).toContain('ELECTRON_SKIP_BINARY_DOWNLOAD')
  })

  it('finds dist/<path.txt> the way electron/index.js does', () => {
    const dir = fakeElectron(true)
    expect(electronBinaryStatus(dir, {})).toEqual({
      ok: true,
      path: join(dir, 'dist', 'electron'),
      version: '41.7.1',
    })
  })

  it('honours ELECTRON_OVERRIDE_DIST_PATH, and says so when it points nowhere', () => {
    const dist = fakeElectron(true)
    const withoutBinary = fakeElectron(false)
    expect(electronBinaryStatus(withoutBinary, { ELECTRON_OVERRIDE_DIST_PATH: join(dist, 'dist') })).toEqual({
      ok: true,
      path: join(dist, 'dist', 'electron'),
      version: '41.7.1',
    })
    const status = electronBinaryStatus(dist, { ELECTRON_OVERRIDE_DIST_PATH: join(withoutBinary, 'nowhere') })
    expect(status.ok).toBe(false)
    if (!status.ok) {
      expectOneSentence(status.message)
      expect(status.message).toContain('ELECTRON_OVERRIDE_DIST_PATH')
    }
  })

  it('says how to install Electron when the package itself is missing', () => {
    const status = electronBinaryStatus(null, {})
    expect(status.ok).toBe(false)
    if (!status.ok) expectOneSentence(status.message)
  })
})

describe('parseCompiledAbi', () => {
  it('reads the compiled-for ABI out of the loader error', () => {
    expect(
      parseCompiledAbi(
        'was compiled against a different Node.js version using NODE_MODULE_VERSION 145. ' +
          'This version of Node.js requires NODE_MODULE_VERSION 115.',
      ),
    ).toBe(145)
    // Node's own text, which wraps lines
    expect(
      parseCompiledAbi(
        "The module '/x/node_modules/better-sqlite3/build/Release/better_sqlite3.node'\n" +
          'was compiled against a different Node.js version using\nNODE_MODULE_VERSION 145. This version of ' +
          'Node.js requires\nNODE_MODULE_VERSION 115. Please try re-compiling or re-installing\n' +
          'the module (for instance, using `npm rebuild` or `npm install`).',
      ),
    ).toBe(145)
  })

  it('gives null for other failures', () => {
    expect(parseCompiledAbi('Could not locate the bindings file. Tried: ...')).toBeNull()
    expect(parseCompiledAbi('')).toBeNull()
  })
})

describe('decide', () => {
  const node = { runtime: 'node', abi: 115 } as const
  const electron = { runtime: 'electron', abi: 145 } as const

  it('trusts the marker', () => {
    expect(decide({ marker: 'electron-145', target: node })).toBe('rebuild')
    expect(decide({ marker: 'node-115', target: node })).toBe('ok')
    expect(decide({ marker: 'electron-145', target: electron })).toBe('ok')
    expect(decide({ marker: 'node-115', target: electron })).toBe('rebuild')
    // a marker from another Node or Electron
    expect(decide({ marker: 'node-127', target: node })).toBe('rebuild')
    expect(decide({ marker: 'electron-143', target: electron })).toBe('rebuild')
  })

  it('falls back to the load probe without a (readable) marker', () => {
    const loaded = { ok: true, abi: 115 } as const
    expect(decide({ marker: null, loadResult: loaded, target: node })).toBe('ok')
    expect(decide({ marker: null, loadResult: loaded, target: electron })).toBe('rebuild')
    expect(decide({ marker: 'garbage', loadResult: loaded, target: node })).toBe('ok')

    const electronBuild = {
      ok: false,
      error: 'was compiled against a different Node.js version using NODE_MODULE_VERSION 145.',
    } as const
    expect(decide({ marker: null, loadResult: electronBuild, target: electron })).toBe('ok')
    expect(decide({ marker: null, loadResult: electronBuild, target: node })).toBe('rebuild')

    const broken = { ok: false, error: 'Could not locate the bindings file.' } as const
    expect(decide({ marker: null, loadResult: broken, target: node })).toBe('rebuild')
    expect(decide({ marker: null, loadResult: broken, target: electron })).toBe('rebuild')
    expect(decide({ marker: null, target: node })).toBe('rebuild')
  })

  it('parses markers and describes builds', () => {
    expect(parseMarker('electron-145\n')).toEqual({ runtime: 'electron', abi: 145 })
    expect(parseMarker('node-115')).toEqual({ runtime: 'node', abi: 115 })
    expect(parseMarker('deno-1')).toBeNull()
    expect(parseMarker(null)).toBeNull()
    expect(
      currentBuild({ marker: null, loadResult: { ok: false, error: 'NODE_MODULE_VERSION 145.' } }),
    ).toEqual({
      runtime: 'other',
      abi: 145,
    })
  })
})

describe('ensure-native CLI', { timeout: 30_000 }, () => {
  it('fails for electron here in one line when the binary is missing, without a stack', async () => {
    const { code, out, err } = await script('electron')
    expect(code).toBe(1)
    expect(out).toBe('')
    const lines = err.split('\n').filter((l) => l !== '')
    expect(lines).toHaveLength(1)
    expect(err.endsWith('\n')).toBe(true)
    expect(err).toContain('Electron')
    expect(err).toContain('41.7.1')
    expect(err).not.toContain('    at ')
  })

  it('leaves the Node build alone for node here', async () => {
    // better-sqlite3 here is built for this Node: were it not, the script would rebuild node_modules
    expect(await probeLoad(sqliteDir)).toEqual({ ok: true, abi: nodeAbi })
    const binary = join(sqliteDir, 'build', 'Release', 'better_sqlite3.node')
    const before = statSync(binary).mtimeMs
    const { code, out, err } = await script('node')
    expect({ code, err }).toEqual({ code: 0, err: '' })
    expect(out.split('\n').filter((l) => l !== '').length).toBeLessThanOrEqual(1)
    expect(statSync(binary).mtimeMs).toBe(before)
  })

  it('exits 2 with the usage line on a bad argument', async () => {
    for (const args of [['foo'], [], ['node', 'extra']]) {
      const { code, out, err } = await script(...args)
      expect(code).toBe(2)
      expect(out).toBe('')
      expect(err).toBe('usage: node scripts/ensure-native.mjs electron|node\n')
    }
  })
})
