/**
 * Change tracking between reflink clones (backup/clone-change-tracking.ts) never misses a
 * changed block. On a loop-mounted XFS with reflink and on a loop-mounted btrfs (root only;
 * each skipped with the reason elsewhere), a sparse raw disk is protected and backed up through the engine, then
 * changed in every way a guest or a user can change it: scattered 4 KiB writes (into data
 * and into holes), truncation (shrink, then grow), holes punched, a write with size and
 * mtime put back, a region rewritten with the bytes it already had, the file replaced by
 * a reflinked copy of the previous clone with one change, and the previous clone itself
 * modified. After each backup the point's index must equal, chunk by chunk, the index a
 * full read of the point's clone gives in a second vault (no hole map, no tracking), and
 * the clone must equal the live file. Unchanged chunks are not read (bytesTracked > 0)
 * where the evidence holds (an unchanged file: its whole size, the previous index taken as it
 * is), and none are reused when the previous clone changed.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, constants, existsSync, mkdirSync, readFileSync, renameSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Job } from '../../../shared/contract/item-models.ts';
import { ManualClock } from '../../../electron/engine/app/clock.ts';
import { Engine } from '../../../electron/engine/engine.ts';
import type { VaultStore } from '../../../electron/engine/vault/store/index.ts';
import { CHANGE_TRACKING_DIR } from '../../../electron/engine/backup/clone-tracking-record.ts';
import { makeTempDir, removeDir } from '../../support/disk-fixtures.ts';
import { useLoopFilesystem, writeSparseDisk, type LoopFilesystemKind } from '../../support/loop-filesystem.ts';
import { makeVault, type TestVault } from '../../unit/vault-store/store-test-kit.ts';
import { seededBytes as bytes, writeAt } from '../../support/seeded-bytes.ts';
import { expectPointIsFullRead, sha256File } from '../../support/full-read-reference.ts';

const MIB = 1024 * 1024;
const SIZE = 128 * MIB;
const ITEM = 'tracked-vm';
const VAULT = 'xfs-vault';
const TRANSFER = 'Transfer data to vault';

/** A small deterministic generator (xorshift32), so a failing run can be replayed. */
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

