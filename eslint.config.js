// @ts-check
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import prettier from 'eslint-config-prettier'
import globals from 'globals'
import pluginVue from 'eslint-plugin-vue'

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
      ],
      // zod is ~80 KB of the window's JavaScript (issue 15): values come from the shared modules without it
      // (@shared/*-base, @shared/limits); a zod rule is imported with import() where a form checks
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'The window reaches the app through src/renderer/src/api.ts only.' },
            ...[
              'zod',
              'check',
              'contract',
              'fleet',
              'history',
              'recording',
              'resource',
              'review',
              'rules',
              'settings',
            ].map((m) => ({
              name: m === 'zod' ? m : `@shared/${m}`,
              allowTypeImports: true,
              message:
                'It holds zod schemas: import its values from @shared/*-base or @shared/limits, or import() it.',
            })),
          ],
        },
      ],
    },
  },
  {
    // the one place that reads window.warden, and the start-up check that it exists
    files: ['src/renderer/src/api.ts', 'src/renderer/src/main.ts'],
    rules: { 'no-restricted-syntax': 'off' },
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
