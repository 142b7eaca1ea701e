import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  denyPermissions,
  guardContents,
  isAllowedExternal,
  isAppUrl,
  windowOptions,
  WEB_PREFERENCES,
} from '../../../src/main/shell/security'
import { ASSET_SCHEME } from '../../../src/shared/asset-scheme'
import { FakeEvent, FakeWebContents } from '../../support/fake-electron'

/** The Content-Security-Policy of the window's page (src/renderer/index.html, its only definition). */
function pageCsp(): string {
  const html = readFileSync(new URL('../../../src/renderer/index.html', import.meta.url), 'utf8')
  return /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1] ?? ''
}

const APP = 'file:///opt/Session%20Warden/resources/app.asar/out/renderer/index.html'

describe('window security', () => {
  it('the window gets exactly these webPreferences, nothing looser', () => {
    const o = windowOptions({ preload: '/app/out/preload/index.cjs', icon: '/app/resources/icon.png' })
    expect(o.webPreferences).toStrictEqual({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      disableBlinkFeatures: 'Auxclick',
    })
    expect(Object.isFrozen(WEB_PREFERENCES)).toBe(true)
    expect(o).toMatchObject({ show: false, width: 1280, height: 800, minWidth: 900, minHeight: 600 })
  })

  it('remembered bounds are used as given', () => {
    const o = windowOptions({ preload: 'p', bounds: { x: 10, y: 20, width: 1000, height: 700 } })
    expect(o).toMatchObject({ x: 10, y: 20, width: 1000, height: 700 })
    expect(o.webPreferences.sandbox).toBe(true)
  })

  it('the page carries a CSP meta tag that allows scripts from the app only', () => {
    const csp = pageCsp()
    expect(csp).toContain("default-src 'self'")
    // scripts from the app only; WebAssembly may be compiled (asciinema-player's terminal), JavaScript
    // may not be evaluated
    expect(csp).toMatch(/script-src 'self' 'wasm-unsafe-eval'(;|$)/)
    expect(csp).not.toMatch(/'unsafe-eval'/)
    expect(csp).toContain("object-src 'none'")
  })

  it('media may come from the app and from the page’s own blob: URLs (a verified recording), nothing else', () => {
    const csp = pageCsp()
    expect(csp).toMatch(/media-src 'self' blob:(;|$)/)
    expect(csp).not.toContain('file:')
    expect(csp).not.toContain('*')
    // blob: is for media only: scripts, frames and connections cannot use it
    for (const d of csp.split(';').filter((d) => !d.trim().startsWith('media-src')))
      expect(d, d).not.toContain('blob:')
  })

  it('the page connects to its own origin and the app’s asset scheme only (the player’s .wasm, issue 15)', () => {
    expect(pageCsp()).toMatch(new RegExp(`connect-src 'self' ${ASSET_SCHEME}:(;|$)`))
  })

  it('external links: only well-formed https, http and mailto without credentials', () => {
    for (const ok of [
      'https://example.com/docs',
      'http://intranet.example/x?y=1',
      'mailto:security@example.com',
    ])
      expect(isAllowedExternal(ok), ok).toBe(true)
    for (const bad of [
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://server/share',
      'ms-settings:privacy',
      'https://user:pw@example.com/',
      'https://',
      'not a url',
      'mailto:',
      `https://example.com/${'a'.repeat(3000)}`,
      'vbscript:msgbox',
      'data:text/html,<script>1</script>',
    ])
      expect(isAllowedExternal(bad), bad).toBe(false)
  })

  it('our page is recognised by its exact file, or by the dev server origin', () => {
    expect(isAppUrl(APP, APP)).toBe(true)
    expect(isAppUrl(`${APP}#/history`, APP)).toBe(true)
    expect(isAppUrl('file:///tmp/evil/index.html', APP)).toBe(false)
    expect(isAppUrl('https://evil.example/', APP)).toBe(false)
    expect(isAppUrl('http://localhost:5173/#/x', 'http://localhost:5173/')).toBe(true)
    expect(isAppUrl('http://localhost:5174/', 'http://localhost:5173/')).toBe(false)
    expect(isAppUrl('garbage', APP)).toBe(false)
  })

  it('navigation away is prevented; a reload of our page is not', () => {
    const contents = new FakeWebContents()
    const blocked: string[] = []
    guardContents(contents, {
      appUrl: APP,
      openExternal: () => Promise.resolve(),
      onBlocked: (what, url) => blocked.push(`${what} ${url}`),
    })
    for (const event of ['will-navigate', 'will-redirect']) {
      const away = new FakeEvent()
      contents.emit(event, away, 'https://evil.example/')
      expect(away.defaultPrevented, event).toBe(true)
      const reload = new FakeEvent()
      contents.emit(event, reload, APP)
      expect(reload.defaultPrevented, event).toBe(false)
    }
    const webview = new FakeEvent()
    contents.emit('will-attach-webview', webview)
    expect(webview.defaultPrevented).toBe(true)
    expect(blocked).toEqual(['navigate https://evil.example/', 'navigate https://evil.example/', 'webview '])
  })

  it('window.open is always denied; an allowed link goes to the OS browser, others nowhere', async () => {
    const contents = new FakeWebContents()
    const opened: string[] = []
    const blocked: string[] = []
    guardContents(contents, {
      appUrl: APP,
      openExternal: (url) => {
        opened.push(url)
        return Promise.resolve()
      },
      onBlocked: (what, url) => blocked.push(`${what} ${url}`),
    })
    const open = contents.openHandler
    if (!open) throw new Error('no window open handler')
    expect(open({ url: 'https://example.com/help' })).toEqual({ action: 'deny' })
    expect(open({ url: 'file:///etc/shadow' })).toEqual({ action: 'deny' })
    expect(open({ url: APP })).toEqual({ action: 'deny' })
    await Promise.resolve()
    expect(opened).toEqual(['https://example.com/help'])
    expect(blocked).toEqual(['window-open file:///etc/shadow', `window-open ${APP}`])
  })

  it('every permission request and check is refused', () => {
    const contents = new FakeWebContents()
    denyPermissions(contents.session)
    const answers: boolean[] = []
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal'])
      contents.session.request?.(contents, p, (granted) => answers.push(granted))
    expect(answers).toEqual([false, false, false, false, false])
    expect(contents.session.check?.(contents, 'media')).toBe(false)
  })
})
