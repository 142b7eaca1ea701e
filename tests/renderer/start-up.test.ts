import type { VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { DEFAULT_SETTINGS } from '@shared/settings'
import { installFakeWarden } from './support/fake-warden'
import { answerStartup, mountApp, settle } from './support/app'
import { makeSession, snapshot } from './support/sessions'

// The window's start-up (issue 15: no long task over 50 ms): the Sessions view's dialogs, drawer and
// row menu mount when first opened, not with the view (the dialogs and the drawer are also loaded then,
// so they show a moment later). Their naive-ui styles are written when they mount
// (naive-ui/es/_mixins/use-theme.mjs, a <style cssr-id> in <head>), so those tell.

const fake = installFakeWarden()
const alpha = makeSession({ resourceName: 'alpha', status: 'active' })
let app: VueWrapper | null = null

beforeEach(() => {
  fake.reset()
  answerStartup(fake, DEFAULT_SETTINGS)
  fake.on('listSessions', () => snapshot([alpha]))
})
afterEach(() => {
  app?.unmount()
  app = null
  document.body.innerHTML = ''
})

const styleOf = (id: string): Element | null => document.head.querySelector(`style[cssr-id="${id}"]`)

describe('start-up', () => {
  it('mounts no dialog, drawer or menu until one is opened; a dialog stays mounted once closed', async () => {
    app = await mountApp()
    expect(document.querySelector(`tr[data-session-id="${alpha.id}"]`)).not.toBeNull()
    for (const id of ['n-modal', 'n-drawer', 'n-dropdown']) expect(styleOf(id), id).toBeNull()

    document.querySelector<HTMLElement>('[data-action="end-all"]')?.click()
    await vi.waitFor(() => expect(styleOf('n-modal')).not.toBeNull())
    const dialog = document.querySelector<HTMLElement>('[data-dialog="end-all"]')
    expect(dialog?.textContent).toContain('alpha')
    dialog?.querySelector<HTMLElement>('[data-action="cancel"]')?.click()
    await settle()
    // opened again, the same dialog shows (kept mounted): no second modal
    document.querySelector<HTMLElement>('[data-action="end-all"]')?.click()
    await settle()
    expect(document.querySelectorAll('[data-dialog="end-all"]')).toHaveLength(1)
  })
})
