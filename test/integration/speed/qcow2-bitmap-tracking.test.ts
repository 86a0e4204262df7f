/**
 * qcow2 dirty bitmap change tracking (backup/qcow2-bitmap-tracking.ts) never misses a
 * changed block. A qcow2 image with data is protected with LABVAULT_CHANGE_TRACKING=
 * qcow2-bitmap and backed up through the engine, then changed with qemu-io and qemu-img
 * in every way a guest or a user changes one: scattered 4 KiB and 64 KiB guest writes,
 * writes that allocate new clusters (the file grows), discards, an internal snapshot then
 * writes (copy on write), a resize; and by programs that do not keep bitmaps (autoclear
 * bit cleared, bitmap marked in use, each with a dd into the data keeping size and mtime),
 * the bitmap removed, renamed or its granularity edited.
 *
 * After each backup the point's index must equal, chunk for chunk, the index of a full
 * read of exactly the bytes the backup read. Those bytes are rebuilt: the test copies the
 * image right before the backup and runs on the copy the one command the backup ran on
 * the live image before reading it (`qemu-img bitmap --add --enable` of the point's
 * bitmap; qemu-img is deterministic), because after the backup the live image has already
 * lost the previous point's bitmap. Where the evidence holds the shortcut must have
 * skipped most chunks; where it does not, it must have reused none.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Job } from '../../../shared/contract/item-models.ts';
import { ManualClock } from '../../../electron/engine/app/clock.ts';
import { Engine } from '../../../electron/engine/engine.ts';
import type { VaultStore } from '../../../electron/engine/vault/store/index.ts';
import { makeTempDir, qemuImg, removeDir, requireQemuImg } from '../../support/disk-fixtures.ts';
import { makeVault, type TestVault } from '../../unit/vault-store/store-test-kit.ts';
import { expectPointIsFullRead } from '../../support/full-read-reference.ts';

const hasQemu = requireQemuImg();
const MIB = 1024 * 1024;
const KIB = 1024;
const VIRTUAL = 64 * MIB;
const ITEM = 'bitmap-vm';
const VAULT = 'bitmap-vault';
const TRANSFER = 'Transfer data to vault';
const BITMAPS_EXTENSION = 0x23852875;

function generator(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 2 ** 32;
  };
}

function qemuIo(path: string, ...commands: string[]): void {
  execFileSync('qemu-io', ['-f', 'qcow2', ...commands.flatMap((command) => ['-c', command]), path], { stdio: 'ignore' });
}

/** Where the bitmaps extension's data and the directory lie in the image. */
function bitmapDirectory(bytes: Buffer): { extension: number; directory: number } {
  let at = bytes.readUInt32BE(100);
  for (let guard = 0; guard < 64; guard += 1) {
    const type = bytes.readUInt32BE(at);
    if (type === 0) break;
    if (type === BITMAPS_EXTENSION) return { extension: at + 8, directory: Number(bytes.readBigUInt64BE(at + 8 + 16)) };
    at += 8 + Math.ceil(bytes.readUInt32BE(at + 4) / 8) * 8;
  }
  throw new Error('no bitmaps extension');
}

/** Offsets of every bitmap directory entry (each 24 bytes, extra data and name, padded to 8). */
function bitmapEntries(bytes: Buffer): number[] {
  const { extension, directory } = bitmapDirectory(bytes);
  const count = bytes.readUInt32BE(extension);
  const entries: number[] = [];
  let at = directory;
  for (let n = 0; n < count; n += 1) {
    entries.push(at);
    at += Math.ceil((24 + bytes.readUInt32BE(at + 20) + bytes.readUInt16BE(at + 18)) / 8) * 8;
  }
  return entries;
}

/** Edits bytes of the image in place, keeping its size and mtime (what a careless tool could do). */
function editKeepingMtime(path: string, edit: (bytes: Buffer) => void): void {
  const before = statSync(path, { bigint: true });
  const stamp = `${path}.mtime`;
  execFileSync('touch', ['-r', path, stamp]);
  const bytes = readFileSync(path);
  edit(bytes);
  writeFileSync(path, bytes);
  execFileSync('touch', ['-m', '-r', stamp, path]);
  const after = statSync(path, { bigint: true });
  expect(after.mtimeNs).toBe(before.mtimeNs);
  expect(after.size).toBe(before.size);
}

/** A guest data cluster's host offset (first L2 table's entry `index`), for a dd that bypasses qcow2. */
function hostOfGuestCluster(bytes: Buffer, index: number): number {
  const l1 = Number(bytes.readBigUInt64BE(40));
  const l2 = Number(bytes.readBigUInt64BE(l1) & 0x00fffffffffffe00n);
  return Number(bytes.readBigUInt64BE(l2 + index * 8) & 0x00fffffffffffe00n);
}

