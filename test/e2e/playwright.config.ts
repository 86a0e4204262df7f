/**
 * End-to-end tests: the real renderer in Debian's Chromium against the real browser host
 * (`labvault ui`) and engine, one host with a fresh LABVAULT_HOME per test file.
 * Playwright never downloads a browser here.
 */
import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

const CHROMIUM = '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  throw new Error(`The end-to-end tests need Debian's chromium at ${CHROMIUM} (apt install chromium; .ci/run installs it).`);
}

// `npm test` and CI write to test-results/e2e; a run by hand gets its own folder (the workers
// inherit the runner's variable), so runs side by side never delete each other's traces.
const shared = Boolean(process.env.CI) || process.env.LABVAULT_FORBID_ONLY === '1';
process.env.LABVAULT_E2E_RUN ??= String(process.pid);
const outputDir = shared ? '../../test-results/e2e' : `../../test-results/e2e-run-${process.env.LABVAULT_E2E_RUN}`;

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  globalSetup: './global-setup.ts',
  outputDir,
  timeout: 90_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  // A stray `.only` fails the run in CI and in `npm test` (build/test.mjs sets LABVAULT_FORBID_ONLY).
  forbidOnly: Boolean(process.env.CI) || process.env.LABVAULT_FORBID_ONLY === '1',
  workers: 2,
  // One retry in CI and `npm test`: a test that passes only on its retry is reported as flaky by
  // build/test.mjs, with the page and host log of the failed attempt; a test failing twice fails the run.
  retries: shared ? 1 : 0,
  reporter: [['list']],
  use: {
    viewport: { width: 1280, height: 800 },
    deviceScaleFactor: 1,
    locale: 'en-US',
    timezoneId: 'Europe/Berlin',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
});
