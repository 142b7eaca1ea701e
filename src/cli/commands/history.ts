import { END_REASONS } from '@shared/model'
import { defineCommand, JSON_OPTION, printJson } from '../command'
import { sessionsTable } from '../format'
import { historyQuery } from '../input'

export const historyCommand = defineCommand({
  name: 'history',
  summary: 'ended sessions, newest first',
  usage: [
    'history [--type ssh|rdp|web] [--reason R] [--since DATE|AGO] [--search TEXT] [--limit N] [--json]',
  ],
  options: {
    type: { type: 'string', value: 'ssh|rdp|web', help: 'only sessions of this type' },
    reason: { type: 'string', value: 'R', help: `only this cause: ${END_REASONS.join(', ')}` },
    since: {
      type: 'string',
      value: 'DATE|AGO',
      help: 'ended after a date (2026-11-27, an ISO time) or a time ago (7d, 12h, 1h 30m)',
    },
    search: { type: 'string', value: 'TEXT', help: 'name, host, IP address or location contains TEXT' },
    limit: { type: 'string', value: 'N', help: 'at most N sessions (default 50)' },
    ...JSON_OPTION,
  },
  args: [0, 0],
  async run({ io, values, open }) {
    const query = historyQuery(values, Date.now())
    const engine = await open()
    const page = engine.history(query)
    if (values.json) printJson(io, page.rows)
    else if (page.rows.length === 0) io.out('No sessions in the history match.')
    else io.out(sessionsTable(page.rows))
    return 0
  },
})
