import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { assetFetchUrl } from '@shared/asset-scheme'
import { assetResponse, serveAssets } from '../../../src/main/shell/asset-protocol'
import { FakeProtocol } from '../../support/fake-electron'

// The built window's .wasm over warden-asset: (issue 15): a real folder on disk, the handler as Electron
// would call it (through the shell's protocol port).
const root = mkdtempSync(join(tmpdir(), 'warden-assets-'))
const assets = join(root, 'assets')
const WASM = Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00])
writeFileSync(join(root, 'secret.wasm'), 'outside the assets folder')
mkdirSync(assets)
writeFileSync(join(assets, 'asciinema-vt-B9_86fSg.wasm'), WASM)
writeFileSync(join(assets, 'index-AJlcdmuS.js'), 'export {}')
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('warden-asset: the window’s .wasm for a file:// page', () => {
  it('serves a built .wasm by its name, as application/wasm that the opaque file:// origin may read', async () => {
    const r = await assetResponse(assets, {
      url: 'warden-asset://app/asciinema-vt-B9_86fSg.wasm',
      method: 'GET',
    })
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toBe('application/wasm')
    expect(r.headers.get('access-control-allow-origin')).toBe('*')
    expect(Buffer.from(await r.arrayBuffer())).toEqual(WASM)
  })

  it('serves nothing else: another folder, another type, another host, a missing file, not GET', async () => {
    const refused = {
      'warden-asset://app/../secret.wasm': 404,
      'warden-asset://app/%2E%2E%2Fsecret.wasm': 404,
      'warden-asset://app/..%2Fsecret.wasm': 404,
      'warden-asset://app/sub/asciinema-vt-B9_86fSg.wasm': 404,
      'warden-asset://app/index-AJlcdmuS.js': 404,
      'warden-asset://other/asciinema-vt-B9_86fSg.wasm': 404,
      'warden-asset://app/missing.wasm': 404,
      'warden-asset://app/.hidden.wasm': 404,
      'file:///etc/asciinema-vt-B9_86fSg.wasm': 404,
      'warden-asset://app/%E0%A4%A.wasm': 400, // a malformed %-escape: refused, not thrown
    }
    for (const [url, status] of Object.entries(refused)) {
      const r = await assetResponse(assets, { url, method: 'GET' })
      expect([url, r.status]).toEqual([url, status])
      expect(r.headers.get('content-type')).toBe('text/plain; charset=utf-8')
    }
    const post = await assetResponse(assets, {
      url: 'warden-asset://app/asciinema-vt-B9_86fSg.wasm',
      method: 'POST',
    })
    expect(post.status).toBe(405)
  })

  it('is handled through the shell’s protocol port until disposed', async () => {
    const protocol = new FakeProtocol()
    const dispose = serveAssets(protocol, assets)
    const r = await protocol.fetch('warden-asset://app/asciinema-vt-B9_86fSg.wasm')
    expect(Buffer.from(await r.arrayBuffer())).toEqual(WASM)
    void dispose()
    await expect(protocol.fetch('warden-asset://app/asciinema-vt-B9_86fSg.wasm')).rejects.toThrow(
      'ERR_UNKNOWN_URL_SCHEME',
    )
  })

  it('the page asks the scheme only for a file:// address; over http it fetches from its own origin', () => {
    expect(
      assetFetchUrl(
        'file:///opt/Session%20Warden/resources/app.asar/out/renderer/assets/asciinema-vt-B9_86fSg.wasm',
      ),
    ).toBe('warden-asset://app/asciinema-vt-B9_86fSg.wasm')
    expect(assetFetchUrl('http://127.0.0.1:4711/assets/asciinema-vt-B9_86fSg.wasm')).toBe(
      'http://127.0.0.1:4711/assets/asciinema-vt-B9_86fSg.wasm',
    )
  })
})
