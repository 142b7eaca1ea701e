// asciinema-player's terminal is a WebAssembly module that its build carries as base64 text inside its
// JavaScript (116 KB of the player's 223 KB chunk). vite.player-wasm.ts moves it into a .wasm file of the
// built window and replaces the text with a call to loadPlayerWasm: the window's JavaScript is that much
// smaller (issue 15: ≤ 800 KB), and the bytes are fetched only when a recording is opened.
import { assetFetchUrl } from '@shared/asset-scheme'

/**
 * The player's wasm bytes, from the .wasm file the build wrote (`url`: its address as built). The player
 * awaits this where it awaited its decoded base64 (node_modules/asciinema-player/dist/opts-*.js, `init`),
 * and instantiates the bytes itself (WebAssembly.instantiate: any content type will do).
 */
export async function loadPlayerWasm(url: string): Promise<ArrayBuffer> {
  const reply = await fetch(assetFetchUrl(url))
  if (!reply.ok) throw new Error(`the recording player's terminal could not be loaded (HTTP ${reply.status})`)
  return reply.arrayBuffer()
}
