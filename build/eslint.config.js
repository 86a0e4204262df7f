// Lint rules that keep the architecture honest:
// - electron/engine/ never imports electron (it runs in the CLI, the browser host and tests);
// - only electron/ipc.ts and electron/preload.ts touch ipcMain / ipcRenderer;
// - channel names ("vaults.create") are written only in shared/contract/: every face
//   derives them from the contract tables;
// - SQL is written only in electron/engine/catalog/ (its repositories);
// - zod is imported only through shared/zod-jitless.ts (its JIT off before any schema is built);
// - lines in electron/, shared/ and renderer/ stay within 120 columns (code is wrapped; a line
//   holding a string, template, regular expression or URL is exempt, so user-facing messages stay whole).
import tseslint from 'typescript-eslint';

const CHANNEL_NAME = '/^(app|vaults|items|points|backup|jobs|restore|policies|dashboard|alerts|dialogs|images)\\.(?!(json|ts|js|tsx|txt|log|csv|tmp|sqlite)$)[a-zA-Z]+$/';

const ZOD_IMPORT = { name: 'zod', message: 'Import z from shared/zod-jitless.ts: it turns zod\'s JIT off before any schema is built.' };

const CHANNEL_NAME_RULES = [
  { selector: `Literal[value=${CHANNEL_NAME}]`, message: 'Channel names live only in shared/contract/: use the typed client or handlers.' },
  { selector: `TemplateElement[value.raw=${CHANNEL_NAME}]`, message: 'Channel names live only in shared/contract/.' },
];

// SQL lives only in electron/engine/catalog/ (one repository module per table): elsewhere no
// database call (prepare, pragma, transaction, or exec on a db/catalog) is written.
const SQL_MESSAGE = 'SQL lives only in electron/engine/catalog/: call the table\'s repository (catalog/<table>-repository.ts).';
const SQL_OUTSIDE_CATALOG_RULES = [
  { selector: 'CallExpression[callee.property.name=/^(prepare|pragma|transaction)$/]', message: SQL_MESSAGE },
  { selector: "CallExpression[callee.property.name='exec'][callee.object.name=/^(db|catalog)$/]", message: SQL_MESSAGE },
  { selector: "CallExpression[callee.property.name='exec'][callee.object.property.name='catalog']", message: SQL_MESSAGE },
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', '.node/**', 'test-results/**', 'playwright-report/**', '**/*.d.ts'] },
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.mjs', '**/*.js'],
    languageOptions: { parser: tseslint.parser, ecmaVersion: 2023, sourceType: 'module' },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      'no-restricted-syntax': ['error', ...CHANNEL_NAME_RULES],
      'no-debugger': 'error',
      'no-var': 'error',
    },
  },
  {
    files: ['shared/contract/**'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    // A later config object replaces the whole rule for its files: the channel-name rules are repeated.
    files: ['electron/**'],
    ignores: ['electron/engine/catalog/**'],
    rules: { 'no-restricted-syntax': ['error', ...CHANNEL_NAME_RULES, ...SQL_OUTSIDE_CATALOG_RULES] },
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    ignores: ['electron/ipc.ts', 'electron/preload.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', importNames: ['ipcMain', 'ipcRenderer'], message: 'Only electron/ipc.ts and electron/preload.ts use ipcMain / ipcRenderer; go through the contract.' }, ZOD_IMPORT],
      }],
    },
  },
  {
    files: ['electron/**/*.{ts,tsx,mjs}', 'shared/**/*.{ts,tsx,mjs}', 'renderer/**/*.{ts,tsx,mjs}'],
    rules: {
      'max-len': ['error', {
        code: 120, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreUrls: true,
      }],
    },
  },
  {
    files: ['electron/engine/**', 'shared/**', 'renderer/**', 'electron/cli/**', 'electron/host/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'The engine, shared code, CLI, host and renderer never import electron.' }, ZOD_IMPORT],
        patterns: [{ group: ['electron/*'], message: 'No electron imports here.' }],
      }],
    },
  },
  {
    files: ['shared/zod-jitless.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
