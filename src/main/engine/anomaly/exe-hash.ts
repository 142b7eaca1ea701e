// sha256 of client binaries, cached by the file's identity (device, inode, size, mtime) in the store:
// a binary is read once, when first seen, beside the scan loop (never inside a tick), and one file
// is hashed once even when several sessions ask at the same time.
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import type { FileStamp } from '../store/exe-hashes'
import type { Store } from '../store/types'

export interface HashedExe {
  path: string
  sha256: string | null
  /** the latest other hash this path had (changed binary), looked up before this one is recorded */
  previous: { sha256: string; firstSeen: number } | null
  /** the file was read now (not found in the cache) */
  fresh: boolean
}

/** Streams a file through sha256 in 1 MB reads: the event loop runs between them. */
export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256')
    createReadStream(file, { highWaterMark: 1 << 20 })
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')))
  })
}

export class ExeHasher {
  private readonly inFlight = new Map<string, Promise<HashedExe>>()

  constructor(
    private readonly store: Store,
    private readonly now: () => number,
    private readonly platform: NodeJS.Platform = process.platform,
  ) {}

  /**
   * The hash of a process's executable. On Linux the file is read through /proc/PID/exe, which
   * names the very file the process runs even when its path was replaced or deleted since; the
   * path is the fallback once the process is gone.
   */
  async hashOf(path: string, pid: number | null): Promise<HashedExe> {
    const sources = this.platform === 'linux' && pid !== null ? [`/proc/${pid}/exe`, path] : [path]
    for (const source of sources) {
      try {
        return await this.hashFile(path, source)
      } catch {
        // gone or unreadable: try the next source
      }
    }
    return { path, sha256: null, previous: null, fresh: false }
  }

  private async hashFile(path: string, source: string): Promise<HashedExe> {
    const s = await stat(source)
    const stamp: FileStamp = { dev: s.dev, ino: s.ino, size: s.size, mtimeMs: Math.trunc(s.mtimeMs) }
    const id = `${stamp.dev}:${stamp.ino}:${stamp.size}:${stamp.mtimeMs}:${path}`
    const running = this.inFlight.get(id)
    if (running) return running
    const p = this.lookupOrHash(path, source, stamp).finally(() => this.inFlight.delete(id))
    this.inFlight.set(id, p)
    return p
  }

  private async lookupOrHash(path: string, source: string, stamp: FileStamp): Promise<HashedExe> {
    const cached = this.store.exeHash(stamp)
    if (cached !== null)
      return { path, sha256: cached, previous: this.store.otherExeHash(path, cached), fresh: false }
    const sha256 = await sha256File(source)
    const previous = this.store.otherExeHash(path, sha256)
    this.store.putExeHash({ ...stamp, path, sha256, firstSeen: this.now() })
    return { path, sha256, previous, fresh: true }
  }
}
