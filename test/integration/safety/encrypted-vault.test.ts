/**
 * Encrypted vaults against someone who can write the vault folder but has no passphrase
 * (issue 10, "Encrypted vaults"), through the real CLI:
 *  - a sealed record copied over another, a chunk file swapped for another: CORRUPT naming
 *    the file (the blob's AAD binds its kind and id);
 *  - vault.json edited (immutability, soft delete days) or its settingsMac removed: CORRUPT
 *    at unlock; an older vault gets its MAC on the first unlock;
 *  - point ids hold no time, lock files hold no item name;
 *  - instant-restore clones on a reflink filesystem only beside the VM, never in the vault
 *    folder, and none once turned off (XFS loop mount, root only);
 *  - `vault rekey`: killed mid-way it continues, afterwards the old key opens no blob and
 *    every point restores bit-exact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Item, Point } from '../../../shared/contract/item-models.ts';
import { startCli } from '../../support/cli-runner.ts';
import { Lab, MIB, overwriteRandom, sha256File, writeRandomFile } from '../vault-engine/vault-engine-kit.ts';
import { decodeBlob } from '../../../electron/engine/vault/store/blob-codec.ts';
import {
  chunkBinding, indexBinding, manifestBinding, recordBinding, type BlobBinding,
} from '../../../electron/engine/vault/store/blob-binding.ts';
import { CHUNK_BLOB_MAGIC, INDEX_BLOB_MAGIC, MANIFEST_BLOB_MAGIC } from '../../../electron/engine/vault/store/format-constants.ts';
import { RECORD_BLOB_MAGIC } from '../../../electron/engine/vault/record-sealer.ts';
import { unlock, type EncryptionSettings, type VaultKeys } from '../../../electron/engine/vault/store/index.ts';
import { SAMPLE_PASSPHRASE } from '../compat/sample-vault-content.ts';
import { useLoopFilesystem } from '../../support/loop-filesystem.ts';

const PASSPHRASE = 'encrypted vault test passphrase';
const MARKER = 'zq-marker-vm-7731';
const env = { LABVAULT_PASSPHRASE: PASSPHRASE };

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Runs `edit` on a file, then puts the original bytes back. */
async function withEdited(path: string, edit: (bytes: Buffer) => Buffer, during: () => Promise<void>): Promise<void> {
  const original = readFileSync(path);
  writeFileSync(path, edit(original));
  try {
    await during();
  } finally {
    writeFileSync(path, original);
  }
}

