import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { build } from 'electron-vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { invokes, type InvokeName } from '@shared/contract'

// The built main process (out/main/index.js, what `npm start` runs) started under plain Node with
// 'electron' resolved to a recording stub (tests/support/electron-stub): the real bundle, the real
// composition root, the real engine and database; only Electron's objects are stand-ins. It proves the
// bundle loads, finds its preload, page and icons, registers the IPC, builds the tray, and quits cleanly.

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const run = promisify(execFile)

interface StubReport {
  events: string[]
  sandbox: boolean
  quit: boolean
  ipc: string[]
  windows: {
    options: { webPreferences: Record<string, unknown> }
    preloadExists: boolean
    iconExists: boolean | null
    loaded: string | null
    loadedExists: boolean | null
  }[]
  trays: { image: string; imageExists: boolean; tooltip: string; menu: string[] }[]
}

let dir: string
let report: StubReport

/** Runs the built main process with the stub until it has started and quit; returns the stub's report. */
async function startMain(args: string[], reportName: string): Promise<StubReport> {
  const reportFile = join(dir, reportName)
  await run(
    process.execPath,
    ['--import', './tests/support/electron-stub/register.mjs', 'out/main/index.js', ...args],
    {
      cwd: ROOT,
      timeout: 60_000,
      env: {
        ...process.env,
        WARDEN_E2E: '1',
        WARDEN_DB: join(dir, 'w.db'),
        WARDEN_STUB_REPORT: reportFile,
        WARDEN_STUB_USERDATA: dir,
      },
    },
  )
  return JSON.parse(readFileSync(reportFile, 'utf8')) as StubReport
}

beforeAll(async () => {
  // `npm test` builds first; a run of this project alone builds here
  if (!existsSync(join(ROOT, 'out/main/index.js')) || !existsSync(join(ROOT, 'out/preload/index.cjs')))
    await build({ root: ROOT, logLevel: 'warn' })
  dir = mkdtempSync(join(tmpdir(), 'warden-bundle-'))
  report = await startMain(['--hidden'], 'report.json')
})
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

describe('the built main process (npm start) under a stub Electron', () => {
  it('starts, sandboxes every renderer, and quits cleanly after disposing', () => {
    expect(report.events).toContain('started')
    expect(report.sandbox).toBe(true)
    expect(report.quit).toBe(true)
    // the engine's database was created where WARDEN_DB says
    expect(existsSync(join(dir, 'w.db'))).toBe(true)
  })

  it('serves the window’s .wasm on its own scheme: privileged before ready, handled, and let go on quit', () => {
    const scheme = report.events.filter((e) => e.includes('warden-asset'))
    expect(scheme).toEqual(['privileged warden-asset', 'handle warden-asset', 'unhandle warden-asset'])
  })

  it('registers every contract call', () => {
    const contract = (Object.keys(invokes) as InvokeName[]).map((n) => invokes[n].channel)
    expect([...report.ipc].sort()).toEqual([...contract].sort())
  })

  it('builds the tray from the shipped icons', () => {
    const [tray] = report.trays
    expect(tray?.imageExists).toBe(true)
    expect(tray?.image).toBe(join(ROOT, 'resources/tray/none.png'))
    expect(tray?.menu).toContain('Quit Session Warden')
  })

  it('a window opened from the tray loads the built page with the built preload, sandboxed', async () => {
    // started hidden (--hidden): no window until asked for
    expect(report.windows).toEqual([])
    const r = await startMain([], 'report2.json')
    const [w] = r.windows
    expect(w?.preloadExists).toBe(true)
    expect(w?.iconExists).toBe(true)
    expect(w?.loaded).toBe(join(ROOT, 'out/renderer/index.html'))
    expect(w?.loadedExists).toBe(true)
    expect(w?.options.webPreferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
    })
  })
})
