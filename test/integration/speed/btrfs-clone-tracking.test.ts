/**
 * Change tracking between reflink clones where btrfs differs from XFS (the shared tests in
 * clone-change-tracking.test.ts run on both). On loop-mounted btrfs (root only; skipped with
 * the reason elsewhere), every point's index must equal, chunk by chunk, a full read of the
 * disk in a second vault (no hole map, no tracking):
 *  - compression (mounted compress-force=zstd): a compressed extent's address names the
 *    compressed extent, not the block at that offset, and btrfs marks it ENCODED; such
 *    extents are never proven, so changes in compressible data are caught, while the
 *    incompressible data beside them (stored plain) is still tracked;
 *  - no copy-on-write (chattr +C), as libvirt marks its storage folders on btrfs and as
 *    `qemu-img create -o nocow=on` marks a disk: btrfs clones such a file only into another
 *    no-copy-on-write file, and still writes a block shared with a clone to a new place, so
 *    the clones are made and changes tracked as anywhere else.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../electron/engine/app/clock.ts';
import { Engine } from '../../../electron/engine/engine.ts';
import type { VaultStore } from '../../../electron/engine/vault/store/index.ts';
import { existingPointSnapshot } from '../../../electron/engine/backup/snapshot-area.ts';
import { FIEMAP_FLAGS, readFileExtentMap } from '../../../electron/engine/fs/file-extent-map.ts';
import { makeTempDir, removeDir } from '../../support/disk-fixtures.ts';
import { useLoopFilesystem, writeSparseDisk, type LoopFilesystemOptions } from '../../support/loop-filesystem.ts';
import { makeVault, type TestVault } from '../../unit/vault-store/store-test-kit.ts';
import { seededBytes as bytes, writeAt } from '../../support/seeded-bytes.ts';
import { expectPointIsFullRead, sha256File } from '../../support/full-read-reference.ts';

const MIB = 1024 * 1024;
const SIZE = 64 * MIB;
const ITEM = 'btrfs-vm';
const TRANSFER = 'Transfer data to vault';


/** `length` bytes that compress well yet differ per 4 KiB block and per seed. */
function compressible(seed: string, length: number): Buffer {
  const out = Buffer.alloc(length, 0x61);
  for (let at = 0; at < length; at += 4096) out.write(`${seed} block ${at / 4096} `, at);
  return out;
}

interface Checked { tracked: number; clone: string }

/** One engine with one protected disk on the mounted btrfs, and a reference vault for full reads. */
function useTrackedDisk(name: string, options: LoopFilesystemOptions & { prepareVmDir?: (vmDir: string) => void }) {
  const root = makeTempDir(`labvault-btrfs-${name}-`);
  const loop = useLoopFilesystem(root, 'btrfs', { ...options, afterUnmount: () => removeDir(root) });
  const clock = new ManualClock('2026-05-04T10:00:00Z');
  let engine: Engine | undefined;
  let reference: TestVault | undefined;
  afterAll(async () => {
    await engine?.close();
    await reference?.store.close();
    reference?.cleanup();
  });

  /** Runs `steps` with a disk written by `fill` and a backup that checks each point against a full read. */
  async function run(
    context: { skip(note?: string): void }, fill: (disk: string) => void,
    steps: (disk: string, backup: (label: string) => Promise<Checked>) => Promise<void>,
  ): Promise<void> {
    loop.skipUnlessMounted(context, `the btrfs ${name} test`);
    try {
      const vmDir = join(loop.mountPoint, 'vm');
      mkdirSync(vmDir);
      options.prepareVmDir?.(vmDir);
      const disk = join(vmDir, 'disk.raw');
      fill(disk);
      const vaultDir = join(loop.mountPoint, 'vault');
      engine = new Engine({ face: 'cli', appHome: join(root, 'home'), clock });
      await engine.handlers.vaults.create({ name: 'btrfs-vault', path: vaultDir });
      await engine.handlers.items.protect({ vault: 'btrfs-vault', name: ITEM, files: [disk] });
      const store: VaultStore = await engine.keyring.store(await engine.vaults.session('btrfs-vault'));
      const itemId = (await engine.protection.resolve(ITEM)).record.id;
      reference = await makeVault({ settings: { chunkSize: MIB } });
      const refStore = reference.store;
      const backup = async (label: string): Promise<Checked> => {
        clock.advance(60_000);
        const job = await (await (engine as Engine).backups.start(ITEM)).done;
        expect(job.status, `${label}: ${job.error?.message ?? ''}`).toBe('completed');
        const pointId = job.pointId as string;
        const folder = existingPointSnapshot(vaultDir, itemId, pointId, [{ path: disk }]);
        expect(folder, `${label}: a clone folder (${job.subtasks.map((subtask) => subtask.message ?? '').join(' ')})`).not.toBeNull();
        const clone = join(folder as string, 'disk.raw');
        expect(sha256File(clone), `${label}: the clone is the live file`).toBe(sha256File(disk));
        await expectPointIsFullRead(store, refStore, itemId, pointId, clone, label);
        return { tracked: job.subtasks.find((subtask) => subtask.name === TRANSFER)?.bytesTracked ?? 0, clone };
      };
      await steps(disk, backup);
    } finally {
      // Closed here, before the filesystem is unmounted (the vault and clones live on it).
      await engine?.close();
      engine = undefined;
    }
  }
  return { run };
}

