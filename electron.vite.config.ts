import { fileURLToPath } from 'node:url'
import { defineConfig } from 'electron-vite'

// Build of the desktop app: main (the engine + the Electron shell), preload, renderer.
// The window and the shell arrive with the Sessions-window and desktop-shell issues; the engine
// and the CLI run under plain Node today. Everything in `dependencies` (better-sqlite3,
// systeminformation, maxmind …) stays out of the main bundle, as electron-vite does by default.
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
    build: { rolldownOptions: { input: { index: 'src/preload/index.ts' } } },
  },
  renderer: {
    root: 'src/renderer',
    resolve: { alias },
    build: { rolldownOptions: { input: { index: 'src/renderer/index.html' } } },
  },
})
