/**
 * The Snapshot phase's two paths, through the CLI:
 *  - reflink, on a loop-mounted XFS (root only; skipped with the reason elsewhere): the
 *    point has tiers ["snapshot", "vault"], its clone exists, writes to the VM during the
 *    transfer do not matter, and a restore uses the clone (it succeeds with a vault chunk
 *    removed) and is bit-exact, also after a catalog rebuild (which keeps the snapshot
 *    tier's expiry); restored to another filesystem it comes from the vault, still sparse;
 *    the clone of a backup killed mid-transfer is removed by the next backup;
 *  - identity check, on this machine's ordinary filesystem: tiers ["vault"] with the reason,
 *    and a file modified during the transfer fails the job with SOURCE_CHANGED, no point.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import type { Item, Job, Point } from '../../../shared/contract/item-models.ts';
import { startCli } from '../../support/cli-runner.ts';
import { Lab, MIB, allocatedBytes, expectSameFile, overwriteRandom, sha256File, writeRandomFile } from './vault-engine-kit.ts';
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { useLoopFilesystem } from '../../support/loop-filesystem.ts';

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Starts a CLI backup and calls `during` as soon as its transfer phase lock appears. */
async function backupWithChangeDuringTransfer(lab: Lab, vaultDir: string, item: string, itemId: string, during: () => void): Promise<{ job: Job; code: number | null; changedDuringTransfer: boolean }> {
  const lockFile = join(vaultDir, 'data', 'phase-locks', `item-${itemId}-transfer.lock`);
  const run = startCli(lab.home, ['backup', item, '--json']);
  let changed = false;
  let exited = false;
  void run.result.then(() => { exited = true; });
  for (let poll = 0; poll < 20_000 && !exited; poll += 1) {
    if (existsSync(lockFile)) {
      during();
      changed = true;
      break;
    }
    await sleep(2);
  }
  const result = await run.result;
  return { job: result.json<Job>(), code: result.code, changedDuringTransfer: changed };
}

describe('reflink snapshots on XFS', () => {
  const lab = new Lab('reflink');
  const xfs = useLoopFilesystem(lab.dir, 'xfs', { afterUnmount: () => lab.remove() });
  const mountPoint = xfs.mountPoint;

  it('makes a snapshot tier, keeps it through VM writes, restores from it bit-exact', async (context) => {
    xfs.skipUnlessMounted(context, 'the reflink test');
    const vmDir = join(mountPoint, 'vm');
    mkdirSync(vmDir);
    const disk = join(vmDir, 'disk.raw');
    // 16 MiB of data, then a 32 MiB hole.
    await writeRandomFile(disk, 16 * MIB);
    truncateSync(disk, 48 * MIB);
    const vaultDir = await lab.createVault('xfs', join(mountPoint, 'vault'));
    await lab.protect('xfs', 'vm-x', [disk]);
    const itemId = (await lab.cliJson<Item>(['item', 'show', 'vm-x'])).id;

    // The VM keeps writing during the transfer: the transfer reads the clone, so no failure.
    const atSnapshot = join(lab.dir, 'at-snapshot.raw');
    let captured = '';
    const { job, code, changedDuringTransfer } = await backupWithChangeDuringTransfer(lab, vaultDir, 'vm-x', itemId, () => {
      captured = createHash('sha256').update(readFileSync(disk)).digest('hex');
      appendFileSync(disk, Buffer.alloc(4096, 7));
    });
    expect(job.status, job.error?.message).toBe('completed');
    expect(code).toBe(0);
    expect(job.subtasks[0]?.message).toMatch(/Instant-restore snapshot kept/);
    const [point] = await lab.points('vm-x');
    expect(point).toMatchObject({ id: job.pointId, tiers: ['snapshot', 'vault'] });
    expect((point as Point).tierNote).toBeUndefined();
    const clone = join(vaultDir, 'snapshots', itemId, job.pointId as string, 'disk.raw');
    expect(existsSync(clone), clone).toBe(true);
    if (changedDuringTransfer) expect(await sha256File(clone)).toBe(captured);
    copyFileSync(clone, atSnapshot);

    // A rebuilt catalog keeps the snapshot tier and its expiry (both come from the manifest).
    await lab.cliJson(['vault', 'rebuild-catalog', 'xfs']);
    const db = new Database(join(vaultDir, 'catalog.sqlite'), { readonly: true });
    const row = JSON.parse((db.prepare('SELECT body FROM points WHERE id = ?').get(job.pointId) as { body: string }).body) as { snapshotDir?: unknown; snapshotUntil: string | null };
    db.close();
    // No path is stored: the clone folder is derived from the item and point ids when read.
    expect(row.snapshotDir).toBeUndefined();
    expect(Date.parse(row.snapshotUntil ?? '')).toBeGreaterThan(Date.now());
    expect((await lab.points('vm-x')).find((listed) => listed.id === job.pointId)?.tiers).toEqual(['snapshot', 'vault']);

    // Restored to another filesystem (no clone possible): from the vault, sparse, bit-exact.
    const elsewhere = await lab.restore('vm-x', job.pointId as string, join(lab.dir, 'restored-ext4'));
    await expectSameFile(join(elsewhere, 'disk.raw'), atSnapshot);
    expect(allocatedBytes(join(elsewhere, 'disk.raw'))).toBeLessThan(20 * MIB);

    // A backup killed during its transfer leaves a clone without a point; the next backup
    // removes it (and keeps the clones of real points).
    const clones = () => readdirSync(join(vaultDir, 'snapshots', itemId)).sort();
    await overwriteRandom(disk, 0, 4096);
    const lockFile = join(vaultDir, 'data', 'phase-locks', `item-${itemId}-transfer.lock`);
    const doomed = startCli(lab.home, ['backup', 'vm-x']);
    for (let poll = 0; poll < 20_000 && !existsSync(lockFile); poll += 1) await sleep(2);
    doomed.child.kill('SIGKILL');
    await doomed.result;
    const pointsBefore = (await lab.points('vm-x')).map((point) => point.id).sort();
    expect(clones().length).toBe(pointsBefore.length + 1);
    const next = await lab.backup('vm-x');
    expect(clones()).toEqual([...pointsBefore, next.pointId as string].sort());

    // Remove one of the point's chunks from the vault: only the clone can restore it now.
    const chunkId = createHash('sha256').update(readFileSync(atSnapshot).subarray(0, MIB)).digest('hex');
    rmSync(join(vaultDir, 'data', 'chunks', chunkId.slice(0, 2), chunkId));
    const restored = await lab.restore('vm-x', job.pointId as string, join(mountPoint, 'restored'));
    await expectSameFile(join(restored, 'disk.raw'), atSnapshot);
    expect(readdirSync(restored)).toEqual(['disk.raw']);
  });
});

