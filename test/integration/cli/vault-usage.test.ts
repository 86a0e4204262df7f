/**
 * One source for every size: after a backup cancelled mid-transfer, `vault show --json` (real
 * CLI, and vault stats --json's usage) reports the chunks it wrote as reclaimable, logical as the items' newest points, stored
 * as the data folder and free space on the drive; GC from the contract frees exactly the
 * reclaimable chunks and the figures agree with vaults.usage and the dashboard.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Vault, VaultUsage } from '../../../shared/contract/models.ts';
import { Engine } from '../../../electron/engine/index.ts';
import { makeTempDir, removeDir } from '../../support/disk-fixtures.ts';
import { runCliJson } from '../../support/cli-runner.ts';

const MIB = 1024 * 1024;
const DISK_BYTES = 64 * MIB;
let root: string;
let home: string;
let disk: string;
let engine: Engine;

beforeAll(async () => {
  root = makeTempDir('labvault-usage-');
  home = join(root, 'home');
  mkdirSync(join(root, 'vm'));
  disk = join(root, 'vm', 'disk.raw');
  writeFileSync(disk, randomBytes(DISK_BYTES));
  await runCliJson(home, ['vault', 'create', '--name', 'sizes', '--path', join(root, 'vault')]);
  await runCliJson(home, ['protect', '--vault', 'sizes', '--name', 'vm1', disk]);
  await runCliJson(home, ['backup', 'vm1']);
  engine = new Engine({ face: 'browser', appHome: home });
});

afterAll(async () => {
  await engine.close();
  removeDir(root);
});

/** Cancels a backup of freshly changed data once its transfer has written chunks. */
async function cancelledMidTransfer(): Promise<number> {
  writeFileSync(disk, randomBytes(DISK_BYTES));
  const running = await engine.backups.start('vm1');
  let written = 0;
  for (let poll = 0; poll < 2000 && written === 0; poll += 1) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    written = running.job.subtasks.find((subtask) => subtask.name === 'Transfer data to vault')?.bytesWritten ?? 0;
    if (running.job.status !== 'in-progress' && running.job.status !== 'queued') break;
  }
  const job = await engine.handlers.jobs.cancel({ id: running.job.id });
  expect(job.status, 'the transfer was still running when cancelled').toBe('cancelled');
  return written;
}

describe('vault usage', () => {
  it('vault show/list --json give every size; a cancelled backup\'s chunks are reclaimable until GC', async () => {
    const before = (await runCliJson<Vault>(home, ['vault', 'show', 'sizes'])).usage as VaultUsage;
    expect(before).toMatchObject({ logicalBytes: DISK_BYTES, reclaimableBytes: 0, reclaimableComplete: true });
    expect(before.storedBytes).toBeGreaterThan(before.referencedBytes);
    expect(before.freeBytes).toBeGreaterThan(0);

    const written = await cancelledMidTransfer();
    expect(written).toBeGreaterThan(0);
    const shown = (await runCliJson<Vault>(home, ['vault', 'show', 'sizes'])).usage as VaultUsage;
    expect(shown.logicalBytes).toBe(DISK_BYTES);
    expect(shown.reclaimableBytes).toBeGreaterThan(0);
    expect(shown.reclaimableChunks).toBeGreaterThan(0);
    expect(shown.storedBytes - before.storedBytes).toBeGreaterThanOrEqual(shown.reclaimableBytes);
    const listed = await runCliJson<Vault[]>(home, ['vault', 'list']);
    expect(listed[0]?.usage).toMatchObject({ reclaimableBytes: shown.reclaimableBytes, storedBytes: shown.storedBytes });
    expect(listed[0]?.storedBytes).toBe(shown.storedBytes);
    // vault stats --json carries the same usage (the UI's vault page shows these figures).
    const stats = await runCliJson<{ storedBytes: number; usage: VaultUsage }>(home, ['vault', 'stats', 'sizes']);
    expect(stats.usage).toMatchObject({
      logicalBytes: shown.logicalBytes, storedBytes: shown.storedBytes, reclaimableBytes: shown.reclaimableBytes,
      reclaimableChunks: shown.reclaimableChunks,
    });
    expect(stats.storedBytes).toBe(shown.storedBytes);

    const summary = await engine.handlers.dashboard.summary({});
    expect(summary.vaults[0]).toMatchObject({ storedBytes: shown.storedBytes, usage: { reclaimableBytes: shown.reclaimableBytes } });

    const gc = await engine.handlers.vaults.gc({ vault: 'sizes' });
    expect(gc.bytesFreed).toBe(shown.reclaimableBytes);
    const after = await engine.handlers.vaults.usage({ name: 'sizes' });
    expect(after).toMatchObject({ reclaimableBytes: 0, reclaimableChunks: 0, logicalBytes: DISK_BYTES });
    // The gc itself adds a job record and a new gc-epoch file (a few hundred bytes).
    expect(after.storedBytes).toBeGreaterThanOrEqual(shown.storedBytes - gc.bytesFreed);
    expect(after.storedBytes).toBeLessThan(shown.storedBytes - gc.bytesFreed + 64 * 1024);
  });

  it('a record written without a job (an item protected) counts in stored at once, in every process', async () => {
    const before = await engine.handlers.vaults.usage({ name: 'sizes' });
    const other = join(root, 'vm', 'other.raw');
    writeFileSync(other, randomBytes(4096));
    await runCliJson(home, ['protect', '--vault', 'sizes', '--name', 'vm2', other]);
    const cli = (await runCliJson<Vault>(home, ['vault', 'show', 'sizes'])).usage as VaultUsage;
    const running = await engine.handlers.vaults.usage({ name: 'sizes' });
    expect(running.storedBytes).toBeGreaterThan(before.storedBytes);
    expect(running.storedBytes).toBe(cli.storedBytes);
  });

  it('locks and half-written files of the processes using the vault are not stored data', async () => {
    const before = await engine.handlers.vaults.usage({ name: 'sizes' });
    const data = join(root, 'vault', 'data');
    mkdirSync(join(data, 'schedule'), { recursive: true });
    writeFileSync(join(data, 'schedule', 'scheduler.lock'), JSON.stringify({ pid: 1, host: 'elsewhere', at: new Date().toISOString() }));
    mkdirSync(join(data, 'cancel-requests'), { recursive: true });
    writeFileSync(join(data, 'cancel-requests', 'request'), '{}');
    writeFileSync(join(data, 'tmp', 'half-written'), randomBytes(1000));
    const cli = (await runCliJson<Vault>(home, ['vault', 'show', 'sizes'])).usage as VaultUsage;
    expect(cli.storedBytes).toBe(before.storedBytes);
    expect((await engine.handlers.vaults.usage({ name: 'sizes' })).storedBytes).toBe(before.storedBytes);
  });
});
