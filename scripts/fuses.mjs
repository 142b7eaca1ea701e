// Electron fuses of the packaged app: the expected wire, a read-back check, and the electron-builder hook.
//
//   node scripts/fuses.mjs <electron binary | Foo.app>   one line per fuse; exit 1 on a mismatch or unreadable file
//
// electron-builder.yml `electronFuses` must match EXPECTED_FUSES (tests/process/packaging.test.ts checks it).
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { FuseV1Options, FuseVersion, getCurrentFuseWire } from '@electron/fuses'

/** @typedef {{ fuse: string, expected: 'enabled' | 'disabled', actual: string }} FuseMismatch */
/** @typedef {{ index: number, fuse: string, state: string, expected?: 'enabled' | 'disabled' }} FuseLine */

/** The fuses we ship, by @electron/fuses FuseV1Options index. */
export const EXPECTED_FUSES = Object.freeze({
  [FuseV1Options.RunAsNode]: false,
  [FuseV1Options.EnableCookieEncryption]: true,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]: false,
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
})

/** electron-builder `electronFuses` keys → FuseV1Options (the same mapping as its PlatformPackager). */
export const BUILDER_FUSE_KEYS = Object.freeze({
  runAsNode: FuseV1Options.RunAsNode,
  enableCookieEncryption: FuseV1Options.EnableCookieEncryption,
  enableNodeOptionsEnvironmentVariable: FuseV1Options.EnableNodeOptionsEnvironmentVariable,
  enableNodeCliInspectArguments: FuseV1Options.EnableNodeCliInspectArguments,
  enableEmbeddedAsarIntegrityValidation: FuseV1Options.EnableEmbeddedAsarIntegrityValidation,
  onlyLoadAppFromAsar: FuseV1Options.OnlyLoadAppFromAsar,
  loadBrowserProcessSpecificV8Snapshot: FuseV1Options.LoadBrowserProcessSpecificV8Snapshot,
  grantFileProtocolExtraPrivileges: FuseV1Options.GrantFileProtocolExtraPrivileges,
})

// the byte values of one fuse on the wire (@electron/fuses FuseState)
const STATES = new Map([
  [0x30, 'disabled'],
  [0x31, 'enabled'],
  [0x72, 'removed'],
])

/**
 * @param {number} index
 * @returns {string}
 */
const fuseName = (index) => FuseV1Options[index] ?? `fuse #${index} (unknown to @electron/fuses)`

/**
 * Reads the fuse wire of an Electron binary (or a macOS .app bundle).
 * Throws one-line errors for a missing file, a file without a fuse wire, or an unknown wire version.
 * @param {string} binaryPath
 * @returns {Promise<FuseLine[]>}
 */
export async function readFuses(binaryPath) {
  /** @type {Record<string, unknown>} */
  let wire
  try {
    wire = await getCurrentFuseWire(binaryPath)
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    throw new Error(`cannot read the fuses of ${binaryPath}: ${message}`, { cause: err })
  }
  if (wire.version !== FuseVersion.V1) {
    throw new Error(
      `cannot read the fuses of ${binaryPath}: unknown fuse wire version ${String(wire.version)}`,
    )
  }
  const indexes = Object.keys(wire)
    .filter((k) => /^\d+$/.test(k))
    .map(Number)
    .sort((a, b) => a - b)
  const expectedIndexes = Object.keys(EXPECTED_FUSES).map(Number)
  const all = [...new Set([...indexes, ...expectedIndexes])].sort((a, b) => a - b)
  return all.map((index) => {
    const byte = wire[index]
    const state = typeof byte === 'number' ? (STATES.get(byte) ?? `0x${byte.toString(16)}`) : 'missing'
    /** @type {FuseLine} */
    const line = { index, fuse: fuseName(index), state }
    const want = /** @type {Record<number, boolean | undefined>} */ (EXPECTED_FUSES)[index]
    if (want !== undefined) line.expected = want ? 'enabled' : 'disabled'
    return line
  })
}

/**
 * The fuses of binaryPath that differ from EXPECTED_FUSES (empty = ok). Fuses newer than @electron/fuses
 * knows are not judged. Throws if the binary cannot be read (see readFuses).
 * @param {string} binaryPath
 * @returns {Promise<FuseMismatch[]>}
 */
