// Electronegativity (Doyensec's Electron security linter) as a gate over the source.
//
//   node scripts/electronegativity.mjs [dir] [--config file]
//
// dir defaults to src, the config to security/electronegativity.json (the checks turned off, each with its
// reason). Prints the remaining findings (severity, check, file:line) and one summary line; exits 1 when a HIGH
// finding remains, when the config names a check electronegativity does not have (or a file that does not
// exist), when electronegativity itself fails, cannot parse a file or scans no file at all.
//
// Why not the package's bin (`electronegativity -i src -o x.csv`):
//  - here its CLI dies at start (`_commander2.default.version is not a function`): it requires `commander`
//    without declaring it, and the copy hoisted to node_modules is v14, which has no default export;
//  - its CSV writer writes the header and the rows with two unordered async writes (rows can be truncated
//    away), its SARIF has no severity, and it exits 0 with HIGH findings and with files it could not parse.
// So a child `node` (this file again, with --worker) calls the package's own entry point (package.json "main",
// dist/runner.js: the scan the CLI runs, with the CLI's -e and -x options; -e is the installed Electron's version) and writes what it returns (the
// findings and the parse errors) as JSON to a temp file, which this process reads and checks.
//
// The child is offline: at every start electronegativity downloads translations (3 s of retries without a
// network) and AVAILABLE_SECURITY_FIXES_GLOBAL_CHECK (excluded) downloads Electron's release list. Those are its
// only network uses; in the child its `got` fails at once, and the bundled en-US texts are used.

import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import Module, { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const SEVERITIES = ['HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL']
const TIMEOUT_MS = 120_000

const self = fileURLToPath(import.meta.url)
const projectRoot = path.resolve(path.dirname(self), '..')
const requireFromRoot = createRequire(path.join(projectRoot, 'package.json'))
const CONFIG_NAME = 'security/electronegativity.json'

/** The installed Electron's version (41.7.1 today), passed as -e: it decides the webPreferences defaults. */
function installedElectronVersion() {
  try {
    return requireFromRoot('electron/package.json').version
  } catch {
    throw new Fail('cannot find the installed electron package (its version decides the checks)')
  }
}

/** An expected failure: its message is what the user sees. */
class Fail extends Error {}

const toPosix = (p) => p.split(path.sep).join('/')

/** The installed electronegativity's entry point (dist/runner.js) and its own require. */
function tool() {
  const runner = requireFromRoot.resolve('@doyensec/electronegativity')
  const req = createRequire(runner)
  const version = req('../package.json').version
  return { runner, req, version }
}

/** The names of every check this electronegativity has: the class names its -x option takes. */
export function knownChecks() {
  const { req } = tool()
  const atomic = req('./finder/checks/AtomicChecks/index.js').CHECKS
  const global = req('./finder/checks/GlobalChecks/index.js').GLOBAL_CHECKS
  return [...atomic, ...global].map((check) => check.name)
}

/**
 * The config, read once and checked: every exclusion names a known check and a reason, `files` (if any)
 * exist, and every failAtAnySeverity name is a known check.
 */
export function readConfig(file, known = knownChecks()) {
  let config
  try {
    config = JSON.parse(readFileSync(file, 'utf8'))
  } catch (e) {
    throw new Fail(`cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`)
  }
  if (!config || !Array.isArray(config.exclude)) throw new Fail(`${file}: no "exclude" list`)
  const problems = []
  const seen = new Set()
  const entries = config.exclude.map((entry, i) => {
    const where = `${file}: exclude[${i}]`
    const check = entry?.check
    if (typeof check !== 'string' || !known.includes(check)) {
      const near =
        typeof check === 'string' ? known.find((k) => k.toLowerCase() === check.toLowerCase()) : undefined
      problems.push(
        `${where}: electronegativity has no check ${JSON.stringify(check)}` +
          (near ? ` (did you mean ${near}?)` : ` (its checks: ${known.join(', ')})`),
      )
    }
    if (seen.has(check)) problems.push(`${where}: ${check} is listed twice`)
    seen.add(check)
    if (typeof entry?.reason !== 'string' || entry.reason.trim().length < 20) {
      problems.push(`${where}: ${check} needs a reason (why it does not apply to this code)`)
    }
    let files = null
    if (entry?.files !== undefined) {
      if (!Array.isArray(entry.files) || entry.files.length === 0) {
        problems.push(`${where}: "files" must be a non-empty list of paths from the project root`)
      } else {
        files = entry.files.map(String)
        for (const f of files) {
          if (!existsSync(path.resolve(projectRoot, f))) problems.push(`${where}: ${f} does not exist`)
        }
      }
    }
    return { check, files, reason: entry?.reason }
  })
  // checks whose findings fail the gate at any severity (electronegativity rates an explicit
  // `nodeIntegration: true` only INFORMATIONAL and `webSecurity: false` MEDIUM)
  const strict = config.failAtAnySeverity ?? []
  if (!Array.isArray(strict)) problems.push(`${file}: "failAtAnySeverity" must be a list of check names`)
  else
    for (const c of strict)
      if (typeof c !== 'string' || !known.includes(c))
        problems.push(
          `${file}: failAtAnySeverity names a check electronegativity does not have: ${JSON.stringify(c)}`,
        )
  if (problems.length > 0) throw new Fail(problems.join('\n'))
  return { entries, strict }
}

/** Run the worker (this file, --worker) in a child node; resolves with its JSON result. */
function scan(input, exclude) {
  const electronVersion = installedElectronVersion()
  const dir = mkdtempSync(path.join(tmpdir(), 'electronegativity-'))
  const out = path.join(dir, 'result.json')
  const job = JSON.stringify({ input, out, exclude, electronVersion })
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [self, '--worker', job],
      { cwd: projectRoot, timeout: TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024, windowsHide: true },
      (error, stdout, stderr) => {
        try {
          if (error) {
            const why = error.killed
              ? `timed out after ${TIMEOUT_MS / 1000} s`
              : `exited ${error.code ?? '?'}`
            const said = `${stderr}\n${stdout}`.trim().split('\n').slice(-15).join('\n')
            throw new Fail(`electronegativity failed (${why}):\n${said}`)
          }
          let result
          try {
            result = JSON.parse(readFileSync(out, 'utf8'))
          } catch (e) {
            throw new Fail(
              `electronegativity wrote no readable result: ${e instanceof Error ? e.message : String(e)}`,
            )
          }
          resolve(checkResult(result))
        } catch (e) {
          reject(e)
        } finally {
          rmSync(dir, { recursive: true, force: true })
        }
      },
    )
  })
}

