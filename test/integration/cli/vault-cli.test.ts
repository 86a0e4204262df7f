import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, removeDir } from '../../support/disk-fixtures.ts';
import { runLabvault } from '../../support/run-cli.ts';

let root: string;
let env: Record<string, string>;

beforeAll(() => {
  root = makeTempDir('labvault-cli-');
  env = { LABVAULT_HOME: join(root, 'home') };
});

afterAll(() => removeDir(root));

describe('labvault vault (CLI contract)', () => {
  it('prints its version and help', () => {
    const version = runLabvault(['--version'], env);
    expect(version.code).toBe(0);
    expect(version.stdout.split('\n')[0]).toMatch(/^labvault \d+\.\d+\.\d+$/);
    const help = runLabvault(['help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('labvault vault create --name NAME --path DIR');
  });

  it('creates a vault; --json prints only JSON with the documented fields', () => {
    const run = runLabvault(['vault', 'create', '--name', 'cli-vault', '--path', join(root, 'v1'), '--soft-delete-days', '20', '--json'], env);
    expect(run.code).toBe(0);
    const vault = run.json<Record<string, unknown>>();
    for (const field of ['id', 'name', 'path', 'createdAt', 'softDeleteDays', 'immutability', 'formatVersion']) expect(vault).toHaveProperty(field);
    expect(vault).toMatchObject({ name: 'cli-vault', softDeleteDays: 20, immutability: 'disabled', formatVersion: 1 });
  });

  it('lists and shows vaults', () => {
    const list = runLabvault(['vault', 'list', '--json'], env);
    expect(list.code).toBe(0);
    expect(list.json<{ name: string }[]>().map((vault) => vault.name)).toContain('cli-vault');
    const show = runLabvault(['vault', 'show', 'CLI-VAULT', '--json'], env);
    expect(show.code).toBe(0);
    expect(show.json<{ name: string }>().name).toBe('cli-vault');
    const text = runLabvault(['vault', 'list'], env);
    expect(text.stdout).toMatch(/NAME\s+STATUS/);
  });

  it('refuses invalid input with exit 2, the field and the rule on stderr, and writes nothing', () => {
    const cases: [string[], RegExp][] = [
      [['--name', 'x', '--path', join(root, 'bad1')], /\(name\).*at least 2/],
      [['--name', '2fast', '--path', join(root, 'bad2')], /\(name\).*start with a letter/],
      [['--name', 'under_score', '--path', join(root, 'bad3')], /\(name\).*only letters/],
      [['--name', 'CLI-Vault', '--path', join(root, 'bad4')], /\(name\).*already exists/],
      [['--name', 'okname', '--path', join(root, 'bad5'), '--soft-delete-days', '200'], /\(softDeleteDays\).*between 14 and 180/],
      [['--name', 'okname', '--path', join(root, 'bad6'), '--immutability', 'locked'], /\(immutability\)/],
      [['--name', 'okname', '--path', join(root, 'bad7'), '--soft-delete-days', 'ten'], /\(soft-delete-days\).*whole number/],
      [['--path', join(root, 'bad8')], /\(name\).*Missing required flag --name/],
      [['--name', 'okname', '--path', join(root, 'bad9'), '--bogus', '1'], /Unknown flag --bogus/],
    ];
    for (const [args, message] of cases) {
      const run = runLabvault(['vault', 'create', ...args, '--json'], env);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(message);
    }
    for (let i = 1; i <= 9; i += 1) expect(existsSync(join(root, `bad${i}`))).toBe(false);
    expect(runLabvault(['vault', 'list', '--json'], env).json<unknown[]>().length).toBe(1);
  });

  it('refuses a non-empty folder and a path that is a file', () => {
    const full = join(root, 'full');
    mkdirSync(full);
    writeFileSync(join(full, 'a'), 'a');
    const first = runLabvault(['vault', 'create', '--name', 'full', '--path', full], env);
    expect(first.code).toBe(2);
    expect(first.stderr).toMatch(/\(path\).*not empty/);
    const second = runLabvault(['vault', 'create', '--name', 'file', '--path', join(full, 'a')], env);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/is a file/);
  });

  it('opens a vault into another LABVAULT_HOME', () => {
    const other = { LABVAULT_HOME: join(root, 'home2') };
    const run = runLabvault(['vault', 'open', join(root, 'v1'), '--json'], other);
    expect(run.code).toBe(0);
    expect(run.json<{ name: string }>().name).toBe('cli-vault');
    expect(runLabvault(['vault', 'open', join(root, 'nowhere')], other).code).toBe(2);
  });

  it('refuses rename, and unknown commands, with exit 2', () => {
    expect(runLabvault(['vault', 'rename', 'cli-vault', 'new'], env).code).toBe(2);
    expect(runLabvault(['frobnicate'], env).code).toBe(2);
    expect(runLabvault(['vault', 'show', 'nope'], env).code).toBe(2);
  });

  it('deletes only with --yes when there is no terminal', () => {
    const noYes = runLabvault(['vault', 'delete', 'cli-vault'], env);
    expect(noYes.code).toBe(2);
    expect(noYes.stderr).toMatch(/--yes/);
    const yes = runLabvault(['vault', 'delete', 'cli-vault', '--yes'], env);
    expect(yes.code).toBe(0);
    expect(existsSync(join(root, 'v1', 'vault.json'))).toBe(false);
    expect(runLabvault(['vault', 'list', '--json'], env).json<unknown[]>()).toEqual([]);
  });
});