describe('encrypted vault folder written by someone without the passphrase', () => {
  const lab = new Lab('encrypted');
  let vaultDir = '';
  let itemId = '';
  const lockContents: string[] = [];

  beforeAll(async () => {
    vaultDir = join(lab.dir, 'vault');
    await lab.cliJson(['vault', 'create', '--name', 'enc', '--path', vaultDir, '--encrypt', '--immutability', 'enabled'], { env });
    const disk = join(lab.vmDir, 'disk.raw');
    await writeRandomFile(disk, 48 * MIB);
    await lab.cliJson(['protect', '--vault', 'enc', '--name', MARKER, disk], { env });
    itemId = (await lab.cliJson<Item>(['item', 'show', MARKER], { env })).id;
    // Watch the lock folders while a backup runs: what its lock files say.
    const run = startCli(lab.home, ['backup', MARKER, '--json'], { env });
    let exited = false;
    void run.result.then(() => { exited = true; });
    for (let poll = 0; poll < 50_000 && !exited; poll += 1) {
      for (const dir of ['locks', 'phase-locks', 'tmp']) {
        for (const file of filesUnder(join(vaultDir, 'data', dir))) {
          try {
            lockContents.push(`${file}\n${readFileSync(file, 'utf8')}`);
          } catch {
            // removed between the listing and the read
          }
        }
      }
      await sleep(2);
    }
    expect((await run.result).code).toBe(0);
    const second = await lab.cli(['backup', MARKER, '--json'], { env });
    expect(second.code, second.stderr).toBe(0);
  }, 240_000);

  afterAll(() => lab.remove());

  it('a job record copied over the item record is CORRUPT naming the file', async () => {
    const itemFile = join(vaultDir, 'data', 'records', 'items', `${itemId}.json`);
    const jobFile = filesUnder(join(vaultDir, 'data', 'records', 'jobs'))[0] as string;
    expect(jobFile).toBeDefined();
    await withEdited(itemFile, () => readFileSync(jobFile), async () => {
      const result = await lab.cli(['vault', 'rebuild-catalog', 'enc'], { env });
      expect(result.code).toBe(3);
      expect(result.stderr).toContain('[CORRUPT]');
      expect(result.stderr).toContain(itemFile);
      expect(result.stderr).toContain(`record/items/${itemId}`);
    });
    const ok = await lab.cli(['vault', 'rebuild-catalog', 'enc'], { env });
    expect(ok.code, ok.stderr).toBe(0);
  });

  it('a chunk file swapped for another is named by verify', async () => {
    const chunks = filesUnder(join(vaultDir, 'data', 'chunks'));
    expect(chunks.length).toBeGreaterThan(2);
    const [first, second] = chunks as [string, string];
    await withEdited(second, () => readFileSync(first), async () => {
      const result = await lab.cli(['verify', 'enc', '--read-data'], { env });
      expect(result.code).toBe(3);
      expect(`${result.stdout}${result.stderr}`).toContain(second.split('/').at(-1) as string);
    });
    const clean = await lab.cli(['verify', 'enc', '--read-data'], { env });
    expect(clean.code, clean.stdout + clean.stderr).toBe(0);
  });

  it('vault.json edited outside Labvault is CORRUPT at unlock', async () => {
    const configPath = join(vaultDir, 'vault.json');
    const config = JSON.parse(readFileSync(configPath, 'utf8')) as {
      settingsMac?: string; settings: { immutability: string; softDelete: { days: number } };
      store: { encryption: { settingsBound?: boolean } };
    };
    expect(config.settingsMac).toMatch(/^[0-9a-f]{64}$/);
    expect(config.store.encryption.settingsBound).toBe(true);
    const edits: Array<(value: typeof config) => void> = [
      (value) => { value.settings.immutability = 'disabled'; },
      (value) => { value.settings.softDelete.days = 90; },
      (value) => { delete value.settingsMac; value.settings.immutability = 'disabled'; },
      (value) => { delete value.store.encryption.settingsBound; delete value.settingsMac; },
    ];
    for (const edit of edits) {
      await withEdited(configPath, (bytes) => {
        const value = JSON.parse(bytes.toString('utf8')) as typeof config;
        edit(value);
        return Buffer.from(JSON.stringify(value, null, 2));
      }, async () => {
        const result = await lab.cli(['verify', 'enc'], { env });
        expect(result.code, result.stderr).toBe(3);
        expect(result.stderr).toContain('[CORRUPT]');
        expect(result.stderr).toContain(configPath.replace('/vault.json', ''));
        expect(result.stderr).toMatch(/vault\.json was changed outside Labvault/);
      });
    }
    const ok = await lab.cli(['verify', 'enc'], { env });
    expect(ok.code, ok.stderr).toBe(0);
  });

  it('point ids hold no time and no lock file holds the item name', async () => {
    const points = await lab.cliJson<Point[]>(['points', 'list', MARKER], { env });
    expect(points).toHaveLength(2);
    for (const point of points) expect(point.id).toMatch(/^[0-9a-f]{32}$/);
    const names = filesUnder(vaultDir).map((file) => file.slice(vaultDir.length));
    expect(names.filter((name) => /\d{8}T\d{6}/.test(name))).toEqual([]);
    expect(lockContents.some((entry) => entry.includes('/data/locks/')), 'a writer lock was seen').toBe(true);
    expect(lockContents.filter((entry) => entry.includes(MARKER))).toEqual([]);
    for (const file of filesUnder(vaultDir)) expect(readFileSync(file).includes(MARKER), file).toBe(false);
  });
});

describe('an encrypted vault of the earlier format', () => {
  const lab = new Lab('encrypted-v1');

  afterAll(() => lab.remove());

  it('gets its settingsMac at the first unlock, and is CORRUPT once that MAC is removed', async () => {
    const sample = fileURLToPath(new URL('../compat/format-v1/encrypted', import.meta.url));
    const dir = join(lab.dir, 'v1');
    cpSync(sample, dir, { recursive: true });
    const configPath = join(dir, 'vault.json');
    expect(JSON.parse(readFileSync(configPath, 'utf8'))).not.toHaveProperty('settingsMac');
    const sampleEnv = { LABVAULT_PASSPHRASE: SAMPLE_PASSPHRASE };
    const opened = await lab.cliJson<{ name: string }>(['vault', 'open', dir], { env: sampleEnv });
    const first = await lab.cli(['verify', opened.name, '--read-data'], { env: sampleEnv });
    expect(first.code, first.stderr).toBe(0);
    const upgraded = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown> & { store: { encryption: object } };
    expect(upgraded.settingsMac).toMatch(/^[0-9a-f]{64}$/);
    expect(upgraded.store.encryption).toMatchObject({ settingsBound: true });
    delete upgraded.settingsMac;
    writeFileSync(configPath, JSON.stringify(upgraded));
    const stripped = await lab.cli(['verify', opened.name], { env: sampleEnv });
    expect(stripped.code).toBe(3);
    expect(stripped.stderr).toMatch(/vault\.json was changed outside Labvault: its settingsMac was removed/);
  }, 120_000);
});

