import { defineCommand, printJson } from '../command'
import { table } from '../format'

export const deviceCommand = defineCommand({
  name: 'device',
  summary: 'this computer: name, OS, model, id, network interfaces',
  usage: ['device [--json]'],
  options: { json: { type: 'boolean', help: 'print JSON instead of tables' } },
  args: [0, 0],
  async run({ io, values, open }) {
    const engine = await open()
    const interfaces = await engine.interfaces()
    const d = engine.device
    if (values.json) {
      printJson(io, { ...d, interfaces })
      return 0
    }
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
})
