/**
 * Health and alerts agree: a failed backup makes the item critical on the dashboard and
 * raises an open alert beside it; acknowledging closes the alert; a later successful backup
 * of the item closes an alert left open, and the item is healthy again.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { startLabvaultHost, type LabvaultHost } from './fixtures/labvault-host.ts';
import { shot } from './fixtures/screenshots.ts';

let host: LabvaultHost;
let disk: string;
test.beforeAll(async () => {
  host = await startLabvaultHost();
  const folder = join(host.scratch, 'vms');
  mkdirSync(folder, { recursive: true });
  disk = join(folder, 'ci-runner.qcow2');
  execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', disk, '8M']);
  for (const args of [
    ['vault', 'create', '--name', 'lab', '--path', join(host.scratch, 'lab')],
    ['protect', '--vault', 'lab', '--name', 'ci-runner', disk],
    ['backup', 'ci-runner'],
  ]) {
    const run = await host.cli(args);
    expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(0);
  }
});
test.afterAll(async () => { await host?.stop(); });
test.describe.configure({ mode: 'serial' });

async function failBackup(): Promise<void> {
  renameSync(disk, `${disk}.away`);
  const failed = await host.cli(['backup', 'ci-runner']);
  renameSync(`${disk}.away`, disk);
  expect(failed.code, 'a backup of a missing disk fails').not.toBe(0);
}

async function openDashboard(page: Page): Promise<void> {
  await page.goto(await host.signInUrl());
  await expect(page.getByRole('heading', { name: 'Dashboard', level: 1 })).toBeVisible();
}

const alertsCard = (page: Page) => page.locator('.card').filter({ has: page.getByRole('heading', { name: /^Alerts/ }) });

test('a failed backup: the item is critical and an open alert says so; acknowledging closes it', async ({ page }) => {
  await failBackup();
  await openDashboard(page);
  const health = page.getByRole('table', { name: 'Items health' });
  await expect(health.getByRole('row').filter({ hasText: 'ci-runner' })).toContainText('critical');
  const alerts = alertsCard(page);
  await expect(alerts).toContainText('ci-runner');
  await expect(alerts.getByText('No open alerts.')).toHaveCount(0);
  await shot(page, 'dashboard-failed-backup-alert');

  // One failed backup, one alert (a repeat would count on it); acknowledging closes it.
  const rows = alerts.locator('.alert-row').filter({ hasText: 'ci-runner' });
  await expect(rows).toHaveCount(1);
  await rows.getByRole('button', { name: 'Acknowledge' }).click();
  await expect(rows).toHaveCount(0);
  await expect(alerts.getByText('No open alerts.')).toBeVisible();
});

test('a later successful backup closes the alert left open and the item is healthy again', async ({ page }) => {
  await failBackup();
  await openDashboard(page);
  await expect(alertsCard(page)).toContainText('ci-runner');
  const ok = await host.cli(['backup', 'ci-runner']);
  expect(ok.code, ok.stderr).toBe(0);
  await page.reload();
  const health = page.getByRole('table', { name: 'Items health' });
  await expect(health.getByRole('row').filter({ hasText: 'ci-runner' })).toContainText('healthy');
  await expect(alertsCard(page).getByText(/ci-runner/)).toHaveCount(0);
});