/** The names of the image's bitmaps, as qemu-img reports them. */
function named(path: string): string[] {
  const info = JSON.parse(qemuImg(['info', '--output=json', path])) as {
    'format-specific': { data: { bitmaps?: Array<{ name: string }> } };
  };
  return (info['format-specific'].data.bitmaps ?? []).map((bitmap) => bitmap.name);
}

describe.skipIf(!hasQemu)('qcow2 dirty bitmap change tracking', () => {
  const root = makeTempDir('labvault-bitmaps-');
  let engine: Engine | undefined;
  let reference: TestVault | undefined;
  const clock = new ManualClock('2026-05-04T10:00:00Z');

  afterAll(async () => {
    await engine?.close();
    await reference?.store.close();
    reference?.cleanup();
    removeDir(root);
  });

  it('reads only changed chunks and never misses one', async () => {
    const disk = join(root, 'disk.qcow2');
    qemuImg(['create', '-q', '-f', 'qcow2', disk, String(VIRTUAL)]);
    qemuIo(disk, 'write -P 0x11 0 12M', 'write -P 0x22 16M 10M', 'write -P 0x33 40M 8M');

    const appHome = join(root, 'home');
    engine = new Engine({ face: 'cli', appHome, clock, env: { ...process.env, LABVAULT_CHANGE_TRACKING: 'qcow2-bitmap' } });
    await engine.handlers.vaults.create({ name: VAULT, path: join(root, 'vault') });
    await engine.handlers.items.protect({ vault: VAULT, name: ITEM, files: [disk] });
    const session = await engine.vaults.session(VAULT);
    const store: VaultStore = await engine.keyring.store(session);
    const itemId = (await engine.protection.resolve(ITEM)).record.id;
    reference = await makeVault({ settings: { chunkSize: store.chunkSize } });
    const refStore = reference.store;
    let step = 0;

    /** Backs up; checks the point against a full read of the bytes the backup read; returns the figures. */
    const backupAndCheck = async (label: string): Promise<{ job: Job; bitmap: number; read: number; size: number }> => {
      step += 1;
      const expected = join(root, `expected-${step}.qcow2`);
      copyFileSync(disk, expected);
      clock.advance(60_000);
      const job = await (await (engine as Engine).backups.start(ITEM)).done;
      expect(job.status, `${label}: ${job.error?.message ?? ''}`).toBe('completed');
      const pointId = job.pointId as string;
      try {
        qemuImg(['bitmap', '--add', '--enable', expected, `labvault-${pointId}`]);
      } catch {
        // The backup's own add failed the same way (an image qemu-img refuses): it read the image as it was.
      }
      const { file } = await expectPointIsFullRead(store, refStore, itemId, pointId, expected, label);
      const transfer = job.subtasks.find((subtask) => subtask.name === TRANSFER);
      const bitmap = transfer?.bytesTrackedBitmap ?? 0;
      return { job, bitmap, read: transfer?.bytesRead ?? 0, size: file.size };
    };

    // Point 1: read whole (nothing recorded yet); its bitmap is added, the evidence recorded.
    const first = await backupAndCheck('first backup');
    expect(first.bitmap).toBe(0);

    // Unchanged guest: all the data is proven unchanged.
    const same = await backupAndCheck('unchanged');
    expect(same.bitmap).toBeGreaterThanOrEqual(27 * MIB);

    // Scattered 4 KiB guest writes, into data and into unallocated space (new clusters: the file grows).
    const random = generator(15);
    const writes: string[] = [];
    for (let n = 0; n < 16; n += 1) writes.push(`write -P ${0x40 + n} ${Math.floor(random() * (VIRTUAL / 4096 - 1)) * 4096} 4k`);
    const sizeBefore = statSync(disk).size;
    qemuIo(disk, ...writes);
    expect(statSync(disk).size).toBeGreaterThan(sizeBefore);
    const scattered = await backupAndCheck('random 4 KiB writes');
    expect(scattered.bitmap).toBeGreaterThan(scattered.size / 3);

    // 64 KiB writes.
    const wide: string[] = [];
    for (let n = 0; n < 8; n += 1) wide.push(`write -P ${0x60 + n} ${Math.floor(random() * (VIRTUAL / (64 * KIB) - 1)) * 64 * KIB} 64k`);
    qemuIo(disk, ...wide);
    const sixtyFour = await backupAndCheck('64 KiB writes');
    expect(sixtyFour.bitmap).toBeGreaterThan(sixtyFour.size / 3);

    // Discards (the clusters are freed), then a write that may reuse a freed cluster.
    qemuIo(disk, 'discard 2M 1M', 'discard 17M 64k');
    await backupAndCheck('discard');
    qemuIo(disk, 'write -P 0x77 60M 128k');
    const afterDiscard = await backupAndCheck('write after discard');
    expect(afterDiscard.bitmap).toBeGreaterThan(0);

    // An internal snapshot, then writes: copy on write to new clusters, shared ones not proven.
    qemuImg(['snapshot', '-c', 'before-upgrade', disk]);
    qemuIo(disk, 'write -P 0x78 5M 64k', 'write -P 0x79 41M 4k');
    await backupAndCheck('snapshot then writes');
    qemuImg(['snapshot', '-d', 'before-upgrade', disk]);
    await backupAndCheck('snapshot deleted');

    // A program that does not keep bitmaps: autoclear bit cleared, and a dd into a data cluster, size and mtime kept.
    qemuIo(disk, 'write -P 0x7a 44M 4k');
    editKeepingMtime(disk, (bytes) => {
      bytes.writeBigUInt64BE(bytes.readBigUInt64BE(88) & ~1n, 88);
      bytes.fill(0xee, hostOfGuestCluster(bytes, 20), hostOfGuestCluster(bytes, 20) + 4096);
    });
    const cleared = await backupAndCheck('autoclear bit cleared, dd keeping size and mtime');
    expect(cleared.bitmap).toBe(0);
    const recovered = await backupAndCheck('after the full read');
    expect(recovered.bitmap).toBeGreaterThan(0);

    // The bitmap marked in use (the image was open in QEMU when it crashed), and a dd.
    qemuIo(disk, 'write -P 0x7b 45M 4k');
    editKeepingMtime(disk, (bytes) => {
      for (const entry of bitmapEntries(bytes)) bytes.writeUInt32BE(bytes.readUInt32BE(entry + 12) | 1, entry + 12);
      bytes.fill(0xdd, hostOfGuestCluster(bytes, 21), hostOfGuestCluster(bytes, 21) + 4096);
    });
    const inUse = await backupAndCheck('bitmap in use, dd keeping size and mtime');
    expect(inUse.bitmap).toBe(0);
    const afterInUse = await backupAndCheck('after the in-use bitmap');
    expect(afterInUse.bitmap).toBeGreaterThan(0);

    // The bitmap removed by the user.
    for (const name of named(disk)) qemuImg(['bitmap', '--remove', disk, name]);
    qemuIo(disk, 'write -P 0x7c 46M 4k');
    const removed = await backupAndCheck('bitmap removed');
    expect(removed.bitmap).toBe(0);
    await backupAndCheck('after the removal');

    // The bitmap renamed (same length, so only the name differs).
    qemuIo(disk, 'write -P 0x7d 47M 4k');
    editKeepingMtime(disk, (bytes) => {
      for (const entry of bitmapEntries(bytes)) bytes[entry + 24 + bytes.readUInt32BE(entry + 20)] = 'L'.charCodeAt(0);
    });
    const renamed = await backupAndCheck('bitmap renamed');
    expect(renamed.bitmap).toBe(0);
    await backupAndCheck('after the rename');

    // Granularity edited: a valid value (128 KiB) that shifts every bit, and one out of range.
    qemuIo(disk, 'write -P 0x7e 48M 4k');
    editKeepingMtime(disk, (bytes) => { for (const entry of bitmapEntries(bytes)) bytes[entry + 17] = 17; });
    const coarser = await backupAndCheck('granularity edited to 128 KiB');
    expect(coarser.bitmap).toBe(0);
    const afterEdit = await backupAndCheck('after the granularity edit');
    expect(afterEdit.bitmap).toBeGreaterThan(0);
    editKeepingMtime(disk, (bytes) => { for (const entry of bitmapEntries(bytes)) bytes[entry + 17] = 8; });
    const odd = await backupAndCheck('granularity out of range');
    expect(odd.bitmap).toBe(0);
    editKeepingMtime(disk, (bytes) => { for (const entry of bitmapEntries(bytes)) bytes[entry + 17] = 16; });

    // Resized: the virtual size differs from the recorded one.
    const restored = await backupAndCheck('granularity put back');
    expect(restored.bitmap).toBeGreaterThan(0);
    qemuImg(['resize', '-q', disk, String(VIRTUAL + 16 * MIB)]);
    qemuIo(disk, `write -P 0x7f ${VIRTUAL + MIB} 64k`);
    const resized = await backupAndCheck('resized');
    expect(resized.bitmap).toBe(0);
    const last = await backupAndCheck('after the resize');
    expect(last.bitmap).toBeGreaterThan(last.size / 3);
    // Labvault's bitmaps do not pile up: the image keeps only the last point's.
    expect(named(disk).filter((name) => name.startsWith('labvault-'))).toEqual([`labvault-${last.job.pointId as string}`]);
  }, 120_000);
});
