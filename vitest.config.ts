import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'
import { fileURLToPath } from 'node:url'

const alias = {
  '@shared': fileURLToPath(new URL('./src/shared', import.meta.url)),
  '@engine': fileURLToPath(new URL('./src/main/engine', import.meta.url)),
  '@renderer': fileURLToPath(new URL('./src/renderer/src', import.meta.url)),
}

/**
 * Tests that start real processes (spawn, execFile, kill, a writer child, systeminformation's shells
 * behind the real device module) live in tests/process and run in the `process` project, one file at
 * a time, not in `unit`: they time other processes, and under a busy CPU they must not compete with
 * each other. The unit project starts no process.
 */
const processTests = ['tests/process/**/*.test.ts']

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          environment: 'node',
          // a stop, not a speed check (speed is `npm run bench`'s): the IPC fuzz (10 000 inputs per
          // channel) took 5–7 s with other work on the 2 shared cores, over vitest's 5 s default
          testTimeout: 20_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'process',
          include: processTests,
          environment: 'node',
          fileParallelism: false,
          testTimeout: 30_000,
        },
      },
      {
        // the window's components and stores, in happy-dom
        plugins: [vue()],
        resolve: { alias },
        test: {
          name: 'renderer',
          include: ['tests/renderer/**/*.test.ts'],
          environment: 'happy-dom',
          // a stop, not a speed check: mounting Settings took 5–7 s in happy-dom on a loaded machine
          testTimeout: 20_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          environment: 'node',
          // Real peers (sshd, xrdp, Chromium) share ports and CPU: one file at a time.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        // the real app in the real Electron (skipped, with its reason, where the binary is missing)
        resolve: { alias },
        test: {
          name: 'electron',
          include: ['tests/electron/**/*.test.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 90_000,
          hookTimeout: 90_000,
        },
      },
      {
        // the built window in Debian's Chromium over the loopback bridge, backed by the real engine
        resolve: { alias },
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/e2e/build-renderer.ts'],
          // the page answers over a WebSocket while sshd, xrdp and Chromium share two cores
          expect: { poll: { timeout: 10_000 } },
          fileParallelism: false,
          testTimeout: 90_000,
          hookTimeout: 90_000,
        },
      },
    ],
  },
})
