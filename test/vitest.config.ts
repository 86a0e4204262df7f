import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
/** A stray `.only` fails the run in CI and in `npm test` (build/test.mjs sets LABVAULT_FORBID_ONLY). */
const forbidOnly = Boolean(process.env.CI) || process.env.LABVAULT_FORBID_ONLY === '1';

export default defineConfig({
  root,
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    allowOnly: !forbidOnly,
  },
});
