/**
 * A long backup shows live progress (jobProgress events) and can be cancelled from the
 * job page, leaving no recovery point; what it wrote shows as reclaimable on the vault page
 * and Reclaim space frees it.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { formatBytes } from '../../renderer/format/format-bytes.ts';
import { startLabvaultHost, type LabvaultHost } from './fixtures/labvault-host.ts';
import { shot } from './fixtures/screenshots.ts';

/**
 * Random data does not compress or deduplicate; the host reads it at 16 MiB/s at most
 * (LABVAULT_READ_LIMIT), so the job runs for 20 s or more however fast the machine is,
 * and the cancel always lands while it runs.
 */
const BIG_DISK_MIB = 384;
const READ_LIMIT = '16M';

let host: LabvaultHost;
test.beforeAll(async () => {
  host = await startLabvaultHost({ env: { LABVAULT_READ_LIMIT: READ_LIMIT } });
  const dir = join(host.scratch, 'bigvm');
  mkdirSync(dir, { recursive: true });
  execFileSync('dd', ['if=/dev/urandom', `of=${join(dir, 'big.img')}`, 'bs=1M', `count=${BIG_DISK_MIB}`, 'status=none']);
  expect((await host.cli(['vault', 'create', '--name', 'live', '--path', join(host.scratch, 'live')])).code).toBe(0);
  const protectedItem = await host.cli(['protect', '--vault', 'live', '--name', 'big', join(dir, 'big.img')]);
  expect(protectedItem.code, protectedItem.stderr).toBe(0);
});
test.afterAll(async () => { await host?.stop(); });

test('live progress of a running backup, then cancel it', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto(await host.signInUrl());
  await page.getByRole('link', { name: 'Protected items' }).click();
  await page.getByRole('table', { name: 'Protected items' }).getByText('big', { exact: true }).click();
  await page.getByRole('button', { name: 'Backup now' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Start backup' }).click();

  await expect(page.getByRole('heading', { level: 1 })).toContainText('Backup of big');
  const bar = page.getByRole('progressbar', { name: /Transfer data to vault progress/ });
  await expect(bar).toBeVisible({ timeout: 30_000 });
  await expect(bar).toHaveAttribute('aria-valuenow', /\d+/);
  await shot(page, 'job-details-running');

  await page.getByRole('button', { name: 'Cancel job' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Cancelled', { timeout: 30_000 });
  // Cancelled is its own, neutral state, with who cancelled it: not a failure.
  await expect(page.getByText('Cancelled by you.', { exact: true })).toBeVisible();
  await expect(page.getByText(/The job failed/)).toHaveCount(0);
  await shot(page, 'job-details-cancelled');
  const points = await host.cliJson<unknown[]>(['points', 'list', 'big']);
  expect(points).toEqual([]);

  // What the cancelled job wrote is reclaimable on the vault page, as vault show --json says, and
  // Reclaim space (a clean-up job) frees exactly that.
  await page.getByRole('button', { name: 'Open vault' }).click();
  const usage = async () => (await host.cliJson<{ usage: { reclaimableBytes: number } }>(['vault', 'show', 'live'])).usage;
  const reclaimable = (await usage()).reclaimableBytes;
  expect(reclaimable, 'the cancelled job wrote chunks before the cancel').toBeGreaterThan(0);
  await expect(page.getByTestId('size-reclaimable')).toHaveText(formatBytes(reclaimable));
  await page.getByRole('button', { name: 'Reclaim space' }).click();
  await expect(page.getByText(`Reclaimed ${formatBytes(reclaimable)}.`)).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('size-reclaimable')).toHaveText('0 B');
  expect((await usage()).reclaimableBytes).toBe(0);
});
