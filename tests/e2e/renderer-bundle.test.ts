import { build, type Rolldown } from 'vite'
import { describe, expect, it } from 'vitest'
import { rendererConfig } from '../../vite.renderer.config'

// zod stays out of the window's JavaScript (issue 15: it was an 84 KB chunk the Settings forms loaded):
// the main process checks every input at the IPC door and in the engine, and the forms show its reason.
// ESLint refuses zod and the zod-bearing @shared modules in src/renderer (import and import()); this
// checks what the bundler actually put in the built window, so a path the rule cannot see (a zod-free
// module that starts importing a zod one) fails here too. The window is built in memory, as it ships.

/** Every module the built window's JavaScript holds, from the bundler's own record of each chunk. */
async function bundledModules(): Promise<string[]> {
  const out = await build({
    ...rendererConfig,
    configFile: false,
    logLevel: 'warn',
    build: { ...rendererConfig.build, write: false },
  })
  const outputs = (Array.isArray(out) ? out : [out]) as Rolldown.RolldownOutput[]
  return outputs.flatMap((o) => o.output.flatMap((c) => (c.type === 'chunk' ? c.moduleIds : [])))
}

describe('the built window', () => {
  it('holds no zod, in any chunk, lazy ones included', async () => {
    const modules = await bundledModules()
    // the build really was looked at: the window's own store and naive-ui are in it
    expect(modules.some((m) => m.endsWith('/src/renderer/src/stores/settings.ts'))).toBe(true)
    expect(modules.some((m) => m.includes('/node_modules/naive-ui/'))).toBe(true)
    expect(modules.filter((m) => m.includes('/node_modules/zod/'))).toEqual([])
  })
})
