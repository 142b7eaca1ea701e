// Make better-sqlite3's native build match the runtime about to start.
//
//   node scripts/ensure-native.mjs electron   before `npm start`, `npm run dev` and packaging
//   node scripts/ensure-native.mjs node       before the tests
//
// A native module is compiled for one ABI (NODE_MODULE_VERSION): Node 20 is 115, Electron 41 is 145, and
// one build never loads in the other. What the current build is for is recorded in a marker next to the
// binary (build/Release/.warden-abi, e.g. `electron-145` or `node-115`) after each rebuild made here; without
// a marker (or with one older than the binary) the build is probed by loading it in a child `node`.
// The exported functions only decide, read or probe (tests use them); rebuilding and writing the marker happen
// only in the CLI at the bottom, which runs when this file is the entry point.

import { execFile } from 'node:child_process'
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

export const MARKER_NAME = '.warden-abi'
export const USAGE = 'usage: node scripts/ensure-native.mjs electron|node'

const MODULE = 'better-sqlite3'
const BINARY = 'better_sqlite3.node'
const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const requireFromRoot = createRequire(path.join(projectRoot, 'package.json'))

/** An expected failure: its message is the one line the user sees. */
class Fail extends Error {}

/** The ABI a module was compiled for, from Node's or Electron's "compiled against a different Node.js version" error. */
export function parseCompiledAbi(errorText) {
  const text = String(errorText)
  const m =
    /compiled against a different Node\.js version using\s+NODE_MODULE_VERSION\s+(\d+)/i.exec(text) ??
    /NODE_MODULE_VERSION\s+(\d+)/.exec(text)
  return m ? Number(m[1]) : null
}

/** `electron-145` / `node-115` → { runtime, abi }; anything else → null. */
export function parseMarker(text) {
  const m = /^(electron|node)-(\d+)$/.exec(String(text ?? '').trim())
  return m ? { runtime: m[1], abi: Number(m[2]) } : null
}

export function formatMarker({ runtime, abi }) {
  return `${runtime}-${abi}`
}

/**
 * What the current build is for: { runtime: 'node' | 'electron' | 'other', abi } or null when unknown.
 * marker: the marker file's text (null when absent or stale). loadResult: the probe, { ok: true, abi } when it
 * loaded in a Node of that ABI, { ok: false, error } when it did not ('other': built for another ABI, which is
 * Electron's when the number is Electron's).
 */
export function currentBuild({ marker, loadResult }) {
  const fromMarker = parseMarker(marker)
  if (fromMarker) return fromMarker
  if (!loadResult) return null
  if (loadResult.ok) return { runtime: 'node', abi: loadResult.abi }
  const abi = parseCompiledAbi(loadResult.error)
  return abi === null ? null : { runtime: 'other', abi }
}

/** 'ok' when the build matches target ({ runtime: 'node' | 'electron', abi }), else 'rebuild'. */
export function decide({ marker, loadResult, target }) {
  const build = currentBuild({ marker, loadResult })
  if (!build || build.abi !== target.abi) return 'rebuild'
  if (build.runtime === target.runtime) return 'ok'
  // a load failure only names a number; Node and Electron ABI numbers never collide
  return build.runtime === 'other' && target.runtime === 'electron' ? 'ok' : 'rebuild'
}

function describeBuild(build) {
  if (!build) return 'an unknown ABI'
  if (build.runtime === 'node') return `Node ABI ${build.abi}`
  if (build.runtime === 'electron') return `Electron ABI ${build.abi}`
  return `ABI ${build.abi}`
}

function readVersion(dir) {
  try {
    const { version } = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'))
    return typeof version === 'string' ? version : null
  } catch {
    return null
  }
}

/**
 * Is the Electron binary there? Finds it the way node_modules/electron/index.js does: dist/<path.txt>, or
 * <ELECTRON_OVERRIDE_DIST_PATH>/<path.txt or 'electron'>. electronDir null: the package is not installed.
 * → { ok: true, path, version } | { ok: false, message } (message: one sentence saying how to get it)
 */
export function electronBinaryStatus(electronDir, env = process.env) {
  if (!electronDir) {
    return {
      ok: false,
      message:
        'Session Warden needs Electron, which is not installed: run `npm install` with internet access, then try again.',
    }
  }
  const version = readVersion(electronDir)
  const named = version ? `the Electron ${version} binary` : 'the Electron binary'
  const pathFile = path.join(electronDir, 'path.txt')
  const executable = existsSync(pathFile) ? readFileSync(pathFile, 'utf8') : null
  const override = env.ELECTRON_OVERRIDE_DIST_PATH
  if (override) {
    const binary = path.join(override, executable || 'electron')
    if (existsSync(binary)) return { ok: true, path: binary, version }
    return {
      ok: false,
      message: `Session Warden needs ${named}, which is not at ${binary}: point ELECTRON_OVERRIDE_DIST_PATH at the directory holding it, or unset it to use the one in node_modules, then try again.`,
    }
  }
  if (executable) {
    const binary = path.join(electronDir, 'dist', executable)
    if (existsSync(binary)) return { ok: true, path: binary, version }
  }
  const install = path.relative(process.cwd(), path.join(electronDir, 'install.js')) || 'install.js'
  return {
    ok: false,
    message: `Session Warden needs ${named}, which is not installed: run \`node ${install}\` with internet access (or reinstall without ELECTRON_SKIP_BINARY_DOWNLOAD), then try again.`,
  }
}

