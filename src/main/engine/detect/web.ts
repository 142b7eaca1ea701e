// Web sessions: a browser's connections to the host of a configured web resource.
//
// Chromium-family browsers keep their sockets in the network-service child, e.g. (chromium 156):
//   /usr/lib/chromium/chromium --app=http://127.0.0.1:8766/ …                  ← browser root
//   └ "/usr/lib/chromium/chromium --type=utility --utility-sub-type=network.mojom.NetworkService …"
//     (one argv string: Chromium rewrites its children's command lines)      ← owns the sockets
// so each socket's owner is followed up the parent chain to the topmost process of the same
// browser family. One session per (browser root, resource), however many sockets.
//
// When several resources share an address and port (virtual hosts, one server), a socket cannot
// tell them apart: it goes to the resource the browser was launched for when that is one of them,
// else to the first matching resource in configuration order.
import type { ProcessInfo, SocketInfo } from '../probe/types'
import type { Detect, DetectContext, Detected, WebResource } from './types'
import { browserFamilyOfProgram, type BrowserFamily } from './browser'
import { orderMembers, sessionKey } from './common'
import { isIpLiteral, normalizeAddress, withoutZone } from '../probe/addr'
import { parsePort } from './net'

export interface WebEndpoint {
  resource: WebResource
  /** URL host name, no brackets */
  host: string
  port: number
}

const DEFAULT_PORTS: Readonly<Record<string, number>> = {
  'https:': 443,
  'wss:': 443,
  'http:': 80,
  'ws:': 80,
}

/** Host and port of a web resource's URL; null when the URL is unusable. */
export function webEndpoint(resource: WebResource): WebEndpoint | null {
  let url: URL
  try {
    url = new URL(resource.url)
  } catch {
    return null
  }
  let host = url.hostname
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1)
  if (host === '') return null
  const port = url.port === '' ? (DEFAULT_PORTS[url.protocol] ?? null) : parsePort(url.port)
  return port === null ? null : { resource, host, port }
}

/** "address|port" → resources reachable there, in configuration order. */
function endpointTable(ctx: DetectContext): Map<string, WebResource[]> {
  const table = new Map<string, WebResource[]>()
  for (const r of ctx.webResources) {
    const ep = webEndpoint(r)
    if (!ep) continue
    const addrs = new Set<string>()
    if (isIpLiteral(ep.host)) addrs.add(normalizeAddress(ep.host))
    for (const a of ctx.resolved.get(ep.host) ?? []) addrs.add(normalizeAddress(a))
    for (const a of addrs) {
      const k = `${a}|${ep.port}`
      const list = table.get(k)
      if (!list) table.set(k, [r])
      else if (!list.includes(r)) list.push(r)
    }
  }
  return table
}

/**
 * The resources at a socket's peer. A URL host or DNS answer has no zone: a link-local peer
 * ss reports as fe80::1%eth0 is looked up as fe80::1 too (probe/addr.ts sameAddress).
 */
function lookup(
  table: ReadonlyMap<string, WebResource[]>,
  address: string,
  port: number,
): WebResource[] | undefined {
  const a = normalizeAddress(address)
  return table.get(`${a}|${port}`) ?? table.get(`${withoutZone(a)}|${port}`)
}

interface WebBuilder {
  root: ProcessInfo
  resource: WebResource
  sockets: SocketInfo[]
  members: Map<number, ProcessInfo>
}

/** Web sessions of one snapshot. */
export const detectWeb: Detect = (ix, ctx) => {
  if (ctx.webResources.length === 0) return []
  const table = endpointTable(ctx)
  if (table.size === 0) return []
  const roots = new Map<number, ProcessInfo | null>()
  const rootOf = (pid: number): ProcessInfo | null => {
    const known = roots.get(pid)
    if (known !== undefined) return known
    let result: ProcessInfo | null = null
    const family: BrowserFamily | null = browserFamilyOfProgram(ix.name(pid))
    let cur = family === null ? undefined : ix.process(pid)
    if (cur && family !== null) {
      for (let guard = 0; guard < 64; guard++) {
        const parent: ProcessInfo | undefined = ix.process(cur.ppid)
        if (!parent || parent.pid === cur.pid) break
        if (browserFamilyOfProgram(ix.name(parent.pid)) !== family) break
        cur = parent
      }
      result = cur
    }
    roots.set(pid, result)
    return result
  }

  const builders = new Map<string, WebBuilder>()
  for (const s of ix.snapshot.sockets) {
    const resources = lookup(table, s.remoteAddress, s.remotePort)
    if (!resources) continue
    for (const pid of s.pids) {
      if (pid === ix.selfPid) continue
      const root = rootOf(pid)
      if (!root) continue
      const launchedFor = ctx.launched.get(root.pid)
      const resource = resources.find((r) => r.id === launchedFor) ?? resources[0]
      if (!resource) continue
      const k = `${root.pid}|${resource.id}`
      let b = builders.get(k)
      if (!b) {
        b = { root, resource, sockets: [], members: new Map() }
        builders.set(k, b)
      }
      if (!b.sockets.includes(s)) b.sockets.push(s)
      const owner = ix.process(pid)
      if (owner && owner.pid !== root.pid) b.members.set(owner.pid, owner)
    }
  }

  const out: Detected[] = []
  for (const b of builders.values()) {
    const primary = b.sockets[0]
    const ep = webEndpoint(b.resource)
    if (!primary || !ep) continue
    const launched = ctx.launched.has(b.root.pid)
    out.push({
      key: sessionKey('web', b.root, b.resource.id),
      resourceType: 'web',
      resourceName: b.resource.name,
      host: ep.host,
      user: null,
      client: ix.name(b.root.pid),
      root: b.root,
      members: orderMembers(b.root, b.members.values()),
      sockets: b.sockets,
      remoteAddress: primary.remoteAddress,
      remotePort: primary.remotePort,
      localAddress: primary.localAddress,
      flags: [launched ? 'launched' : 'in-browser'],
      endable: launched,
      resourceId: b.resource.id,
    })
  }
  return out.sort((x, y) => x.root.pid - y.root.pid || (x.resourceId ?? 0) - (y.resourceId ?? 0))
}
