/**
 * A loopback https server standing in for a security contact's webhook: a self-signed certificate
 * made with openssl for 127.0.0.1 (the client trusts it through its CA option, nothing system-wide),
 * every request body kept. `mode: 'hang'` accepts requests and never answers (the timeout case).
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

export interface HttpsHook {
  url: string
  /** PEM of the self-signed certificate */
  cert: string
  bodies: string[]
  /** requests received (answered or not) */
  requests(): number
  close(): Promise<void>
}

export async function startHttpsHook(mode: 'ok' | 'hang' = 'ok'): Promise<HttpsHook> {
  const dir = mkdtempSync(join(tmpdir(), 'warden-hook-'))
  await promisify(execFile)('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    join(dir, 'key.pem'),
    '-out',
    join(dir, 'cert.pem'),
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
  ])
  const cert = readFileSync(join(dir, 'cert.pem'), 'utf8')
  const key = readFileSync(join(dir, 'key.pem'), 'utf8')
  rmSync(dir, { recursive: true, force: true })
  const bodies: string[] = []
  let count = 0
  const server = createServer({ key, cert }, (req, res) => {
    count++
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString('utf8'))
      if (mode === 'ok') res.writeHead(202).end('accepted')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `https://127.0.0.1:${port}/hook`,
    cert,
    bodies,
    requests: () => count,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