/** Electron's ABI: node-abi's table, else the abi_version file electron ships. */
export function electronAbi(electronDir, version) {
  try {
    return Number(requireFromRoot('node-abi').getAbi(version, 'electron'))
  } catch {
    // node-abi absent or older than this Electron
  }
  try {
    const abi = Number(readFileSync(path.join(electronDir, 'abi_version'), 'utf8').trim())
    if (Number.isInteger(abi) && abi > 0) return abi
  } catch {
    // fall through
  }
  throw new Fail(`Cannot tell the ABI of Electron ${version}: update node-abi (npm update node-abi).`)
}

/** The marker's text, or null when there is none or it is older than the binary (rebuilt behind our back). */
export function readMarker(releaseDir) {
  try {
    const marker = statSync(path.join(releaseDir, MARKER_NAME))
    const binary = statSync(path.join(releaseDir, BINARY))
    if (marker.mtimeMs < binary.mtimeMs) return null
    return readFileSync(path.join(releaseDir, MARKER_NAME), 'utf8').trim()
  } catch {
    return null
  }
}

/** Load the module in a child `node` (this one) and open a database: { ok: true, abi } | { ok: false, error }. */
export function probeLoad(moduleDir) {
  const code =
    "try { const D = require(process.argv[1]); new D(':memory:').close() } " +
    'catch (e) { process.stderr.write(String(e && e.message)); process.exit(3) }'
  return new Promise((resolve) => {
    execFile(process.execPath, ['-e', code, moduleDir], { timeout: 30_000 }, (error, _stdout, stderr) => {
      if (!error) resolve({ ok: true, abi: Number(process.versions.modules) })
      else resolve({ ok: false, error: String(stderr) || error.message })
    })
  })
}

// ---------------------------------------------------------------------------------------------------------
// the CLI

const debug = process.env.WARDEN_DEBUG === '1'

function run(file, args, options) {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { maxBuffer: 256 * 1024 * 1024, shell: false, ...options },
      (error, stdout, stderr) => {
        resolve({ error, output: `${String(stdout)}${String(stderr)}` })
      },
    )
  })
}

function saveLog(output) {
  const file = path.join(tmpdir(), 'session-warden-native-rebuild.log')
  try {
    writeFileSync(file, output)
    return file
  } catch {
    return null
  }
}

function npmCommand() {
  const npm = process.env.npm_execpath
  if (npm && /\.[cm]?js$/.test(npm)) return [process.execPath, [npm]]
  return ['npm', []]
}

async function rebuildForNode() {
  const [file, args] = npmCommand()
  const { error, output } = await run(file, [...args, 'rebuild', MODULE], { cwd: projectRoot })
  if (debug) process.stderr.write(output)
  if (error) throw new Fail(`npm rebuild ${MODULE} failed`, { cause: output })
}

async function rebuildForElectron(electronVersion) {
  const { rebuild } = await import('@electron/rebuild')
  // npm hands .npmrc's nodedir (here /usr, for Node's headers) to node-gyp as npm_config_nodedir, which would
  // build against Node's headers instead of Electron's: this rebuild must not see it
  for (const key of Object.keys(process.env)) {
    if (/^npm_(package_)?config_(node_gyp_)?nodedir$/i.test(key)) Reflect.deleteProperty(process.env, key)
  }
  // @electron/rebuild prints node-gyp's whole output on failure: keep it for the log instead
  const lines = []
  const { error: consoleError, log: consoleLog } = console
  if (!debug) console.error = console.log = (...parts) => lines.push(parts.map(String).join(' '))
  try {
    await rebuild({ buildPath: projectRoot, electronVersion, onlyModules: [MODULE], force: true })
  } catch (err) {
    throw new Fail(err instanceof Error ? err.message : String(err), { cause: lines.join('\n') })
  } finally {
    console.error = consoleError
    console.log = consoleLog
  }
}

const OFFLINE =
  /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|getaddrinfo|socket hang up|network connectivity/

/**
 * Run a rebuild for `label`; if it fails, put the previous binary back (node-gyp deletes build/ before it
 * configures, so a failed rebuild would otherwise leave nothing to load) and fail with one line.
 */
