import { checkWith } from '@shared/check'
import { RESOURCE_TYPES, type ResourceType } from '@shared/model'
import { displayNameSchema } from '@shared/resource'
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
    "resources set NAME|ID --display-name TEXT   (--display-name '' clears it)",
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
    'display-name': {
      type: 'string',
      value: 'TEXT',
      emptyOk: true,
      help: "the name shown for it everywhere (ssh, rdp and web); '' shows its own name again",
    },
  },
  args: [1, 1],
  async run({ io, values, positionals, open }) {
    const policy = { ...policyFromFlags(values, true), ...recordingFromFlags(values) }
    const display = values['display-name']
    if (Object.keys(policy).length === 0 && display === undefined)
      throw new UsageError(
        'nothing to set: give --idle-after, --warn-after, --disconnect-after, --record, --record-input or --display-name',
      )
    // checked before anything is written: a refused display name leaves the policy unchanged too
    if (display !== undefined) {
      const checked = checkWith(displayNameSchema, display)
      if (!checked.ok) throw new UsageError(`--display-name: ${checked.error}`)
    }
    const engine = await open()
    const nameOrId = positionals[0] as string
    let row = Object.keys(policy).length > 0 ? engine.updateResourcePolicy(nameOrId, policy) : null
    if (display !== undefined) row = engine.setResourceDisplayName(row?.name ?? nameOrId, display)
    if (row === null) throw new Error('nothing was updated')
    io.out(`updated ${row.name}${row.displayName === null ? '' : ` (shown as ${row.displayName})`}`)
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
