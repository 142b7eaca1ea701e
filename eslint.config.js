// @ts-check
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import prettier from 'eslint-config-prettier'
import globals from 'globals'
import pluginVue from 'eslint-plugin-vue'

// The modules that hold zod schemas (src/shared). The window imports none of them, not even with import():
// the main process is the one place that checks input (the IPC door, the engine), and zod stays out of the
// window's JavaScript (issue 15; tests/e2e/renderer-bundle.test.ts checks the built bundle).
const ZOD_MODULES = [
  'zod',
  ...['check', 'contract', 'fleet', 'history', 'recording', 'resource', 'review', 'rules', 'settings'].map(
    (m) => `@shared/${m}`,
  ),
]
const ZOD_MESSAGE =
  'It holds zod schemas, which stay out of the window: import values from @shared/*-base or @shared/limits; the main process checks input and its refusal is the reason to show.'

// no-restricted-imports does not see import(): the same modules, loaded lazily, are refused by these
const ZOD_IMPORT_CALLS = ZOD_MODULES.map((m) => ({
  selector: `ImportExpression[source.value='${m}']`,
  message: ZOD_MESSAGE,
}))

export default tseslint.config(
  {
    ignores: ['node_modules', 'out', 'dist', 'coverage', 'bin/*.js', 'tests/support/*.mjs', 'test-results'],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // `(l) => out.push(l)` style callbacks are clear enough; void returns elsewhere stay errors
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              message:
                'Only src/main/shell/electron.ts, src/main/index.ts and src/preload/index.ts import electron: everything else uses the ports in src/main/shell/ports.ts, so it runs and is tested under Node.',
            },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'child_process', property: 'exec', message: 'Use execFile: never a shell.' },
      ],
    },
  },
  ...pluginVue.configs['flat/recommended'],
  {
    // the window: browser globals, and .vue files type-checked through the renderer's tsconfig
    files: ['src/renderer/**/*.{ts,vue}'],
    languageOptions: {
      globals: { ...globals.browser },
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'] },
    },
    rules: {
      // one-word names are the convention for views here (App, AppShell …) only where Vue allows it
      'vue/multi-word-component-names': 'off',
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='window'][property.name='warden']",
          message: 'Only src/renderer/src/api.ts touches window.warden: import { api } from it.',
        },
        ...ZOD_IMPORT_CALLS,
      ],
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'The window reaches the app through src/renderer/src/api.ts only.' },
            ...ZOD_MODULES.map((name) => ({ name, allowTypeImports: true, message: ZOD_MESSAGE })),
          ],
        },
      ],
    },
  },
  {
    // the one place that reads window.warden, and the start-up check that it exists
    files: ['src/renderer/src/api.ts', 'src/renderer/src/main.ts'],
    rules: { 'no-restricted-syntax': ['error', ...ZOD_IMPORT_CALLS] },
  },
  {
    // The Electron binding and the composition root import electron, but never the IPC objects:
    // ipcMain is bound to the IPC helper (src/main/shell/ipc.ts) in electron.ts only.
    files: ['src/main/index.ts', 'src/main/shell/electron.ts', 'src/preload/index.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              importNames: ['ipcMain', 'ipcRenderer'],
              message:
                'ipcMain/ipcRenderer live in the IPC helper files only (src/main/shell/electron.ts binds ipcMain, src/preload/index.ts uses ipcRenderer).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/main/shell/electron.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              importNames: ['ipcRenderer'],
              message: 'ipcRenderer belongs to the preload.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/preload/index.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', importNames: ['ipcMain'], message: 'ipcMain belongs to the main process.' },
          ],
        },
      ],
    },
  },
  {
    // A function reads in one screen. Enforced where the rooms were split (docs/architecture.md);
    // the store's table factories and three shell factories still hold their
    // methods as closures in one factory and are not yet under the rule.
    files: [
      'src/main/engine/*.ts',
      'src/main/engine/detect/**/*.ts',
      'src/main/engine/probe/linux*.ts',
      'src/main/api/**/*.ts',
      'src/shared/**/*.ts',
      'src/cli/**/*.ts',
      'src/preload/**/*.ts',
    ],
    rules: {
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    // plain ESM scripts run by node (npm hooks, electron-builder hooks): not part of a TS project
    files: ['eslint.config.js', 'scripts/**/*.mjs', 'tests/support/**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  prettier,
)
