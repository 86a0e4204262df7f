// Lint rules that keep the architecture honest:
// - electron/engine/ never imports electron (it runs in the CLI, the browser host and tests);
// - only electron/ipc.ts and electron/preload.ts touch ipcMain / ipcRenderer;
// - channel names ("vaults.create") are written only in shared/contract/: every face
//   derives them from the contract tables.
import tseslint from 'typescript-eslint';

const CHANNEL_NAME = '/^(app|vaults|items|points|backup|jobs|restore|policies|dashboard|alerts|dialogs|images)\\.(?!(json|ts|js|tsx|txt|log|csv|tmp|sqlite)$)[a-zA-Z]+$/';

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', '.node/**', 'test-results/**', 'playwright-report/**', '**/*.d.ts'] },
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.mjs', '**/*.js'],
    languageOptions: { parser: tseslint.parser, ecmaVersion: 2023, sourceType: 'module' },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      'no-restricted-syntax': ['error',
        { selector: `Literal[value=${CHANNEL_NAME}]`, message: 'Channel names live only in shared/contract/: use the typed client or handlers.' },
        { selector: `TemplateElement[value.raw=${CHANNEL_NAME}]`, message: 'Channel names live only in shared/contract/.' },
      ],
      'no-debugger': 'error',
      'no-var': 'error',
    },
  },
  {
    files: ['shared/contract/**'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    ignores: ['electron/ipc.ts', 'electron/preload.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', importNames: ['ipcMain', 'ipcRenderer'], message: 'Only electron/ipc.ts and electron/preload.ts use ipcMain / ipcRenderer; go through the contract.' }],
      }],
    },
  },
  {
    files: ['electron/engine/**', 'shared/**', 'renderer/**', 'electron/cli/**', 'electron/host/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'The engine, shared code, CLI, host and renderer never import electron.' }],
        patterns: [{ group: ['electron/*'], message: 'No electron imports here.' }],
      }],
    },
  },
);
