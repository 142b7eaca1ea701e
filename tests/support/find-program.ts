// Where a program is on PATH, for tests that run a real client only where it is installed.
import { execFileSync } from 'node:child_process'

/** The program's path (`command -v`), or null when it is not installed. */
export function findProgram(name: string): string | null {
  try {
    return execFileSync('sh', ['-c', 'command -v "$1"', 'sh', name], { encoding: 'utf8' }).trim() || null
  } catch {
    return null
  }
}
