import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { DEFAULT_SETTINGS } from '@shared/settings'
import type { SettingKey, Settings } from '@shared/settings'
import { StoreError } from '@engine/store'
import { useTempDir } from './helpers'

const t = useTempDir()

function rawSettings(file: string): { key: string; value: string }[] {
  const db = new Database(file, { readonly: true })
  try {
    return db
      .prepare<[], { key: string; value: string }>('SELECT key, value FROM settings ORDER BY key')
      .all()
  } finally {
    db.close()
  }
}

describe('settings', () => {
  it('starts from the defaults and keeps what was set across reopen', () => {
    const s = t.open()
    expect(s.getSettings()).toEqual(DEFAULT_SETTINGS)
    expect(s.setSetting('idleAfterSec', 120).idleAfterSec).toBe(120)
    s.setSetting('limitAction', 'end-newest')
    s.setSetting('notifications', false)
    s.close()
    expect(t.open().getSettings()).toEqual({
      ...DEFAULT_SETTINGS,
      idleAfterSec: 120,
      limitAction: 'end-newest',
      notifications: false,
    })
  })

  const bad: [string, unknown][] = [
    ['idleAfterSec', 1],
    ['idleAfterSec', 30.5],
    ['pollIntervalMs', '1000'],
    ['notifications', 'yes'],
    ['limitAction', 'kill-all'],
    ['retentionDays', 0],
    ['noSuchSetting', 1],
  ]
  it.each(bad)('refuses %s = %j with BAD_SETTING and changes nothing', (key, value) => {
    const s = t.open()
    s.setSetting('idleAfterSec', 90)
    const before = rawSettings(t.db())
    let err: unknown
    try {
      // Simulates untyped input from IPC or the CLI.
      s.setSetting(key as SettingKey, value as Settings[SettingKey])
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(StoreError)
    expect((err as StoreError).code).toBe('BAD_SETTING')
    expect((err as StoreError).message).toContain(key)
    expect(rawSettings(t.db())).toEqual(before)
    expect(s.getSettings()).toEqual({ ...DEFAULT_SETTINGS, idleAfterSec: 90 })
  })

  it('ignores stored values that no longer validate, and unknown keys', () => {
    const s = t.open()
    s.setSetting('warnAfterSec', 900)
    const db = new Database(t.db())
    const put = db.prepare('INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)')
    put.run('idleAfterSec', '2') // below today's minimum
    put.run('pollIntervalMs', 'not json')
    put.run('retiredSetting', '1')
    db.close()
    expect(s.getSettings()).toEqual({ ...DEFAULT_SETTINGS, warnAfterSec: 900 })
  })
})
