import {
  endAllWarning,
  endsSiblingsWarning,
  fleetCountText,
  SESSION_ID_RE,
  sharedProcessSiblings,
  type Session,
} from '@shared/model'
import { EngineError, type Engine, type EndResult } from '@engine/index'
import { UsageError } from '../args'
import { defineCommand, type CliIO } from '../command'
import { endInFleet, fleetSessions, fleetStore, withFleet } from './fleet'

export const endCommand = defineCommand({
  name: 'end',
  summary: 'end one session, or with --all every active and idle session',
  usage: ['end ID [--yes]', 'end --all [--fleet] [--yes]'],
  notes: ['ID may be a session of another device of the fleet (see warden list --fleet).'],
  options: {
    all: { type: 'boolean', help: 'end every active and idle session shown' },
    fleet: { type: 'boolean', help: 'with --all: on every device of the fleet' },
    yes: { type: 'boolean', help: 'do not ask (needed when there is no terminal to ask on)' },
  },
  args: [0, 1],
  async run({ io, values, positionals, open }) {
    const all = values.all === true
    if (all && positionals.length > 0) throw new UsageError('give either an id or --all, not both')
    if (!all && positionals.length !== 1)
      throw new UsageError('usage: warden end ID [--yes] | warden end --all [--yes]')
    if (values.fleet && !all)
      throw new UsageError('--fleet goes with --all (an id of another device needs no flag)')
    const engine = await open()
    await engine.tick()
    const id = positionals[0]
    if (values.fleet || (id !== undefined && elsewhere(engine, id)))
      return endAcrossFleet(io, engine, id ?? null, values.yes === true)
    const targets = all ? engine.list() : [engine.get(id as string)]
    if (targets.length === 0) {
      io.out('No active or idle sessions to end.')
      return 0
    }
    if (!all) sharedNote(io, targets[0] as Session, engine.list())
    if (!values.yes && !(await confirmed(io, targets, all))) {
      io.err('cancelled; nothing was ended')
      return 1
    }
    return report(io, targets, await endTargets(engine, targets, all))
  },
})

/** A well-formed id this device does not know, while it is in a fleet: another device's session. */
function elsewhere(engine: Engine, id: string): boolean {
  if (!SESSION_ID_RE.test(id) || fleetStore(engine).read() === null) return false
  try {
    engine.get(id)
    return false
  } catch {
    return true
  }
}

/** End one session of the fleet, or all of them: this device's through its engine, the others' by command. */
async function endAcrossFleet(io: CliIO, engine: Engine, id: string | null, yes: boolean): Promise<number> {
  return withFleet(engine, async (client, cfg) => {
    const open = await fleetSessions(engine, client, cfg)
    const targets = id === null ? open : open.filter((s) => s.id === id)
    if (id !== null && targets.length === 0)
      throw new EngineError('UNKNOWN_SESSION', `no session with id ${id} on any device of the fleet`)
    if (targets.length === 0) {
      io.out('No active or idle sessions to end on any device of the fleet.')
      return 0
    }
    const devices = new Set(targets.map((t) => t.deviceId)).size
    if (id === null) io.out(`${fleetCountText(targets.length, devices)}.`)
    if (!yes && !(await confirmed(io, targets, id === null))) {
      io.err('cancelled; nothing was ended')
      return 1
    }
    const results = await endInFleet(engine, client, targets, 'cli')
    return report(io, targets, results)
  })
}

/** A session sharing its client process: say, before asking, which sessions go with it. */
function sharedNote(io: CliIO, target: Session, open: readonly Session[]): void {
  if (!target.flags.includes('shared-process')) return
  const siblings = sharedProcessSiblings(target, open)
  io.out(`note: ${endsSiblingsWarning(target.client, siblings.map(describe))}`)
}

async function confirmed(io: CliIO, targets: readonly Session[], all: boolean): Promise<boolean> {
  if (!io.confirm) throw new UsageError('not a terminal: add --yes to confirm')
  const question = all
    ? `${endAllWarning(targets.length)} Continue? [y/N] `
    : `End ${describe(targets[0] as Session)}? Ending a session may result in loss of unsaved work. [y/N] `
  return io.confirm(question)
}

/** Exactly the sessions the user was shown and confirmed; ones opened meanwhile are left alone. */
async function endTargets(engine: Engine, targets: readonly Session[], all: boolean): Promise<EndResult[]> {
  if (all)
    return engine.endMany(
      targets.map((t) => t.id),
      'cli',
    )
  return [await engine.end((targets[0] as Session).id, 'cli')]
}

function report(io: CliIO, targets: readonly Session[], results: readonly EndResult[]): number {
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
}

function describe(s: Session): string {
  return `${s.id} (${s.resourceType.toUpperCase()} ${s.resourceName}, ${s.ipAddress}${'deviceId' in s ? ` on ${s.device}` : ''})`
}