export async function checkFuses(binaryPath) {
  const lines = await readFuses(binaryPath)
  return lines.flatMap(({ fuse, state, expected }) =>
    expected !== undefined && state !== expected ? [{ fuse, expected, actual: state }] : [],
  )
}

/**
 * electron-builder `electronFuses` → an @electron/fuses FuseConfig. Unknown keys throw.
 * @param {Record<string, unknown>} electronFuses
 */
export function fuseConfigFromBuilder(electronFuses) {
  /** @type {Record<string | number, unknown>} */
  const config = { version: FuseVersion.V1 }
  for (const [key, value] of Object.entries(electronFuses)) {
    if (key === 'resetAdHocDarwinSignature') {
      config[key] = value
      continue
    }
    const index = /** @type {Record<string, number | undefined>} */ (BUILDER_FUSE_KEYS)[key]
    if (index === undefined) throw new Error(`electronFuses.${key} is not a fuse known to @electron/fuses`)
    if (value != null) config[index] = value
  }
  return /** @type {import('@electron/fuses').FuseV1Config} */ (config)
}

/**
 * The packed Electron executable, as electron-builder's PlatformPackager.addElectronFuses finds it.
 * @param {{ appOutDir: string, electronPlatformName: string, packager: any }} context
 */
export function packedExecutable(context) {
  const { appOutDir, electronPlatformName, packager } = context
  switch (electronPlatformName) {
    case 'linux':
      return path.join(appOutDir, packager.executableName)
    case 'win32':
      return path.join(appOutDir, `${packager.appInfo.productFilename}.exe`)
    case 'darwin':
    case 'mas':
      // @electron/fuses reads a .app through Contents/Frameworks/Electron Framework.framework
      return path.join(appOutDir, `${packager.appInfo.productFilename}.app`)
    default:
      throw new Error(`fuses: no packed executable known for platform ${electronPlatformName}`)
  }
}

/**
 * electron-builder afterPack hook. electron-builder flips `electronFuses` only after the afterPack hooks have
 * run (PlatformPackager.doPack: afterPack → doAddElectronFuses → sign), so the hook flips the same
 * configuration itself through the public packager.addElectronFuses (electron-builder's own pass then
 * rewrites identical bytes), reads the wire back and fails the packaging run on any mismatch.
 * @param {{ appOutDir: string, electronPlatformName: string, packager: any }} context
 */
export async function afterPack(context) {
  const { packager } = context
  const electronFuses = packager.config.electronFuses
  if (electronFuses == null) throw new Error('fuses: electron-builder config has no electronFuses')
  await packager.addElectronFuses(context, fuseConfigFromBuilder(electronFuses))
  const binary = packedExecutable(context)
  const mismatches = await checkFuses(binary)
  if (mismatches.length > 0) {
    const list = mismatches.map((m) => `${m.fuse} is ${m.actual}, expected ${m.expected}`).join('; ')
    throw new Error(`fuses: ${binary}: ${list}`)
  }
  console.log(`  • fuses verified  binary=${binary}`)
}

export default afterPack

/** @param {string[]} args */
async function main(args) {
  const [binaryPath] = args
  if (binaryPath === undefined || args.length !== 1) {
    console.error('usage: node scripts/fuses.mjs <path to an Electron binary or .app bundle>')
    return 2
  }
  /** @type {FuseLine[]} */
  let lines
  try {
    lines = await readFuses(binaryPath)
  } catch (err) {
    console.error(`fuses: ${err instanceof Error ? err.message : String(err)}`)
    return 1
  }
  let bad = 0
  for (const { fuse, state, expected } of lines) {
    const verdict =
      expected === undefined ? '(not checked)' : state === expected ? 'ok' : `MISMATCH expected ${expected}`
    if (expected !== undefined && state !== expected) bad++
    console.log(`${fuse.padEnd(40)} ${state.padEnd(9)} ${verdict}`)
  }
  if (bad > 0) console.error(`fuses: ${bad} fuse(s) differ from EXPECTED_FUSES in ${binaryPath}`)
  return bad > 0 ? 1 : 0
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code
    },
    (/** @type {unknown} */ err) => {
      console.error(`fuses: ${err instanceof Error ? err.message : String(err)}`)
      process.exitCode = 1
    },
  )
}
