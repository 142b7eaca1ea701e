import { fileURLToPath } from 'node:url'
import vue from '@vitejs/plugin-vue'
import type { UserConfig } from 'vite'
import { playerWasmAsset } from './vite.player-wasm'
import { wardenWebClient } from './vite.web-client'

// The window's build, on its own so that it can be built and tested without Electron
// (`npm run build:renderer`, the e2e tests) and reused as-is by electron.vite.config.ts.
export const rendererConfig: UserConfig = {
  root: fileURLToPath(new URL('./src/renderer', import.meta.url)),
  // relative asset paths: the packaged app loads index.html from a file
  base: './',
  // wardenWebClient: warden-web.js, the browser preload `warden ui` serves with the window;
  // playerWasmAsset: asciinema-player's terminal as a .wasm file, not base64 text in its JavaScript
  plugins: [vue(), wardenWebClient(), playerWasmAsset()],
  resolve: {
    alias: [
      { find: '@shared', replacement: fileURLToPath(new URL('./src/shared', import.meta.url)) },
      { find: '@renderer', replacement: fileURLToPath(new URL('./src/renderer/src', import.meta.url)) },
      // a polyfill vueuc only uses without a native ResizeObserver: Chromium has one (see the file)
      {
        find: '@juggle/resize-observer',
        replacement: fileURLToPath(
          new URL('./src/renderer/src/lib/native-resize-observer.ts', import.meta.url),
        ),
      },
      // naive's default date locale (date-fns), read only by date and time components the window does not have
      {
        find: /^\.\.\/locales\/date\/enUS\.mjs$/,
        replacement: fileURLToPath(new URL('./src/renderer/src/lib/no-date-locale.ts', import.meta.url)),
      },
    ],
  },
  // Vue's Options API (data, methods, computed … as options) is unused: the window, naive-ui and vueuc write
  // setup() and render(). Without it Vue's runtime is ~10 KB smaller (Vue's esm-bundler feature flags:
  // https://vuejs.org/api/compile-time-flags) — issue 15: the window's JavaScript ≤ 800 KB.
  define: { __VUE_OPTIONS_API__: 'false' },
  build: {
    outDir: fileURLToPath(new URL('./out/renderer', import.meta.url)),
    emptyOutDir: true,
    // naive-ui is one large chunk by design; it is loaded from disk, not a network
    chunkSizeWarningLimit: 2000,
  },
}

export default rendererConfig
