// The electronegativity gate (scripts/electronegativity.mjs), run as npm would run it: it passes on src, fails on
// an insecure window (negative control), passes on a secure one (positive control), and fails when the config or
// the tool is wrong, so that a broken scan cannot pass unnoticed. Each scan takes about 1 s.
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

const root = resolve(import.meta.dirname, '../..')
const configFile = join(root, 'security/electronegativity.json')
const TIMEOUT = 60_000

interface Entry {
  check: string
  reason: string
  files?: string[]
}

/** The names of electronegativity's checks (the class names its -x option takes), read from the package. */
function toolChecks(): string[] {
  const requireTool = createRequire(
    createRequire(join(root, 'package.json')).resolve('@doyensec/electronegativity'),
  )
  const atomic = (requireTool('./finder/checks/AtomicChecks/index.js') as { CHECKS: { name: string }[] })
    .CHECKS
  const global = (
    requireTool('./finder/checks/GlobalChecks/index.js') as { GLOBAL_CHECKS: { name: string }[] }
  ).GLOBAL_CHECKS
  return [...atomic, ...global].map((c) => c.name)
}

function gate(...args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['scripts/electronegativity.mjs', ...args],
      { cwd: root, timeout: TIMEOUT },
      (error, stdout, stderr) => {
        done({ code: error ? Number(error.code ?? -1) : 0, out: `${stdout}${stderr}` })
      },
    )
  })
}

const tmp = mkdtempSync(join(tmpdir(), 'electronegativity-gate-'))
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true })
})

/** A directory of files (name → content) to scan. */
function dir(name: string, files: Record<string, string>): string {
  const d = join(tmp, name)
  mkdirSync(d)
  for (const [file, content] of Object.entries(files)) writeFileSync(join(d, file), content)
  return d
}

const BAD_WINDOW = `import { BrowserWindow } from 'electron'

export const win = new BrowserWindow({ webPreferences: { nodeIntegration: true, contextIsolation: false } })
`
const NO_WEB_SECURITY = `import { BrowserWindow } from 'electron'

export const win = new BrowserWindow({
  webPreferences: { contextIsolation: true, sandbox: true, webSecurity: false, disableBlinkFeatures: 'Auxclick' },
})
`
const GOOD_WINDOW = `import { BrowserWindow, session } from 'electron'

const win = new BrowserWindow({
  webPreferences: {
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    webSecurity: true,
    disableBlinkFeatures: 'Auxclick',
  },
})
win.webContents.on('will-navigate', (event) => event.preventDefault())
win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }))
session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false))
`
const GOOD_PAGE = `<!doctype html>
<html>
  <head>
    <meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'self'; object-src 'none'; base-uri 'none'" />
  </head>
  <body></body>
</html>
`

describe('security/electronegativity.json', () => {
  const entries = (JSON.parse(readFileSync(configFile, 'utf8')) as { exclude: Entry[] }).exclude

  it('gives every exclusion a reason, names only checks electronegativity has, each once', () => {
    const known = toolChecks()
    expect(known).toContain('ContextIsolationJSCheck')
    for (const e of entries) {
      expect(known, e.check).toContain(e.check)
      expect(e.reason.trim().length, e.check).toBeGreaterThan(40)
    }
    expect(new Set(entries.map((e) => e.check)).size).toBe(entries.length)
  })

  it('scopes exclusions to files that exist', () => {
    for (const e of entries) {
      for (const f of e.files ?? []) expect(existsSync(join(root, f)), `${e.check}: ${f}`).toBe(true)
    }
  })
})

