// The built window's files as `warden ui` serves them: only files inside the renderer folder, with their
// content types, and index.html with the browser preload (src/preload/web.ts, built next to it as
// warden-web.js by vite.web-client.ts) put in front of the app's own scripts. The window's CSP is read from
// index.html's meta tag (src/renderer/index.html: the one place it is written) and sent as a header too.
import { readFile, realpath, stat } from 'node:fs/promises'
import { resolve, sep } from 'node:path'

/** The browser preload's file name in the built window (vite.web-client.ts writes it). */
export const WEB_CLIENT_FILE = 'warden-web.js'

export const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
}

/** What a page without a CSP of its own still gets: nothing but its own origin. */
const FALLBACK_CSP = "default-src 'self'; object-src 'none'; base-uri 'none'"

export interface IndexPage {
  html: string
  /** the window's CSP, plus frame-ancestors 'none' (a header-only directive: no page may frame this one) */
  csp: string
}

/**
 * index.html with the browser preload as the first script: a classic script in <head> runs before the
 * app's module scripts (deferred by the HTML spec), so `window.warden` exists when the app starts, as under
 * Electron's preload. A file, not an inline script: script-src stays 'self'.
 */
export async function loadIndex(root: string): Promise<IndexPage> {
  const html = await readFile(resolve(root, 'index.html'), 'utf8')
  // the value is quoted with " or ', and holds the other kind ('self')
  const meta = /<meta\s+http-equiv=["']Content-Security-Policy["']\s+content=(["'])(.*?)\1/is.exec(html)
  const base = (meta?.[2] ?? FALLBACK_CSP).trim().replace(/;\s*$/, '')
  const csp = /frame-ancestors/.test(base) ? base : `${base}; frame-ancestors 'none'`
  const tag = `<script src="./${WEB_CLIENT_FILE}"></script>`
  const at = html.search(/<\/head>/i)
  if (at < 0) throw new Error(`${resolve(root, 'index.html')} has no </head>: not the built window`)
  return { html: `${html.slice(0, at)}${tag}\n${html.slice(at)}`, csp }
}

/**
 * The file the request target names inside `root`, or undefined when it is outside, missing or not a
 * file. Takes the raw target: URL() would already fold "/../x" into "/x" and hide the attempt.
 */
export async function resolveStatic(root: string, target: string): Promise<string | undefined> {
  const rawPath = target.split(/[?#]/, 1)[0] ?? ''
  if (!rawPath.startsWith('/')) return undefined
  let decoded: string
  try {
    decoded = decodeURIComponent(rawPath)
  } catch {
    return undefined
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined
  if (decoded.split('/').some((segment) => segment === '..')) return undefined
  const rel = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '')
  const file = resolve(root, rel)
  if (!file.startsWith(root + sep)) return undefined
  try {
    // Again after symlinks: a link inside the folder must not lead out of it.
    const real = await realpath(file)
    if (!real.startsWith(root + sep)) return undefined
    return (await stat(real)).isFile() ? real : undefined
  } catch {
    return undefined
  }
}
