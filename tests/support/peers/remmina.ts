/**
 * Remmina (1.4, RDP plugin) headless on the test xrdp's Xvfb. Remmina is a GApplication: a second
 * `remmina -c FILE` hands its file to the running instance over the D-Bus session bus and exits,
 * so both connections live in one process. The bus is our own `dbus-daemon --session` (what
 * dbus-run-session starts), so two launches can share it.
 */
import { writeFile } from 'node:fs/promises'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { connectionOf, type ClientProc, clientProc } from './clients'
import { makeTempDir, waitFor } from './common'
import { establishedSocketsOf, type TcpSocket } from './sockets'
import { failIfExited, newResource, release, spawnTracked } from './tracking'
import type { Xrdp } from './xrdp'

export const REMMINA_BIN = '/usr/bin/remmina'
export const DBUS_DAEMON_BIN = '/usr/bin/dbus-daemon'

export interface RemminaProfileSpec {
  /** file base name, without .remmina */
  file: string
  name: string
  username: string
  /** host:port */
  server: string
}

/** A profile as Remmina writes it; the password is a stand-in blob the engine must never read. */
export function remminaProfileText(p: RemminaProfileSpec): string {
  return [
    '[remmina]',
    'password=bm90LWEtcmVhbC1wYXNzd29yZA==',
    `name=${p.name}`,
    'protocol=RDP',
    `username=${p.username}`,
    `server=${p.server}`,
    'cert_ignore=1',
    'colordepth=32',
    'resolution_mode=2',
    'window_maximize=0',
    '',
  ].join('\n')
}

export interface RemminaHome {
  home: string
  /** $XDG_DATA_HOME: profiles live in its remmina/ folder */
  dataHome: string
  profilesDir: string
  env: NodeJS.ProcessEnv
}

/** A throwaway HOME with the given profiles in $XDG_DATA_HOME/remmina, and its own session bus. */
export async function remminaHome(
  xrdp: Xrdp,
  profiles: RemminaProfileSpec[],
): Promise<RemminaHome & { stop: () => Promise<void> }> {
  const r = newResource('remmina-bus')
  const home = await makeTempDir('remmina-home')
  r.dirs.add(home)
  const dataHome = join(home, '.local', 'share')
  const profilesDir = join(dataHome, 'remmina')
  mkdirSync(profilesDir, { recursive: true })
  mkdirSync(join(home, '.config', 'remmina'), { recursive: true })
  for (const p of profiles) await writeFile(join(profilesDir, `${p.file}.remmina`), remminaProfileText(p))
  const bus = spawnTracked(r, DBUS_DAEMON_BIN, ['--session', '--nofork', '--nopidfile', '--print-address=1'])
  const address = await waitFor(
    () => {
      failIfExited(bus, 'dbus-daemon')
      const line = bus.output().split('\n')[0] ?? ''
      return line.startsWith('unix:') ? line.trim() : undefined
    },
    10_000,
    'dbus-daemon to print its address',
  )
  const env = {
    ...process.env,
    HOME: home,
    DISPLAY: xrdp.display,
    XDG_DATA_HOME: dataHome,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_CACHE_HOME: join(home, '.cache'),
    DBUS_SESSION_BUS_ADDRESS: address,
    NO_AT_BRIDGE: '1',
  }
  return { home, dataHome, profilesDir, env, stop: () => release(r) }
}

/** `remmina -c FILE`: resolves once the Remmina process holds a connection to xrdp's port. */
export async function remminaConnect(
  xrdp: Xrdp,
  h: RemminaHome,
  file: string,
  timeoutMs = 20_000,
): Promise<ClientProc> {
  const r = newResource('remmina')
  const p = spawnTracked(r, REMMINA_BIN, ['-c', join(h.profilesDir, `${file}.remmina`)], {
    env: h.env,
    cwd: h.home,
  })
  try {
    const socket: TcpSocket = await connectionOf(p, xrdp.port, 'remmina', timeoutMs)
    return clientProc(p, socket, r)
  } catch (e) {
    await release(r)
    throw e
  }
}

/** The established connections of a pid to a port (a second `remmina -c` adds one to the first process). */
export async function connectionsOf(
  pid: number,
  port: number,
  count: number,
  timeoutMs = 20_000,
): Promise<TcpSocket[]> {
  return waitFor(
    async () => {
      const s = await establishedSocketsOf([pid], port)
      return s.length >= count ? s : undefined
    },
    timeoutMs,
    `${count} connections of pid ${pid} to port ${port}`,
  )
}
