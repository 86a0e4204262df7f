/**
 * Damaged vault files: a vault.json full of garbage gives a clear CORRUPT error (exit 3)
 * and nothing is overwritten; a catalog.sqlite full of garbage is rebuilt from the vault's
 * files by `vault rebuild-catalog`, equal to what it was.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Item, Point } from '../../../shared/contract/item-models.ts';
import type { Vault } from '../../../shared/contract/models.ts';
import { Lab, MIB, expectSameFile, writeRandomFile } from './vault-engine-kit.ts';

const lab = new Lab('corrupt');
let vaultDir: string;
let disk: string;
let pointId: string;

beforeAll(async () => {
  disk = join(lab.vmDir, 'disk.raw');
  await writeRandomFile(disk, 2 * MIB);
  vaultDir = await lab.createVault('damaged');
  await lab.protect('damaged', 'vm-c', [disk]);
  pointId = (await lab.backup('vm-c')).pointId as string;
});

afterAll(() => lab.remove());

describe('damaged vault files', () => {
  it('vault.json with garbage: CORRUPT from vault show, nothing overwritten', async () => {
    const configPath = join(vaultDir, 'vault.json');
    const good = readFileSync(configPath);
    const garbage = Buffer.concat([Buffer.from('{"format": "labvault-vault", '), randomBytes(200)]);
    writeFileSync(configPath, garbage);
    const manifestsBefore = readdirSync(join(vaultDir, 'data', 'manifests'), { recursive: true }).sort();

    const show = await lab.cli(['vault', 'show', 'damaged']);
    expect(show.code).toBe(3);
    expect(show.stderr).toMatch(/CORRUPT/);
    expect(show.stderr).toContain(configPath);
    // Listing still works and says what is wrong; a backup is refused.
    const list = await lab.cliJson<Vault[]>(['vault', 'list']);
    expect(list[0]).toMatchObject({ name: 'damaged', status: 'missing', statusMessage: expect.stringContaining('damaged') });
    const backup = await lab.cli(['backup', 'vm-c']);
    expect(backup.code).not.toBe(0);
    expect(backup.stderr).toMatch(/CORRUPT|damaged/);

    expect(readFileSync(configPath).equals(garbage)).toBe(true);
    expect(readdirSync(join(vaultDir, 'data', 'manifests'), { recursive: true }).sort()).toEqual(manifestsBefore);

    // Put the good file back: the vault opens as before.
    writeFileSync(configPath, good);
    const shown = await lab.cliJson<Vault>(['vault', 'show', 'damaged']);
    expect(shown.status).toBe('ok');
  });

  it('catalog.sqlite with garbage: vault rebuild-catalog restores it', async () => {
    const items = await lab.cliJson<Item[]>(['items', 'list']);
    const points = await lab.points('vm-c');
    expect(points.map((point) => point.id)).toEqual([pointId]);
    const catalog = join(vaultDir, 'catalog.sqlite');
    for (const suffix of ['-wal', '-shm']) rmSync(`${catalog}${suffix}`, { force: true });
    writeFileSync(catalog, randomBytes(64 * 1024));

    const broken = await lab.cli(['points', 'list', 'vm-c']);
    expect(broken.code).not.toBe(0);
    expect(broken.stderr).toMatch(/rebuild-catalog|catalog/);

    const rebuild = await lab.cli(['vault', 'rebuild-catalog', 'damaged', '--json']);
    expect(rebuild.code, rebuild.stderr).toBe(0);
    expect(rebuild.json()).toMatchObject({ rebuilt: true, items: 1, points: 1 });
    expect(await lab.cliJson<Item[]>(['items', 'list'])).toEqual(items);
    expect(await lab.points('vm-c')).toEqual(points as Point[]);
    await expectSameFile(join(await lab.restore('vm-c', pointId), 'disk.raw'), disk);
  });
});
