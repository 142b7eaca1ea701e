import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import { sharedProcessSiblings, type Session } from '@shared/model'
import EndAllDialog from '@renderer/components/EndAllDialog.vue'
import EndSessionDialog from '@renderer/components/EndSessionDialog.vue'
import { makeSession } from './support/sessions'

// NModal teleports its content to <body>: everything is looked up in the document.

const mounted: VueWrapper[] = []

afterEach(() => {
  for (const w of mounted.splice(0)) w.unmount()
  document.body.innerHTML = ''
})

function squash(text: string | null | undefined): string {
  return (text ?? '').replace(/\s+/g, ' ').trim()
}

function dialog(name: 'end-all' | 'end-one'): HTMLElement | null {
  return document.querySelector<HTMLElement>(`[data-dialog="${name}"]`)
}

function button(root: HTMLElement, action: 'confirm' | 'cancel'): HTMLButtonElement {
  const b = root.querySelector<HTMLButtonElement>(`button[data-action="${action}"]`)
  if (!b) throw new Error(`no ${action} button`)
  return b
}

/** Naive UI's focus trap listens on the document and reads `code`. */
function pressEscape(): void {
  document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', code: 'Escape', bubbles: true }))
}

async function settle(): Promise<void> {
  await nextTick()
  await flushPromises()
}

describe('EndAllDialog', () => {
  async function open(sessions: Session[], skipped = 0, busy = false) {
    const w = mount(EndAllDialog, { props: { show: true, sessions, skipped, busy }, attachTo: document.body })
    mounted.push(w)
    await settle()
    const root = dialog('end-all')
    if (!root) throw new Error('the End all dialog is not shown')
    return { w, root }
  }

  it('is not in the document while hidden', async () => {
    const w = mount(EndAllDialog, {
      props: { show: false, sessions: [makeSession()], skipped: 0, busy: false },
      attachTo: document.body,
    })
    mounted.push(w)
    await settle()
    expect(dialog('end-all')).toBeNull()
  })

  it('names the number of sessions it will end and lists them', async () => {
    const rows = [
      makeSession({ resourceName: 'db1', resourceType: 'ssh' }),
      makeSession({ resourceName: 'desk', resourceType: 'rdp' }),
      makeSession({ resourceName: 'wiki', resourceType: 'web' }),
    ]
    const { root } = await open(rows)
    expect(root.getAttribute('role')).toBe('alertdialog')
    const lead = root.querySelector('.lead')
    expect(squash(lead?.textContent)).toContain('This will immediately terminate all 3 active sessions.')
    expect(lead?.getAttribute('data-count')).toBe('3')
    expect(squash(root.textContent)).toContain('Any unsaved work may be lost.')
    const items = [...root.querySelectorAll('li')].map((li) => squash(li.textContent))
    expect(items).toEqual([
      `SSH db1 · ${rows[0]?.duration ?? ''}`,
      `RDP desk · ${rows[1]?.duration ?? ''}`,
      `Web wiki · ${rows[2]?.duration ?? ''}`,
    ])
  })

  it('confirm emits exactly the ids it was given, in order', async () => {
    const rows = [makeSession(), makeSession(), makeSession()]
    const { w, root } = await open(rows)
    button(root, 'confirm').click()
    await settle()
    expect(w.emitted('confirm')).toEqual([[rows.map((s) => s.id)]])
    expect(w.emitted('cancel')).toBeUndefined()
  })

  it('shows and confirms the current list when the parent replaces it', async () => {
    const first = [makeSession(), makeSession()]
    const { w, root } = await open(first)
    const second = [makeSession()]
    await w.setProps({ sessions: second })
    await settle()
    expect(squash(root.querySelector('.lead')?.textContent)).toContain(
      'This will immediately terminate the 1 active session.',
    )
    button(root, 'confirm').click()
    await settle()
    expect(w.emitted('confirm')).toEqual([[second.map((s) => s.id)]])
  })

  it('cancel emits cancel and nothing else', async () => {
    const { w, root } = await open([makeSession()])
    button(root, 'cancel').click()
    await settle()
    expect(w.emitted('cancel')).toEqual([[]])
    expect(w.emitted('confirm')).toBeUndefined()
  })

  it('Escape cancels, unless an end is running', async () => {
    const idle = await open([makeSession()])
    pressEscape()
    await settle()
    expect(idle.w.emitted('cancel')).toHaveLength(1)
    idle.w.unmount()
    mounted.splice(0)

    const busy = await open([makeSession()], 0, true)
    pressEscape()
    await settle()
    expect(busy.w.emitted('cancel')).toBeUndefined()
  })

  it('while busy, cancel is disabled', async () => {
    const { w, root } = await open([makeSession()], 0, true)
    expect(button(root, 'cancel').disabled).toBe(true)
    button(root, 'cancel').click()
    await settle()
    expect(w.emitted('cancel')).toBeUndefined()
  })

  it('mentions skipped in-browser sessions only when there are some', async () => {
    const none = await open([makeSession()], 0)
    expect(none.root.querySelector('.skipped')).toBeNull()
    expect(squash(none.root.textContent)).not.toContain('everyday browser')

    await none.w.setProps({ skipped: 1 })
    await settle()
    expect(squash(none.root.querySelector('.skipped')?.textContent)).toBe(
      '1 session runs in your everyday browser and will stay open: close its tab there.',
    )

    await none.w.setProps({ skipped: 2 })
    await settle()
    expect(squash(none.root.querySelector('.skipped')?.textContent)).toBe(
      '2 sessions run in your everyday browser and will stay open: close their tabs there.',
    )
  })
})

