// `node --import ./register.mjs out/main/index.js`: the built main process under plain Node, with
// 'electron' resolved to the recording stub beside this file (tests/integration/main-bundle.test.ts).
import { register } from 'node:module'

register('./hooks.mjs', import.meta.url)
