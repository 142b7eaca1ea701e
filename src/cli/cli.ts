import {
  RESOURCE_TYPES,
  END_REASONS,
  endAllWarning,
  type EndReason,
  type ResourceType,
  type Session,
} from '@shared/model'
import { isSettingKey, parseSettingText } from '@shared/settings'
import { createEngine, EngineError, type Engine, type EndResult } from '@engine/index'
import type { CreateEngineOptions } from '@engine/index'
import {
  flagBool,
  flagString,
  parseArgs,
  parseSeconds,
  parseSince,
  UsageError,
  type ParsedArgs,
} from './args'
import { resourcesTable, sessionsTable, settingsText, statsText, table } from './format'

export interface CliIO {
  out(line: string): void
  err(line: string): void
  /** asks a yes/no question on the terminal; null when there is no terminal to ask on */
  confirm: ((question: string) => Promise<boolean>) | null
  env: NodeJS.ProcessEnv
  /** aborts `watch` (SIGINT/SIGTERM in the real CLI) */
  stop?: AbortSignal
  /** engine options for tests (a fake clock, a short grace period …) */
  engine?: CreateEngineOptions
}

export const USAGE = `Usage: warden [--db PATH] COMMAND

Commands:
  list [--all] [--json]                 scan now and print current sessions (--all: with history)
  end ID [--yes]                        end one session
  end --all [--yes]                     end every active and idle session
  watch [--json]                        keep scanning, apply idle warnings and auto-disconnect
  stats [--json]                        active and idle counts, total duration of active sessions
  history [--type ssh|rdp|web] [--reason R] [--since DATE] [--search TEXT] [--limit N] [--json]
  settings get [KEY] [--json]           show settings
  settings set KEY VALUE                change a setting (validated)
  resources list [--json]
  resources add --type web NAME URL [--idle-after S] [--warn-after S] [--disconnect-after S]
  resources add --type ssh|rdp NAME HOST [--idle-after S] [--warn-after S] [--disconnect-after S]
  resources set NAME [--idle-after S|default] [--warn-after S|default] [--disconnect-after S|default]
  resources remove NAME|ID
  open NAME                             open a web resource in its own browser window (endable)
  device [--json]                       this computer: name, OS, model, id, network interfaces

The database is shared with the desktop app: --db PATH or WARDEN_DB overrides its location.
Exit status: 0 done, 1 failed, 2 bad usage or unknown id.`

/** Runs one CLI command; returns the exit code. Never throws. */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  // set by open(); closed in finally whatever happened
  const held: { engine: Engine | null } = { engine: null }
  try {
    const args = [...argv]
    let dbPath = io.env.WARDEN_DB
    // --db PATH / --db=PATH is global: accepted anywhere on the line.
    for (let i = args.indexOf('--db'); i >= 0; i = args.indexOf('--db')) {
      const value = args[i + 1]
      if (value === undefined || value === '' || value.startsWith('--'))
        throw new UsageError('--db needs a path')
      dbPath = value
      args.splice(i, 2)
    }
    for (
      let i = args.findIndex((a) => a.startsWith('--db='));
      i >= 0;
      i = args.findIndex((a) => a.startsWith('--db='))
    ) {
      dbPath = (args[i] as string).slice(5)
      if (dbPath === '') throw new UsageError('--db needs a path')
      args.splice(i, 1)
    }
    const [command, ...rest] = args
    if (command === undefined) {
      io.err(USAGE)
      return 2
    }
    if (command === 'help' || command === '--help' || command === '-h') {
      io.out(USAGE)
      return 0
    }
    const handler = COMMANDS[command]
    if (!handler) throw new UsageError(`unknown command "${command}" (try: warden --help)`)
    const parsed = parseArgs(rest, handler.booleans, handler.valued)
    const open = async (): Promise<Engine> => {
      const engine = await createEngine({ actor: 'cli', ...io.engine, ...(dbPath ? { dbPath } : {}) })
      held.engine = engine
      const info = engine.storeInfo
      if (info.recoveredFrom)
        io.err(
          `warning: the database ${info.path} was corrupt; it was moved to ${info.recoveredFrom} and a new one was started`,
        )
      return engine
    }
    return await handler.run(parsed, io, open)
  } catch (e) {
    return reportError(e, io)
  } finally {
    if (held.engine) await held.engine.close()
  }
}

