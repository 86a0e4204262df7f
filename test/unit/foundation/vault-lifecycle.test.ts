import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Engine } from '../../../electron/engine/engine.ts';
import { LabvaultError } from '../../../shared/errors.ts';
import { makeTempDir, removeDir } from '../../support/disk-fixtures.ts';

let root: string;
let engine: Engine;

beforeEach(() => {
  root = makeTempDir('labvault-lifecycle-');
  engine = new Engine({ face: 'cli', appHome: join(root, 'home') });
});

afterEach(async () => {
  await engine.close();
  removeDir(root);
});

async function failure(promise: Promise<unknown>): Promise<LabvaultError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(LabvaultError);
    return error as LabvaultError;
  }
  throw new Error('expected a failure');
}

describe('vault names', () => {
  const cases: [string, boolean, RegExp?][] = [
    ['a', false, /at least 2/],
    ['ab', true],
    ['a'.repeat(50), true],
    ['a'.repeat(51), false, /at most 50/],
    ['1ab', false, /start with a letter/],
    ['-ab', false, /start with a letter/],
    ['bad_name', false, /only letters A-Z, digits and hyphens/],
    ['bad name', false, /only letters/],
    ['café', false, /only letters A-Z/],
    ['Ünicode', false, /start with a letter/],
    ['lab-2-vault', true],
  ];
  for (const [name, ok, rule] of cases) {
    it(`${ok ? 'accepts' : 'refuses'} ${JSON.stringify(name.length > 12 ? `${name.slice(0, 6)}...(${name.length})` : name)}`, async () => {
      const path = join(root, 'v');
      if (ok) {
        const vault = await engine.handlers.vaults.create({ name, path });
        expect(vault.name).toBe(name);
        expect(existsSync(join(path, 'vault.json'))).toBe(true);
      } else {
        const error = await failure(engine.handlers.vaults.create({ name, path }));
        expect(error.code).toBe('INVALID_INPUT');
        expect(error.field).toBe('name');
        expect(error.message).toMatch(rule as RegExp);
        expect(existsSync(path)).toBe(false);
        expect(await engine.handlers.vaults.list({})).toEqual([]);
      }
    });
  }

  it('refuses a duplicate name in another case, writing nothing', async () => {
    await engine.handlers.vaults.create({ name: 'Lab-Vault', path: join(root, 'one') });
    const error = await failure(engine.handlers.vaults.create({ name: 'lab-VAULT', path: join(root, 'two') }));
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toMatch(/already exists/);
    expect(existsSync(join(root, 'two'))).toBe(false);
  });
});

describe('vault location', () => {
  it('refuses a path that is a file', async () => {
    const file = join(root, 'file');
    writeFileSync(file, 'x');
    const error = await failure(engine.handlers.vaults.create({ name: 'vault', path: file }));
    expect(error.field).toBe('path');
    expect(error.message).toMatch(/is a file/);
    expect(readFileSync(file, 'utf8')).toBe('x');
  });

  it('refuses a non-empty folder and leaves it untouched', async () => {
    const dir = join(root, 'full');
    mkdirSync(dir);
    writeFileSync(join(dir, 'keep.txt'), 'mine');
    const error = await failure(engine.handlers.vaults.create({ name: 'vault', path: dir }));
    expect(error.message).toMatch(/not empty/);
    expect(readdirSync(dir)).toEqual(['keep.txt']);
  });

  it('refuses a folder on a read-only location', async (context) => {
    const dir = join(root, 'ro');
    mkdirSync(dir);
    let mounted = false;
    if (process.getuid?.() === 0) {
      try {
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', dir], { stdio: 'pipe' });
        mounted = true;
      } catch (error) {
        // Root ignores permission bits, so only a read-only mount makes this case.
        const why = String((error as Error).message).split('\n')[0];
        context.skip(`running as root and a read-only tmpfs cannot be mounted here (${why})`);
      }
    } else {
      chmodSync(dir, 0o555);
    }
    try {
      const error = await failure(engine.handlers.vaults.create({ name: 'vault', path: join(dir, 'new') }));
      expect(error.field).toBe('path');
      expect(error.message).toMatch(/not writable/);
      expect(await engine.handlers.vaults.list({})).toEqual([]);
    } finally {
      if (mounted) execFileSync('umount', [dir]);
      else chmodSync(dir, 0o755);
    }
  });

  it('creates missing parent folders and accepts an empty folder', async () => {
    const nested = join(root, 'a', 'b', 'c');
    await engine.handlers.vaults.create({ name: 'nested', path: nested });
    const empty = join(root, 'empty');
    mkdirSync(empty);
    await engine.handlers.vaults.create({ name: 'empty', path: empty });
    expect((await engine.handlers.vaults.list({})).map((vault) => vault.name)).toEqual(['empty', 'nested']);
  });
});

