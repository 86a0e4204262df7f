/**
 * Verifying an instant-restore clone (restore-disks.ts verifyAgainstIndex) skips the holes the
 * filesystem reports and hashes the rest in the store's workers, and still catches every
 * difference from the point's index: data written into a hole, a hole punched into data, a
 * flipped byte, a changed size. Plain and encrypted (keyed chunk ids) vaults.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { makeVault, type TestVault } from '../../unit/vault-store/store-test-kit.ts';
import { verifyAgainstIndex } from '../../../electron/engine/restore/restore-disks.ts';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';

const MIB = 1024 * 1024;

function writeAt(path: string, offset: number, data: Buffer): void {
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, data, 0, data.length, offset);
  } finally {
    closeSync(fd);
  }
}

function bytes(seed: string, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let at = 0, n = 0; at < length; n += 1) at += createHash('sha256').update(`${seed}-${n}`).digest().copy(out, at);
  return out;
}

describe.each([false, true])('clone verification (encrypted vault: %s)', (encrypted) => {
  let vault: TestVault | undefined;
  afterEach(() => vault?.cleanup());

  it('passes the clone as backed up and fails every kind of difference', async () => {
    vault = await makeVault({ encrypted, settings: { chunkSize: MIB } });
    const disk = join(vault.dir, 'disk.raw');
    const fd = openSync(disk, 'w');
    ftruncateSync(fd, 96 * MIB);
    closeSync(fd);
    writeAt(disk, 3 * MIB, bytes('a', 2 * MIB));
    writeAt(disk, 70 * MIB + 5, bytes('b', 9000));
    const writer = await vault.store.beginWrite('test');
    const { indexId } = await vault.store.backupFile({ sourcePath: disk });
    await writer.release();
    const index = await vault.store.readIndex(indexId);
    const store = vault.store;
    const check = async (): Promise<string> => {
      const handle = await open(disk, 'r');
      let seen = 0;
      try {
        await verifyAgainstIndex(handle, disk, index, store, (count) => { seen += count; });
        expect(seen).toBe(index.fileSize);
        return 'ok';
      } catch (error) {
        if (error instanceof LabvaultError && error.code === ErrorCodes.CORRUPT) return error.message;
        throw error;
      } finally {
        await handle.close();
      }
    };
    expect(await check()).toBe('ok');

    writeAt(disk, 50 * MIB + 4096, Buffer.from([1]));
    expect(await check()).toMatch(/chunk 50 should be zeros/);
    execFileSync('fallocate', ['--punch-hole', '--offset', String(50 * MIB), '--length', String(MIB), disk]);
    expect(await check()).toBe('ok');

    execFileSync('fallocate', ['--punch-hole', '--offset', String(3 * MIB), '--length', String(MIB), disk]);
    expect(await check()).toMatch(/chunk 3 does not match/);
    writeAt(disk, 3 * MIB, bytes('a', MIB));
    expect(await check()).toBe('ok');

    const original = bytes('b', 9000);
    writeAt(disk, 70 * MIB + 6, Buffer.from([original[1]! ^ 0x80]));
    expect(await check()).toMatch(/chunk 70 does not match/);
    writeAt(disk, 70 * MIB + 6, original.subarray(1, 2));
    expect(await check()).toBe('ok');

    execFileSync('truncate', ['--size', String(97 * MIB), disk]);
    expect(await check()).toMatch(/has 101711872 bytes; the point's index says 100663296/);
  });
});