async function guarded(releaseDir, label, rebuild) {
  const binary = path.join(releaseDir, BINARY)
  const backupDir = existsSync(binary) ? mkdtempSync(path.join(tmpdir(), 'warden-native-')) : null
  if (backupDir) copyFileSync(binary, path.join(backupDir, BINARY))
  try {
    await rebuild()
  } catch (err) {
    let restored = false
    if (backupDir) {
      try {
        mkdirSync(releaseDir, { recursive: true })
        copyFileSync(path.join(backupDir, BINARY), binary)
        restored = true
      } catch {
        // reported below as not put back
      }
    }
    const output = typeof err?.cause === 'string' ? err.cause : ''
    const log = output ? saveLog(output) : null
    const why = (err instanceof Error ? err.message : String(err)).split('\n')[0]
    const offline = OFFLINE.test(output) ? '; a download failed: this needs internet access' : ''
    throw new Fail(
      `Rebuilding ${MODULE} for ${label} failed (${why}${offline})` +
        `${restored ? ', the previous build was put back' : ''}${log ? `; full log: ${log}` : ''}.`,
    )
  } finally {
    if (backupDir) rmSync(backupDir, { recursive: true, force: true })
  }
}

function resolveDir(name) {
  try {
    return path.dirname(requireFromRoot.resolve(`${name}/package.json`))
  } catch {
    return null
  }
}

async function main(args) {
  const [targetName, ...rest] = args
  if ((targetName !== 'electron' && targetName !== 'node') || rest.length > 0) {
    process.stderr.write(`${USAGE}\n`)
    return 2
  }

  let target
  let targetLabel
  let electronVersion = null
  if (targetName === 'electron') {
    const electronDir = resolveDir('electron')
    const status = electronBinaryStatus(electronDir)
    if (!status.ok) throw new Fail(status.message)
    electronVersion = status.version ?? readVersion(electronDir)
    if (!electronVersion) throw new Fail('Cannot read the version of Electron from node_modules/electron.')
    target = { runtime: 'electron', abi: electronAbi(electronDir, electronVersion) }
    targetLabel = `Electron ${electronVersion} (ABI ${target.abi})`
  } else {
    target = { runtime: 'node', abi: Number(process.versions.modules) }
    targetLabel = `Node ${process.versions.node} (ABI ${target.abi})`
  }

  const moduleDir = resolveDir(MODULE)
  if (!moduleDir) throw new Fail(`${MODULE} is not installed: run \`npm install\`.`)
  const releaseDir = path.join(moduleDir, 'build', 'Release')

  const marker = readMarker(releaseDir)
  const loadResult = parseMarker(marker) ? undefined : await probeLoad(moduleDir)
  const before = currentBuild({ marker, loadResult })
  if (decide({ marker, loadResult, target }) === 'ok') {
    if (target.runtime === 'electron')
      process.stdout.write(`${MODULE} is already built for ${targetLabel}.\n`)
    return 0
  }

  const started = Date.now()
  process.stdout.write(`Rebuilding ${MODULE} for ${targetLabel}, it was built for ${describeBuild(before)}…`)
  try {
    await guarded(releaseDir, targetLabel, () =>
      electronVersion === null ? rebuildForNode() : rebuildForElectron(electronVersion),
    )
  } catch (err) {
    process.stdout.write('\n')
    throw err
  }
  // trust the result only once a fresh probe agrees: for Node it must load; for Electron it must not load in
  // Node, and when Node names the ABI it was compiled for, that must be Electron's
  const after = await probeLoad(moduleDir)
  const built = currentBuild({ marker: null, loadResult: after })
  const wrong =
    target.runtime === 'node'
      ? !after.ok
      : built !== null && decide({ marker: null, loadResult: after, target }) !== 'ok'
  if (wrong) {
    process.stdout.write('\n')
    throw new Fail(`Rebuilt ${MODULE}, but it is built for ${describeBuild(built)}, not ${targetLabel}.`)
  }
  writeFileSync(path.join(releaseDir, MARKER_NAME), `${formatMarker(target)}\n`)
  process.stdout.write(` done in ${Math.round((Date.now() - started) / 1000)} s.\n`)
  return 0
}

function isEntryPoint() {
  if (!process.argv[1]) return false
  try {
    return import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href
  } catch {
    return false
  }
}

if (isEntryPoint()) {
  try {
    process.exitCode = await main(process.argv.slice(2))
  } catch (err) {
    if (debug) process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
    else {
      const message = err instanceof Error ? err.message : String(err)
      const line = message.split('\n').find((l) => l.trim()) ?? 'failed'
      process.stderr.write(`${err instanceof Fail ? '' : 'ensure-native: '}${line}\n`)
    }
    process.exitCode = 1
  }
}
