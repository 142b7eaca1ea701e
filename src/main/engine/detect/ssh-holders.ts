// Who holds each ssh connection, and which session it belongs to. A socket may be owned by
// several processes (a ControlPersist master and the ssh that forked it; a ProxyJump helper);
// one of them holds it. From each holder the detector climbs to the session's root: through the
// ProxyJump/ProxyCommand chain (the -W helper is its parent's connection) to a transfer or
// supervisor parent (scp, sftp, rsync, sshfs, autossh) or to the mosh wrapper it bootstraps.
import type { SessionFlag } from '@shared/model'
import type { ProcessInfo, SocketInfo } from '../probe/types'
import type { SnapshotIndex } from './snapshot-index'
import { isMoshWrapper } from './mosh'
import { isPlinkProxy } from './putty'
import { PROXY_TOOLS, SUPERVISOR_PARENTS, TRANSFER_PARENTS, type SshBuilder, type SshRec } from './ssh-rec'

export interface Holders {
  /** holder pid → the connections it holds */
  sockets: Map<number, SocketInfo[]>
  /** holder pid → the other ssh processes owning the same connections */
  coOwners: Map<number, Set<number>>
  /** holder pid → ProxyCommand helpers (nc, socat, …) holding its connection */
  proxyMembers: Map<number, ProcessInfo[]>
  /** holders whose ProxyCommand helper relays through another host (plink -nc): a jump */
  proxyJumps: Set<number>
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key)
  if (list) list.push(value)
  else map.set(key, [value])
}

/** The holder among several ssh owners: the mux master, else the child of another owner. */
function pickHolder(owners: readonly number[], recs: ReadonlyMap<number, SshRec>): number {
  if (owners.length === 1) return owners[0] ?? 0
  const master = owners.find((pid) => recs.get(pid)?.muxPath != null)
  const child = owners.find((pid) => owners.includes(recs.get(pid)?.p.ppid ?? -1))
  return master ?? child ?? Math.min(...owners)
}

export function findHolders(ix: SnapshotIndex, recs: ReadonlyMap<number, SshRec>): Holders {
  const h: Holders = {
    sockets: new Map(),
    coOwners: new Map(),
    proxyMembers: new Map(),
    proxyJumps: new Set(),
  }
  if (recs.size === 0) return h
  for (const s of ix.snapshot.sockets) {
    const owners = s.pids.filter((pid) => recs.get(pid)?.excluded === false)
    if (owners.length === 0) continue
    const holder = pickHolder(owners, recs)
    if (owners.length > 1) {
      let set = h.coOwners.get(holder)
      if (!set) h.coOwners.set(holder, (set = new Set()))
      for (const o of owners) if (o !== holder) set.add(o)
    }
    push(h.sockets, holder, s)
  }
  // ProxyCommand helpers (nc, socat, …) holding the connection of an ssh without a socket
  for (const rec of recs.values()) {
    if (rec.excluded || h.sockets.has(rec.p.pid)) continue
    for (const c of ix.children.get(rec.p.pid) ?? []) {
      if (recs.has(c.pid)) continue
      const own = ix.sockets(c.pid)
      if (own.length === 0) continue
      const plink = isPlinkProxy(ix, c)
      if (rec.args?.proxyCommand == null && !PROXY_TOOLS.has(ix.name(c.pid)) && !plink) continue
      for (const s of own) push(h.sockets, rec.p.pid, s)
      push(h.proxyMembers, rec.p.pid, c)
      if (plink) h.proxyJumps.add(rec.p.pid)
    }
  }
  return h
}

/**
 * Is `child` (an ssh holding a connection) the proxy of its parent ssh? True for the -W helper of
 * ProxyJump / "ProxyCommand ssh -W %h:%p", for an old-style "ssh bastion nc %h %p" helper, and
 * whenever the parent's command line names a jump or proxy. Never for a fork sharing the socket.
 */
