import { fileURLToPath } from 'node:url'
import { build, type Plugin } from 'vite'
import { WEB_CLIENT_FILE } from './src/main/ui-server/static-files'

// The browser preload of `warden ui` (src/preload/web.ts), built with the window: one classic script,
// warden-web.js, written next to index.html by every build of the window (electron-vite, `npm run
// build:renderer`, the e2e set-up, the bench). A classic script (an IIFE), not a module, so that it runs
// before the app's module scripts and shares no chunk with them (src/main/ui-server/static-files.ts).

const ENTRY = fileURLToPath(new URL('./src/preload/web.ts', import.meta.url))
const SHARED = fileURLToPath(new URL('./src/shared', import.meta.url))

/** src/preload/web.ts as one IIFE, built in memory. */
export async function buildWebClient(): Promise<string> {
  const result = await build({
    configFile: false,
    logLevel: 'silent',
    publicDir: false,
    resolve: { alias: { '@shared': SHARED } },
    build: {
      write: false,
      minify: true,
      sourcemap: false,
      modulePreload: false,
      copyPublicDir: false,
      emptyOutDir: false,
      rolldownOptions: { input: ENTRY, output: { format: 'iife' } },
    },
  })
  for (const out of Array.isArray(result) ? result : [result]) {
    if (!('output' in out)) continue
    const chunk = out.output.find((o) => o.type === 'chunk' && o.isEntry)
    if (chunk?.type === 'chunk') return chunk.code
  }
  throw new Error('vite.web-client: building src/preload/web.ts produced no entry chunk')
}

/** Adds warden-web.js to the window's build output. */
export function wardenWebClient(): Plugin {
  return {
    name: 'warden-web-client',
    apply: 'build',
    async generateBundle() {
      this.emitFile({ type: 'asset', fileName: WEB_CLIENT_FILE, source: await buildWebClient() })
    },
  }
}