describe('instant-restore clones of an encrypted vault on XFS', () => {
  const lab = new Lab('encrypted-clones');
  const xfs = useLoopFilesystem(lab.dir, 'xfs', { afterUnmount: () => lab.remove() });
  const mountPoint = xfs.mountPoint;

  it('keeps them beside the VM by default, never in the vault folder; off is honoured', async (context) => {
    xfs.skipUnlessMounted(context, 'the encrypted clones test');
    const vmDir = join(mountPoint, 'vm');
    mkdirSync(vmDir);
    const disk = join(vmDir, 'disk.raw');
    await writeRandomFile(disk, 8 * MIB);
    // The vault on the VM's own filesystem, where a plain vault would keep its clones in <vault>/snapshots.
    const vaultDir = join(mountPoint, 'vault');
    const created = await lab.cliJson<{ instantRestoreClones?: boolean }>(['vault', 'create', '--name', 'encx', '--path', vaultDir, '--encrypt'], { env });
    expect(created.instantRestoreClones).toBe(true);
    expect(JSON.parse(readFileSync(join(vaultDir, 'vault.json'), 'utf8')).settings).not.toHaveProperty('instantRestoreClones');
    await lab.cliJson(['protect', '--vault', 'encx', '--name', 'vm-x', disk], { env });
    const backup = await lab.cli(['backup', 'vm-x', '--json'], { env });
    expect(backup.code, backup.stderr).toBe(0);
    const [point] = await lab.cliJson<Point[]>(['points', 'list', 'vm-x'], { env });
    expect(point?.tiers).toEqual(['snapshot', 'vault']);
    expect(filesUnder(join(vaultDir, 'snapshots'))).toEqual([]);
    expect(filesUnder(join(vmDir, '.labvault-snapshots'))).toHaveLength(1);
    const shown = await lab.cli(['vault', 'show', 'encx'], { env });
    expect(shown.stdout).toMatch(/Instant-restore clones: on \(beside the VM only, never in the vault folder\)/);

    const off = await lab.cliJson<{ instantRestoreClones?: boolean }>(['vault', 'update', 'encx', '--instant-restore-clones', 'off'], { env });
    expect(off.instantRestoreClones).toBe(false);
    const again = await lab.cli(['backup', 'vm-x', '--json'], { env });
    expect(again.code, again.stderr).toBe(0);
    const newest = (await lab.cliJson<Point[]>(['points', 'list', 'vm-x'], { env }))
      .find((entry) => entry.id === again.json<{ pointId: string }>().pointId);
    expect(newest?.tiers).toEqual(['vault']);
    expect(newest?.tierNote).toMatch(/^Vault tier only: instant-restore clones are turned off for this encrypted vault\./);
    expect(filesUnder(join(vmDir, '.labvault-snapshots'))).toHaveLength(1);

    // On again: no confirmation needed any more (the flag is still accepted).
    const on = await lab.cliJson<{ instantRestoreClones?: boolean }>(
      ['vault', 'update', 'encx', '--instant-restore-clones', 'on', '--confirm-plaintext-clones'], { env },
    );
    expect(on.instantRestoreClones).toBe(true);
    const third = await lab.cli(['backup', 'vm-x', '--json'], { env });
    expect(third.code, third.stderr).toBe(0);
    expect(filesUnder(join(vmDir, '.labvault-snapshots'))).toHaveLength(2);
    expect(filesUnder(join(vaultDir, 'snapshots'))).toEqual([]);
  }, 120_000);
});

/** Every blob of the vault with how to open it: magic and binding from its place and name. */
function sealedBlobs(vaultDir: string): Array<{ path: string; magic: Buffer; binding: BlobBinding }> {
  const data = join(vaultDir, 'data');
  const blobs: Array<{ path: string; magic: Buffer; binding: BlobBinding }> = [];
  for (const path of filesUnder(join(data, 'chunks'))) {
    blobs.push({ path, magic: CHUNK_BLOB_MAGIC, binding: chunkBinding(path.split('/').at(-1) as string) });
  }
  for (const path of filesUnder(join(data, 'indexes'))) {
    blobs.push({ path, magic: INDEX_BLOB_MAGIC, binding: indexBinding(path.split('/').at(-1) as string) });
  }
  for (const path of filesUnder(join(data, 'manifests'))) {
    const [pointId, itemId] = path.split('/').reverse() as [string, string];
    blobs.push({ path, magic: MANIFEST_BLOB_MAGIC, binding: manifestBinding(itemId, pointId) });
  }
  for (const path of filesUnder(join(data, 'records'))) {
    const [name, kind] = path.split('/').reverse() as [string, string];
    blobs.push({ path, magic: RECORD_BLOB_MAGIC, binding: recordBinding(kind, name.replace(/\.json$/, '')) });
  }
  return blobs;
}

