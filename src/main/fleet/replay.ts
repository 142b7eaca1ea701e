import { readFileSync, renameSync, writeFileSync } from 'node:fs'

/**
 * Command ids seen, each kept until its command expires: a replayed command (the same signed
 * message published again) is refused, and after its expiry it would be refused as expired anyway,
 * so the list stays as short as the commands still alive. Kept in a small 0600 file beside the
 * fleet settings so a restart in between does not reopen the window.
 */
export class ReplayGuard {
  private readonly seen = new Map<string, number>()

  constructor(private readonly file: string | null = null) {
    if (!file) return
    try {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as unknown
      if (saved && typeof saved === 'object')
        for (const [id, exp] of Object.entries(saved)) if (typeof exp === 'number') this.seen.set(id, exp)
    } catch {
      // no file yet (or unreadable): start empty; the commands' own expiry still bounds a replay
    }
  }

  /** true the first time an id is offered (and remembers it), false for a replay. */
  claim(id: string, expires: number, now: number): boolean {
    for (const [k, exp] of this.seen) if (exp < now) this.seen.delete(k)
    if (this.seen.has(id)) return false
    this.seen.set(id, expires)
    this.save()
    return true
  }

  private save(): void {
    if (!this.file) return
    const tmp = `${this.file}.tmp`
    writeFileSync(tmp, JSON.stringify(Object.fromEntries(this.seen)), { mode: 0o600 })
    renameSync(tmp, this.file)
  }
}
