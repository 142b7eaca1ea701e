import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { readFile, readlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createEngine, type Engine } from '@engine/index'
import type { Detected } from '@engine/detect/types'
import type { Session } from '@shared/model'
import { sshClient, startSshd, stopAll, waitFor, type Sshd } from '../support/peers'
import { PLINK_BIN, plinkOptions } from '../support/peers/plink'
import { descendants } from '../support/peers/proc'
import { newResource, release, spawnTracked, type Resource } from '../support/peers/tracking'

// Real clients in the shapes issue 11 found misnamed, against the test sshd: plink as an ssh
// ProxyCommand helper (fault 5), rsync -e plink (fault 7), a mosh login with a slow server (fault 6).
const MOSH = '/usr/bin/mosh'
const RSYNC = '/usr/bin/rsync'

let dir: string
let sshd: Sshd
let engine: Engine | null = null
const resources: Resource[] = []

beforeAll(async () => {
  sshd = await startSshd()
})
afterAll(async () => {
  await stopAll()
})
afterEach(async () => {
  if (engine) await engine.close()
  engine = null
  for (const r of resources.splice(0)) await release(r)
  rmSync(dir, { recursive: true, force: true })
})

async function newEngine(scope: (d: Detected) => boolean): Promise<Engine> {
  dir = mkdtempSync(join(tmpdir(), 'warden-it-'))
  engine = await createEngine({
    dbPath: join(dir, 'w.db'),
    actor: 'test',
    terminate: { graceMs: 1500 },
    scope,
  })
  return engine
}

async function until<T>(
  e: Engine,
  what: string,
  pick: (list: Session[]) => T | undefined,
  ms = 15_000,
): Promise<T> {
  return waitFor(
    async () => {
      await e.tick()
      return pick(e.list())
    },
    ms,
    what,
  )
}

function spawnClient(label: string, file: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  const r = newResource(label)
  resources.push(r)
  // stdin a pipe kept open: at EOF script(1) would hang up mosh-client's terminal
  return spawnTracked(r, file, args, { env, stdin: 'pipe' })
}

describe.skipIf(!existsSync(PLINK_BIN))('plink serving other programs', () => {
  it('ssh -o "ProxyCommand=plink … -nc %h:%p": one ssh session flagged jump, plink not a session of its own', async () => {
    const e = await newEngine((d) => d.remotePort === sshd.port)
    const plink = [PLINK_BIN, ...(await plinkOptions(sshd)), '127.0.0.1', '-nc', '%h:%p'].join(' ')
    const c = await sshClient(sshd, ['-o', `ProxyCommand=${plink}`, 'warden-test'], { command: 'sleep 60' })
    const list = await until(e, 'the ssh session', (l) => (l.some((s) => s.pid === c.pid) ? l : undefined))
    expect(list.map((s) => [s.pid, s.client, s.flags])).toEqual([[c.pid, 'ssh', ['jump']]])
    await c.stop()
  })

  it.skipIf(!existsSync(RSYNC))(
    'rsync -e plink: one session rooted at rsync, flagged file-transfer',
    async () => {
      const e = await newEngine((d) => d.remotePort === sshd.port)
      const src = join(dir, 'src.txt')
      writeFileSync(src, 'x')
      // the remote side waits before it runs rsync --server: the transfer stays up while the engine looks
      const p = spawnClient('rsync -e plink', RSYNC, [
        '-e',
        [PLINK_BIN, ...(await plinkOptions(sshd))].join(' '),
        '--rsync-path=sleep 30; rsync',
        src,
        `127.0.0.1:${join(dir, 'dst.txt')}`,
      ])
      const s = await until(e, 'the rsync session', (l) => l.find((x) => x.pid === p.pid))
      expect(s).toMatchObject({ client: 'rsync', flags: ['file-transfer'], host: '127.0.0.1' })
      expect(e.list()).toHaveLength(1)
    },
  )
})

describe.skipIf(!existsSync(MOSH))('mosh with a slow server login', () => {
  it('the bootstrap ssh and the mosh-client it becomes are one row in the history; End still ends it', async () => {
    let wrapper = -1
    const e = await newEngine((d) => d.root.pid === wrapper)
    // script(1) gives mosh-client the terminal it needs; mosh-server exits 5 s after its client
    const mosh = [
      MOSH,
      `--ssh='ssh -F ${sshd.clientConfigPath}'`,
      "--server='sleep 2; MOSH_SERVER_NETWORK_TMOUT=5 mosh-server'",
      'warden-test',
      '--',
      'sleep',
      '60',
    ].join(' ')
    const p = spawnClient(
      'mosh',
      '/usr/bin/script',
      ['-qfec', `stty rows 24 cols 80; exec ${mosh}`, '/dev/null'],
      {
        ...process.env,
        LANG: 'C.UTF-8',
        LC_ALL: 'C.UTF-8',
      },
    )
    // script runs the command through sh -c "exec …": the wrapper is script's child
    wrapper = await waitFor(
      async () => {
        for (const pid of await descendants(p.pid)) {
          const words = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0')
          if (words[1] === MOSH && !words.includes('--fake-proxy')) return pid
        }
        return undefined
      },
      10_000,
      'the mosh wrapper',
    )
    const boot = await until(e, 'the bootstrap', (l) => l.find((s) => s.pid === wrapper))
    expect(boot).toMatchObject({ client: 'mosh', remotePort: sshd.port })
    // the bootstrap ssh is gone and the wrapper is mosh-client now (same pid and start time)
    await waitFor(
      async () => {
        if (p.proc.exitCode !== null) throw new Error(`mosh exited: ${p.output()}`)
        const exe = await readlink(`/proc/${wrapper}/exe`).catch(() => {
          throw new Error(`mosh wrapper gone: ${p.output()}`)
        })
        return exe.endsWith('mosh-client') && (await descendants(wrapper)).length === 0
      },
      15_000,
      'mosh-client alone',
    )
    await e.tick()
    const after = e.list().find((s) => s.pid === wrapper)
    expect(after?.id).toBe(boot.id)
    if (!after) return
    expect(await e.end(after.id, 'test')).toMatchObject({ ok: true, result: 'ended' })
    const rows = e.history({}).rows.filter((s) => s.pid === wrapper)
    expect(rows.map((s) => s.id)).toEqual([boot.id])
  })
})
