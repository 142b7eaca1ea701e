import type Database from 'better-sqlite3'
import { settingsAfter, type ResourceRules } from '@shared/rules'
import { DEFAULT_SETTINGS, isSettingKey, validateSetting } from '@shared/settings'
import type { SettingKey, Settings } from '@shared/settings'
import { StoreError } from './errors'

/** Statements of the settings table (key → JSON value), prepared once per connection. */
export function settingsTable(db: Database.Database) {
  const all = db.prepare<[], { key: string; value: string }>('SELECT key, value FROM settings')
  const upsert = db.prepare<[string, string]>(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  )
  // the resources whose idle rules fall back to the global ones: a change must not contradict them
  const overrides = db.prepare<[], ResourceRules>(
    `SELECT name, idle_after_sec AS idleAfterSec, warn_after_sec AS warnAfterSec,
       disconnect_after_sec AS disconnectAfterSec
     FROM resources
     WHERE idle_after_sec IS NOT NULL OR warn_after_sec IS NOT NULL OR disconnect_after_sec IS NOT NULL
     ORDER BY name`,
  )

  function read(): Settings {
    const out: Settings = { ...DEFAULT_SETTINGS }
    for (const row of all.all()) {
      // A key an older or newer version wrote, or a value the bounds no longer allow: the default stands.
      if (!isSettingKey(row.key)) continue
      let parsed: unknown
      try {
        parsed = JSON.parse(row.value)
      } catch {
        continue
      }
      assign(out, row.key, parsed)
    }
    return out
  }

  return {
    read,
    set<K extends SettingKey>(key: K, value: Settings[K]): Settings {
      // The type says K, but the CLI and IPC hand us whatever came in: check at run time too, with
      // the engine's rules, inside the write (another process may have changed the rest meanwhile).
      const r = settingsAfter(read(), overrides.all(), key, value)
      if (!r.ok) throw new StoreError('BAD_SETTING', r.error)
      upsert.run(key, JSON.stringify(r.value.settings[key]))
      return read()
    },
  }
}

function assign(out: Settings, key: SettingKey, value: unknown): void {
  const r = validateSetting(key, value)
  if (r.ok) (out as Record<SettingKey, unknown>)[key] = r.value
}
