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

// Without the preload's API there is nothing to show: say so plainly instead of a blank window.
if (window.warden === undefined) {
  const p = document.createElement('p')
  p.textContent = 'Session Warden must be opened as the desktop app: its connection to the engine is missing.'
  p.setAttribute('role', 'alert')
  document.getElementById('app')?.append(p)
} else {
  void start()
}

/**
 * Evaluating the window's modules is one task per dynamic import (the modules it pulls in that are not yet
 * evaluated), so they are imported in steps with a task between: naive-ui's core and themes, then the
 * Sessions view (the DataTable and its peers), then the shell. Each step's modules go to chunks of their
 * own; the bytes fetched stay the same (issue 15: no long task at start-up).
 */
async function start(): Promise<void> {
  await import('./lib/dark-theme')
  await nextTask()
  await import('./views/SessionsView.vue')
  await nextTask()
  const { default: App } = await import('./App.vue')
  await nextTask()
  createApp(App).use(createPinia()).mount('#app')
}
