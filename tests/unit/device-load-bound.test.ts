import { describe, expect, it, vi } from 'vitest'

// createEngine's one await is Device.load (systeminformation's osInfo, system, uuid, which run
// shells). A shell that never answers must not hang the app's start: the load fails, with a clear
// error, after its bound. No fallback: a fallback id (from the hostname) would change this device's id.
vi.mock('systeminformation', () => {
  const never = (): Promise<never> => new Promise<never>(() => undefined)
  return { default: { osInfo: never, system: never, uuid: never, networkInterfaces: never } }
})

describe('Device.load is bounded', () => {
  it('fails with a clear error when systeminformation never answers', async () => {
    const { Device } = await import('@engine/device')
    await expect(new Device(10_000, 50).load()).rejects.toThrow(
      /reading this computer's identity \(systeminformation osInfo, system, uuid\) took over 50 ms/,
    )
  })
})
