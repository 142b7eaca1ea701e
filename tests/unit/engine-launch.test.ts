import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { LaunchOptions } from '@engine/launch'
import type { Store } from '@engine/store/types'
import { engineOnFakeOs, FakeOs, UID } from '../support/fake-os'

// `open`: a dedicated browser window that exits at once (no display) is a failed launch.

let dir: string
let store: Store | null = null
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'warden-launch-'))
})
afterEach(() => {
  store?.close()
  store = null
  rmSync(dir, { recursive: true, force: true })
})

/** An engine whose browser is a scripted process that lives for `reads` reads of the OS. */
function launching(os: FakeOs, reads: number) {
  const launched: LaunchOptions[] = []
  const launchBrowser = (o: LaunchOptions): Promise<number> => {
    launched.push(o)
    os.procs.set(5000, {
      pid: 5000,
      ppid: 1,
      uid: UID,
      startTime: os.now,
      exe: o.browser,
      argv: [o.browser],
      comm: 'chromium',
    })
    return Promise.resolve(5000)
  }
  const readProcess = os.readProcess.bind(os)
  let count = 0
  os.readProcess = (pid) => {
    if (++count > reads) os.kill(pid)
    return readProcess(pid)
  }
  const made = engineOnFakeOs(os, join(dir, 'w.db'), { launchBrowser, timing: { launchCheckMs: 50 } })
  store = made.store
  made.engine.addResource({ type: 'web', name: 'Wiki', target: 'https://wiki.example/' })
  return { ...made, launched }
}

describe('launchWeb', () => {
  it('reports LAUNCH_FAILED when the browser exits within the check window, and records nothing', async () => {
    const os = new FakeOs()
    const { engine, store: s, launched } = launching(os, 1)
    const failed = engine.launchWeb('Wiki', { browser: '/usr/bin/chromium' })
    await expect(failed).rejects.toMatchObject({ code: 'LAUNCH_FAILED' })
    await expect(failed).rejects.toThrow(/chromium exited right after it started/)
    expect(launched).toHaveLength(1)
    expect(s.launches()).toEqual([])
  })

  it('negative control: a browser that keeps running is a launch, recorded with its pid', async () => {
    const os = new FakeOs()
    const { engine, store: s } = launching(os, Infinity)
    expect(await engine.launchWeb('Wiki', { browser: '/usr/bin/chromium' })).toEqual({ pid: 5000 })
    expect(s.launches()).toEqual([
      { pid: 5000, processStart: os.now, resourceId: engine.findResource('Wiki').id },
    ])
  })
})
