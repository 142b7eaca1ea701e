// The client binary rule: an executable the system did not install, or a path whose content changed.
// It needs no learning period: it fires from the first session (issue 13).
import { RULE_WEIGHTS, type ReviewHit } from '@shared/review'

/**
 * Where package managers put programs: dpkg/rpm (/usr, /bin, /sbin, /opt), snap, flatpak, Nix;
 * Homebrew (/opt/homebrew, /usr/local/Cellar), MacPorts (/opt/local), app bundles (/Applications,
 * /System); Windows installers (Program Files, Windows). /usr/local/bin is where `make install`
 * and Homebrew on Intel put programs: counted as installed.
 */
const INSTALLED: Readonly<Record<'posix' | 'win32', readonly string[]>> = {
  posix: [
    '/usr/bin/',
    '/usr/sbin/',
    '/bin/',
    '/sbin/',
    '/usr/lib/',
    '/usr/lib64/',
    '/usr/libexec/',
    '/usr/games/',
    '/usr/local/bin/',
    '/usr/local/sbin/',
    '/usr/local/Cellar/',
    '/opt/',
    '/snap/',
    '/var/lib/flatpak/',
    '/nix/store/',
    '/Applications/',
    '/System/',
  ],
  win32: ['c:\\program files\\', 'c:\\program files (x86)\\', 'c:\\windows\\'],
}

/** Temp folders: a program or script run from there is a sign, not an installation. */
const TEMP = /^(?:\/tmp\/|\/var\/tmp\/|\/dev\/shm\/|\/private\/tmp\/|\/private\/var\/folders\/)|\\temp\\/i

export function isTempPath(p: string): boolean {
  return TEMP.test(p)
}

/** Whether a package manager put this executable here (a path with `..` never counts). */
export function isInstalledPath(p: string, platform: NodeJS.Platform = process.platform): boolean {
  if (p === '' || /(?:^|[\\/])\.\.(?:[\\/]|$)/.test(p)) return false
  if (platform === 'win32') {
    const lower = p.toLowerCase().replace(/^[a-z]:/, 'c:')
    return INSTALLED.win32.some((prefix) => lower.startsWith(prefix))
  }
  return !isTempPath(p) && INSTALLED.posix.some((prefix) => p.startsWith(prefix))
}

export interface BinaryFacts {
  path: string
  /** null when the file could not be read (gone, no permission): nothing is judged then */
  sha256: string | null
  /** the latest other hash this path had before */
  previous: { sha256: string; firstSeen: number } | null
  platform?: NodeJS.Platform
}

const short = (h: string): string => h.slice(0, 16)

/** The binary rule's hits for one session's client executable. Pure. */
export function binaryHits(f: BinaryFacts): ReviewHit[] {
  if (f.sha256 === null || f.path === '') return []
  const key = `exe:${f.sha256}`
  const hits: ReviewHit[] = []
  if (!isInstalledPath(f.path, f.platform)) {
    hits.push({
      rule: 'unknown-binary',
      key,
      weight: RULE_WEIGHTS['unknown-binary'],
      reason: `Client program ${f.path} (sha256 ${f.sha256}) was not installed by the system${
        isTempPath(f.path) ? ' and runs from a temp folder' : ''
      }`,
    })
  }
  if (f.previous !== null) {
    hits.push({
      rule: 'changed-binary',
      key,
      weight: RULE_WEIGHTS['changed-binary'],
      reason: `Client program ${f.path} changed: sha256 ${short(f.sha256)}… now, ${short(
        f.previous.sha256,
      )}… since ${new Date(f.previous.firstSeen).toISOString().slice(0, 10)}`,
    })
  }
  return hits
}
