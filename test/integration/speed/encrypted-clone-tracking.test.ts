/**
 * An encrypted vault gets the fast path of a plain one on a reflink filesystem, without
 * plaintext in its folder (vault/instant-restore-setting.ts, backup/snapshot-area.ts
 * captureAreas). On a loop-mounted XFS and btrfs (root only; skipped with the reason elsewhere), with
 * the vault on the same filesystem as the VM (where a plain vault would keep its clones in
 * <vault>/snapshots/):
 *  - a new encrypted vault writes no clone setting and keeps its clones beside the VM only;
 *  - after 2% of the disk's 1 MiB regions are rewritten in place, the backup reads only
 *    those (bytesTracked: the rest proven by shared blocks) and the point's index equals,
 *    chunk for chunk, a full read of the point's clone into the same vault;
 *  - a restore of the last point is a clone of its clone, proven by the shared blocks, and
 *    byte-identical;
 *  - a marker written into the disk is in the clone beside the VM and in no file under the
 *    vault folder;
 *  - turned off (an explicit false in vault.json) no clone is made; turned on again (no
 *    confirmation needed) the setting is removed from vault.json and clones come back;
 *  - an encrypted vault of the previous format version (vault.json without the setting)
 *    now gets clones beside the VM.
 */
import { closeSync, cpSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { createCipheriv, createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Job } from '../../../shared/contract/item-models.ts';
import { ManualClock } from '../../../electron/engine/app/clock.ts';
import { Engine } from '../../../electron/engine/engine.ts';
import type { VaultStore } from '../../../electron/engine/vault/store/index.ts';
import { CHANGE_TRACKING_DIR } from '../../../electron/engine/backup/clone-tracking-record.ts';
import { ENCRYPTED_CLONES_OFF_REASON } from '../../../electron/engine/vault/instant-restore-setting.ts';
import { makeTempDir, removeDir } from '../../support/disk-fixtures.ts';
import { useLoopFilesystem, type LoopFilesystemKind } from '../../support/loop-filesystem.ts';
import { writeAt } from '../../support/seeded-bytes.ts';
import { SAMPLE_PASSPHRASE } from '../compat/sample-vault-content.ts';
import { expectPointIsFullRead, sha256File } from '../../support/full-read-reference.ts';

const MIB = 1024 * 1024;
const SIZE = 128 * MIB;
const PASSPHRASE = 'encrypted clones test passphrase';
const MARKER = Buffer.from('labvault-plaintext-marker-4e1f9c');
const TRANSFER = 'Transfer data to vault';
const PROVEN = /MiB proven by the clone's shared blocks/;


function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Whether the file holds `needle`, read in bounded pieces (overlapping by the needle's length). */
function fileHolds(path: string, needle: Buffer): boolean {
  const fd = openSync(path, 'r');
  try {
    const piece = Buffer.alloc(4 * MIB);
    for (let offset = 0; ;) {
      const got = readSync(fd, piece, 0, piece.length, offset);
      if (got <= 0) return false;
      if (piece.subarray(0, got).includes(needle)) return true;
      if (got < piece.length) return false;
      offset += got - needle.length;
    }
  } finally {
    closeSync(fd);
  }
}

/** `length` bytes that look random, the same for the same seed (AES-256-CTR keystream: fast enough for 128 MiB). */
function bytes(seed: string, length: number): Buffer {
  const key = createHash('sha256').update(seed).digest();
  return createCipheriv('aes-256-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(length));
}

/** A disk of `size` bytes of seeded data with the marker at the start of every MiB. */
function writeDisk(path: string, size: number, seed: string): void {
  const fd = openSync(path, 'w');
  try {
    for (let offset = 0; offset < size; offset += MIB) {
      const region = bytes(`${seed}-${offset / MIB}`, MIB);
      MARKER.copy(region, 512);
      writeSync(fd, region, 0, region.length, offset);
    }
  } finally {
    closeSync(fd);
  }
}

function vaultJson(vaultDir: string): { settings: Record<string, unknown> } {
  return JSON.parse(readFileSync(join(vaultDir, 'vault.json'), 'utf8')) as { settings: Record<string, unknown> };
}

describe.each<LoopFilesystemKind>(['xfs', 'btrfs'])('instant-restore clones and change tracking of an encrypted vault on %s', (kind) => {
  const root = makeTempDir('labvault-encrypted-clones-');
  const loop = useLoopFilesystem(root, kind, { afterUnmount: () => removeDir(root) });
  const clock = new ManualClock('2026-05-04T10:00:00Z');
  let engine: Engine | undefined;

  const backup = async (item: string): Promise<Job> => {
    clock.advance(60_000);
    const job = await (await (engine as Engine).backups.start(item)).done;
    expect(job.status, `${item}: ${job.error?.message ?? ''}`).toBe('completed');
    return job;
  };
  const transferOf = (job: Job) => job.subtasks.find((subtask) => subtask.name === TRANSFER);

  it('tracks changes and restores from clones beside the VM, never with plaintext in the vault', async (context) => {
    loop.skipUnlessMounted(context, 'the encrypted clones test');
    try {
      engine = new Engine({ face: 'cli', appHome: join(root, 'home'), clock });
      await tracksAndRestores(engine);
      await explicitOffIsHonoured(engine);
      await previousFormatGetsClones(engine);
    } finally {
      // Closed here, before the filesystem is unmounted (the vaults and clones live on it).
      await engine?.close();
      engine = undefined;
    }
  });

  async function tracksAndRestores(lab: Engine): Promise<void> {
    const vmDir = join(loop.mountPoint, 'vm');
    mkdirSync(vmDir);
    const disk = join(vmDir, 'disk.raw');
    writeDisk(disk, SIZE, 'day one');
    const vaultDir = join(loop.mountPoint, 'vault');
    const created = await lab.handlers.vaults.create({ name: 'enc-xfs', path: vaultDir, passphrase: PASSPHRASE });
    expect(created.encrypted).toBe(true);
    expect(created.instantRestoreClones).toBe(true);
    expect(vaultJson(vaultDir).settings).not.toHaveProperty('instantRestoreClones');
    await lab.handlers.items.protect({ vault: 'enc-xfs', name: 'enc-vm', files: [disk] });
    const itemId = (await lab.protection.resolve('enc-vm')).record.id;
    const session = await lab.vaults.session('enc-xfs');
    const store: VaultStore = await lab.keyring.store(session);
    const cloneOf = (pointId: string) => join(vmDir, '.labvault-snapshots', itemId, pointId, 'disk.raw');

    const first = await backup('enc-vm');
    const appHome = join(root, 'home');
    expect(transferOf(first)?.bytesTracked ?? 0).toBe(0);
    expect(sha256File(cloneOf(first.pointId as string))).toBe(sha256File(disk));
    expect(existsSync(join(appHome, CHANGE_TRACKING_DIR, session.config.id, `${itemId}.json`))).toBe(true);

    // 2% of the 1 MiB regions rewritten in place (3 of 128, spread over the disk).
    for (const region of [7, 64, 121]) writeAt(disk, region * MIB, bytes(`day two-${region}`, MIB));
    const second = await backup('enc-vm');
    const pointId = second.pointId as string;
    const transfer = transferOf(second);
    expect(transfer?.bytesTracked ?? 0, 'proven unchanged, not read').toBeGreaterThanOrEqual(SIZE - 8 * MIB);
    // bytesRead counts the tracked bytes too (transfer-phase.ts): what was really read is the difference.
    expect((transfer?.bytesRead ?? SIZE) - (transfer?.bytesTracked ?? 0), 'read from the clone').toBeLessThanOrEqual(8 * MIB);
    const clone = cloneOf(pointId);
    expect(sha256File(clone), 'the clone is the live file').toBe(sha256File(disk));

    // The tracked point's index equals a full read of its clone (same vault, same keyed chunk ids).
    const { full } = await expectPointIsFullRead(store, store, itemId, pointId, clone, 'the tracked point');
    expect(full.bytesTracked ?? 0).toBe(0);

    // Restore of the last point: a clone of its clone, proven by the shared blocks, byte-identical.
    const restored = await (await lab.restores.startDisks({ item: 'enc-vm', point: pointId, to: join(loop.mountPoint, 'restored') })).done;
    expect(restored.status, restored.error?.message).toBe('completed');
    expect(restored.subtasks.map((subtask) => subtask.message ?? '').join(' ')).toMatch(PROVEN);
    expect(sha256File(join(loop.mountPoint, 'restored', 'disk.raw'))).toBe(sha256File(disk));

    // Plaintext: beside the VM, never in the vault folder (which shares the filesystem).
    expect(fileHolds(clone, MARKER), 'the clone beside the VM holds the marker').toBe(true);
    expect(existsSync(join(vaultDir, 'snapshots'))).toBe(false);
    const vaultFiles = filesUnder(vaultDir);
    expect(vaultFiles.length).toBeGreaterThan(10);
    for (const path of vaultFiles) expect(fileHolds(path, MARKER), path).toBe(false);
    const points = await lab.handlers.points.list({ item: 'enc-vm' });
    expect(points.find((point) => point.id === pointId)?.tiers).toEqual(['snapshot', 'vault']);
  }

  async function explicitOffIsHonoured(lab: Engine): Promise<void> {
    const vmDir = join(loop.mountPoint, 'vm');
    const itemId = (await lab.protection.resolve('enc-vm')).record.id;
    const vaultDir = join(loop.mountPoint, 'vault');
    const off = await lab.handlers.vaults.update({ name: 'enc-xfs', instantRestoreClones: false });
    expect(off.instantRestoreClones).toBe(false);
    expect(vaultJson(vaultDir).settings.instantRestoreClones).toBe(false);
    const before = readdirSync(join(vmDir, '.labvault-snapshots', itemId)).sort();
    const job = await backup('enc-vm');
    const point = (await lab.handlers.points.list({ item: 'enc-vm' })).find((entry) => entry.id === job.pointId);
    expect(point?.tiers).toEqual(['vault']);
    expect(point?.tierNote).toContain(`Vault tier only: ${ENCRYPTED_CLONES_OFF_REASON}.`);
    expect(readdirSync(join(vmDir, '.labvault-snapshots', itemId)).sort()).toEqual(before);
    expect(existsSync(join(vaultDir, 'snapshots'))).toBe(false);

    // On again, without a confirmation: "on" is the setting's absence in an encrypted vault.
    const on = await lab.handlers.vaults.update({ name: 'enc-xfs', instantRestoreClones: true });
    expect(on.instantRestoreClones).toBe(true);
    expect(vaultJson(vaultDir).settings).not.toHaveProperty('instantRestoreClones');
    const again = await backup('enc-vm');
    expect(existsSync(join(vmDir, '.labvault-snapshots', itemId, again.pointId as string, 'disk.raw'))).toBe(true);
    expect(existsSync(join(vaultDir, 'snapshots'))).toBe(false);
  }

  async function previousFormatGetsClones(lab: Engine): Promise<void> {
    const sample = fileURLToPath(new URL('../compat/format-v1/encrypted', import.meta.url));
    const vaultDir = join(loop.mountPoint, 'v1-vault');
    cpSync(sample, vaultDir, { recursive: true });
    expect(vaultJson(vaultDir).settings).not.toHaveProperty('instantRestoreClones');
    const opened = await lab.handlers.vaults.open({ path: vaultDir });
    await lab.handlers.vaults.unlock({ name: opened.name, passphrase: SAMPLE_PASSPHRASE });
    expect((await lab.handlers.vaults.show({ name: opened.name })).instantRestoreClones).toBe(true);
    const vmDir = join(loop.mountPoint, 'vm-v1');
    mkdirSync(vmDir);
    const disk = join(vmDir, 'disk.raw');
    writeDisk(disk, 16 * MIB, 'v1 disk');
    await lab.handlers.items.protect({ vault: opened.name, name: 'v1-vm', files: [disk] });
    const itemId = (await lab.protection.resolve('v1-vm')).record.id;
    const job = await backup('v1-vm');
    const clone = join(vmDir, '.labvault-snapshots', itemId, job.pointId as string, 'disk.raw');
    expect(sha256File(clone)).toBe(sha256File(disk));
    expect(existsSync(join(vaultDir, 'snapshots'))).toBe(false);
    for (const path of filesUnder(vaultDir)) expect(fileHolds(path, MARKER), path).toBe(false);
    expect(vaultJson(vaultDir).settings).not.toHaveProperty('instantRestoreClones');
  }
});
