/**
 * Vitest reporter that `npm test` (build/test.mjs) adds beside the default one: writes every
 * skipped test with its reason (the note given to `context.skip(note)`, or the test's name
 * for `it.skipIf(reason)(reason ?? name)`) to the JSON file LABVAULT_SKIPPED_TESTS_FILE names,
 * so the end of `npm test` lists what did not run and why.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Reporter, TestCase, TestModule, TestSuite } from 'vitest/node';

/** One line of the file: build/test.mjs reads this shape. */
export interface SkippedTestRecord {
  file: string;
  test: string;
  reason: string;
}

/** Why a skipped test without a note did not run. */
function reasonWithoutNote(testCase: TestCase): string {
  for (let scope: TestSuite | TestModule = testCase.parent; ; scope = scope.parent) {
    const error = scope.errors()[0];
    if (error !== undefined) return `not run: ${scope.type === 'module' ? 'its file' : `suite "${scope.name}"`} failed (${error.message})`;
    if (scope.type === 'module') break;
  }
  return testCase.options.mode === 'run'
    ? 'context.skip() without a note'
    : `marked ${testCase.options.mode} in the test file without a reason`;
}

export default class SkippedTestsReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const output = process.env.LABVAULT_SKIPPED_TESTS_FILE;
    if (output === undefined || output === '') return;
    const records: SkippedTestRecord[] = [];
    for (const testModule of testModules) {
      for (const testCase of testModule.children.allTests('skipped')) {
        const result = testCase.result();
        const note = result.state === 'skipped' ? result.note : undefined;
        records.push({ file: testModule.relativeModuleId, test: testCase.fullName, reason: note ?? reasonWithoutNote(testCase) });
      }
    }
    mkdirSync(dirname(output), { recursive: true });
    writeFileSync(output, `${JSON.stringify(records, null, 2)}\n`);
  }
}
