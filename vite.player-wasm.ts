import type { Plugin } from 'vite'

// asciinema-player 3.18 carries its terminal's WebAssembly as base64 text in its JavaScript
// (node_modules/asciinema-player/dist/opts-*.js: `var vtWasmModule = base64Decode("AGFzbQ…")`), 116 KB of
// the window's JavaScript. This build step writes those bytes as a .wasm file of the built window instead,
// and has the player await loadPlayerWasm(its address) where it awaited the decoded text
// (src/renderer/src/lib/player-wasm.ts; the packaged window fetches it through the shell's warden-asset:
// scheme). Issue 15: the window's JavaScript ≤ 800 KB. Builds only: the dev server keeps the player as is.

const PLAYER_CHUNK = /[\\/]asciinema-player[\\/]dist[\\/]opts-[^\\/]*\.js$/
const EMBEDDED = /base64Decode\("([A-Za-z0-9+/]+={0,2})"\)/

export function playerWasmAsset(): Plugin {
  return {
    name: 'warden-player-wasm',
    apply: 'build',
    transform(code, id) {
      if (!PLAYER_CHUNK.test(id)) return null
      const found = EMBEDDED.exec(code)
      // a new player build that embeds it otherwise: fail the build rather than ship it twice
      if (found === null) this.error(`asciinema-player: no embedded wasm (base64Decode("…")) in ${id}`)
      const bytes = Buffer.from(found[1] ?? '', 'base64')
      // "\0asm": the text is the module the player would have instantiated
      if (bytes.readUInt32BE(0) !== 0x0061736d) this.error('asciinema-player: the embedded text is not wasm')
      const ref = this.emitFile({ type: 'asset', name: 'asciinema-vt.wasm', source: bytes })
      const load = `loadPlayerWasm(import.meta.ROLLUP_FILE_URL_${ref})`
      return {
        code: `import { loadPlayerWasm } from '@renderer/lib/player-wasm';\n${code.replace(found[0], () => load)}`,
        map: null,
      }
    },
  }
}
