/** TCP sockets and their owners as `ss` reports them. */
import { BIN, execFileText } from './common'
import { descendants } from './proc'

export interface SocketOwner {
  name: string
  pid: number
  fd: number
}

export interface TcpSocket {
  localAddress: string
  localPort: number
  peerAddress: string
  peerPort: number
  owners: SocketOwner[]
}

function splitHostPort(text: string): { address: string; port: number } {
  const i = text.lastIndexOf(':')
  let address = text.slice(0, i)
  if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1)
  const scope = address.indexOf('%')
  if (scope >= 0) address = address.slice(0, scope)
  const port = text.slice(i + 1)
  return { address, port: port === '*' ? 0 : Number(port) }
}

function parseSs(output: string): TcpSocket[] {
  const sockets: TcpSocket[] = []
  for (const line of output.split('\n')) {
    if (line.trim() === '') continue
    const u = line.indexOf('users:(')
    const head = (u >= 0 ? line.slice(0, u) : line).trim().split(/\s+/)
    const local = head.at(-2)
    const peer = head.at(-1)
    if (local === undefined || peer === undefined) continue
    const owners: SocketOwner[] = []
    if (u >= 0) {
      for (const m of line.slice(u).matchAll(/\("((?:[^"\\]|\\.)*)",pid=(\d+),fd=(\d+)\)/g)) {
        owners.push({ name: m[1] ?? '', pid: Number(m[2]), fd: Number(m[3]) })
      }
    }
    const l = splitHostPort(local)
    const p = splitHostPort(peer)
    sockets.push({
      localAddress: l.address,
      localPort: l.port,
      peerAddress: p.address,
      peerPort: p.port,
      owners,
    })
  }
  return sockets
}

/** Every established TCP socket on this machine (`ss -tnpH state established`). */
export async function establishedSockets(): Promise<TcpSocket[]> {
  return parseSs(await execFileText(BIN.ss, ['-tnpH', 'state', 'established']))
}

/** Every listening TCP socket (`ss -tlnpH`). */
export async function listeningSockets(): Promise<TcpSocket[]> {
  return parseSs(await execFileText(BIN.ss, ['-tlnpH']))
}

/** Established TCP sockets owned by any of `pids` (optionally only those whose peer port is `peerPort`). */
export async function establishedSocketsOf(pids: Iterable<number>, peerPort?: number): Promise<TcpSocket[]> {
  const wanted = new Set(pids)
  return (await establishedSockets()).filter(
    (s) => (peerPort === undefined || s.peerPort === peerPort) && s.owners.some((o) => wanted.has(o.pid)),
  )
}

/** Established sockets owned by `pid` or any of its descendants. */
export async function establishedSocketsOfTree(pid: number, peerPort?: number): Promise<TcpSocket[]> {
  return establishedSocketsOf([pid, ...(await descendants(pid))], peerPort)
}

export interface TcpStats {
  bytesSent: number
  bytesReceived: number
  /** ms since this socket last sent / received data (the kernel's own idle clock). */
  lastSendMs: number
  lastReceiveMs: number
}

/**
 * Kernel counters of one established connection, seen from `socket`'s side (`ss -tni`), or undefined when
 * it is gone.
 */
export async function tcpStats(socket: TcpSocket): Promise<TcpStats | undefined> {
  const out = await execFileText(BIN.ss, [
    '-tniH',
    'state',
    'established',
    'src',
    `${socket.localAddress}:${socket.localPort}`,
    'dst',
    `${socket.peerAddress}:${socket.peerPort}`,
  ])
  if (out.trim() === '') return undefined
  const num = (key: string) => Number(new RegExp(`\\b${key}:(\\d+)`).exec(out)?.[1] ?? 0)
  return {
    bytesSent: num('bytes_sent'),
    bytesReceived: num('bytes_received'),
    lastSendMs: num('lastsnd'),
    lastReceiveMs: num('lastrcv'),
  }
}

export async function listenerOwnedBy(pid: number, port: number): Promise<boolean> {
  const tree = new Set([pid, ...(await descendants(pid))])
  return (await listeningSockets()).some(
    (s) => s.localAddress === '127.0.0.1' && s.localPort === port && s.owners.some((o) => tree.has(o.pid)),
  )
}
