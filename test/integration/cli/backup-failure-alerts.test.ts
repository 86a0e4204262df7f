/**
 * A failed backup (run by the real CLI) raises an alert about its item that stays open until
 * acknowledged or a later backup of the item succeeds; a cancelled backup raises none; the
 * dashboard's item health and its alerts agree.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Job } from '../../../shared/contract/item-models.ts';
import { Engine } from '../../../electron/engine/index.ts';
import { saveJobRow } from '../../../electron/engine/jobs/job-catalog.ts';
import { deterministicBytes, makeTempDir, removeDir } from '../../support/disk-fixtures.ts';
import { runCli, runCliJson } from '../../support/cli-runner.ts';

let root: string;
let home: string;
let disk: string;
let engine: Engine;

beforeAll(async () => {
  root = makeTempDir('labvault-alerts-');
  home = join(root, 'home');
  disk = join(root, 'vm', 'disk.raw');
  mkdirSync(join(root, 'vm'));
  writeFileSync(disk, deterministicBytes(3 * 1024 * 1024, 3));
  await runCliJson(home, ['vault', 'create', '--name', 'alerts', '--path', join(root, 'vault')]);
  await runCliJson(home, ['protect', '--vault', 'alerts', '--name', 'vm1', disk]);
  engine = new Engine({ face: 'browser', appHome: home });
});

afterAll(async () => {
  await engine.close();
  removeDir(root);
});

async function failingBackup(): Promise<void> {
  renameSync(disk, `${disk}.away`);
  try {
    const run = await runCli(home, ['backup', 'vm1', '--json']);
    expect(run.code, run.stderr).toBe(1);
    expect(run.json<Job>().status).toBe('failed');
  } finally {
    renameSync(`${disk}.away`, disk);
  }
}

async function dashboardItem() {
  const summary = await engine.handlers.dashboard.summary({});
  return { summary, item: summary.items.find((entry) => entry.name === 'vm1') };
}

describe('backup failure alerts', () => {
  it('a failed backup raises one open alert; health and alerts agree; a repeat counts on it', async () => {
    await failingBackup();
    const [alert, ...others] = await engine.handlers.alerts.list({});
    expect(others).toEqual([]);
    expect(alert).toMatchObject({ severity: 'critical', title: 'Backup failed', kind: 'backup-failed', item: 'vm1' });
    expect(alert?.message).toMatch(/on-demand backup of "vm1" in vault "alerts" failed/);
    const { summary, item } = await dashboardItem();
    expect(item).toMatchObject({ health: 'critical', alertId: alert?.id });
    expect(summary.alerts.map((entry) => entry.id)).toEqual([alert?.id]);
    await failingBackup();
    const repeated = await engine.handlers.alerts.list({});
    expect(repeated).toHaveLength(1);
    expect(repeated[0]).toMatchObject({ id: alert?.id, occurrences: 2 });
  });

  it('a later successful backup resolves it; a cancelled backup raises none', async () => {
    const run = await runCli(home, ['backup', 'vm1', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(await engine.handlers.alerts.list({})).toEqual([]);
    const all = await engine.handlers.alerts.list({ includeAcknowledged: true });
    expect(all[0]).toMatchObject({ kind: 'backup-failed', acknowledged: false });
    expect(all[0]?.resolution).toMatch(/A later backup of "vm1" succeeded/);
    expect((await dashboardItem()).item).toMatchObject({ health: 'healthy', alertId: null });
    const running = await engine.backups.start('vm1');
    const cancelled = await engine.handlers.jobs.cancel({ id: running.job.id });
    expect(cancelled.status).toBe('cancelled');
    expect(await engine.handlers.alerts.list({})).toEqual([]);
  });

  it('an acknowledged alert stays closed and the item says so; a failure without an alert gets one', async () => {
    await failingBackup();
    const [alert] = await engine.handlers.alerts.list({});
    expect(alert).toBeDefined();
    await engine.handlers.alerts.acknowledge({ id: alert?.id ?? '' });
    const acknowledged = await dashboardItem();
    expect(acknowledged.item).toMatchObject({ health: 'critical', alertId: null });
    expect(acknowledged.item?.healthReason).toMatch(/alert was acknowledged/);
    expect(acknowledged.summary.alerts).toEqual([]);
    // A backup whose process died: the job row is marked failed, no alert was raised by it.
    const session = await engine.vaults.session('alerts');
    const itemId = acknowledged.item?.id ?? '';
    const killed: Job = {
      id: '0f1e2d3c-4b5a-4968-8776-655443322110', vaultId: session.config.id, vaultName: 'alerts', itemId, item: 'vm1',
      operation: 'backup', status: 'failed', trigger: 'scheduled', startedAt: new Date().toISOString(),
      endedAt: new Date().toISOString(), subtasks: [],
      error: { code: 'INTERNAL', message: 'Interrupted: the Labvault process running this job ended.' },
    };
    saveJobRow(session, killed);
    const { summary, item } = await dashboardItem();
    expect(item?.alertId).toBeTruthy();
    expect(summary.alerts.map((entry) => entry.jobId)).toEqual([killed.id]);
    expect(summary.alerts[0]?.message).toMatch(/scheduled backup of "vm1"/);
  });
});
