// The desktop app's scheme for the window's binary assets (the asciinema-player terminal's .wasm, issue 15).
// The packaged window is a file:// page, and Chromium refuses fetch() of file:// URLs, so the page asks for
// `warden-asset://app/<file name>` instead, and the Electron shell serves that file from the built window's
// assets folder (src/main/shell/asset-protocol.ts). `warden ui` and the tests serve the window over http,
// where the page fetches the asset from its own origin. Pure TypeScript: no zod, Node, DOM or Electron API.

export const ASSET_SCHEME = 'warden-asset'
export const ASSET_HOST = 'app'

/** What the shell serves: one file name of the built assets folder, never a path. */
export const ASSET_FILE_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,100}\.wasm$/

/**
 * The address the page fetches a built asset from: the same, except a file:// address (the packaged
 * window), which becomes warden-asset://app/<its file name>.
 */
export function assetFetchUrl(built: string): string {
  const url = new URL(built)
  if (url.protocol !== 'file:') return url.href
  const name = url.pathname.split('/').pop() ?? ''
  return `${ASSET_SCHEME}://${ASSET_HOST}/${encodeURIComponent(name)}`
}
