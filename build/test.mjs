// `npm test`: build, typecheck, lint (plain, then type-aware), the import graph (build/check-imports.mjs: no cycles, layers),
// Electronegativity, unit + integration tests (vitest), then the
// browser end-to-end tests (Playwright in Debian's Chromium). Exits non-zero when any
// step fails, after running the rest so one run shows every failure. Also fails when the
// end-to-end step ran no test, and ends by listing every skipped test with its reason.
// On a node older than package.json's engines minimum it re-runs itself under
// build/ensure-node.sh's Node 22 (build/project-node.mjs), as `npm start` does.
// `.only` is refused by both runners (LABVAULT_FORBID_ONLY, read by their configs); a
// missing qemu-img or chromium fails the run unless LABVAULT_ALLOW_MISSING_TOOLS=1.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { ensureProjectNode, projectRoot } from './project-node.mjs';

ensureProjectNode('npm test', 'build/test.mjs', process.argv.slice(2));
process.chdir(projectRoot);

const CHROMIUM = '/usr/bin/chromium';
const VITEST_SKIPS = join('test-results', 'vitest-skipped.json');
const E2E_REPORT = join('test-results', 'e2e-report.json');
const E2E_HOST_LOGS = join('test-results', 'e2e-host-logs');
const allowMissingTools = process.env.LABVAULT_ALLOW_MISSING_TOOLS === '1';
const env = {
  ...process.env,
  // Every step runs on this Node, whatever node comes first on the caller's PATH.
  PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`,
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1',
  LABVAULT_FORBID_ONLY: '1',
  LABVAULT_SKIPPED_TESTS_FILE: VITEST_SKIPS,
  PLAYWRIGHT_JSON_OUTPUT_FILE: E2E_REPORT,
  LABVAULT_E2E_HOST_LOGS: join(process.cwd(), E2E_HOST_LOGS),
};

/** { where, test, reason } of every test that did not run. */
const skipped = [];
const failed = [];
/** End-to-end tests that failed once and passed on their retry. */
const flakyTests = [];

function runStep(name, [command, ...args], afterwards = () => null) {
  console.log(`\n=== ${name}: ${command} ${args.join(' ')}`);
  const started = Date.now();
  const result = spawnSync(command, args, { stdio: 'inherit', env });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  // `afterwards` reads the step's report (its skipped tests) even when the step failed.
  const reportProblem = afterwards();
  const problem = result.status !== 0 ? `exit ${result.status ?? result.signal}` : reportProblem;
  if (problem) {
    failed.push(name);
    console.log(`=== ${name}: FAILED (${problem}) after ${seconds} s`);
  } else {
    console.log(`=== ${name}: ok in ${seconds} s`);
  }
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Adds vitest's skipped tests (written by test/support/skipped-tests-reporter.ts). */
function collectVitestSkips() {
  const records = readJson(VITEST_SKIPS);
  if (!Array.isArray(records)) return `no skip list in ${VITEST_SKIPS} (did vitest finish?)`;
  for (const { file, test, reason } of records) skipped.push({ where: file, test, reason });
  return null;
}

function* playwrightTests(suite) {
  for (const spec of suite.specs ?? []) for (const test of spec.tests ?? []) yield { spec, test };
  for (const child of suite.suites ?? []) yield* playwrightTests(child);
}

function e2eSkipReason(test) {
  const annotations = test.annotations ?? [];
  const skip = annotations.find((annotation) => annotation.type === 'skip' || annotation.type === 'fixme');
  if (skip) return skip.description ?? `test.${skip.type} without a reason`;
  if (annotations.some((annotation) => annotation.type === 'serial')) return 'not run: an earlier test of its serial file failed';
  return 'not run (the Playwright report gives no reason)';
}

/** Fails unless Playwright's JSON report shows at least one test run; adds its skipped tests. */
function checkE2eReport() {
  const report = readJson(E2E_REPORT);
  if (!report?.stats) return `no Playwright JSON report in ${E2E_REPORT}`;
  const { expected = 0, unexpected = 0, flaky = 0 } = report.stats;
  for (const suite of report.suites ?? []) {
    for (const { spec, test } of playwrightTests(suite)) {
      if (test.status === 'skipped') skipped.push({ where: `test/e2e/${spec.file}`, test: spec.title, reason: e2eSkipReason(test) });
    }
  }
  if (expected + unexpected + flaky === 0) return 'no end-to-end test ran';
  if (unexpected > 0 || flaky > 0) printE2eFailureContext(report);
  for (const suite of report.suites ?? []) {
    for (const { spec, test } of playwrightTests(suite)) {
      if (test.status === 'flaky') flakyTests.push(`test/e2e/${spec.file} > ${spec.title}`);
    }
  }
  return null;
}

const CONTEXT_CHARS = 12_000;

/**
 * Prints what the page showed when each failed end-to-end test gave up (Playwright's
 * error-context.md: the page's accessibility snapshot), since CI keeps only the log.
 */
function printE2eFailureContext(report) {
  for (const suite of report.suites ?? []) {
    for (const { spec, test } of playwrightTests(suite)) {
      for (const result of test.results ?? []) {
        if (result.status === 'passed' || result.status === 'skipped') continue;
        for (const attachment of result.attachments ?? []) {
          if (attachment.name !== 'error-context' || !attachment.path || !existsSync(attachment.path)) continue;
          const text = readFileSync(attachment.path, 'utf8');
          console.log(`\n=== page when "${spec.title}" failed (${attachment.path}):\n${text.slice(0, CONTEXT_CHARS)}`);
          if (text.length > CONTEXT_CHARS) console.log(`… ${text.length - CONTEXT_CHARS} more characters in the file`);
        }
      }
    }
  }
  const logs = existsSync(E2E_HOST_LOGS) ? readdirSync(E2E_HOST_LOGS) : [];
  for (const name of logs) {
    // The sign-in notices every host prints are left out; a log with nothing else is not shown.
    const text = readFileSync(join(E2E_HOST_LOGS, name), 'utf8').split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('Only this machine can connect')).join('\n');
    if (text === '') continue;
    console.log(`\n=== stderr of a labvault ui host (${name}):\n${text.slice(-CONTEXT_CHARS)}`);
  }
}

rmSync(VITEST_SKIPS, { force: true });
rmSync(E2E_REPORT, { force: true });
rmSync(E2E_HOST_LOGS, { recursive: true, force: true });
runStep('build', ['npm', 'run', '-s', 'build']);
runStep('typecheck', ['npx', 'tsc', '--noEmit', '-p', 'tsconfig.json']);
runStep('lint', ['npx', 'eslint', '-c', 'build/eslint.config.js', '.']);
runStep('lint, type-aware (no floating promises)',
  ['npx', 'eslint', '-c', 'build/eslint-typed.config.js', 'electron', 'shared', 'renderer', 'test']);
runStep('import graph (no cycles, layers)', ['node', 'build/check-imports.mjs']);
runStep('electron hardening (Electronegativity: no HIGH or MEDIUM)', ['node', 'build/electronegativity.mjs']);
runStep('unit + integration', ['npx', 'vitest', 'run', '--config', 'test/vitest.config.ts',
  '--reporter=default', '--reporter=./test/support/skipped-tests-reporter.ts'], collectVitestSkips);
if (existsSync(CHROMIUM) || !allowMissingTools) {
  // Without chromium the config refuses to load, with a message saying what to install.
  runStep('end-to-end', ['npx', 'playwright', 'test', '-c', 'test/e2e/playwright.config.ts', '--reporter=list,json'],
    checkE2eReport);
} else {
  skipped.push({ where: 'test/e2e', test: 'every end-to-end test', reason: `${CHROMIUM} is missing and LABVAULT_ALLOW_MISSING_TOOLS=1` });
}

/** Prints the skipped tests, one entry per file and reason. */
function listSkipped() {
  const groups = new Map();
  for (const { where, test, reason } of skipped) {
    const key = `${where}\n${reason}`;
    groups.set(key, [...(groups.get(key) ?? []), test]);
  }
  console.log(`\n=== skipped tests (${skipped.length}):`);
  for (const [key, tests] of groups) {
    const [where, reason] = key.split('\n');
    console.log(`  ${where} > ${tests.length === 1 ? tests[0] : `${tests.length} tests`}\n      why: ${reason}`);
  }
}

if (skipped.length > 0) listSkipped();
if (flakyTests.length > 0) {
  console.log(`\n=== flaky end-to-end tests (${flakyTests.length}): failed once, passed on retry (the failed attempt's page is printed above):`);
  for (const name of flakyTests) console.log(`  ${name}`);
}
const skips = `${skipped.length} test(s) skipped${skipped.length > 0 ? ' (listed above)' : ''}`;
if (failed.length > 0) {
  console.log(`\nnpm test: ${failed.length} step(s) failed: ${failed.join(', ')}; ${skips}`);
  process.exit(1);
}
console.log(`\nnpm test: every step passed; ${skips}`);