/** The worker's result, or a failure if it is not the shape this gate understands. */
function checkResult(result) {
  const ok =
    result &&
    Number.isInteger(result.files) &&
    Number.isInteger(result.checks) &&
    Array.isArray(result.errors) &&
    Array.isArray(result.issues) &&
    result.issues.every(
      (i) => typeof i.id === 'string' && SEVERITIES.includes(i.severity) && typeof i.file === 'string',
    )
  if (!ok) throw new Fail('electronegativity returned a result this gate cannot read (a new version?)')
  return result
}

function parseArgs(argv) {
  let input = path.join(projectRoot, 'src')
  let config = path.join(projectRoot, CONFIG_NAME)
  const rest = [...argv]
  let positional = 0
  while (rest.length > 0) {
    const arg = rest.shift()
    if (arg === '--config') {
      const value = rest.shift()
      if (!value) throw new Fail('--config needs a file')
      config = path.resolve(value)
    } else if (arg.startsWith('-') || positional++ > 0) {
      throw new Fail('usage: node scripts/electronegativity.mjs [dir] [--config file]')
    } else {
      input = path.resolve(arg)
    }
  }
  return { input, config }
}

async function main(argv) {
  const started = Date.now()
  const { input, config } = parseArgs(argv)
  const { entries, strict } = readConfig(config)
  const excluded = entries.filter((e) => e.files === null)
  const scoped = entries.filter((e) => e.files !== null)
  const result = await scan(
    input,
    excluded.map((e) => e.check),
  )

  const failures = []
  if (result.files === 0) failures.push(`no file to scan in ${input}`)
  for (const e of result.errors) {
    if (e.tolerable) console.log(`warning: ${display(input, e.file)}: ${e.message}`)
    else failures.push(`could not parse ${display(input, e.file)} (so it was not checked): ${e.message}`)
  }

  // Exclusions for named files: the check ran; its findings in those files are dropped.
  let dropped = 0
  const used = new Set()
  const findings = result.issues.filter((issue) => {
    const file = issue.file === 'N/A' ? null : toPosix(path.relative(projectRoot, issue.file))
    const entry = scoped.find((e) => e.check === issue.check && file !== null && e.files.includes(file))
    if (!entry) return true
    used.add(`${entry.check} ${file}`)
    dropped++
    return false
  })
  for (const e of scoped) {
    for (const f of e.files) {
      const scanned = !path.relative(input, path.resolve(projectRoot, f)).startsWith('..')
      if (scanned && !used.has(`${e.check} ${f}`)) {
        console.log(
          `note: the exclusion of ${e.check} in ${f} matched nothing: remove it from ${CONFIG_NAME}?`,
        )
      }
    }
  }

  findings.sort(
    (a, b) =>
      SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) ||
      a.file.localeCompare(b.file) ||
      a.line - b.line,
  )
  const rows = findings.map((f) => [
    f.severity,
    f.check ?? f.id,
    f.file === 'N/A' ? '(whole app)' : `${display(input, f.file)}:${f.line}`,
    f.id,
  ])
  if (rows.length > 0) {
    const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c].length)))
    for (const r of rows) console.log(r.map((cell, c) => (c < 3 ? cell.padEnd(widths[c]) : cell)).join('  '))
  }
  for (const f of findings.filter((x) => x.severity !== 'HIGH' && strict.includes(x.check)))
    failures.push(
      `${f.check} (${f.severity}) fails the gate at any severity: ${display(input, f.file)}:${f.line}`,
    )
  for (const f of failures) console.log(`error: ${f}`)

  const count = (s) => findings.filter((f) => f.severity === s).length
  const high = count('HIGH')
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  console.log(
    `scanned ${result.files} files with ${result.checks} checks of electronegativity ${result.version}` +
      ` (Electron ${result.electronVersion}) in ${seconds} s` +
      (dropped > 0 ? `; dropped ${dropped} findings of checks excluded in named files` : ''),
  )
  const total = entries.length
  const scopedNote = scoped.length > 0 ? `, ${scoped.length} of them only in named files` : ''
  console.log(
    `electronegativity: ${high} HIGH, ${count('MEDIUM')} MEDIUM, ${count('LOW')} LOW, ${count('INFORMATIONAL')} INFO` +
      ` (${total} ${total === 1 ? 'check' : 'checks'} excluded${scopedNote}, see ${CONFIG_NAME})`,
  )
  return high > 0 || failures.length > 0 ? 1 : 0
}

