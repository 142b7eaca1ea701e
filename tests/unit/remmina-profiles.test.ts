// The Remmina profile reader beside the scan loop: reads the -c file (relative to the process's
// working directory) and the profiles folder, once per (path, mtime), and nothing while no
// remmina runs.
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { RemminaProfileReader } from '@engine/remmina-profiles'
import { proc, snap } from './detect/helpers'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'warden-remmina-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const profile = (name: string, server: string, protocol = 'RDP'): string =>
  `[remmina]\npassword=ZW5jcnlwdGVk\nname=${name}\nprotocol=${protocol}\nserver=${server}\n`

describe('RemminaProfileReader', () => {
  it('reads nothing while no remmina process runs', async () => {
    writeFileSync(join(dir, 'a.remmina'), profile('A', '127.0.0.1:53779'))
    const r = new RemminaProfileReader({ dirs: [dir] })
    expect(await r.resolve(snap([proc(10, ['bash'])]), null)).toBeUndefined()
  })

  it('a relative -c file from the process cwd; the folder keeps RDP profiles only', async () => {
    writeFileSync(join(dir, 'lab.remmina'), profile('Lab', '127.0.0.1:53779'))
    writeFileSync(join(dir, 'vnc.remmina'), profile('Desk', '10.0.0.5:5900', 'VNC'))
    writeFileSync(join(dir, 'notes.txt'), 'server=1.2.3.4:1')
    const p = proc(20, ['remmina', '-c', 'lab.remmina'])
    const r = new RemminaProfileReader({ dirs: [dir], cwd: () => Promise.resolve(dir) })
    const got = await r.resolve(snap([p]), null)
    expect(got?.connect.get(20)?.startTime).toBe(p.startTime)
    expect(got?.connect.get(20)?.profile).toMatchObject({ name: 'Lab', port: 53779 })
    expect(got?.saved.map((s) => s.name)).toEqual(['Lab'])
  })

  it('re-reads a file only when its mtime changes', async () => {
    const file = join(dir, 'lab.remmina')
    writeFileSync(file, profile('Old', '127.0.0.1:53779'))
    utimesSync(file, 1000, 1000)
    const r = new RemminaProfileReader({ dirs: [dir] })
    const s = snap([proc(30, ['remmina'])])
    expect((await r.resolve(s, null))?.saved[0]?.name).toBe('Old')
    writeFileSync(file, profile('New', '127.0.0.1:53779'))
    utimesSync(file, 1000, 1000) // same mtime: the cached profile stands
    expect((await r.resolve(s, null))?.saved[0]?.name).toBe('Old')
    utimesSync(file, 2000, 2000)
    expect((await r.resolve(s, null))?.saved[0]?.name).toBe('New')
  })

  it('a missing folder or -c file is no profile, not an error', async () => {
    const r = new RemminaProfileReader({ dirs: [join(dir, 'none')] })
    const got = await r.resolve(snap([proc(40, ['remmina', '-c', join(dir, 'gone.remmina')])]), null)
    expect(got).toEqual({ connect: new Map(), saved: [] })
  })
})
