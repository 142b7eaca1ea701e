// The engine bench's two baselines for one Linux scan (bench/engine-bench.ts): the least a
// /proc-based scan must read, and what systeminformation costs for the same picture. They measure
// src/main/engine/probe/linux.ts from outside, so they live with the bench, not in the probe.
import fs from 'node:fs'

/**
 * The benchmark's floor: the least a /proc-based scan must read (stat and cmdline of every
 * process, /proc/net/tcp and tcp6), with no parsing beyond counting.
 */
export function rawProcFloorScan(procRoot = '/proc'): Promise<{ processes: number; sockets: number }> {
  let processes = 0
  for (const name of fs.readdirSync(procRoot)) {
    if (!/^\d+$/.test(name)) continue
    try {
      fs.readFileSync(`${procRoot}/${name}/stat`, 'utf8')
      fs.readFileSync(`${procRoot}/${name}/cmdline`, 'utf8')
      processes++
    } catch {
      // gone meanwhile
    }
  }
  let sockets = 0
  for (const file of ['tcp', 'tcp6']) {
    let text = ''
    try {
      text = fs.readFileSync(`${procRoot}/net/${file}`, 'utf8')
    } catch {
      // no IPv6 (or no /proc/net): nothing to count
    }
    for (const line of text.split('\n')) if (line.split(/\s+/, 5)[4] === '01') sockets++
  }
  return Promise.resolve({ processes, sockets })
}

/** The benchmark's naive baseline: what systeminformation costs for the same picture. */
export async function naiveScan(): Promise<{ processes: number; sockets: number }> {
  const si = await import('systeminformation')
  const [procs, conns] = await Promise.all([si.processes(), si.networkConnections()])
  return {
    processes: procs.list.length,
    sockets: conns.filter((c) => c.protocol.startsWith('tcp') && c.state === 'ESTABLISHED').length,
  }
}
