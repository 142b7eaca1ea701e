import type { VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { WardenError } from '@shared/contract'
import type { Resource } from '@shared/model'
import { policyAfter, settingsAfter } from '@shared/rules'
import { DEFAULT_SETTINGS, type SettingKey, type Settings } from '@shared/settings'
import { installFakeWarden } from './support/fake-warden'
import { answerStartup, mountApp, settle, squash } from './support/app'
import { makeResource, snapshot } from './support/sessions'

// window.warden must exist before @renderer/api is evaluated
const fake = installFakeWarden()

let app: VueWrapper | null = null
/** the engine's settings: setSetting validates with the real rules and answers the new whole set */
let engine: Settings
let resources: Resource[]

beforeEach(() => {
  fake.reset()
  engine = { ...DEFAULT_SETTINGS }
  resources = []
  answerStartup(fake, engine)
  fake.on('getSettings', () => engine)
  fake.on('listResources', () => resources)
  fake.on('listSessions', () => snapshot([]))
  fake.on('setSetting', (key, value) => {
    const v = settingsAfter(engine, resources, key, value)
    if (!v.ok) throw new WardenError('BAD_SETTING', v.error)
    engine = v.value.settings
    return engine
  })
  fake.on('updateResourcePolicy', (nameOrId, p) => {
    const r = resources.find((x) => String(x.id) === nameOrId)
    if (!r) throw new WardenError('UNKNOWN_RESOURCE', `no resource ${nameOrId}`)
    const v = policyAfter(engine, r, p)
    if (!v.ok) throw new WardenError('BAD_RESOURCE', v.error)
    return { ...r, ...v.value }
  })
})

afterEach(() => {
  app?.unmount()
  app = null
  document.body.innerHTML = ''
})

async function openSettings(): Promise<void> {
  app = await mountApp()
  document.querySelector<HTMLElement>('[data-view="settings"]')?.click()
  // Settings is a lazy chunk: it draws once its module has loaded
  await vi.waitFor(() => {
    if (!document.querySelector('#idleAfterSec')) throw new Error('the Settings view is not shown')
  })
  await settle()
}

function switchOf(key: SettingKey): HTMLElement {
  const el = document.querySelector<HTMLElement>(`[role="switch"][data-setting="${key}"]`)
  if (!el) throw new Error(`no switch for ${key}`)
  return el
}

/** the text under the switch: its hint, then the refusal if there is one */
function switchText(key: SettingKey): string {
  return squash(switchOf(key).parentElement?.textContent)
}

async function chooseLockAction(label: string): Promise<void> {
  const selection = document.querySelector<HTMLElement>('[data-setting="lockAction"] .n-base-selection')
  if (!selection) throw new Error('no lockAction select')
  selection.click()
  await settle()
  const option = [...document.querySelectorAll<HTMLElement>('.n-base-select-option')].find(
    (o) => squash(o.textContent) === label,
  )
  if (!option) throw new Error(`no option "${label}"`)
  option.click()
  await settle()
}

describe('Settings view: the new settings', () => {
  it('shows the current values: lockAction in the idle card, the desktop ones in their own card', async () => {
    engine = { ...engine, lockAction: 'end', launchAtLogin: true, closeToTray: false }
    await openSettings()
    const idle = document.querySelector('[data-card="idle"]')
    expect(squash(idle?.querySelector('[data-setting="lockAction"] .n-base-selection')?.textContent)).toBe(
      'End all sessions',
    )
    const desktop = document.querySelector('[data-card="desktop"]')
    expect(squash(desktop?.textContent)).toContain('Desktop app')
    expect(desktop?.contains(switchOf('launchAtLogin'))).toBe(true)
    expect(desktop?.contains(switchOf('closeToTray'))).toBe(true)
    expect(switchOf('launchAtLogin').getAttribute('aria-checked')).toBe('true')
    expect(switchOf('closeToTray').getAttribute('aria-checked')).toBe('false')
  })

  it('saves launchAtLogin and closeToTray through setSetting with the new value', async () => {
    await openSettings()
    expect(switchOf('launchAtLogin').getAttribute('aria-checked')).toBe('false')
    switchOf('launchAtLogin').click()
    await settle()
    switchOf('closeToTray').click()
    await settle()
    expect(fake.calls('setSetting')).toEqual([
      ['launchAtLogin', true],
      ['closeToTray', false],
    ])
    expect(switchOf('launchAtLogin').getAttribute('aria-checked')).toBe('true')
    expect(switchOf('closeToTray').getAttribute('aria-checked')).toBe('false')
  })

  it('saves each lockAction choice with its value', async () => {
    await openSettings()
    await chooseLockAction('End all sessions')
    await chooseLockAction('Do nothing')
    await chooseLockAction('Count me away (idle clocks run)')
    expect(fake.calls('setSetting')).toEqual([
      ['lockAction', 'end'],
      ['lockAction', 'nothing'],
      ['lockAction', 'away'],
    ])
    expect(engine.lockAction).toBe('away')
  })

  it('shows a refused lockAction under the select, and the old choice stays', async () => {
    await openSettings()
    fake.on('setSetting', () => {
      throw new WardenError('BAD_SETTING', 'lockAction must be nothing, away or end (got "end")')
    })
    await chooseLockAction('End all sessions')
    expect(fake.calls('setSetting')).toEqual([['lockAction', 'end']])
    const msg = document.querySelector('#lockAction-msg')
    expect(squash(msg?.textContent)).toBe('lockAction must be nothing, away or end (got "end")')
    expect(msg?.classList.contains('err')).toBe(true)
    expect(squash(document.querySelector('[data-setting="lockAction"] .n-base-selection')?.textContent)).toBe(
      'Count me away (idle clocks run)',
    )
  })

  it('shows a refused launchAtLogin under its switch, which stays off', async () => {
    await openSettings()
    fake.on('setSetting', () => {
      throw new WardenError('INTERNAL', 'could not write the autostart entry')
    })
    switchOf('launchAtLogin').click()
    await settle()
    expect(fake.calls('setSetting')).toEqual([['launchAtLogin', true]])
    expect(switchText('launchAtLogin')).toContain('could not write the autostart entry')
    expect(switchOf('launchAtLogin').getAttribute('aria-checked')).toBe('false')
    expect(switchText('closeToTray')).not.toContain('could not write')
  })
})

/** Types into a setting's field and commits it with Enter, as a person would. */
async function typeInto(id: string, text: string): Promise<void> {
  const input = document.querySelector<HTMLInputElement>(`input#${id}`)
  if (!input) throw new Error(`no field ${id}`)
  input.value = text
  input.dispatchEvent(new Event('input', { bubbles: true }))
  await settle()
  input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }))
  await settle()
}

