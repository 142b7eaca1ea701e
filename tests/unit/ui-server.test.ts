import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { Engine } from '@engine/index'
import { openerFor } from '../../src/main/ui-server/open-browser'
import { startUiServer, UiServeError } from '../../src/main/ui-server/server'
import { loadIndex, WEB_CLIENT_FILE } from '../../src/main/ui-server/static-files'

// `warden ui`'s pieces that need no server: the not-built refusal, the index page it serves, the opener.

const dir = mkdtempSync(join(tmpdir(), 'warden-ui-unit-'))
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

describe('warden ui, before it listens', () => {
  it('refuses an unbuilt window with the command that builds it, and never touches the engine', async () => {
    const untouchable = new Proxy(
      {},
      {
        get(_t, key) {
          throw new Error(`the engine was used (${String(key)})`)
        },
      },
    )
    const engine = untouchable as unknown as Engine
    const started = startUiServer({ engine, rendererDir: join(dir, 'nothing-here') })
    await expect(started).rejects.toBeInstanceOf(UiServeError)
    await expect(started).rejects.toMatchObject({ code: 'NOT_BUILT' })
    await expect(started).rejects.toThrow(/index\.html and warden-web\.js missing .*`npm run build:renderer`/)
  })

  it('serves index.html with the browser preload before </head> and the meta CSP as a header', async () => {
    const csp = "default-src 'self'; script-src 'self'"
    writeFileSync(
      join(dir, 'index.html'),
      `<html><head>\n<meta\n  http-equiv="Content-Security-Policy"\n  content="${csp};"\n/>` +
        `<script type="module" src="./app.js"></script></head><body></body></html>`,
    )
    const page = await loadIndex(dir)
    expect(page.csp).toBe(`${csp}; frame-ancestors 'none'`)
    expect(page.html).toContain(
      `<script type="module" src="./app.js"></script><script src="./${WEB_CLIENT_FILE}"></script>\n</head>`,
    )
    // a page without a CSP of its own still gets a strict one
    writeFileSync(join(dir, 'index.html'), '<html><head></head><body></body></html>')
    expect((await loadIndex(dir)).csp).toBe(
      "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    )
  })

  it('opens the address with each platform’s opener as one argument, never a shell', () => {
    const url = 'http://127.0.0.1:1/#token=a&b'
    expect(openerFor('linux', url)).toEqual({ file: 'xdg-open', args: [url] })
    expect(openerFor('darwin', url)).toEqual({ file: 'open', args: [url] })
    expect(openerFor('win32', url)).toEqual({
      file: 'rundll32.exe',
      args: ['url.dll,FileProtocolHandler', url],
    })
  })
})
