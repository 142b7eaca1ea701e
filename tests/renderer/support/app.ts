// Mounts the whole window (App.vue: theme, message and notification providers, the shell and its views)
// on a fresh Pinia. Naive UI teleports messages and notifications to <body>: look them up in `document`.
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia } from 'pinia'
import { nextTick } from 'vue'
import type { FakeWarden } from './fake-warden'
import type { Settings } from '@shared/settings'

/** The calls every view makes on mount, answered with these settings and no resources. */
export function answerStartup(fake: FakeWarden, settings: Settings): void {
  fake.on('getSettings', () => settings)
  fake.on('listResources', () => [])
  fake.on('getDevice', () => ({ id: 'd', name: 'vm', os: 'Linux', model: '', addresses: [], database: '/x' }))
}

export async function mountApp(): Promise<VueWrapper> {
  // imported here, after the test installed the fake window.warden
  const { default: App } = await import('@renderer/App.vue')
  const w = mount(App, { global: { plugins: [createPinia()] }, attachTo: document.body })
  await settle()
  // the window mounts in steps a task apart (useMountSteps, issue 15: shorter tasks at start): AppShell
  // the views a task after the shell, the Sessions view its cards, filters and table in three more
  for (let i = 0; i < 4; i++) {
    await new Promise((resolve) => setTimeout(resolve, 0))
    await settle()
  }
  return w
}

export async function settle(): Promise<void> {
  await nextTick()
  await flushPromises()
  await nextTick()
}

/** Collapses runs of white space, for comparing what a person would read. */
export function squash(text: string | null | undefined): string {
  return (text ?? '').replace(/\s+/g, ' ').trim()
}

/** The text of every Naive message shown now. */
export function messages(): string[] {
  return [...document.querySelectorAll('.n-message')].map((m) => squash(m.textContent))
}