describe('EndSessionDialog', () => {
  async function open(session: Session | null, busy = false) {
    const w = mount(EndSessionDialog, { props: { session, busy }, attachTo: document.body })
    mounted.push(w)
    await settle()
    return w
  }

  function shown(): HTMLElement {
    const root = dialog('end-one')
    if (!root) throw new Error('the End session dialog is not shown')
    return root
  }

  it('is hidden without a session', async () => {
    await open(null)
    expect(dialog('end-one')).toBeNull()
  })

  it('names the session and warns about unsaved work', async () => {
    const s = makeSession({
      resourceName: 'prod-db',
      resourceType: 'rdp',
      user: 'bob',
      host: 'db.example.net',
      ipAddress: '198.51.100.7',
      client: 'xfreerdp',
      pid: 4242,
    })
    await open(s)
    const root = shown()
    expect(root.getAttribute('role')).toBe('alertdialog')
    const text = squash(root.textContent)
    expect(squash(root.querySelector('.lead')?.textContent)).toBe('End your RDP session to prod-db?')
    expect(root.querySelector('.lead strong')?.textContent).toBe('prod-db')
    expect(text).toContain('bob@db.example.net · 198.51.100.7 · xfreerdp (pid 4242)')
    expect(text).toContain('Ending a session may result in loss of unsaved work')
    expect(text).toContain('Data loss warning')
  })

  it('says which sessions go with a Remmina connection, whose client cannot close one alone', async () => {
    const base = { client: 'remmina', pid: 900, processStart: 5, flags: ['shared-process' as const] }
    const target = makeSession({ ...base, resourceName: 'Lab-Desktop', ipAddress: '127.0.0.1' })
    const sibling = makeSession({ ...base, resourceName: 'Build-Box', ipAddress: '10.0.0.9' })
    const w = mount(EndSessionDialog, {
      props: { session: target, busy: false, siblings: sharedProcessSiblings(target, [target, sibling]) },
      attachTo: document.body,
    })
    mounted.push(w)
    await settle()
    expect(squash(shown().querySelector('[data-siblings]')?.textContent)).toBe(
      'remmina cannot close one connection on its own: ending this session ends the remmina process and its other sessions too: Build-Box (10.0.0.9).',
    )
    // a session of its own process says nothing of the kind
    await w.setProps({ session: makeSession({ resourceName: 'solo' }), siblings: [] })
    await settle()
    expect(shown().querySelector('[data-siblings]')).toBeNull()
  })

  it('leaves out the user when there is none', async () => {
    await open(makeSession({ user: null, host: 'bastion', ipAddress: '203.0.113.5', client: 'ssh', pid: 7 }))
    expect(squash(shown().textContent)).toContain('bastion · 203.0.113.5 · ssh (pid 7)')
    expect(squash(shown().textContent)).not.toContain('@bastion')
  })

  it('confirm emits the session', async () => {
    const s = makeSession({ resourceName: 'web1' })
    const w = await open(s)
    button(shown(), 'confirm').click()
    await settle()
    const confirm = w.emitted<[Session]>('confirm')
    expect(confirm).toHaveLength(1)
    expect(confirm?.[0]?.[0]).toEqual(s)
    expect(w.emitted('cancel')).toBeUndefined()
  })

  it('cancel emits cancel', async () => {
    const w = await open(makeSession())
    button(shown(), 'cancel').click()
    await settle()
    expect(w.emitted('cancel')).toEqual([[]])
    expect(w.emitted('confirm')).toBeUndefined()
  })

  it('shows the session it is given next', async () => {
    const w = await open(makeSession({ resourceName: 'first' }))
    const second = makeSession({ resourceName: 'second' })
    await w.setProps({ session: second })
    await settle()
    expect(squash(shown().querySelector('.lead')?.textContent)).toContain('second')
    button(shown(), 'confirm').click()
    await settle()
    expect(w.emitted<[Session]>('confirm')?.[0]?.[0].id).toBe(second.id)
  })

  it('Escape cancels', async () => {
    const w = await open(makeSession())
    pressEscape()
    await settle()
    expect(w.emitted('cancel')).toEqual([[]])
  })

  it('while busy: cancel disabled, Escape ignored', async () => {
    const w = await open(makeSession(), true)
    expect(button(shown(), 'cancel').disabled).toBe(true)
    pressEscape()
    await settle()
    expect(w.emitted('cancel')).toBeUndefined()
  })
})
