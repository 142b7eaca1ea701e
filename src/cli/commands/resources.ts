import { RESOURCE_TYPES, type ResourceType } from '@shared/model'
import { UsageError } from '../args'
import { defineCommand, JSON_OPTION, printJson, type CommandGroup } from '../command'
import { resourcesTable } from '../format'
import { policyFromFlags, recordingFromFlags } from '../input'

// NAME|ID is resolved by the engine (src/main/engine/store), the one place that decides between a
// resource named "1" and the resource with id 1.

const policyOptions = (also: string) =>
  ({
    'idle-after': { type: 'string', value: 'D', help: `idle after this long without traffic${also}` },
    'warn-after': {
      type: 'string',
      value: 'D',
      help: `warn after this long idle; 0 or never: no warning${also}`,
    },
    'disconnect-after': {
      type: 'string',
      value: 'D',
      help: `end after this long idle; 0 or never: never${also}`,
    },
  }) as const

const list = defineCommand({
  name: 'list',
  summary: 'the resources and their idle policies',
  usage: ['resources list [--json]'],
  options: JSON_OPTION,
  args: [0, 0],
  async run({ io, values, open }) {
    const engine = await open()
    const rows = engine.resources()
    if (values.json) printJson(io, rows)
    else if (rows.length === 0)
      io.out('No resources yet. Add a web resource: warden resources add --type web NAME URL')
    else io.out(resourcesTable(rows))
    return 0
  },
})

const add = defineCommand({
  name: 'add',
  summary: 'add a resource (web: a URL to open; ssh, rdp: a host)',
  usage: [
    'resources add [--type web] NAME URL [--idle-after D] [--warn-after D] [--disconnect-after D]',
    'resources add --type ssh|rdp NAME HOST [--idle-after D] [--warn-after D] [--disconnect-after D]',
  ],
  options: {
    type: { type: 'string', value: 'web|ssh|rdp', help: 'the kind of resource (default web)' },
    ...policyOptions(''),
  },
  args: [2, 2],
  async run({ io, values, positionals, open }) {
    const type = values.type ?? 'web'
    if (!RESOURCE_TYPES.includes(type as ResourceType))
      throw new UsageError(`--type must be one of ${RESOURCE_TYPES.join(', ')}`)
    const [name, target] = positionals as [string, string]
    const policy = policyFromFlags(values, false)
    const engine = await open()
    const row = engine.addResource({ type: type as ResourceType, name, target, ...policy })
    io.out(`added ${row.type} resource ${row.name} (id ${row.id})`)
    return 0
  },
})

const set = defineCommand({
  name: 'set',
  summary: "change a resource's idle policy and whether its sessions are recorded",
  usage: [
    'resources set NAME|ID [--idle-after D|default] [--warn-after D|default] [--disconnect-after D|default]',
    'resources set NAME|ID [--record on|off|default] [--record-input on|off|default]',
  ],
  options: {
    ...policyOptions('; default: the global setting'),
    record: {
      type: 'string',
      value: 'on|off|default',
      help: 'record its sessions (ssh through warden ssh, the rdp window); default: recordSsh / recordRdp',
    },
    'record-input': {
      type: 'string',
      value: 'on|off|default',
      help: 'also record keystrokes, passwords typed at prompts included; default: off',
    },
  },
  args: [1, 1],
  async run({ io, values, positionals, open }) {
    const policy = { ...policyFromFlags(values, true), ...recordingFromFlags(values) }
    if (Object.keys(policy).length === 0)
      throw new UsageError(
        'nothing to set: give --idle-after, --warn-after, --disconnect-after, --record or --record-input',
      )
    const engine = await open()
    const row = engine.updateResourcePolicy(positionals[0] as string, policy)
    io.out(`updated ${row.name}`)
    return 0
  },
})

const remove = defineCommand({
  name: 'remove',
  summary: 'remove a resource',
  usage: ['resources remove NAME|ID'],
  options: {},
  args: [1, 1],
  async run({ io, positionals, open }) {
    const engine = await open()
    const row = engine.removeResource(positionals[0] as string)
    io.out(`removed ${row.name}`)
    return 0
  },
})

export const resourcesCommand: CommandGroup = {
  name: 'resources',
  summary: 'web, ssh and rdp resources with their own idle policies',
  subcommands: [list, add, set, remove],
}
