import { createPinia } from 'pinia'
import { createApp } from 'vue'

// Without the preload's API there is nothing to show: say so plainly instead of a blank window.
if (window.warden === undefined) {
  const p = document.createElement('p')
  p.textContent = 'Session Warden must be opened as the desktop app: its connection to the engine is missing.'
  p.setAttribute('role', 'alert')
  document.getElementById('app')?.append(p)
} else {
  void import('./App.vue').then(({ default: App }) => createApp(App).use(createPinia()).mount('#app'))
}
