import type Database from 'better-sqlite3'
import type { AllowEntry, ReviewRule } from '@shared/review'

interface AllowDbRow {
  rule: ReviewRule
  key: string
  added_at: number
  note: string
}

/** Statements of the allow_list table ("Mark as expected", migration 5), prepared once per connection. */
export function allowListTable(db: Database.Database) {
  const add = db.prepare<[string, string, number, string]>(
    'INSERT INTO allow_list (rule, key, added_at, note) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
  )
  const remove = db.prepare<[string, string]>('DELETE FROM allow_list WHERE rule = ? AND key = ?')
  const all = db.prepare<[], AllowDbRow>(
    'SELECT rule, key, added_at, note FROM allow_list ORDER BY added_at DESC, rule, key',
  )
  const has = db
    .prepare<[string, string], number>('SELECT 1 FROM allow_list WHERE rule = ? AND key = ?')
    .pluck()
  return {
    add(rule: ReviewRule, key: string, at: number, note: string): boolean {
      return add.run(rule, key, at, note).changes === 1
    },
    remove(rule: ReviewRule, key: string): boolean {
      return remove.run(rule, key).changes === 1
    },
    has(rule: ReviewRule, key: string): boolean {
      return has.get(rule, key) !== undefined
    },
    list(): AllowEntry[] {
      return all.all().map((r) => ({
        rule: r.rule,
        key: r.key,
        addedAt: new Date(r.added_at).toISOString(),
        note: r.note,
      }))
    },
  }
}
