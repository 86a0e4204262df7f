/**
 * Deduplication across items and points, incremental reuse, and the catalog rebuilt from
 * the vault's files equal to the live one; all through the CLI.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import type { Item, Job, Point, VaultStats } from '../../../shared/contract/item-models.ts';
import { Lab, MIB, expectSameFile, overwriteRandom, transferOf, writeRandomFile } from './vault-engine-kit.ts';
import { waitUntilSettled } from '../../support/settled-files.ts';

const lab = new Lab('dedup');
const DISK_SIZE = 50 * MIB;
let diskA: string;
let diskB: string;

const stats = () => lab.cliJson<VaultStats>(['vault', 'stats', 'dd']);

beforeAll(async () => {
  diskA = join(lab.vmDir, 'a', 'disk.raw');
  diskB = join(lab.vmDir, 'b', 'disk.raw');
  mkdirSync(join(lab.vmDir, 'a'));
  mkdirSync(join(lab.vmDir, 'b'));
  await writeRandomFile(diskA, DISK_SIZE);
  copyFileSync(diskA, diskB);
  await lab.createVault('dd');
  await lab.protect('dd', 'vm-a', [diskA]);
  await lab.protect('dd', 'vm-b', [diskB]);
  // Past the engine's same-tick margin, so the first backups can prove the disks unchanged later.
  waitUntilSettled([diskA, diskB]);
});

afterAll(() => lab.remove());

describe('dedup and incremental backups', () => {
  it('a second item with the same disk writes ~0 new bytes', async () => {
    const first = transferOf(await lab.backup('vm-a'));
    expect(first.bytesRead).toBe(DISK_SIZE);
    expect(first.bytesWritten).toBeGreaterThanOrEqual(DISK_SIZE); // random data does not compress
    const afterA = await stats();
    expect(afterA.chunks).toBe(DISK_SIZE / MIB);

    const second = transferOf(await lab.backup('vm-b'));
    expect(second.bytesRead).toBe(DISK_SIZE);
    expect(second.bytesWritten).toBeLessThan(64 * 1024);
    expect(second.bytesDeduplicated).toBe(DISK_SIZE);
    const afterB = await stats();
    expect(afterB.chunks).toBe(afterA.chunks);
    expect(afterB.storedBytes - afterA.storedBytes).toBeLessThan(64 * 1024);
    expect(afterB.logicalBytes).toBe(2 * DISK_SIZE);
    expect(afterB.perItem.map((item) => item.name).sort()).toEqual(['vm-a', 'vm-b']);
  });

  it('an unchanged file is not read again (bytesRead 0 in Transfer)', async () => {
    const before = await stats();
    const job = await lab.backup('vm-a');
    const transfer = transferOf(job);
    expect(transfer.bytesRead).toBe(0);
    expect(transfer.bytesWritten).toBe(0);
    // Only the new point's manifest is added (no chunk, no index).
    const after = await stats();
    expect(after.chunks).toBe(before.chunks);
    expect(after.storedBytes - before.storedBytes).toBeLessThan(16 * 1024);
    const points = await lab.points('vm-a');
    expect(points).toHaveLength(2);
    expect(points[0]?.storedBytes).toBe(0);
    expect(points[0]?.logicalBytes).toBe(DISK_SIZE);
  });

  it('2% of chunks changed: only those chunks are written', async () => {
    const before = await stats();
    // One chunk of 50 (2%): a 4 KiB write inside chunk 17. Keep the mtime moving forward.
    await overwriteRandom(diskA, 17 * MIB + 1000, 4096);
    const later = new Date(Date.now() + 5000);
    utimesSync(diskA, later, later);
    const transfer = transferOf(await lab.backup('vm-a'));
    expect(transfer.bytesRead).toBe(DISK_SIZE);
    expect(transfer.bytesWritten).toBeGreaterThan(MIB / 2);
    expect(transfer.bytesWritten).toBeLessThan(MIB + 64 * 1024);
    expect(transfer.bytesDeduplicated).toBe(DISK_SIZE - MIB);
    const after = await stats();
    expect(after.chunks).toBe(before.chunks + 1);
    // The newest point is complete for restore.
    const newest = (await lab.points('vm-a'))[0] as Point;
    const restored = await lab.restore('vm-a', newest.id);
    await expectSameFile(join(restored, 'disk.raw'), diskA);
  });

  it('the rebuilt catalog equals the live one (items, points, jobs)', async () => {
    const snapshot = async () => ({
      items: await lab.cliJson<Item[]>(['items', 'list']),
      pointsA: await lab.points('vm-a', true),
      pointsB: await lab.points('vm-b', true),
      jobs: await lab.cliJson<Job[]>(['jobs', 'list']),
    });
    const before = await snapshot();
    expect(before.jobs.length).toBeGreaterThanOrEqual(5);
    const rebuilt = await lab.cliJson<{ rebuilt: boolean; items: number; points: number; jobs: number }>(['vault', 'rebuild-catalog', 'dd']);
    expect(rebuilt).toMatchObject({ rebuilt: true, items: 2, points: 4 });
    const after = await snapshot();
    expect(after).toEqual(before);
  });
});
