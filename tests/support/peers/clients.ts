/** A spawned client whose connection is up, and the wait for that connection. */
import type { ChildProcess } from 'node:child_process'
import { waitFor } from './common'
import { descendants } from './proc'
import { establishedSocketsOf, type TcpSocket } from './sockets'
import { failIfExited, release, type Resource, type Spawned } from './tracking'

export interface ClientProc {
  /** pid of the process we spawned (after `exec`, that is ssh itself). */
  pid: number
  proc: ChildProcess
  /** Exit code; null when ended by a signal. */
  exited: Promise<number | null>
  /** The established connection to the server (for a mux client: the master's). */
  socket: TcpSocket
  /** pid that owns `socket` (the client, one of its children, or the mux master). */
  socketPid: number
  /** For `warden-mux`: pid of the backgrounded ControlMaster. */
  masterPid?: number
  output: () => string
  stop: () => Promise<void>
}

/** The ClientProc of a spawned client whose connection is up. */
export function clientProc(p: Spawned, socket: TcpSocket, r: Resource): ClientProc {
  const owner = socket.owners[0]
  return {
    pid: p.pid,
    proc: p.proc,
    exited: p.exited,
    socket,
    socketPid: owner ? owner.pid : p.pid,
    output: p.output,
    stop: () => release(r),
  }
}

export async function connectionOf(
  p: Spawned,
  port: number,
  what: string,
  timeoutMs: number,
  extraPids: () => number[] = () => [],
): Promise<TcpSocket> {
  return waitFor(
    async () => {
      failIfExited(p, what)
      const pids = [p.pid, ...(await descendants(p.pid)), ...extraPids()]
      return (await establishedSocketsOf(pids, port))[0]
    },
    timeoutMs,
    `${what} to hold an established connection to 127.0.0.1:${port}`,
  )
}
