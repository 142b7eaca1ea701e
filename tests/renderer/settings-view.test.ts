import type { VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { WardenError } from '@shared/contract'
import { DEFAULT_SETTINGS, validateSetting, type SettingKey, type Settings } from '@shared/settings'
import { installFakeWarden } from './support/fake-warden'
import { answerStartup, mountApp, settle, squash } from './support/app'
import { snapshot } from './support/sessions'

// window.warden must exist before @renderer/api is evaluated
const fake = installFakeWarden()

let app: VueWrapper | null = null
/** the engine's settings: setSetting validates with the real rule and answers the new whole set */
let engine: Settings

beforeEach(() => {
  fake.reset()
  engine = { ...DEFAULT_SETTINGS }
  answerStartup(fake, engine)
  fake.on('getSettings', () => engine)
  fake.on('listSessions', () => snapshot([]))
  fake.on('setSetting', (key, value) => {
    const v = validateSetting(key, value)
    if (!v.ok) throw new WardenError('BAD_SETTING', v.error)
    engine = { ...engine, [key]: v.value }
    return engine
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
  await settle()
  if (!document.querySelector('#idleAfterSec')) throw new Error('the Settings view is not shown')
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
