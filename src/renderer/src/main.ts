import { createPinia } from 'pinia'
import { createApp } from 'vue'

/**
 * The next task: the window's chunks are evaluated in one task and mounting the app is another, so
 * that neither blocks input and paint for the sum of both (issue 15: no long task at start-up;
 * bench/renderer-bench.ts liveLoadMaxLongTaskMs).
 */
function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0))
}

/**
 * Evaluating the window's modules is one task per dynamic import (the modules it pulls in that are not yet
 * evaluated), so they are imported in steps with a task between: naive-ui's core and themes; the
 * recordings store and naive's shared parts (RecordingTag); the popover and select (ReviewCell); the table
 * (DataGrid); naive's dropdown (RowMenu); the time formats every row shows (their ICU data: 8–14 ms for the
 * first); the Sessions view with its peers; then the shell. The bundler gives each step's modules chunks of
 * their own (`npm run build:renderer` lists them); the Sessions view's dialogs and drawer load when first
 * opened (issue 15: no long task at start-up, bench/renderer-bench.ts liveLoadMaxLongTaskMs).
 */
const STEPS = [
  () => import('./lib/dark-theme'),
  () => import('./components/RecordingTag.vue'),
  () => import('./components/ReviewCell.vue'),
  () => import('./components/DataGrid.vue'),
  () => import('./components/RowMenu.vue'),
  () => import('./lib/sessions').then((m) => m.prepareTimeFormats()),
  () => import('./views/SessionsView.vue'),
]
async function start(): Promise<void> {
  for (const step of STEPS) {
    await step()
    await nextTask()
  }
  const { default: App } = await import('./App.vue')
  await nextTask()
  // Vue's first createApp builds its renderer (ensureRenderer: V8 compiles the patch functions on first
  // call: 22 ms of the mount task in a CPU profile at load 4), so the app is created in one task and
  // mounted in the next
  const app = createApp(App).use(createPinia())
  await nextTask()
  app.mount('#app')
}

// Without the preload's API there is nothing to show: say so plainly instead of a blank window.
if (window.warden === undefined) {
  const p = document.createElement('p')
  p.textContent = 'Session Warden must be opened as the desktop app: its connection to the engine is missing.'
  p.setAttribute('role', 'alert')
  document.getElementById('app')?.append(p)
} else {
  void start()
}
