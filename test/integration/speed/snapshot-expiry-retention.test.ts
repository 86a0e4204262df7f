/**
 * The retention pass after each backup decides from the catalog's rows and probes a point's
 * clone folder only once its snapshot days are over (retention-pass.ts), yet still removes
 * every expired clone and keeps the others. On a loop-mounted XFS with reflink (root only;
 * skipped with the reason elsewhere): a point backed up, the clock moved past its snapshot
 * days, another backup: the first point's clone is removed (it restores from the vault, and
 * says so), the new point keeps its clone, and a second retention pass removes nothing more.
 */
import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../electron/engine/app/clock.ts';
import { Engine } from '../../../electron/engine/engine.ts';
import { applyRetention } from '../../../electron/engine/policy/retention-pass.ts';
import { makeTempDir, removeDir } from '../../support/disk-fixtures.ts';
import { useLoopFilesystem } from '../../support/loop-filesystem.ts';
import { seededBytes as bytes, writeAt } from '../../support/seeded-bytes.ts';

const MIB = 1024 * 1024;
const ITEM = 'expiring-vm';
const DAY_MS = 86_400_000;

describe('snapshot tier expiry in the retention pass', () => {
  const root = makeTempDir('labvault-snapshot-expiry-');
  const xfs = useLoopFilesystem(root, 'xfs', { afterUnmount: () => removeDir(root) });

  it('removes the clones past their days, and only those', async (context) => {
    xfs.skipUnlessMounted(context, 'the snapshot expiry test');
    const clock = new ManualClock('2026-05-04T10:00:00Z');
    const engine = new Engine({ face: 'cli', appHome: join(root, 'home'), clock });
    try {
      const vmDir = join(xfs.mountPoint, 'vm');
      mkdirSync(vmDir);
      const disk = join(vmDir, 'disk.raw');
      const fd = openSync(disk, 'w');
      ftruncateSync(fd, 16 * MIB);
      closeSync(fd);
      writeAt(disk, 0, bytes('boot', MIB));
      const vaultDir = join(xfs.mountPoint, 'vault');
      await engine.handlers.vaults.create({ name: 'expiry-vault', path: vaultDir });
      await engine.handlers.items.protect({ vault: 'expiry-vault', name: ITEM, files: [disk] });
      const itemId = (await engine.protection.resolve(ITEM)).record.id;
      const backup = async (): Promise<string> => {
        const job = await (await engine.backups.start(ITEM)).done;
        expect(job.status, job.error?.message).toBe('completed');
        return job.pointId as string;
      };
      const clone = (pointId: string) => join(vaultDir, 'snapshots', itemId, pointId);

      const first = await backup();
      expect(existsSync(clone(first))).toBe(true);
      // Past the default policy's 2 instant-restore days, within its 30 days of daily points.
      clock.advance(3 * DAY_MS);
      writeAt(disk, 4 * MIB, bytes('day four', MIB));
      const second = await backup();

      expect(existsSync(clone(first))).toBe(false);
      expect(existsSync(clone(second))).toBe(true);
      const points = await engine.handlers.points.list({ item: ITEM });
      expect(points.find((point) => point.id === first)).toMatchObject({
        tiers: ['vault'], tierNote: expect.stringMatching(/snapshot of this point has expired/),
      });
      expect(points.find((point) => point.id === second)?.tiers).toEqual(['snapshot', 'vault']);
      const again = await applyRetention(engine, await engine.vaults.session('expiry-vault'), clock.now());
      expect(again).toMatchObject({ snapshotsRemoved: 0, kept: 2, expired: [] });
    } finally {
      // Closed here, before the filesystem is unmounted (the catalog and clones live on it).
      await engine.close();
    }
  });
});