describe('vault lifecycle', () => {
  it('writes vault.json with a format version and settings, and a catalog with DefaultPolicy', async () => {
    const path = join(root, 'v');
    const vault = await engine.handlers.vaults.create({ name: 'lab', path, softDeleteDays: 30, immutability: 'enabled' });
    expect(vault).toMatchObject({ name: 'lab', path, softDeleteDays: 30, softDeleteEnabled: true, immutability: 'enabled', formatVersion: 1, encrypted: false });
    const config = JSON.parse(readFileSync(join(path, 'vault.json'), 'utf8'));
    expect(config).toMatchObject({ format: 'labvault-vault', formatVersion: 1, id: vault.id, name: 'lab' });
    expect(existsSync(join(path, 'catalog.sqlite'))).toBe(true);
    const policies = await engine.handlers.policies.list({ vault: 'lab' });
    expect(policies.map((policy) => policy.name)).toEqual(['DefaultPolicy']);
  });

  it('refuses soft delete days outside 14-180', async () => {
    for (const days of [13, 181]) {
      const error = await failure(engine.handlers.vaults.create({ name: 'lab', path: join(root, `v${days}`), softDeleteDays: days }));
      expect(error.field).toBe('softDeleteDays');
      expect(error.message).toMatch(/between 14 and 180/);
    }
    await engine.handlers.vaults.create({ name: 'lab', path: join(root, 'ok'), softDeleteDays: 180 });
  });

  it('opens an existing vault in another app home, and refuses a second vault with its name', async () => {
    const path = join(root, 'shared');
    const created = await engine.handlers.vaults.create({ name: 'moved', path });
    const other = new Engine({ face: 'cli', appHome: join(root, 'home2') });
    try {
      const opened = await other.handlers.vaults.open({ path });
      expect(opened.id).toBe(created.id);
      expect((await other.handlers.vaults.list({})).length).toBe(1);
      await other.handlers.vaults.create({ name: 'other', path: join(root, 'o') });
      const error = await failure(other.handlers.vaults.open({ path: join(root, 'missing') }));
      expect(error.code).toBe('NOT_FOUND');
    } finally {
      await other.close();
    }
  });

  it('shows a damaged vault.json as a clear error and does not overwrite it', async () => {
    const path = join(root, 'v');
    await engine.handlers.vaults.create({ name: 'lab', path });
    await engine.close();
    writeFileSync(join(path, 'vault.json'), '{ not json');
    const fresh = new Engine({ face: 'cli', appHome: join(root, 'home') });
    try {
      const vault = await fresh.handlers.vaults.show({ name: 'lab' });
      expect(vault.status).toBe('missing');
      expect(vault.statusMessage).toMatch(/damaged/);
      const error = await failure(fresh.handlers.vaults.open({ path }));
      expect(error.code).toBe('CORRUPT');
      expect(readFileSync(join(path, 'vault.json'), 'utf8')).toBe('{ not json');
    } finally {
      await fresh.close();
    }
  });

  it('deletes an empty vault and its files, but never files it does not own', async () => {
    const path = join(root, 'v');
    await engine.handlers.vaults.create({ name: 'lab', path });
    expect(await engine.handlers.vaults.deleteCheck({ name: 'lab' })).toEqual({ deletable: true, blockers: [] });
    await engine.handlers.vaults.delete({ name: 'lab' });
    expect(existsSync(path)).toBe(false);
    expect(await engine.handlers.vaults.list({})).toEqual([]);
  });

  it('refuses to delete a vault that protects an item, listing what blocks it', async () => {
    const path = join(root, 'v');
    await engine.handlers.vaults.create({ name: 'lab', path });
    const disk = join(root, 'disk.img');
    writeFileSync(disk, Buffer.alloc(2 * 1024 * 1024, 1));
    await engine.handlers.items.protect({ vault: 'lab', name: 'vm1', files: [disk] });
    const check = await engine.handlers.vaults.deleteCheck({ name: 'lab' });
    expect(check.deletable).toBe(false);
    expect(check.blockers.join(' ')).toMatch(/1 protected item/);
    const error = await failure(engine.handlers.vaults.delete({ name: 'lab' }));
    expect(error.code).toBe('RULE_VIOLATION');
    expect(existsSync(join(path, 'vault.json'))).toBe(true);
    expect(readFileSync(disk).length).toBe(2 * 1024 * 1024);
  });

  it('locks immutability only with the typed vault name, and never unlocks it', async () => {
    await engine.handlers.vaults.create({ name: 'lab', path: join(root, 'v') });
    const unconfirmed = await failure(engine.handlers.vaults.update({ name: 'lab', immutability: 'locked' }));
    expect(unconfirmed.field).toBe('confirm');
    await engine.handlers.vaults.update({ name: 'lab', immutability: 'locked', confirm: 'lab' });
    const unlock = await failure(engine.handlers.vaults.update({ name: 'lab', immutability: 'disabled' }));
    expect(unlock.code).toBe('RULE_VIOLATION');
    const softOff = await failure(engine.handlers.vaults.update({ name: 'lab', softDeleteEnabled: false, confirm: 'lab' }));
    expect(softOff.message).toMatch(/cannot be turned off while immutability/);
    expect((await engine.handlers.vaults.show({ name: 'lab' })).immutability).toBe('locked');
  });
});
