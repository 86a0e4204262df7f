/**
 * `labvault --version [--json]` through the real CLI: the package.json version, the format
 * versions read and written (checked against a vault the CLI creates and the committed
 * format-1 sample vault), and the Node it runs on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, removeDir } from '../../support/disk-fixtures.ts';
import { runLabvault } from '../../support/run-cli.ts';

interface VersionJson {
  version: string;
  formats: { name: string; reads: number[]; writes: number[] }[];
  node: string;
}

const packageVersion = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
  version: string;
}).version;
const SAMPLE_VAULT_JSON = new URL('../compat/format-v1/plain/vault.json', import.meta.url);

let root: string;
let env: Record<string, string>;

beforeAll(() => {
  root = makeTempDir('labvault-version-');
  env = { LABVAULT_HOME: join(root, 'home') };
});

afterAll(() => removeDir(root));

describe('labvault --version', () => {
  it('prints the package.json version first, then one line per format and the Node version', () => {
    const run = runLabvault(['--version'], env);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toBe(`labvault ${packageVersion}`);
    expect(lines).toContain('vault format: writes 1; reads 1');
    expect(lines).toContain('manifest format: writes 1; reads 1');
    expect(lines).toContain('blob format: writes 1, 2; reads 1, 2');
    expect(lines[lines.length - 1]).toBe(`node ${process.versions.node}`);
    expect(run.stderr).toBe('');
  });

  it('--json prints only JSON, whose vault format matches what vault create writes and the v1 sample', () => {
    const run = runLabvault(['--version', '--json'], env);
    expect(run.code).toBe(0);
    const report = run.json<VersionJson>();
    expect(report.version).toBe(packageVersion);
    expect(report.node).toBe(process.versions.node);
    expect(report.formats.map((format) => format.name)).toEqual(['vault', 'manifest', 'blob']);
    const vault = report.formats.find((format) => format.name === 'vault');
    const created = runLabvault(['vault', 'create', '--name', 'Versioned', '--path', join(root, 'v'), '--json'], env);
    expect(created.code).toBe(0);
    expect(vault?.writes).toEqual([created.json<{ formatVersion: number }>().formatVersion]);
    const sample = JSON.parse(readFileSync(SAMPLE_VAULT_JSON, 'utf8')) as { formatVersion: number };
    expect(vault?.reads).toContain(sample.formatVersion);
  });
});
