// The window's binary assets over the app's own scheme, warden-asset://app/<file name> (issue 15). The
// packaged window is a file:// page and Chromium refuses fetch() of file:// URLs, so the page fetches the
// recording player's terminal (.wasm, written by vite.player-wasm.ts into the built window's assets folder)
// from here instead (src/shared/asset-scheme.ts says how the page builds the address). It serves .wasm
// files of that one folder by plain name and nothing else: no path, no other type, GET only.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ASSET_FILE_RE, ASSET_HOST, ASSET_SCHEME } from '@shared/asset-scheme'
import type { Disposer } from './disposables'
import type { ProtocolPort } from './ports'

/**
 * How the scheme is registered before the app is ready (Electron's protocol.registerSchemesAsPrivileged):
 * fetch() may use it (supportFetchAPI), with CORS (the file:// page's origin is opaque, so the reply says
 * `*`: what it serves is the app's own public file), as a secure origin. Nothing else: no service workers,
 * no CSP bypass (the page's connect-src names the scheme).
 */
export const ASSET_SCHEME_PRIVILEGES = {
  scheme: ASSET_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true },
} as const

function refuse(status: number, why: string): Response {
  return new Response(why, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } })
}

/** The reply to one request for `warden-asset://…`: the file from `assetsDir`, or a refusal. */
export async function assetResponse(
  assetsDir: string,
  request: { url: string; method: string },
): Promise<Response> {
  if (request.method !== 'GET') return refuse(405, 'only GET')
  let url: URL
  let name: string
  try {
    url = new URL(request.url)
    name = decodeURIComponent(url.pathname.slice(1)) // throws on a malformed %-escape
  } catch {
    return refuse(400, 'not a URL')
  }
  if (url.protocol !== `${ASSET_SCHEME}:` || url.hostname !== ASSET_HOST || !ASSET_FILE_RE.test(name))
    return refuse(404, 'no such asset')
  try {
    const body = await readFile(join(assetsDir, name))
    return new Response(body, {
      headers: { 'content-type': 'application/wasm', 'access-control-allow-origin': '*' },
    })
  } catch {
    return refuse(404, 'no such asset')
  }
}

/** Serves the built window's assets folder on the scheme until the returned disposer runs. */
export function serveAssets(protocol: ProtocolPort, assetsDir: string): Disposer {
  protocol.handle(ASSET_SCHEME, (request) => assetResponse(assetsDir, request))
  return () => protocol.unhandle(ASSET_SCHEME)
}