/** How a scanned file is shown: from the project root when it is inside it, else from the scanned dir. */
function display(input, file) {
  const fromRoot = path.relative(projectRoot, file)
  return toPosix(fromRoot.startsWith('..') ? path.relative(input, file) : fromRoot)
}

/** The child: run electronegativity's runner offline and write what it returns as JSON. */
async function worker(job) {
  const { input, out, exclude, electronVersion } = JSON.parse(job)
  const { runner, req, version } = tool()

  // its only network uses (translations, Electron's release list) fail at once instead of after retries
  const offline = () =>
    Promise.reject(new Error('offline: the electronegativity gate does not use the network'))
  Object.assign(offline, { head: offline, get: offline, default: offline, __esModule: true })
  const gotPath = req.resolve('got')
  const stub = new Module(gotPath)
  stub.filename = gotPath
  stub.loaded = true
  stub.exports = offline
  req.cache[gotPath] = stub

  const run = req(runner)
  const isDir = existsSync(input) && statSync(input).isDirectory()
  const files = isDir
    ? ((await req('./util/index.js').list_files(input)) ?? []).length
    : existsSync(input)
      ? 1
      : 0
  const result = await run({
    input,
    customScan: [],
    excludeFromScan: exclude,
    isRelative: false,
    electronVersionOverride: electronVersion,
    parserPlugins: [],
  })

  // issue id (CONTEXT_ISOLATION_JS_CHECK) → check class name (ContextIsolationJSCheck), as in the config
  const byId = new Map()
  const atomic = req('./finder/checks/AtomicChecks/index.js').CHECKS
  const global = req('./finder/checks/GlobalChecks/index.js').GLOBAL_CHECKS
  for (const Check of [...atomic, ...global]) byId.set(new Check().id, Check.name)

  const issues = result.issues.map((i) => ({
    id: i.id,
    check: byId.get(i.id) ?? null,
    severity: i.severity?.name,
    confidence: i.confidence?.name,
    file: i.file,
    line: i.location?.line ?? 0,
    column: i.location?.column ?? 0,
    manualReview: Boolean(i.manualReview),
    sample: i.sample ?? null,
  }))
  const errors = result.errors.map((e) => ({
    file: e.file,
    message: e.message,
    tolerable: Boolean(e.tolerable),
  }))
  const checks = result.globalChecks + result.atomicChecks
  writeFileSync(out, JSON.stringify({ version, electronVersion, files, checks, errors, issues }))
}

if (process.argv[1] && path.resolve(process.argv[1]) === self) {
  const args = process.argv.slice(2)
  if (args[0] === '--worker') {
    worker(args[1] ?? '{}').catch((e) => {
      console.error(e instanceof Error ? (e.stack ?? e.message) : String(e))
      process.exitCode = 2
    })
  } else {
    main(args).then(
      (code) => {
        process.exitCode = code
      },
      (e) => {
        console.log(`electronegativity: ${e instanceof Fail ? e.message : String(e?.stack ?? e)}`)
        process.exitCode = 1
      },
    )
  }
}
