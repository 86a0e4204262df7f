/**
 * The CLI goes through the contract: input the contract rejects exits 2 with the field
 * named on stderr, before the engine does anything (real CLI subprocesses).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { makeTempDir, removeDir } from '../../support/disk-fixtures.ts';
import { runLabvault } from '../../support/run-cli.ts';

let root: string;
let env: Record<string, string>;

beforeAll(() => {
  root = makeTempDir('labvault-cli-contract-');
  env = { LABVAULT_HOME: join(root, 'home') };
});
afterAll(() => removeDir(root));

describe('labvault input checked by the contract', () => {
  it('gc --vault "" exits 2 naming the vault field', () => {
    const run = runLabvault(['gc', '--vault', ''], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/error \[INVALID_INPUT\] \(vault\): Invalid vault/);
    expect(run.stdout).toBe('');
  });

  it('jobs list --limit above the contract maximum exits 2 naming limit', () => {
    const run = runLabvault(['jobs', 'list', '--limit', '999999', '--json'], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/\[INVALID_INPUT\] \(limit\)/);
    expect(run.stdout).toBe('');
  });

  it('backup --job-id with path characters exits 2 naming jobId', () => {
    const run = runLabvault(['backup', 'some-item', '--job-id', '../../escape', '--json'], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/\[INVALID_INPUT\] \(jobId\)/);
    expect(run.stdout).toBe('');
  });
});
