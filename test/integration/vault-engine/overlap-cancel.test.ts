/**
 * Engine-level (in process, two engine.backups.start calls): the overlap rule and cancel.
 * While one job's transfer runs, a second job of the same item completes its snapshot and
 * skips its transfer (with the reason); the first completes; the next backup carries all
 * the change. Cancelling mid-transfer leaves no partial point and the job 'cancelled'.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Job } from '../../../shared/contract/item-models.ts';
import { Engine } from '../../../electron/engine/engine.ts';
import type { RunningJob } from '../../../electron/engine/jobs/job-service.ts';
import { Lab, MIB, TRANSFER, expectSameFile, overwriteRandom, transferOf, writeRandomFile } from './vault-engine-kit.ts';

const DISK_SIZE = 96 * MIB;
const lab = new Lab('overlap');
let engine: Engine;
let disk: string;
let vaultDir: string;

async function transferRunning(running: RunningJob): Promise<boolean> {
  // Poll the live job object (bounded by count, not time asserts).
  for (let poll = 0; poll < 4000; poll += 1) {
    const transfer = running.job.subtasks.find((subtask) => subtask.name === TRANSFER);
    if (transfer?.status === 'in-progress' && (transfer.bytesRead ?? 0) > 0) return true;
    if (running.job.status !== 'in-progress' && running.job.status !== 'queued') return false;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return false;
}

function manifestNames(itemId: string): string[] {
  try {
    return readdirSync(join(vaultDir, 'data', 'manifests', itemId)).filter((name) => !name.startsWith('.')).sort();
  } catch {
    return [];
  }
}

beforeAll(async () => {
  disk = join(lab.vmDir, 'disk.raw');
  await writeRandomFile(disk, DISK_SIZE);
  engine = new Engine({ appHome: lab.home, face: 'cli' });
  vaultDir = join(lab.dir, 'vault');
  await engine.handlers.vaults.create({ name: 'overlap', path: vaultDir });
  await engine.handlers.items.protect({ vault: 'overlap', name: 'vm-o', files: [disk] });
});

afterAll(async () => {
  await engine.close();
  lab.remove();
});

describe('two jobs of one item', () => {
  it('the second skips its transfer while the first transfers; the next carries all change', async () => {
    const first = await engine.backups.start('vm-o');
    expect(await transferRunning(first), 'first transfer seen running').toBe(true);
    const second = await engine.backups.start('vm-o');
    const secondJob: Job = await second.done;
    expect(secondJob.subtasks[0]).toMatchObject({ name: 'Snapshot', status: 'completed' });
    expect(transferOf(secondJob)).toMatchObject({ status: 'skipped', message: expect.stringMatching(/Another transfer of this item was running/) });
    expect(secondJob.pointId).toBeUndefined();
    const firstJob = await first.done;
    expect(firstJob.status).toBe('completed');
    expect(transferOf(firstJob).status).toBe('completed');
    const itemId = firstJob.itemId as string;
    expect(manifestNames(itemId)).toEqual([firstJob.pointId]);

    // The next backup carries the change made since the newest vault point.
    await overwriteRandom(disk, 10 * MIB, 3 * MIB);
    const third = await (await engine.backups.start('vm-o')).done;
    expect(third.status).toBe('completed');
    const transfer = transferOf(third);
    expect(transfer.bytesRead).toBe(DISK_SIZE);
    expect(transfer.bytesWritten).toBeGreaterThan(2 * MIB);
    expect(transfer.bytesWritten).toBeLessThan(5 * MIB);
    const restore = await engine.handlers.restore.disks({ item: 'vm-o', point: third.pointId as string, to: join(lab.dir, 'restored-third') });
    const restoreJob = await engine.jobs.runningJob(restore.jobId)?.done;
    expect(restoreJob?.status ?? (await engine.handlers.jobs.show({ id: restore.jobId })).status).toBe('completed');
    await expectSameFile(join(lab.dir, 'restored-third', 'disk.raw'), disk);
  });

  it('cancel mid-transfer: job cancelled, no partial point, vault verifies clean', async () => {
    const pointsBefore = await engine.handlers.points.list({ item: 'vm-o' });
    await overwriteRandom(disk, 0, DISK_SIZE); // everything changed: a long transfer
    const running = await engine.backups.start('vm-o');
    expect(await transferRunning(running), 'transfer seen running').toBe(true);
    const cancelled = await engine.handlers.jobs.cancel({ id: running.job.id });
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.error).toBeUndefined();
    // The engine's face here is 'cli': a contract cancel without `by` records the calling face.
    expect(cancelled.cancelled).toMatchObject({ by: 'cli' });
    expect(cancelled.cancelled?.message).toMatch(/No recovery point was made.*reclaimable/);
    expect(transferOf(cancelled).status).toBe('cancelled');
    expect(cancelled.pointId).toBeUndefined();
    const stored = await engine.handlers.jobs.show({ id: running.job.id });
    expect(stored.status).toBe('cancelled');
    const pointsAfter = await engine.handlers.points.list({ item: 'vm-o' });
    expect(pointsAfter.map((point) => point.id)).toEqual(pointsBefore.map((point) => point.id));
    expect(manifestNames(running.job.itemId as string)).toEqual(pointsBefore.map((point) => point.id).sort());
    const report = await engine.handlers.vaults.verify({ name: 'overlap', readData: false });
    expect(report.problems).toEqual([]);
    // The phase locks are free again: a new backup runs its transfer.
    const after = await (await engine.backups.start('vm-o')).done;
    expect(transferOf(after).status).toBe('completed');
  });
});
