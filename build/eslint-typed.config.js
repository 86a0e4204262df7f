// Type-aware lint, a step of its own in `npm test` (it needs the TypeScript program, so it
// is slower than the plain lint): no floating promises anywhere, tests included, because a
// promise nobody awaits can hide a failure (an unawaited `expect(...).rejects` passes).
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', '.node/**', 'test-results/**', 'playwright-report/**', '**/*.d.ts'] },
  {
    files: ['electron/**/*.ts', 'shared/**/*.ts', 'renderer/**/*.ts', 'renderer/**/*.tsx', 'test/**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname + '/..' },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: { '@typescript-eslint/no-floating-promises': 'error' },
  },
);
