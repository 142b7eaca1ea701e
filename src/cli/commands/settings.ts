import { isSettingKey, SETTING_KEYS } from '@shared/settings'
import { UsageError } from '../args'
import { defineCommand, printJson, type CommandGroup } from '../command'
import { settingsText } from '../format'
import { settingFromWords, settingLines, settingShown } from '../input'

const get = defineCommand({
  name: 'get',
  summary: 'show every setting, or one',
  usage: ['settings get [KEY] [--json]'],
  options: { json: { type: 'boolean', help: 'print JSON' } },
  args: [0, 1],
  async run({ io, values, positionals, open }) {
    const key = positionals[0]
    if (key !== undefined && !isSettingKey(key))
      throw new UsageError(`unknown setting "${key}" (known: ${SETTING_KEYS.join(', ')})`)
    const engine = await open()
    const s = engine.getSettings()
    if (key === undefined) {
      if (values.json) printJson(io, s)
      else io.out(settingsText(s))
    } else if (values.json) printJson(io, s[key])
    else io.out(String(s[key]))
    return 0
  },
})

const set = defineCommand({
  name: 'set',
  summary: 'change a setting (validated; durations as 10m, 1h 30m, never)',
  usage: ['settings set KEY VALUE'],
  notes: settingLines(),
  options: {},
  args: [2, Number.POSITIVE_INFINITY],
  async run({ io, positionals, open }) {
    const [key, ...words] = positionals as [string, ...string[]]
    const { key: k, value } = settingFromWords(key, words)
    const engine = await open()
    engine.setSetting(k, value)
    io.out(`${k} = ${settingShown(k, value)}`)
    return 0
  },
})

export const settingsCommand: CommandGroup = {
  name: 'settings',
  summary: 'show and change settings',
  subcommands: [get, set],
}
