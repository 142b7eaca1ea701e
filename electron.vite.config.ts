import { fileURLToPath } from 'node:url'
import { defineConfig } from 'electron-vite'
import { rendererConfig } from './vite.renderer.config'

// Build of the desktop app: main (the engine + the Electron shell), preload, renderer.
// Everything in `dependencies` (better-sqlite3, systeminformation, maxmind …) stays out of the main
// bundle, as electron-vite does by default.
const alias = {
  '@shared': fileURLToPath(new URL('./src/shared', import.meta.url)),
  '@engine': fileURLToPath(new URL('./src/main/engine', import.meta.url)),
}

export default defineConfig({
  main: {
    resolve: { alias },
    build: { rolldownOptions: { input: { index: 'src/main/index.ts' } } },
  },
  preload: {
    resolve: { alias },
    // a sandboxed preload runs as one CommonJS script: no ESM, no require of anything but electron
    // (it imports the contract's names from src/shared/channels.ts, not the zod schemas: ~2 KB)
    build: {
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: 'src/preload/index.ts' },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  // the window's build is shared with `npm run build:renderer` and the e2e tests
  renderer: rendererConfig,
})