function isProxyHelper(child: SshRec, parent: SshRec, sharers: ReadonlySet<number> | undefined): boolean {
  if (parent.p.pid === child.p.pid || sharers?.has(parent.p.pid) === true) return false
  const a = child.args
  if (a === null) return false
  if (a.stdioForward !== null) return true
  if (parent.args?.jump != null || parent.args?.proxyCommand != null) return true
  const cmd = a.command[0]
  return cmd !== undefined && PROXY_TOOLS.has(cmd)
}

interface Climb {
  root: ProcessInfo
  client: string
  top: SshRec
  /** processes passed on the way up (helpers, the ssh under a transfer parent) */
  chain: ProcessInfo[]
  flags: Set<SessionFlag>
  jump: boolean
}

/** From a holder up to its session's root. */
function climb(ix: SnapshotIndex, recs: ReadonlyMap<number, SshRec>, holder: SshRec, h: Holders): Climb {
  let top = holder
  const chain: ProcessInfo[] = []
  let jump = false
  // a ProxyJump/ProxyCommand helper ssh is its parent ssh's connection
  while (top.muxPath === null) {
    const parent = recs.get(top.p.ppid)
    if (!parent || parent.excluded || !isProxyHelper(top, parent, h.coOwners.get(holder.p.pid))) break
    chain.push(top.p)
    top = parent
    jump = true
  }
  const flags = new Set<SessionFlag>(jump ? ['jump'] : [])
  const parentName = ix.name(top.p.ppid)
  const parent = ix.process(top.p.ppid)
  // mosh's bootstrap ssh: the session is the wrapper's, which becomes mosh-client (mosh.ts)
  if (parent && isMoshWrapper(parent)) {
    chain.push(top.p)
    // its exe changes from perl to mosh-client by design: identity is pid + start time (the
    // same rule terminate.ts sameProcess applies when exe is unreadable)
    return { root: { ...parent, exe: '' }, client: 'mosh', top, chain, flags, jump }
  }
  if (parent && (TRANSFER_PARENTS.has(parentName) || SUPERVISOR_PARENTS.has(parentName))) {
    chain.push(top.p)
    if (TRANSFER_PARENTS.has(parentName)) flags.add('file-transfer')
    return { root: parent, client: parentName, top, chain, flags, jump }
  }
  return { root: top.p, client: 'ssh', top, chain, flags, jump }
}

export interface Grouped {
  /** sessions by root pid */
  builders: Map<number, SshBuilder>
  /** ssh processes already part of a session */
  assigned: Set<number>
}

/** One builder per session root, from every holder (in pid order). */
export function groupHolders(ix: SnapshotIndex, recs: ReadonlyMap<number, SshRec>, h: Holders): Grouped {
  const builders = new Map<number, SshBuilder>()
  const assigned = new Set<number>()
  for (const pid of [...h.sockets.keys()].sort((a, b) => a - b)) {
    const holder = recs.get(pid)
    if (!holder) continue
    const c = climb(ix, recs, holder, h)
    if (h.proxyJumps.has(pid)) {
      c.jump = true
      c.flags.add('jump')
    }
    let b = builders.get(c.root.pid)
    if (!b) {
      const { root, client, top, flags } = c
      b = {
        root,
        client,
        top,
        flags,
        members: new Map(),
        sockets: [],
        jumpHolders: new Set(),
        muxClients: [],
      }
      builders.set(c.root.pid, b)
    } else for (const f of c.flags) b.flags.add(f)
    for (const m of [...c.chain, ...(h.proxyMembers.get(pid) ?? [])]) b.members.set(m.pid, m)
    if (c.jump) b.jumpHolders.add(pid)
    b.sockets.push(...(h.sockets.get(pid) ?? []))
    for (const o of h.coOwners.get(pid) ?? []) {
      const r = recs.get(o)
      if (!r) continue
      b.members.set(o, r.p)
      b.muxClients.push(r)
      assigned.add(o)
    }
    for (const a of [pid, c.top.p.pid, ...c.chain.map((m) => m.pid)]) assigned.add(a)
  }
  return { builders, assigned }
}
