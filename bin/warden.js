#!/usr/bin/env node
// The `warden` command. A built copy (out/cli/warden.js) is used when present; in a checkout the
// TypeScript source runs through tsx, so `npm run warden` and `npx warden` work right after `npm ci`.
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const built = join(root, 'out', 'cli', 'warden.js')
if (existsSync(built)) {
  await import(pathToFileURL(built).href)
} else {
  const { register } = await import('tsx/esm/api')
  register({ tsconfig: join(root, 'tsconfig.json') })
  await import(pathToFileURL(join(root, 'src', 'cli', 'main.ts')).href)
}
