import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
import { Disposables } from '../../../src/main/shell/disposables'

describe('Disposables', () => {
  it('undoes everything newest first, awaiting an async disposer before the next', async () => {
    const order: string[] = []
    const d = new Disposables()
    d.add(() => {
      order.push('database')
    })
    d.add(async () => {
      await Promise.resolve()
      order.push('engine')
    })
    d.add(() => {
      order.push('tray')
    })
    await d.dispose()
    expect(order).toEqual(['tray', 'engine', 'database'])
  })

  it('sync disposers have all run when dispose() returns', () => {
    const order: number[] = []
    const d = new Disposables()
    for (const i of [1, 2, 3]) d.add(() => void order.push(i))
    void d.dispose()
    expect(order).toEqual([3, 2, 1])
  })

  it('a disposer that throws or rejects does not stop the rest; every failure is reported at the end', async () => {
    const ran: string[] = []
    const d = new Disposables()
    d.add(() => void ran.push('first'))
    d.add(() => Promise.reject(new Error('engine would not stop')))
    d.add(() => void ran.push('middle'))
    d.add(() => {
      throw new Error('tray is gone')
    })
    d.add(() => void ran.push('last'))
    const failure = await d.dispose().then(
      () => null,
      (e: unknown) => e,
    )
    expect(ran).toEqual(['last', 'middle', 'first'])
    expect(failure).toBeInstanceOf(AggregateError)
    expect((failure as AggregateError).errors.map((e) => (e as Error).message)).toEqual([
      'tray is gone',
      'engine would not stop',
    ])
    expect((failure as Error).message).toBe('2 disposers failed: tray is gone; engine would not stop')
  })

  it('is idempotent: a second dispose() returns the same promise and runs nothing again', async () => {
    let runs = 0
    const d = new Disposables()
    d.add(() => {
      runs++
    })
    const first = d.dispose()
    expect(d.dispose()).toBe(first)
    await first
    await d.dispose()
    expect(runs).toBe(1)
    expect(d.disposed).toBe(true)
  })

  it('addListener removes exactly its listener: others on the same event stay', async () => {
    const emitter = new EventEmitter()
    const theirs = (): void => undefined
    emitter.on('resume', theirs)
    const d = new Disposables()
    let heard = 0
    d.addListener(emitter, 'resume', () => {
      heard++
    })
    emitter.emit('resume')
    expect(heard).toBe(1)
    expect(emitter.listenerCount('resume')).toBe(2)
    await d.dispose()
    emitter.emit('resume')
    expect(heard).toBe(1)
    expect(emitter.listeners('resume')).toEqual([theirs])
  })

  it('something added after dispose() is undone at once; its failure goes to the late reporter', async () => {
    const late: unknown[] = []
    const d = new Disposables((e) => late.push(e))
    await d.dispose()
    const emitter = new EventEmitter()
    d.addListener(emitter, 'closed', () => undefined)
    expect(emitter.listenerCount('closed')).toBe(0)
    d.add(() => {
      throw new Error('late sync')
    })
    d.add(() => Promise.reject(new Error('late async')))
    await expect.poll(() => late.map((e) => (e as Error).message)).toEqual(['late sync', 'late async'])
  })

  it('an empty store disposes without error', async () => {
    await expect(new Disposables().dispose()).resolves.toBeUndefined()
  })
})