describe('identity check without clones (this machine\'s filesystem)', () => {
  const lab = new Lab('identity');
  let vaultDir: string;
  let disk: string;
  let itemId: string;

  beforeAll(async () => {
    disk = join(lab.vmDir, 'disk.raw');
    await writeRandomFile(disk, 96 * MIB);
    vaultDir = await lab.createVault('ident');
    await lab.protect('ident', 'vm-i', [disk]);
    itemId = (await lab.cliJson<Item>(['item', 'show', 'vm-i'])).id;
  });

  afterAll(() => lab.remove());

  it('gives the vault tier only, saying why', async () => {
    const job = await lab.backup('vm-i');
    const [point] = await lab.points('vm-i');
    expect(point).toMatchObject({ id: job.pointId, tiers: ['vault'], tierNote: expect.stringMatching(/cannot clone files \(reflink needs XFS, btrfs/) });
    expect(existsSync(join(vaultDir, 'snapshots', itemId))).toBe(false);
    expect(existsSync(join(lab.vmDir, '.labvault-snapshots'))).toBe(false);
  });

  it('fails with SOURCE_CHANGED and makes no point when the file changes during the transfer', async () => {
    let before: string[] = [];
    let outcome: Awaited<ReturnType<typeof backupWithChangeDuringTransfer>> | undefined;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      // A changed file is read whole (an unchanged one would reuse its index in no time).
      await overwriteRandom(disk, 0, 4096);
      before = (await lab.points('vm-i')).map((point) => point.id);
      outcome = await backupWithChangeDuringTransfer(lab, vaultDir, 'vm-i', itemId, () => appendFileSync(disk, Buffer.alloc(4096, attempt + 1)));
      if (outcome.job.status === 'failed') break;
      console.log(`attempt ${attempt + 1}: the change did not overlap the transfer (${outcome.job.status}); retrying`);
    }
    expect(outcome?.changedDuringTransfer).toBe(true);
    expect(outcome?.code).toBe(1);
    expect(outcome?.job.status).toBe('failed');
    expect(outcome?.job.error).toMatchObject({ code: 'SOURCE_CHANGED', message: expect.stringContaining(disk) });
    // The Snapshot phase ran before the failed transfer: its result says what the transfer does, not that a check passed.
    const snapshot = outcome?.job.subtasks.find((subtask) => subtask.name === 'Snapshot');
    expect(snapshot?.message).toMatch(/checks that they do not change while it reads them/);
    expect(snapshot?.message).not.toMatch(/were checked|unchanged/);
    expect(outcome?.job.pointId).toBeUndefined();
    expect((await lab.points('vm-i')).map((point) => point.id)).toEqual(before);
  });
});
