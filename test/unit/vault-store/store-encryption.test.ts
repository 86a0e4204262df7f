import { describe, it, expect, afterEach } from 'vitest';
import { writeFileSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { deterministicBytes } from '../../support/disk-fixtures.ts';
import { VaultStore, unlock, changePassphrase } from '../../../electron/engine/vault/store/index.ts';
import { makeVault, backupPoint, restoreAndCompare, TEST_CHUNK } from './store-test-kit.ts';
import type { TestVault } from './store-test-kit.ts';

let vault: TestVault | undefined;
afterEach(() => vault?.cleanup());

function allFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => e.isDirectory() ? allFiles(join(dir, e.name)) : [join(dir, e.name)]);
}

const MARKER = 'LABVAULT-SECRET-MARKER-7f3a';

function markerFile(path: string): string {
  const text = Buffer.from(`${MARKER} this line is compressible plaintext\n`.repeat(20000));
  writeFileSync(path, Buffer.concat([text, deterministicBytes(3 * TEST_CHUNK, 4)]));
  return path;
}

describe('encrypted vault', () => {
  it('round-trips, and no plaintext marker or plaintext chunk id appears anywhere under the vault', async () => {
    vault = await makeVault({ encrypted: true });
    const { dir, store } = vault;
    const src = markerFile(join(dir, 'secret.bin'));
    const { files } = await backupPoint(store, 'vm1', 'p1', [src]);
    await restoreAndCompare(store, 'vm1', 'p1', dir, { 'secret.bin': src });
    const { createHash } = await import('node:crypto');
    const plainId = createHash('sha256').update(readFileSync(src).subarray(0, TEST_CHUNK)).digest('hex');
    for (const file of allFiles(join(store.dir, 'data'))) {
      const bytes = readFileSync(file);
      expect(bytes.includes(MARKER), file).toBe(false);
      expect(file.includes(plainId)).toBe(false);
    }
    expect(files[0]!.indexId).not.toBe(createHash('sha256').update((await store.readIndex(files[0]!.indexId)).encode()).digest('hex'));
    expect((await store.verify({ readData: true })).ok).toBe(true);
  });

  it('rejects a wrong passphrase with BAD_PASSPHRASE and opens with the right one', async () => {
    vault = await makeVault({ encrypted: true, passphrase: 'right one' });
    const enc = vault.settings.encryption!;
    await expect(unlock(enc, 'wrong one')).rejects.toMatchObject({ code: 'BAD_PASSPHRASE' });
    await expect(VaultStore.open(vault.store.dir, vault.settings)).rejects.toMatchObject({ code: 'BAD_PASSPHRASE' });
    const keys = await unlock(enc, 'right one');
    const reopened = await VaultStore.open(vault.store.dir, vault.settings, keys);
    expect(await reopened.listManifests()).toEqual([]);
  });

  it('changes the passphrase without rewriting data; old passphrase stops working', async () => {
    vault = await makeVault({ encrypted: true, passphrase: 'old pass' });
    const { dir, store } = vault;
    const src = markerFile(join(dir, 'a.bin'));
    await backupPoint(store, 'vm1', 'p1', [src]);
    const chunkTimes = allFiles(join(store.dir, 'data', 'chunks')).map((f) => statSync(f).mtimeMs);
    await expect(changePassphrase(vault.settings.encryption!, 'not it', 'new pass')).rejects.toMatchObject({ code: 'BAD_PASSPHRASE' });
    const next = await changePassphrase(vault.settings.encryption!, 'old pass', 'new pass');
    expect(next.wrappedKey).not.toBe(vault.settings.encryption!.wrappedKey);
    await expect(unlock(next, 'old pass')).rejects.toMatchObject({ code: 'BAD_PASSPHRASE' });
    const settings = { ...vault.settings, encryption: next };
    const reopened = await VaultStore.open(store.dir, settings, await unlock(next, 'new pass'));
    await restoreAndCompare(reopened, 'vm1', 'p1', dir, { 'a.bin': src });
    expect(allFiles(join(store.dir, 'data', 'chunks')).map((f) => statSync(f).mtimeMs)).toEqual(chunkTimes);
  });

  it('detects tampered ciphertext in verify and on restore', async () => {
    vault = await makeVault({ encrypted: true });
    const { dir, store } = vault;
    const src = markerFile(join(dir, 'a.bin'));
    await backupPoint(store, 'vm1', 'p1', [src]);
    const chunk = allFiles(join(store.dir, 'data', 'chunks'))[0]!;
    const bytes = readFileSync(chunk);
    bytes[bytes.length - 40]! ^= 0x01;
    writeFileSync(chunk, bytes);
    const report = await store.verify({ readData: true });
    expect(report.ok).toBe(false);
    expect(report.problems[0]).toMatchObject({ kind: 'chunk-damaged', chunkId: chunk.split('/').at(-1), manifest: 'vm1/p1', file: 'a.bin' });
    expect(report.problems[0]!.message).toMatch(/authentication failed/);
    expect(report.affectedPoints).toEqual([{ itemId: 'vm1', pointId: 'p1', files: ['a.bin'] }]);
  });
});