describe.each<LoopFilesystemKind>(['xfs', 'btrfs'])('change tracking between reflink clones on %s', (kind) => {
  const root = makeTempDir('labvault-tracking-');
  const loop = useLoopFilesystem(root, kind, { afterUnmount: () => removeDir(root) });
  let engine: Engine | undefined;
  let reference: TestVault | undefined;
  const clock = new ManualClock('2026-05-04T10:00:00Z');

  afterAll(async () => {
    await engine?.close();
    await reference?.store.close();
    reference?.cleanup();
  });

  it('reads only changed chunks and never misses one', async (context) => {
    loop.skipUnlessMounted(context, 'the change tracking test');
    try {
      const vmDir = join(loop.mountPoint, 'vm');
      mkdirSync(vmDir);
      const disk = join(vmDir, 'disk.raw');
      writeSparseDisk(disk, SIZE, [
        { offset: 0, seed: 'boot', length: 3 * MIB },
        { offset: 20 * MIB + 4096, seed: 'fs', length: 9 * MIB },
        { offset: 70 * MIB, seed: 'data', length: 12 * MIB },
        { offset: SIZE - 2 * MIB, seed: 'tail', length: 2 * MIB },
      ]);

      const appHome = join(root, 'home');
      const vaultDir = join(loop.mountPoint, 'vault');
      engine = new Engine({ face: 'cli', appHome, clock });
      await engine.handlers.vaults.create({ name: VAULT, path: vaultDir });
      await engine.handlers.items.protect({ vault: VAULT, name: ITEM, files: [disk] });
      const session = await engine.vaults.session(VAULT);
      const store: VaultStore = await engine.keyring.store(session);
      const itemId = (await engine.protection.resolve(ITEM)).record.id;
      reference = await makeVault({ settings: { chunkSize: MIB } });
      const refStore = reference.store;

      /** Backs up, checks the point against a full read of its clone, returns the transfer's figures. */
      const backupAndCheck = async (label: string): Promise<{ job: Job; tracked: number; read: number; clone: string }> => {
        clock.advance(60_000);
        const running = await (engine as Engine).backups.start(ITEM);
        const job = await running.done;
        expect(job.status, `${label}: ${job.error?.message ?? ''}`).toBe('completed');
        const pointId = job.pointId as string;
        const clone = join(vaultDir, 'snapshots', itemId, pointId, 'disk.raw');
        expect(existsSync(clone), `${label}: clone`).toBe(true);
        expect(sha256File(clone), `${label}: the clone is the live file`).toBe(sha256File(disk));
        await expectPointIsFullRead(store, refStore, itemId, pointId, clone, label);
        const transfer = job.subtasks.find((subtask) => subtask.name === TRANSFER);
        return { job, tracked: transfer?.bytesTracked ?? 0, read: transfer?.bytesRead ?? 0, clone };
      };

      // Point 1: everything is read; the clone's identity is recorded in the app home.
      const first = await backupAndCheck('first backup');
      expect(first.tracked).toBe(0);
      expect(existsSync(join(appHome, CHANGE_TRACKING_DIR, session.config.id, `${itemId}.json`))).toBe(true);

      // Unchanged: the whole clone shares the previous clone's blocks, so the previous index is taken as it is,
      // the clone never opened (the whole size counts as tracked, holes included); the next steps track from it.
      const same = await backupAndCheck('unchanged');
      expect(same.tracked).toBe(SIZE);
      const again = await backupAndCheck('unchanged again');
      expect(again.tracked).toBe(SIZE);

      // Scattered 4 KiB writes, into data and into holes.
      const random = generator(15);
      for (let n = 0; n < 24; n += 1) {
        const offset = Math.floor(random() * (SIZE / 4096 - 1)) * 4096;
        writeAt(disk, offset, bytes(`scatter-${n}`, 4096));
      }
      const scattered = await backupAndCheck('random 4 KiB writes');
      expect(scattered.tracked).toBeGreaterThan(0);

      // Truncation: shrink into the data (mid-block), then grow back.
      truncateSync(disk, 75 * MIB + 3000);
      await backupAndCheck('shrunk');
      truncateSync(disk, SIZE);
      await backupAndCheck('grown');
      writeAt(disk, 90 * MIB, bytes('after-grow', 2 * MIB));
      await backupAndCheck('written after growing');

      // Holes punched: 4 KiB inside a data chunk, and a whole MiB.
      execFileSync('xfs_io', ['-c', `fpunch ${1 * MIB + 8192} 4096`, '-c', `fpunch ${22 * MIB} ${MIB}`, disk]);
      const punched = await backupAndCheck('holes punched');
      expect(punched.tracked).toBeGreaterThan(0);

      // One block changed, size and mtime put back (ctime moves, the clone's extents move).
      const before = statSync(disk, { bigint: true });
      const stamp = join(root, 'mtime-reference');
      execFileSync('touch', ['-r', disk, stamp]);
      writeAt(disk, 25 * MIB + 12_288, bytes('sneaky', 4096));
      execFileSync('touch', ['-m', '-r', stamp, disk]);
      expect(statSync(disk, { bigint: true }).mtimeNs).toBe(before.mtimeNs);
      expect(BigInt(statSync(disk).size)).toBe(before.size);
      const sneaky = await backupAndCheck('write with size and mtime restored');
      expect(sneaky.tracked).toBeGreaterThan(0);

      // A region rewritten with the bytes it already held: new blocks, same content.
      const region = readFileSync(disk).subarray(71 * MIB, 73 * MIB);
      writeAt(disk, 71 * MIB, Buffer.from(region));
      await backupAndCheck('region rewritten unchanged');

      // The file replaced by a reflinked copy of the previous clone with one change.
      const previousClone = (await backupAndCheck('before the replacement')).clone;
      const replacement = join(vmDir, 'disk.raw.new');
      copyFileSync(previousClone, replacement, constants.COPYFILE_FICLONE_FORCE);
      writeAt(replacement, 2 * MIB + 4096, bytes('replaced', 4096));
      renameSync(replacement, disk);
      const replaced = await backupAndCheck('replaced by a reflinked copy');
      expect(replaced.tracked).toBeGreaterThan(0);

      // The previous clone modified (its ctime moves): no reuse at all, still exact.
      writeAt(replaced.clone, 80 * MIB, bytes('tamper', 4096));
      writeAt(disk, 81 * MIB, bytes('live', 4096));
      const tampered = await backupAndCheck('previous clone modified');
      expect(tampered.tracked).toBe(0);

      // The tampered point's own clone, read whole, is the evidence for the next backup.
      const after = await backupAndCheck('after the tampered point');
      expect(after.tracked).toBeGreaterThan(0);
    } finally {
      // Closed here, before the filesystem is unmounted (the catalog and clones live on it).
      await engine?.close();
      engine = undefined;
    }
  });
});