describe.concurrent('scripts/electronegativity.mjs', () => {
  it(
    'finds no HIGH in src (the gate itself)',
    async ({ expect }) => {
      const { code, out } = await gate()
      expect(out).toMatch(/^electronegativity: 0 HIGH, \d+ MEDIUM, \d+ LOW, \d+ INFO \(\d+ checks? excluded/m)
      expect(code, out).toBe(0)
    },
    TIMEOUT,
  )

  it(
    'fails on an insecure window and names the HIGH finding (negative control)',
    async ({ expect }) => {
      const d = dir('bad', { 'bad-window.ts': BAD_WINDOW, 'no-web-security.ts': NO_WEB_SECURITY })
      const { code, out } = await gate(d)
      expect(code, out).toBe(1)
      expect(out).toMatch(/^HIGH\s+ContextIsolationJSCheck\s+bad-window\.ts:3\s+CONTEXT_ISOLATION_JS_CHECK$/m)
      // no will-navigate / setWindowOpenHandler anywhere
      expect(out).toMatch(/^HIGH\s+LimitNavigationGlobalCheck\s+\(whole app\)/m)
      // electronegativity 1.10.3 rates these below HIGH: listed, but alone they would not fail the gate
      expect(out).toMatch(/^MEDIUM\s+WebSecurityJSCheck\s+no-web-security\.ts:4\s/m)
      expect(out).toMatch(/^INFORMATIONAL\s+NodeIntegrationJSCheck\s+bad-window\.ts:3\s/m)
      expect(out).toMatch(/^electronegativity: 2 HIGH, /m)
    },
    TIMEOUT,
  )

  it(
    'fails on webSecurity: false alone, though electronegativity rates it MEDIUM (failAtAnySeverity)',
    async ({ expect }) => {
      const d = dir('web-security', { 'no-web-security.ts': NO_WEB_SECURITY, 'window.ts': GOOD_WINDOW })
      const { code, out } = await gate(d)
      expect(out).toMatch(
        /^error: WebSecurityJSCheck \(MEDIUM\) fails the gate at any severity: no-web-security\.ts:4$/m,
      )
      expect(code, out).toBe(1)
    },
    TIMEOUT,
  )

  it(
    'passes a secure window (positive control)',
    async ({ expect }) => {
      const d = dir('good', { 'window.ts': GOOD_WINDOW, 'index.html': GOOD_PAGE })
      const { code, out } = await gate(d)
      expect(out).toMatch(/^electronegativity: 0 HIGH, /m)
      expect(code, out).toBe(0)
    },
    TIMEOUT,
  )

  it(
    'fails when a file cannot be parsed, since its findings would be missed',
    async ({ expect }) => {
      const d = dir('broken', {
        'window.ts': GOOD_WINDOW,
        'index.html': GOOD_PAGE,
        'broken.ts': 'const = ;\n',
      })
      const { code, out } = await gate(d)
      expect(out).toMatch(/^error: could not parse broken\.ts/m)
      expect(out).toMatch(/^electronegativity: 0 HIGH, /m)
      expect(code, out).toBe(1)
    },
    TIMEOUT,
  )

  it(
    'fails when electronegativity itself fails',
    async ({ expect }) => {
      const { code, out } = await gate(join(tmp, 'does-not-exist'))
      expect(out).toMatch(/^electronegativity: electronegativity failed/m)
      expect(code, out).toBe(1)
    },
    TIMEOUT,
  )

  it(
    'fails on a misspelt failAtAnySeverity name, before scanning',
    async ({ expect }) => {
      const config = JSON.parse(readFileSync(configFile, 'utf8')) as { failAtAnySeverity: string[] }
      config.failAtAnySeverity.push('WebSecurityJsCheck')
      const file = join(tmp, 'strict-typo.json')
      writeFileSync(file, JSON.stringify(config))
      const { code, out } = await gate('--config', file)
      expect(out).toMatch(
        /failAtAnySeverity names a check electronegativity does not have: "WebSecurityJsCheck"/,
      )
      expect(out).not.toMatch(/^scanned /m)
      expect(code, out).toBe(1)
    },
    TIMEOUT,
  )

  it(
    'fails on a check name electronegativity does not have, before scanning',
    async ({ expect }) => {
      const config = JSON.parse(readFileSync(configFile, 'utf8')) as { exclude: Entry[] }
      config.exclude.push({
        check: 'ContextIsolationJsCheck',
        reason: 'a typo must not silently exclude nothing',
      })
      const file = join(tmp, 'typo.json')
      writeFileSync(file, JSON.stringify(config))
      const { code, out } = await gate('--config', file)
      expect(out).toMatch(/no check "ContextIsolationJsCheck" \(did you mean ContextIsolationJSCheck\?\)/)
      expect(out).not.toMatch(/^scanned /m)
      expect(code, out).toBe(1)
    },
    TIMEOUT,
  )
})
