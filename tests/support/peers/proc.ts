/** The process table, read from /proc (Linux): parents, descendants, liveness. */
import { readdirSync, readFileSync } from 'node:fs'

export interface ProcStat {
  pid: number
  ppid: number
  pgid: number
  state: string
  startTime: string
  comm: string
}

function parseStat(pid: number, text: string): ProcStat | undefined {
  // comm may contain spaces and parentheses: it ends at the last ')'.
  const close = text.lastIndexOf(')')
  if (close < 0) return undefined
  const comm = text.slice(text.indexOf('(') + 1, close)
  const fields = text.slice(close + 2).split(' ')
  // fields[0] = state (field 3), [1] = ppid, [2] = pgrp, ..., [19] = starttime (field 22)
  const [state, ppid, pgid] = fields
  const startTime = fields[19]
  if (state === undefined || ppid === undefined || pgid === undefined || startTime === undefined) {
    return undefined
  }
  return { pid, ppid: Number(ppid), pgid: Number(pgid), state, startTime, comm }
}

export function readStatSync(pid: number): ProcStat | undefined {
  try {
    return parseStat(pid, readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return undefined
  }
}

export function procTableSync(): ProcStat[] {
  const out: ProcStat[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    const s = readStatSync(Number(name))
    if (s) out.push(s)
  }
  return out
}

/** Synchronous on purpose: ~1 ms per 100 processes, and no burst of open files when many waits poll at once. */
export function procTable(): Promise<ProcStat[]> {
  return Promise.resolve(procTableSync())
}

export function descendantsIn(table: ProcStat[], roots: Iterable<number>): number[] {
  const children = new Map<number, number[]>()
  for (const p of table) {
    const list = children.get(p.ppid)
    if (list) list.push(p.pid)
    else children.set(p.ppid, [p.pid])
  }
  const seen = new Set<number>()
  const queue = [...roots]
  while (queue.length > 0) {
    const pid = queue.shift()
    if (pid === undefined) break
    for (const child of children.get(pid) ?? []) {
      if (!seen.has(child)) {
        seen.add(child)
        queue.push(child)
      }
    }
  }
  return [...seen]
}

/** All descendants of `pid` (children, grandchildren, ...), read from /proc. Excludes `pid` itself. */
export async function descendants(pid: number): Promise<number[]> {
  return descendantsIn(await procTable(), [pid])
}

/** True while `pid` exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  const s = readStatSync(pid)
  return s !== undefined && s.state !== 'Z' && s.state !== 'X'
}

/** Parent pid of `pid` (undefined when it is gone). */
export function parentOf(pid: number): number | undefined {
  return readStatSync(pid)?.ppid
}

// ---------------------------------------------------------------------------------------------------------
