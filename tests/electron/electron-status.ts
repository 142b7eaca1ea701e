// Whether the real Electron app can be launched here, and if not, the one-sentence reason that the
// Electron suite prints as it is skipped.
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { decide, electronAbi, electronBinaryStatus, readMarker } from '../../scripts/ensure-native.mjs'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

export type ElectronStatus = { ok: true; executable: string } | { ok: false; reason: string }

export function electronStatus(): ElectronStatus {
  const electronDir = join(ROOT, 'node_modules', 'electron')
  const binary = electronBinaryStatus(electronDir)
  if (!binary.ok) return { ok: false, reason: binary.message }
  const version = binary.version ?? ''
  const marker = readMarker(join(ROOT, 'node_modules', 'better-sqlite3', 'build', 'Release'))
  const target = { runtime: 'electron' as const, abi: electronAbi(electronDir, version) }
  if (decide({ marker, target }) !== 'ok')
    return {
      ok: false,
      reason:
        'better-sqlite3 is not marked as built for Electron: run `npm run test:electron`, which rebuilds it for Electron, runs this suite and rebuilds it for Node again',
    }
  return { ok: true, executable: binary.path }
}
