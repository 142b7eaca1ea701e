import { defineCommand, JSON_OPTION, printJson } from '../command'
import { statsText } from '../format'

export const statsCommand = defineCommand({
  name: 'stats',
  summary: 'active and idle counts, total duration of active sessions',
  usage: ['stats [--json]'],
  options: JSON_OPTION,
  args: [0, 0],
  async run({ io, values, open }) {
    const engine = await open()
    await engine.tick()
    const st = engine.stats()
    if (values.json) printJson(io, st)
    else io.out(statsText(st))
    return 0
  },
})
