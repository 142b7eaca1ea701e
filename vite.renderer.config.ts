import { fileURLToPath } from 'node:url'
import vue from '@vitejs/plugin-vue'
import type { UserConfig } from 'vite'
import { wardenWebClient } from './vite.web-client'

// The window's build, on its own so that it can be built and tested without Electron
// (`npm run build:renderer`, the e2e tests) and reused as-is by electron.vite.config.ts.
export const rendererConfig: UserConfig = {
  root: fileURLToPath(new URL('./src/renderer', import.meta.url)),
  // relative asset paths: the packaged app loads index.html from a file
  base: './',
  // wardenWebClient: warden-web.js, the browser preload `warden ui` serves with the window
  plugins: [vue(), wardenWebClient()],
  resolve: {
    alias: {
      '@shared': fileURLToPath(new URL('./src/shared', import.meta.url)),
      '@renderer': fileURLToPath(new URL('./src/renderer/src', import.meta.url)),
    },
  },
  build: {
    outDir: fileURLToPath(new URL('./out/renderer', import.meta.url)),
    emptyOutDir: true,
    // naive-ui is one large chunk by design; it is loaded from disk, not a network
    chunkSizeWarningLimit: 2000,
  },
}

export default rendererConfig