function messageOf(id: string): string {
  return squash(document.querySelector(`#${id}-msg`)?.textContent)
}

describe('Settings view: the idle rules taken together (issue 9, fault 3)', () => {
  it('shows a refusal naming both fields under the one changed; nothing is saved', async () => {
    await openSettings()
    await typeInto('disconnectAfterSec', '10s')
    expect(fake.calls('setSetting')).toEqual([['disconnectAfterSec', 10]])
    expect(messageOf('disconnectAfterSec')).toBe(
      'disconnect after (10s) must be later than warn after (10m): a session is warned before it is ended (warn after 0 turns warnings off)',
    )
    expect(document.querySelector('input#disconnectAfterSec')?.getAttribute('aria-invalid')).toBe('true')
    expect(document.querySelector<HTMLInputElement>('input#disconnectAfterSec')?.value).toBe('10s')
    // the other field keeps its hint: the reason is shown once, where the change was made
    expect(messageOf('warnAfterSec')).toContain('Notify once a session has been idle this long')
    expect(engine).toEqual(DEFAULT_SETTINGS)
    // turning warnings off first makes the same value acceptable (it is still after idle: 5 min)
    await typeInto('warnAfterSec', '0')
    await typeInto('disconnectAfterSec', '10m')
    expect(messageOf('disconnectAfterSec')).not.toContain('must')
    expect(engine).toMatchObject({ warnAfterSec: 0, disconnectAfterSec: 600 })
  })

  it('a resource override that contradicts the global rules is explained in its row, with the engine’s reason', async () => {
    resources = [makeResource({ id: 3 })]
    await openSettings()
    // the window checks nothing itself (zod stays out of it): the engine refuses, its reason is shown
    await typeInto('disc-3', '10s')
    expect(fake.calls('updateResourcePolicy')).toEqual([['3', { disconnectAfterSec: 10 }]])
    expect(messageOf('disc-3')).toBe(
      'disconnect after (10s, its own) must be later than warn after (10m, global): a session is warned before it is ended (warn after 0 turns warnings off)',
    )
    // negative control: a value in order is saved, and the reason goes
    await typeInto('disc-3', '45m')
    expect(fake.calls('updateResourcePolicy').at(-1)).toEqual(['3', { disconnectAfterSec: 2700 }])
    expect(messageOf('disc-3')).toBe('')
  })

  it('the hints give the ranges from the shared rules, not copies', async () => {
    await openSettings()
    expect(messageOf('idleAfterSec')).toBe('No traffic for this long marks a session idle: 5s to 1d.')
    expect(messageOf('pollIntervalMs')).toBe('How often sessions are checked: 200 to 60000.')
    expect(messageOf('limitSsh')).toBe('0 (no limit) to 1000')
  })
})

describe('Settings view: the main process’s reason, shown as it comes (issue 15: no zod in the window)', () => {
  /** Fills an input by its aria-label, as a person would. */
  async function fill(label: string, text: string): Promise<void> {
    const input = document.querySelector<HTMLInputElement>(`input[aria-label="${label}"]`)
    if (!input) throw new Error(`no field "${label}"`)
    input.value = text
    input.dispatchEvent(new Event('input', { bubbles: true }))
    await settle()
  }

  it('a web address the contract refuses: the form says why, and nothing is added', async () => {
    fake.on('addWebResource', () => {
      throw new Error('the IPC door should have refused this address')
    })
    await openSettings()
    await fill('New resource name', 'Grafana')
    await fill('New resource address', 'ftp://grafana')
    document.querySelector<HTMLFormElement>('form.add')?.requestSubmit()
    await vi.waitFor(() => {
      if (!document.querySelector('[data-error="add-web"]')) throw new Error('no reason shown')
    })
    expect(squash(document.querySelector('[data-error="add-web"]')?.textContent)).toBe(
      'the address must start with http:// or https://',
    )
    expect(fake.calls('addWebResource')).toEqual([])
  })

  it('a per-resource value out of its range: the row gives the setting’s rule, not zod’s wording', async () => {
    resources = [makeResource({ id: 3 })]
    await openSettings()
    await typeInto('idle-3', '2s')
    expect(messageOf('idle-3')).toBe('idleAfterSec must be a whole number of seconds from 5 to 86400 (got 2)')
    expect(fake.calls('updateResourcePolicy')).toEqual([])
  })
})
