/**
 * A restore from the snapshot tier (a reflink clone of the point's clone) is verified
 * without re-reading the blocks this machine's change-tracking evidence proves unchanged
 * (restore/clone-restore-proof.ts), and only those. On a loop-mounted XFS with reflink and
 * on a loop-mounted btrfs (root only; each skipped with the reason elsewhere): the latest point restores bit-exact with
 * its data proven; an older point (no evidence for it) is re-hashed whole; and after the
 * point's clone was written to, the proof is refused and the re-hash finds the damage
 * (CORRUPT), so the shortcut can never hide a changed clone.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Job } from '../../../shared/contract/item-models.ts';
import { ManualClock } from '../../../electron/engine/app/clock.ts';
import { Engine } from '../../../electron/engine/engine.ts';
import { insideRanges } from '../../../electron/engine/restore/clone-restore-proof.ts';
import { makeTempDir, removeDir } from '../../support/disk-fixtures.ts';
import { useLoopFilesystem, writeSparseDisk, type LoopFilesystemKind } from '../../support/loop-filesystem.ts';
import { seededBytes as bytes, writeAt } from '../../support/seeded-bytes.ts';

const MIB = 1024 * 1024;
const SIZE = 64 * MIB;
const ITEM = 'proof-vm';
const PROVEN = /MiB proven by the clone's shared blocks/;

const sha256File = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('insideRanges', () => {
  it('answers whether a chunk lies wholly inside sorted ranges', () => {
    const ranges = [{ offset: 0, length: 4 * MIB }, { offset: 8 * MIB, length: 2 * MIB }];
    expect(insideRanges(ranges, 0, MIB)).toBe(true);
    expect(insideRanges(ranges, 3 * MIB, MIB)).toBe(true);
    expect(insideRanges(ranges, 3 * MIB + 1, MIB)).toBe(false);
    expect(insideRanges(ranges, 4 * MIB, MIB)).toBe(false);
    expect(insideRanges(ranges, 9 * MIB, MIB)).toBe(true);
    expect(insideRanges(ranges, 9 * MIB, MIB + 1)).toBe(false);
    expect(insideRanges([], 0, 1)).toBe(false);
  });
});

describe.each<LoopFilesystemKind>(['xfs', 'btrfs'])('restore from the snapshot tier on %s, proven by shared blocks', (kind) => {
  const root = makeTempDir('labvault-restore-proof-');
  const loop = useLoopFilesystem(root, kind, { afterUnmount: () => removeDir(root) });
  let engine: Engine | undefined;
  const clock = new ManualClock('2026-05-04T10:00:00Z');

  it('proves only what the evidence covers and never hides a changed clone', async (context) => {
    loop.skipUnlessMounted(context, 'the clone restore proof test');
    try {
      await provesOnlyWhatTheEvidenceCovers();
    } finally {
      // Closed here, before the filesystem is unmounted (the vault and clones live on it).
      await engine?.close();
      engine = undefined;
    }
  });

  async function provesOnlyWhatTheEvidenceCovers(): Promise<void> {
    const vmDir = join(loop.mountPoint, 'vm');
    mkdirSync(vmDir);
    const disk = join(vmDir, 'disk.raw');
    writeSparseDisk(disk, SIZE, [
      { offset: 0, seed: 'boot', length: 2 * MIB },
      { offset: 30 * MIB + 4096, seed: 'data', length: 9 * MIB },
    ]);
    engine = new Engine({ face: 'cli', appHome: join(root, 'home'), clock });
    const vaultDir = join(loop.mountPoint, 'vault');
    await engine.handlers.vaults.create({ name: 'proof-vault', path: vaultDir });
    await engine.handlers.items.protect({ vault: 'proof-vault', name: ITEM, files: [disk] });
    const itemId = (await engine.protection.resolve(ITEM)).record.id;

    const backup = async (): Promise<{ pointId: string; sha: string }> => {
      clock.advance(60_000);
      const job = await (await (engine as Engine).backups.start(ITEM)).done;
      expect(job.status, job.error?.message).toBe('completed');
      return { pointId: job.pointId as string, sha: sha256File(disk) };
    };
    const restore = async (pointId: string, to: string): Promise<Job> => {
      const running = await (engine as Engine).restores.startDisks({ item: ITEM, point: pointId, to: join(loop.mountPoint, to) });
      return running.done;
    };
    const messageOf = (job: Job): string => job.subtasks.map((subtask) => subtask.message ?? '').join(' ');

    const first = await backup();
    writeAt(disk, 31 * MIB, bytes('day two', MIB));
    const second = await backup();
    expect(second.sha).not.toBe(first.sha);

    // The latest point: its data chunks proven by the shared blocks, bit-exact.
    const latest = await restore(second.pointId, 'latest');
    expect(latest.status, latest.error?.message).toBe('completed');
    expect(messageOf(latest)).toMatch(PROVEN);
    expect(sha256File(join(loop.mountPoint, 'latest', 'disk.raw'))).toBe(second.sha);

    // An older point: no evidence of it on this machine, every chunk re-hashed.
    const older = await restore(first.pointId, 'older');
    expect(older.status, older.error?.message).toBe('completed');
    expect(messageOf(older)).not.toMatch(PROVEN);
    expect(sha256File(join(loop.mountPoint, 'older', 'disk.raw'))).toBe(first.sha);

    // Unchanged since: the point takes the previous index as it is (its clone is never read) and the
    // clone's identity is recorded from the extent map that proved it, so its restore is proven as well.
    const third = await backup();
    expect(third.sha).toBe(second.sha);
    const unchanged = await restore(third.pointId, 'unchanged');
    expect(unchanged.status, unchanged.error?.message).toBe('completed');
    expect(messageOf(unchanged)).toMatch(PROVEN);
    expect(sha256File(join(loop.mountPoint, 'unchanged', 'disk.raw'))).toBe(third.sha);

    // The latest point's clone written to (a new block, a new ctime): the proof is refused and
    // the re-hash finds the chunk that no longer matches the point.
    const clone = join(vaultDir, 'snapshots', itemId, third.pointId, 'disk.raw');
    writeAt(clone, 31 * MIB + 8192, Buffer.alloc(4096, 0x5a));
    const damaged = await restore(third.pointId, 'damaged');
    expect(damaged.status).toBe('failed');
    expect(damaged.error?.code).toBe('CORRUPT');
    expect(damaged.error?.message).toMatch(/chunk 31 does not match/);
  }
});