async function opens(blob: { path: string; magic: Buffer; binding: BlobBinding }, keys: VaultKeys): Promise<boolean> {
  return decodeBlob(blob.magic, readFileSync(blob.path), keys, blob.path, blob.binding).then(() => true, () => false);
}

function encryptionOf(vaultDir: string): EncryptionSettings {
  return (JSON.parse(readFileSync(join(vaultDir, 'vault.json'), 'utf8')) as { store: { encryption: EncryptionSettings } }).store.encryption;
}

describe('vault rekey', () => {
  const lab = new Lab('rekey');

  afterAll(() => lab.remove());

  it('continues after a kill -9, then the old key opens nothing and every point restores bit-exact', async () => {
    const vaultDir = join(lab.dir, 'vault');
    await lab.cliJson(['vault', 'create', '--name', 'rk', '--path', vaultDir, '--encrypt'], { env });
    const disk = join(lab.vmDir, 'disk.raw');
    await writeRandomFile(disk, 24 * MIB);
    await lab.cliJson(['protect', '--vault', 'rk', '--name', 'vm-r', disk], { env });
    const expected = new Map<string, string>();
    for (let round = 0; round < 3; round += 1) {
      if (round > 0) await overwriteRandom(disk, round * 4 * MIB, 6 * MIB);
      const backup = await lab.cli(['backup', 'vm-r', '--json'], { env });
      expect(backup.code, backup.stderr).toBe(0);
      expected.set(backup.json<{ pointId: string }>().pointId, await sha256File(disk));
    }
    const oldKeys = await unlock(encryptionOf(vaultDir), PASSPHRASE);
    const before = sealedBlobs(vaultDir);
    expect(before.length).toBeGreaterThan(20);
    for (const blob of before) expect(await opens(blob, oldKeys), blob.path).toBe(true);

    // Kill the first rekey once it reports a rewritten point.
    const first = startCli(lab.home, ['vault', 'rekey', 'rk'], { env });
    let killed = false;
    for (let poll = 0; poll < 60_000 && !killed; poll += 1) {
      if (first.output().stderr.includes('rewrote point 1 of')) {
        first.child.kill('SIGKILL');
        killed = true;
      }
      if (first.child.exitCode !== null) break;
      await sleep(2);
    }
    const firstResult = await first.result;
    expect(killed, `rekey ended before it could be killed: ${firstResult.stderr}`).toBe(true);
    expect(firstResult.signal).toBe('SIGKILL');
    expect(existsSync(join(vaultDir, '.rekey', 'rekey.json'))).toBe(true);
    // Meanwhile the vault still restores (its data is untouched until the rekey finishes).
    const [somePoint] = [...expected.keys()];
    const midway = join(lab.dir, 'restore-midway');
    const restoreMidway = await lab.cli(['restore', 'disks', 'vm-r', '--point', somePoint as string, '--to', midway, '--json'], { env });
    expect(restoreMidway.code, restoreMidway.stderr).toBe(0);
    expect(await sha256File(join(midway, 'disk.raw'))).toBe(expected.get(somePoint as string));

    const second = await lab.cli(['vault', 'rekey', 'rk', '--json'], { env });
    expect(second.code, second.stderr).toBe(0);
    expect(second.json()).toMatchObject({ rekeyed: true, points: 3, resumed: true });
    expect(existsSync(join(vaultDir, '.rekey'))).toBe(false);

    const newKeys = await unlock(encryptionOf(vaultDir), PASSPHRASE);
    const after = sealedBlobs(vaultDir);
    expect(after.length).toBeGreaterThan(20);
    for (const blob of after) {
      expect(await opens(blob, oldKeys), `old key opens ${blob.path}`).toBe(false);
      expect(await opens(blob, newKeys), `new key opens ${blob.path}`).toBe(true);
    }
    const chunkNames = (blobs: typeof before) => new Set(blobs.filter((blob) => blob.magic === CHUNK_BLOB_MAGIC).map((blob) => blob.binding));
    const common = [...chunkNames(after)].filter((name) => chunkNames(before).has(name));
    expect(common).toEqual([]);

    const points = await lab.cliJson<Point[]>(['points', 'list', 'vm-r'], { env });
    expect(points.map((point) => point.id).sort()).toEqual([...expected.keys()].sort());
    for (const [pointId, sha] of expected) {
      const out = join(lab.dir, `restore-${pointId}`);
      const restore = await lab.cli(['restore', 'disks', 'vm-r', '--point', pointId, '--to', out, '--json'], { env });
      expect(restore.code, restore.stderr).toBe(0);
      expect(await sha256File(join(out, 'disk.raw'))).toBe(sha);
    }
    const verify = await lab.cli(['verify', 'rk', '--read-data'], { env });
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  }, 300_000);
});
