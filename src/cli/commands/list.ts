import { HISTORY_LIMIT } from '@shared/history'
import type { Session } from '@shared/model'
import { defineCommand, JSON_OPTION, printJson } from '../command'
import { sessionsTable } from '../format'
import { fleetSessions, withFleet } from './fleet'

export const listCommand = defineCommand({
  name: 'list',
  summary: 'scan now and print current sessions (--all: with history)',
  usage: ['list [--all] [--json]', 'list --fleet [--json]'],
  options: {
    all: { type: 'boolean', help: `add the most recent ${HISTORY_LIMIT.max} ended sessions` },
    fleet: { type: 'boolean', help: 'every device of the fleet (rows carry device and deviceId)' },
    ...JSON_OPTION,
  },
  args: [0, 0],
  async run({ io, values, open }) {
    const engine = await open()
    await engine.tick()
    let sessions: Session[] = values.fleet
      ? await withFleet(engine, (c, cfg) => fleetSessions(engine, c, cfg))
      : engine.list()
    if (values.all) sessions = [...sessions, ...engine.history({ limit: HISTORY_LIMIT.max }).rows]
    if (values.json) printJson(io, sessions)
    else if (sessions.length === 0)
      io.out('No active sessions. You are not connected to any remote resource from this computer.')
    else io.out(sessionsTable(sessions))
    return 0
  },
})