describe('change tracking on btrfs with compression', () => {
  const tracked = useTrackedDisk('compressed', { mountOptions: ['compress-force=zstd'] });

  it('never proves a compressed extent and still tracks the plain ones', async (context) => {
    await tracked.run(context, (disk) => {
      writeSparseDisk(disk, SIZE, [
        { offset: 0, seed: 'boot', length: 2 * MIB },
        { offset: 24 * MIB, seed: 'data', length: 8 * MIB },
      ]);
      writeAt(disk, 8 * MIB, compressible('text', 8 * MIB));
    }, async (disk, backup) => {
      const first = await backup('first backup');
      expect(first.tracked).toBe(0);
      // The test exercises what it says: the compressible region is in compressed (ENCODED) extents.
      const map = await readFileExtentMap(first.clone);
      expect(map?.extents.some((extent) => (extent.flags & FIEMAP_FLAGS.ENCODED) !== 0)).toBe(true);

      // Unchanged: the plain data and the holes are proven, the compressed extents read again.
      const same = await backup('unchanged');
      expect(same.tracked).toBeGreaterThan(0);
      expect(same.tracked).toBeLessThan(SIZE);

      // Writes into compressed data (same length, compressible again), into plain data, into a hole.
      writeAt(disk, 9 * MIB + 4096, compressible('changed', 4096));
      writeAt(disk, 15 * MIB, compressible('changed too', 64 * 1024));
      writeAt(disk, 25 * MIB + 8192, bytes('plain', 4096));
      writeAt(disk, 40 * MIB, bytes('in a hole', 4096));
      const changed = await backup('compressed and plain data changed');
      expect(changed.tracked).toBeGreaterThan(0);

      // A write with size and mtime put back, into compressed data only.
      const stamp = join(disk, '..', 'mtime-reference');
      execFileSync('touch', ['-r', disk, stamp]);
      writeAt(disk, 12 * MIB, compressible('sneaky', 4096));
      execFileSync('touch', ['-m', '-r', stamp, disk]);
      await backup('compressed data changed, mtime restored');
    });
  });
});

describe.each([
  { name: 'no-cow folder', folder: true },
  { name: 'no-cow disk', folder: false },
])('change tracking on btrfs without copy-on-write ($name)', ({ name, folder }) => {
  const tracked = useTrackedDisk(name.replace(/ /g, '-'), {
    // libvirt marks its storage folders so (every new file in them inherits it).
    prepareVmDir: folder ? (vmDir) => execFileSync('chattr', ['+C', vmDir]) : undefined,
  });

  it('clones the disk and never misses a changed block', async (context) => {
    await tracked.run(context, (disk) => {
      if (!folder) {
        // qemu-img create -o nocow=on: the attribute is set on the empty file, before any data.
        execFileSync('touch', [disk]);
        execFileSync('chattr', ['+C', disk]);
      }
      writeSparseDisk(disk, SIZE, [
        { offset: 0, seed: 'boot', length: 2 * MIB },
        { offset: 20 * MIB, seed: 'data', length: 12 * MIB },
      ]);
      expect(execFileSync('lsattr', [disk], { encoding: 'utf8' }).split(' ')[0]).toContain('C');
    }, async (disk, backup) => {
      const first = await backup('first backup');
      expect(first.tracked).toBe(0);
      const same = await backup('unchanged');
      expect(same.tracked).toBe(SIZE);
      // Writes into blocks the previous clone shares go to new blocks even without copy-on-write.
      for (let n = 0; n < 16; n += 1) writeAt(disk, 20 * MIB + n * 700 * 1024, bytes(`nocow-${n}`, 4096));
      writeAt(disk, 40 * MIB, bytes('hole', 4096));
      const changed = await backup('scattered writes');
      expect(changed.tracked).toBeGreaterThan(0);
      // The same blocks written again (no longer shared with anything but the new clone).
      for (let n = 0; n < 16; n += 1) writeAt(disk, 20 * MIB + n * 700 * 1024, bytes(`again-${n}`, 4096));
      const again = await backup('the same blocks written again');
      expect(again.tracked).toBeGreaterThan(0);
    });
  });
});
