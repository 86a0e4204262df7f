// `npm test`: build, typecheck, lint, Electronegativity, unit + integration tests (vitest), then the
// browser end-to-end tests (Playwright in Debian's Chromium). Exits non-zero when any
// step fails, after running the rest so one run shows every failure.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const steps = [
  ['build', ['npm', 'run', '-s', 'build']],
  ['typecheck', ['npx', 'tsc', '--noEmit', '-p', 'tsconfig.json']],
  ['lint', ['npx', 'eslint', '-c', 'build/eslint.config.js', '.']],
  ['electron hardening (Electronegativity: no HIGH or MEDIUM)', ['node', 'build/electronegativity.mjs']],
  ['unit + integration', ['npx', 'vitest', 'run', '--config', 'test/vitest.config.ts']],
];
if (existsSync('test/e2e/playwright.config.ts')) steps.push(['end-to-end', ['npx', 'playwright', 'test', '-c', 'test/e2e/playwright.config.ts']]);

const failed = [];
for (const [name, [command, ...args]] of steps) {
  console.log(`\n=== ${name}: ${command} ${args.join(' ')}`);
  const started = Date.now();
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' } });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) {
    failed.push(name);
    console.log(`=== ${name}: FAILED (exit ${result.status ?? result.signal}) after ${seconds} s`);
  } else {
    console.log(`=== ${name}: ok in ${seconds} s`);
  }
}
if (failed.length > 0) {
  console.log(`\nnpm test: ${failed.length} step(s) failed: ${failed.join(', ')}`);
  process.exit(1);
}
console.log('\nnpm test: every step passed');
