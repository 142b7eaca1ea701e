// One OS snapshot per tick. Produced by a platform probe, consumed by detect and track.

export interface ProcessInfo {
  pid: number
  ppid: number
  /** the session id (its leader's pid) where the OS tells it: Linux stat field 6; absent elsewhere */
  sid?: number
  uid: number
  /** process start time in ms since the epoch; with pid and exe it is the process's identity */
  startTime: number
  /** absolute path of the executable ('' when the OS will not tell) */
  exe: string
  /** the command line; argv[0] as the process set it (may be a proctitle such as "ssh: /tmp/cm [mux]") */
  argv: string[]
  /** short process name as the kernel knows it (Linux comm, 15 chars) */
  comm: string
}

export interface SocketInfo {
  /** owning processes (a socket can be shared after fork) */
  pids: number[]
  /** the socket's inode, when the OS gives it (Linux): links it to /proc/<pid>/fd */
  inode?: number
  localAddress: string
  localPort: number
  remoteAddress: string
  remotePort: number
  /** only established connections are reported */
  /** bytes counters when the OS gives them (Linux tcp_info, macOS nettop) */
  bytesSent?: number
  bytesReceived?: number
  /** ms since the socket last sent / received data (Linux tcp_info lastsnd / lastrcv) */
  lastSendMs?: number
  lastRecvMs?: number
}

export interface Snapshot {
  /** wall-clock ms when the snapshot was taken */
  takenAt: number
  processes: Map<number, ProcessInfo>
  sockets: SocketInfo[]
  /**
   * Detection would find exactly what it found in the previous snapshot: the same session
   * programs (with their parents and children) and the same socket reading; only time has
   * passed, and processes detection never looks at may have come and gone.
   */
  unchanged?: boolean
  /**
   * The same session programs (with their parents and children) and the same connections with
   * the same owners as the previous snapshot; only the counters may be newer (a fresh `ss`
   * reading). Detection's answer is then the previous one with these sockets' readings: no
   * detector looks at a counter. `unchanged` implies it.
   */
  sameSessions?: boolean
}

export interface SnapshotOptions {
  /**
   * Fresh per-socket counters are needed now. Without it a probe may return the sockets of its
   * last reading when nothing on the network changed since (their idle clocks aged by the time
   * passed), which saves spawning `ss` every tick.
   */
  counters?: boolean
  /**
   * Browsers' connections can make a session (a web resource is configured). False spares the
   * probe reading the sockets of every browser process; absent means true.
   */
  browsers?: boolean
}

export interface Probe {
  /** one snapshot of processes and established TCP sockets */
  snapshot(opts?: SnapshotOptions): Promise<Snapshot>
  /** re-reads one process; null when it is gone (used before every signal) */
  readProcess(pid: number): Promise<ProcessInfo | null>
  /** lets go of what the probe keeps open between snapshots (the Linux probe's stat files) */
  close?(): void
}
