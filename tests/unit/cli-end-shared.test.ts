// `warden end` on a session that shares its client process (Remmina, flag shared-process): it
// says, before asking, that the client cannot close one connection and which sessions go with it.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { runCli } from '../../src/cli/cli'
import type { Snapshot } from '@engine/probe/types'
import { FakeOs } from '../support/fake-os'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'warden-cli-end-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

/** One Remmina process holding two RDP connections. */
class RemminaOs extends FakeOs {
  override async snapshot(): Promise<Snapshot> {
    const s = await super.snapshot()
    const first = s.sockets[0]
    if (first) s.sockets.push({ ...first, localPort: first.localPort + 100, remoteAddress: '203.0.113.8' })
    return s
  }
}

it('end names the sibling sessions it will end too, before confirming', async () => {
  const os = new RemminaOs()
  os.procs.set(4242, {
    pid: 4242,
    ppid: 1,
    uid: process.getuid?.() ?? 0,
    startTime: os.now,
    exe: '/usr/bin/remmina',
    argv: ['remmina'],
    comm: 'remmina',
  })
  os.traffic.set(4242, os.now)
  os.remote.set(4242, ['203.0.113.7', 3389])
  const out: string[] = []
  const asked: string[] = []
  const io = {
    out: (l: string) => out.push(l),
    err: (l: string) => out.push(l),
    env: { WARDEN_DB: join(dir, 'w.db') },
    engine: { probe: os, scope: () => true },
  }
  const list: string[] = []
  await runCli(['list', '--json'], { ...io, out: (l) => list.push(l), confirm: null })
  const sessions = JSON.parse(list.join('\n')) as { id: string; flags: string[] }[]
  expect(sessions).toHaveLength(2)
  expect(sessions.every((s) => s.flags.includes('shared-process'))).toBe(true)
  const [target, sibling] = sessions as unknown as [{ id: string }, { id: string }]
  const code = await runCli(['end', target.id], {
    ...io,
    confirm: (q: string) => {
      asked.push(q)
      out.push(`? ${q}`)
      return Promise.resolve(false)
    },
  })
  expect(code).toBe(1)
  const note = out.find((l) => l.startsWith('note: '))
  expect(note).toContain('remmina cannot close one connection on its own')
  expect(note).toContain(sibling.id)
  // printed first, then the question
  expect(out.indexOf(note ?? '')).toBeLessThan(out.findIndex((l) => l.startsWith('? End ')))
  expect(asked).toHaveLength(1)
})