function reportError(e: unknown, io: CliIO): number {
  if (e instanceof UsageError) {
    io.err(`warden: ${e.message}`)
    return 2
  }
  if (e instanceof EngineError) {
    io.err(`warden: ${e.message}`)
    return [
      'BAD_ID',
      'UNKNOWN_SESSION',
      'UNKNOWN_RESOURCE',
      'BAD_SETTING',
      'BAD_RESOURCE',
      'BAD_QUERY',
    ].includes(e.code)
      ? 2
      : 1
  }
  const msg = e instanceof Error ? e.message : String(e)
  io.err(`warden: ${msg.split('\n')[0] ?? msg}`)
  return 1
}

interface Command {
  booleans: string[]
  valued: string[]
  run(p: ParsedArgs, io: CliIO, open: () => Promise<Engine>): Promise<number>
}

function noPositional(p: ParsedArgs, max: number, usage: string): void {
  if (p.positional.length > max)
    throw new UsageError(`unexpected "${p.positional[max] ?? ''}" (usage: ${usage})`)
}

function printJson(io: CliIO, v: unknown): void {
  io.out(JSON.stringify(v, null, 2))
}

const COMMANDS: Record<string, Command> = {
  list: {
    booleans: ['all', 'json'],
    valued: [],
    async run(p, io, open) {
      noPositional(p, 0, 'warden list [--all] [--json]')
      const engine = await open()
      await engine.tick()
      let sessions: Session[] = engine.list()
      if (flagBool(p, 'all')) {
        const past = engine.history({ limit: 500 }).rows
        sessions = [...sessions, ...past]
      }
      if (flagBool(p, 'json')) printJson(io, sessions)
      else if (sessions.length === 0)
        io.out('No active sessions. You are not connected to any remote resource from this computer.')
      else io.out(sessionsTable(sessions))
      return 0
    },
  },

  end: {
    booleans: ['all', 'yes'],
    valued: [],
    async run(p, io, open) {
      const all = flagBool(p, 'all')
      if (all && p.positional.length > 0) throw new UsageError('give either an id or --all, not both')
      if (!all && p.positional.length !== 1)
        throw new UsageError('usage: warden end ID [--yes] | warden end --all [--yes]')
      const engine = await open()
      await engine.tick()
      let targets: Session[]
      if (all) {
        targets = engine.list()
        if (targets.length === 0) {
          io.out('No active or idle sessions to end.')
          return 0
        }
      } else {
        targets = [engine.get(p.positional[0] as string)]
      }
      if (!flagBool(p, 'yes')) {
        if (!io.confirm) throw new UsageError('not a terminal: add --yes to confirm')
        const question = all
          ? `${endAllWarning(targets.length)} Continue? [y/N] `
          : `End ${describe(targets[0] as Session)}? Ending a session may result in loss of unsaved work. [y/N] `
        if (!(await io.confirm(question))) {
          io.err('cancelled; nothing was ended')
          return 1
        }
      }
      // exactly the sessions the user was shown and confirmed; ones opened meanwhile are left alone
      const results: EndResult[] = all
        ? await engine.endMany(
            targets.map((t) => t.id),
            'cli',
          )
        : [await engine.end(targets[0]?.id ?? '', 'cli')]
      for (const r of results) {
        const s = targets.find((t) => t.id === r.id)
        const name = s ? describe(s) : r.id
        if (r.ok)
          io.out(
            `${r.result === 'ended' ? 'ended' : 'already ended'}: ${name}${r.killed ? ' (killed after the grace period)' : ''}`,
          )
        else io.err(`warden: could not end ${name}: ${r.error ?? r.result}`)
      }
      return results.every((r) => r.ok) ? 0 : 1
    },
  },

  watch: {
    booleans: ['json'],
    valued: [],
    async run(p, io, open) {
      noPositional(p, 0, 'warden watch [--json]')
      const json = flagBool(p, 'json')
      const engine = await open()
      const line = (event: string, s: Session, extra: Record<string, unknown> = {}): void => {
        if (json) io.out(JSON.stringify({ event, at: new Date().toISOString(), session: s, ...extra }))
        else
          io.out(
            `${new Date().toLocaleTimeString()}  ${event.padEnd(8)} ${s.id}  ${s.resourceType.toUpperCase()} ${s.resourceName}  ${s.status}${s.endReason ? ` (${s.endReason})` : ''}`,
          )
      }
      if (!json) {
        // what is open now first; then one line per change
        await engine.tick()
        const now = engine.list()
        if (now.length > 0) io.out(sessionsTable(now))
        io.out('Watching sessions (Ctrl-C to stop)…')
      }
      engine.on('created', (s) => line('created', s))
      engine.on('status', (s) => line('status', s))
      engine.on('warned', (s, w) => line('warned', s, { idleMs: w.idleMs, disconnectInMs: w.disconnectInMs }))
      engine.on('limit', (s, l) => line('limit', s, l))
      engine.on('ended', (s) => line('ended', s))
      engine.on('error', (e) => io.err(`warden: scan failed: ${e.message}`))
      engine.start()
      await new Promise<void>((resolve) => {
        if (!io.stop) return
        if (io.stop.aborted) resolve()
        else io.stop.addEventListener('abort', () => resolve(), { once: true })
      })
      await engine.stop()
      return 0
    },
  },

  stats: {
    booleans: ['json'],
    valued: [],
    async run(p, io, open) {
      noPositional(p, 0, 'warden stats [--json]')
      const engine = await open()
      await engine.tick()
      const st = engine.stats()
      if (flagBool(p, 'json')) printJson(io, st)
      else io.out(statsText(st))
      return 0
    },
  },

  history: {
    booleans: ['json'],
    valued: ['type', 'since', 'reason', 'search', 'limit'],
    async run(p, io, open) {
      noPositional(p, 0, 'warden history [--type T] [--since DATE] [--json]')
      const type = flagString(p, 'type')
      if (type !== undefined && !RESOURCE_TYPES.includes(type as ResourceType))
        throw new UsageError(`--type must be one of ${RESOURCE_TYPES.join(', ')}`)
      const reason = flagString(p, 'reason')
      if (reason !== undefined && !END_REASONS.includes(reason as EndReason))
        throw new UsageError(`--reason must be one of ${END_REASONS.join(', ')}`)
      const sinceText = flagString(p, 'since')
      const since = sinceText === undefined ? undefined : parseSince(sinceText, Date.now())
      const limitText = flagString(p, 'limit')
      const limit = limitText === undefined ? 50 : /^\d+$/.test(limitText) ? Number(limitText) : Number.NaN
      if (!Number.isInteger(limit) || limit < 1 || limit > 500)
        throw new UsageError('--limit must be 1 to 500')
      const text = flagString(p, 'search')
      const engine = await open()
      const page = engine.history({
        limit,
        ...(type ? { type: type as ResourceType } : {}),
        ...(reason ? { reason: reason as EndReason } : {}),
        ...(since !== undefined ? { since } : {}),
        ...(text ? { text } : {}),
      })
      if (flagBool(p, 'json')) printJson(io, page.rows)
      else if (page.rows.length === 0) io.out('No sessions in the history match.')
      else io.out(sessionsTable(page.rows))
      return 0
    },
  },

  settings: {
    booleans: ['json'],
    valued: [],
    async run(p, io, open) {
      const [sub, key, value, ...extra] = p.positional
      if (sub === 'get') {
        if (value !== undefined) throw new UsageError('usage: warden settings get [KEY]')
        const engine = await open()
        const s = engine.getSettings()
        if (key !== undefined) {
          if (!isSettingKey(key))
            throw new UsageError(`unknown setting "${key}" (known: ${Object.keys(s).join(', ')})`)
          const v = s[key]
          if (flagBool(p, 'json')) printJson(io, v)
          else io.out(String(v))
        } else if (flagBool(p, 'json')) printJson(io, s)
        else io.out(settingsText(s))
        return 0
      }
      if (sub === 'set') {
        if (key === undefined || value === undefined || extra.length > 0)
          throw new UsageError('usage: warden settings set KEY VALUE')
        const parsed = parseSettingText(key, value)
        if (!parsed.ok) throw new UsageError(parsed.error)
        const engine = await open()
        engine.setSetting(parsed.key, parsed.value)
        io.out(`${parsed.key} = ${String(parsed.value)}`)
        return 0
      }
      throw new UsageError('usage: warden settings get [KEY] | warden settings set KEY VALUE')
    },
  },

  device: {
    booleans: ['json'],
    valued: [],
    async run(p, io, open) {
      noPositional(p, 0, 'warden device [--json]')
      const engine = await open()
      const interfaces = await engine.interfaces()
      if (flagBool(p, 'json')) {
        printJson(io, { ...engine.device, interfaces })
        return 0
      }
      const d = engine.device
      io.out(table(['DEVICE', 'OS', 'MODEL', 'ID'], [[d.name, d.os, d.model, d.id]]))
      io.out('')
      io.out(
        table(
          ['INTERFACE', 'ADDRESS', 'FAMILY', 'MAC'],
          interfaces.map((i) => [i.name, i.address, i.family, i.mac]),
        ),
      )
      return 0
    },
  },

  open: {
    booleans: [],
    valued: [],
    async run(p, io, open) {
      if (p.positional.length !== 1) throw new UsageError('usage: warden open NAME')
      const engine = await open()
      const { pid } = await engine.launchWeb(p.positional[0] as string)
      io.out(`opened ${p.positional[0] ?? ''} in its own browser window (pid ${pid})`)
      return 0
    },
  },

  resources: {
    booleans: ['json'],
    valued: ['type', 'idle-after', 'warn-after', 'disconnect-after'],
    async run(p, io, open) {
      const [sub, ...pos] = p.positional
      if (sub === 'list') {
        if (pos.length > 0) throw new UsageError('usage: warden resources list [--json]')
        const engine = await open()
        const rows = engine.resources()
        if (flagBool(p, 'json')) printJson(io, rows)
        else if (rows.length === 0)
          io.out('No resources yet. Add a web resource: warden resources add --type web NAME URL')
        else io.out(resourcesTable(rows))
        return 0
      }
      if (sub === 'add') {
        const type = flagString(p, 'type') ?? 'web'
        if (!RESOURCE_TYPES.includes(type as ResourceType))
          throw new UsageError(`--type must be one of ${RESOURCE_TYPES.join(', ')}`)
        if (pos.length !== 2)
          throw new UsageError(
            type === 'web'
              ? 'usage: warden resources add --type web NAME URL'
              : `usage: warden resources add --type ${type} NAME HOST`,
          )
        const [name, target] = pos as [string, string]
        const engine = await open()
        const row = engine.addResource({ type: type as ResourceType, name, target, ...policyFlags(p, false) })
        io.out(`added ${row.type} resource ${row.name} (id ${row.id})`)
        return 0
      }
      if (sub === 'set') {
        if (pos.length !== 1) throw new UsageError('usage: warden resources set NAME [--warn-after S] …')
        const policy = policyFlags(p, true)
        if (Object.keys(policy).length === 0)
          throw new UsageError('nothing to set: give --idle-after, --warn-after or --disconnect-after')
        const engine = await open()
        const row = engine.updateResourcePolicy(pos[0] as string, policy)
        io.out(`updated ${row.name}`)
        return 0
      }
      if (sub === 'remove') {
        if (pos.length !== 1) throw new UsageError('usage: warden resources remove NAME|ID')
        const engine = await open()
        const row = engine.removeResource(pos[0] as string)
        io.out(`removed ${row.name}`)
        return 0
      }
      throw new UsageError('usage: warden resources list|add|set|remove …')
    },
  },
}

function policyFlags(
  p: ParsedArgs,
  allowDefault: boolean,
): { idleAfterSec?: number | null; warnAfterSec?: number | null; disconnectAfterSec?: number | null } {
  const out: {
    idleAfterSec?: number | null
    warnAfterSec?: number | null
    disconnectAfterSec?: number | null
  } = {}
  const pairs = [
    ['idle-after', 'idleAfterSec'],
    ['warn-after', 'warnAfterSec'],
    ['disconnect-after', 'disconnectAfterSec'],
  ] as const
  for (const [flag, key] of pairs) {
    const text = flagString(p, flag)
    if (text === undefined) continue
    out[key] = allowDefault && text === 'default' ? null : (parseSeconds(flag, text) ?? null)
  }
  return out
}

function describe(s: Session): string {
  return `${s.id} (${s.resourceType.toUpperCase()} ${s.resourceName}, ${s.ipAddress})`
}
