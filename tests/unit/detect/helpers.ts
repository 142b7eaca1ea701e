// Small factories for detect tests: processes, sockets, snapshots, contexts.
import type { ProcessInfo, Snapshot, SocketInfo } from '@engine/probe/types'
import type { Detect, Detected, DetectInput, SshEffectiveConfig, WebResource } from '@engine/detect/types'
import { buildIndex } from '@engine/detect/snapshot-index'

export const T0 = 1_700_000_000_000

export interface ProcOpts {
  ppid?: number
  uid?: number
  startTime?: number
  /** default: argv[0] when it is an absolute path, else /usr/bin/<argv[0]>; '' for proctitles */
  exe?: string
  comm?: string
}

function defaultExe(argv0: string): string {
  if (argv0 === '' || argv0.includes(' ') || argv0.includes(': ')) return ''
  if (argv0.startsWith('/')) return argv0
  if (argv0.includes('\\')) return argv0
  return `/usr/bin/${argv0}`
}

export function proc(pid: number, argv: string[], opts: ProcOpts = {}): ProcessInfo {
  const a0 = argv[0] ?? ''
  const exe = opts.exe ?? defaultExe(a0)
  const base = (exe || a0).split(/[/\\]/).pop() ?? ''
  return {
    pid,
    ppid: opts.ppid ?? 1,
    uid: opts.uid ?? 1000,
    startTime: opts.startTime ?? T0 + pid * 1000,
    exe,
    argv,
    comm: opts.comm ?? base.slice(0, 15),
  }
}

export interface SockOpts {
  local?: string
  localPort?: number
}

let nextLocalPort = 40000

export function sock(
  pids: number | number[],
  remote: string,
  remotePort: number,
  opts: SockOpts = {},
): SocketInfo {
  const v6 = remote.includes(':')
  return {
    pids: Array.isArray(pids) ? pids : [pids],
    localAddress: opts.local ?? (v6 ? '::1' : '192.168.1.10'),
    localPort: opts.localPort ?? nextLocalPort++,
    remoteAddress: remote,
    remotePort,
  }
}

export function snap(processes: ProcessInfo[], sockets: SocketInfo[] = []): Snapshot {
  return { takenAt: T0 + 10_000_000, processes: new Map(processes.map((p) => [p.pid, p])), sockets }
}

export interface CtxOpts {
  webResources?: WebResource[]
  resolved?: Record<string, string[]>
  launched?: [number, number][]
  selfPid?: number
  sshConfig?: [number, SshEffectiveConfig][]
}

export function ctx(processes: ProcessInfo[], sockets: SocketInfo[] = [], opts: CtxOpts = {}): DetectInput {
  return {
    snapshot: snap(processes, sockets),
    webResources: opts.webResources ?? [],
    resolved: new Map(Object.entries(opts.resolved ?? {})),
    launched: new Map(opts.launched ?? []),
    selfPid: opts.selfPid ?? 999_999,
    ...(opts.sshConfig ? { sshConfig: new Map(opts.sshConfig) } : {}),
  }
}

/** One detector on its own, as detectAll runs it. */
export function run(detect: Detect, input: DetectInput): Detected[] {
  return detect(buildIndex(input.snapshot, input.selfPid), input)
}

/** Linux proctitle padding as read from /proc/<pid>/cmdline of a ControlPersist master. */
export function padded(title: string, n = 40): string[] {
  return [title, ...new Array<string>(n).fill('')]
}
