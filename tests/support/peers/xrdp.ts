/** RDP server side: Xvfb and xrdp (no sesman: clients get xrdp's login screen). */
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { BIN, execFileText, freePort, makeTempDir, waitFor } from './common'
import { listenerOwnedBy } from './sockets'
import { failIfExited, newResource, release, spawnTracked } from './tracking'

export interface Xvfb {
  /** e.g. ':3' */
  display: string
  pid: number
  stop: () => Promise<void>
}

/** Xvfb on a display it picks itself (`-displayfd`), no TCP. */
export async function startXvfb(timeoutMs = 10_000): Promise<Xvfb> {
  const r = newResource('Xvfb')
  try {
    const p = spawnTracked(
      r,
      BIN.xvfb,
      ['-displayfd', '3', '-screen', '0', '1280x800x24', '-nolisten', 'tcp', '-noreset'],
      { extraFds: 1 },
    )
    let displayText = ''
    const fd3 = p.proc.stdio[3]
    if (fd3 && 'on' in fd3) {
      fd3.on('data', (chunk: Buffer) => {
        displayText += chunk.toString('utf8')
      })
    }
    const display = await waitFor(
      () => {
        failIfExited(p, 'Xvfb')
        const m = /^(\d+)\n/.exec(displayText)
        return m ? `:${m[1] ?? ''}` : undefined
      },
      timeoutMs,
      'Xvfb to report its display',
    )
    return { display, pid: p.pid, stop: () => release(r) }
  } catch (e) {
    await release(r)
    throw e
  }
}

export interface Xrdp {
  host: '127.0.0.1'
  port: number
  /** The X display (Xvfb) that xfreerdp clients draw on. */
  display: string
  /** xrdp listener pid (it forks one child per connection). */
  pid: number
  xvfbPid: number
  dir: string
  iniPath: string
  logPath: string
  output: () => string
  stop: () => Promise<void>
}

function xrdpIni(dir: string, port: number): string {
  return [
    '[Globals]',
    'ini_version=1',
    'fork=true',
    `port=tcp://127.0.0.1:${port}`,
    'use_vsock=false',
    'tcp_nodelay=true',
    'tcp_keepalive=true',
    // TLS with our own throwaway certificate. (The standard RDP security layer would need
    // /etc/xrdp/rsakeys.ini: that path is compiled in, it cannot be pointed at a temp file.)
    'security_layer=tls',
    'crypt_level=high',
    `certificate=${join(dir, 'cert.pem')}`,
    `key_file=${join(dir, 'key.pem')}`,
    'ssl_protocols=TLSv1.2, TLSv1.3',
    'autorun=',
    'allow_channels=true',
    'allow_multimon=true',
    'bitmap_cache=true',
    'bitmap_compression=true',
    'bulk_compression=true',
    'max_bpp=32',
    'new_cursors=true',
    'use_fastpath=both',
    '',
    '[Logging]',
    `LogFile=${join(dir, 'xrdp.log')}`,
    'LogLevel=INFO',
    'EnableSyslog=false',
    '',
    // Without these, xfreerdp's channel join fails ("requested 4 channels, got 0"). drdynvc off: with it,
    // xrdp 0.9.21 logs "dynamic_monitor_open_response: error" for every xfreerdp 2.11 client.
    '[Channels]',
    'rdpdr=true',
    'rdpsnd=true',
    'drdynvc=false',
    'cliprdr=true',
    'rail=true',
    'xrdpvr=true',
    'tcutils=true',
    '',
    // One session type that never reaches xrdp-sesman (which we do not run): a VNC backend on port 1,
    // where nothing listens. Connections sit at xrdp's own login screen, which is a real RDP session.
    '[Warden]',
    'name=Warden test (login screen only)',
    'lib=libvnc.so',
    'username=ask',
    'password=ask',
    'ip=127.0.0.1',
    'port=1',
    '',
  ].join('\n')
}

/**
 * Xvfb + `xrdp -n -c <tmp xrdp.ini>` listening on 127.0.0.1:<free port> with a throwaway TLS cert.
 * No xrdp-sesman: clients get the login screen.
 */
export async function startXrdp(): Promise<Xrdp> {
  const xvfb = await startXvfb()
  const r = newResource('xrdp')
  r.closers.push(xvfb.stop)
  try {
    const dir = await makeTempDir('xrdp')
    r.dirs.add(dir)
    await execFileText(BIN.openssl, [
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
      '2',
      '-subj',
      '/CN=127.0.0.1',
    ])
    const iniPath = join(dir, 'xrdp.ini')
    const logPath = join(dir, 'xrdp.log')
    for (let attempt = 1; ; attempt++) {
      const port = await freePort()
      await writeFile(iniPath, xrdpIni(dir, port), { mode: 0o600 })
      const p = spawnTracked(r, BIN.xrdp, ['-n', '-c', iniPath], { cwd: dir })
      try {
        await waitFor(
          async () => {
            failIfExited(p, 'xrdp')
            return listenerOwnedBy(p.pid, port)
          },
          10_000,
          `xrdp to listen on 127.0.0.1:${port}`,
        )
      } catch (e) {
        const log = await readFile(logPath, 'utf8').catch(() => '')
        if (/in use|bind|listen/i.test(log + p.output()) && attempt < 5) continue
        throw new Error(`${String(e)}\nxrdp.log:\n${log}`, { cause: e })
      }
      return {
        host: '127.0.0.1',
        port,
        display: xvfb.display,
        pid: p.pid,
        xvfbPid: xvfb.pid,
        dir,
        iniPath,
        logPath,
        output: p.output,
        stop: () => release(r),
      }
    }
  } catch (e) {
    await release(r)
    throw e
  }
}
