/**
 * The whole protection cycle through the UI, on the real engine: protect a VM, Backup
 * now, watch the job's two subtasks, restore its disks (verified), design a policy and
 * bind it, stop protection with delete, undelete, clean up the vault.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { startLabvaultHost, type LabvaultHost } from './fixtures/labvault-host.ts';
import { shot } from './fixtures/screenshots.ts';
import { makeTestVm, type TestVm } from './fixtures/vm-files.ts';

let host: LabvaultHost;
let vm: TestVm;
test.beforeAll(async () => {
  host = await startLabvaultHost();
  const made = await host.cli(['vault', 'create', '--name', 'lab', '--path', join(host.scratch, 'lab')]);
  expect(made.code, made.stderr).toBe(0);
  vm = makeTestVm(host.scratch, 'web');
});
test.afterAll(async () => { await host?.stop(); });
test.describe.configure({ mode: 'serial' });

/** "Add a folder to scan" on the configure-backup wizard's VM step, through the in-app file browser. */
async function scanFolder(page: Page, folder: string): Promise<void> {
  await page.getByRole('button', { name: 'Add a folder to scan…' }).click();
  const browser = page.getByRole('dialog', { name: 'Add a folder to scan' });
  await browser.getByLabel('Path to open').fill(folder);
  await browser.getByLabel('Path to open').press('Enter');
  await expect(browser.getByText(`Folder: ${folder}`)).toBeVisible();
  await browser.getByRole('button', { name: 'Scan this folder' }).click();
}

async function openItem(page: Page, name: string): Promise<void> {
  await page.goto(await host.signInUrl());
  await page.getByRole('link', { name: 'Protected items' }).click();
  await page.getByRole('table', { name: 'Protected items' }).getByText(name, { exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText(name);
}

test('protect a VM with the wizard, then Backup now and watch both subtasks finish', async ({ page }) => {
  await page.goto(await host.signInUrl());
  await page.getByRole('link', { name: 'Protected items' }).click();
  await expect(page.getByText('No protected items yet')).toBeVisible();
  await shot(page, 'items-empty');
  await page.getByRole('button', { name: 'Protect VMs' }).first().click();

  await expect(page.getByRole('radio', { name: /lab/ })).toBeChecked();
  await shot(page, 'protect-1-vault');
  await page.getByRole('button', { name: 'Next: policy' }).click();
  await expect(page.getByLabel('Backup policy')).toHaveValue('DefaultPolicy');
  await page.getByRole('button', { name: 'Next: select VMs' }).click();

  await scanFolder(page, vm.dir);
  await page.getByLabel('Protect web').check();
  await shot(page, 'protect-2-files');
  await page.getByRole('button', { name: 'Next: review' }).click();

  const name = page.getByRole('region', { name: 'VM web' }).getByLabel('Item name');
  await expect(name).toHaveValue('web');
  await name.fill('-web');
  await expect(page.getByText('Item name must start with a letter or a digit.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Enable backup' })).toBeDisabled();
  await name.fill('web-01');
  await expect(page.getByRole('region', { name: 'CLI equivalent' })).toContainText(`labvault protect --vault lab --vm ${vm.config} --name web-01 --policy DefaultPolicy`);
  await shot(page, 'protect-4-review');
  await page.getByRole('button', { name: 'Enable backup' }).click();
  await expect(page.getByRole('list', { name: 'Backup enabled per VM' })).toContainText('Protected');
  await shot(page, 'protect-5-done');
  await page.getByRole('button', { name: 'Item web-01' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('web-01');

  await page.getByRole('button', { name: 'Backup now' }).click();
  const dialog = page.getByRole('dialog', { name: 'Backup now: web-01' });
  const until = dialog.getByLabel('Retain until');
  // Today as the page sees it (its time zone is Europe/Berlin, not the test's): the field's minimum.
  const today = await until.getAttribute('min');
  expect(today).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  const expectedDay = new Date(`${today}T00:00:00Z`);
  expectedDay.setUTCDate(expectedDay.getUTCDate() + 30);
  const expected = expectedDay.toISOString().slice(0, 10);
  await expect(until).toHaveValue(expected);
  await until.fill('2020-01-01');
  await expect(dialog.getByText('The date is in the past')).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Start backup' })).toBeDisabled();
  await until.fill(expected);
  await shot(page, 'backup-now-dialog');
  await dialog.getByRole('button', { name: 'Start backup' }).click();

  await expect(page.getByRole('heading', { level: 1 })).toContainText('Backup of web-01');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Completed', { timeout: 60_000 });
  const snapshot = page.getByRole('region', { name: 'Subtask Snapshot' });
  const transfer = page.getByRole('region', { name: 'Subtask Transfer data to vault' });
  await expect(snapshot).toContainText('Completed');
  await expect(transfer).toContainText('Completed');
  await expect(transfer).toContainText('Deduplicated');
  await shot(page, 'job-details-backup');
});

test('item details show the point with consistency and tiers; the same files cannot be protected twice', async ({ page }) => {
  await openItem(page, 'web-01');
  const points = page.getByRole('table', { name: 'Recovery points' });
  await expect(points.getByRole('row')).toHaveCount(2);
  await expect(points).toContainText(/consistent/);
  await expect(points).toContainText('Vault');
  await expect(points).toContainText('On-demand');
  await shot(page, 'item-details');

  // A second point, then delete the older one: it goes to soft delete with a purge date.
  await page.getByRole('button', { name: 'Backup now' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Start backup' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Completed', { timeout: 60_000 });
  await page.getByRole('button', { name: 'Open item' }).click();
  await expect(points.getByRole('row')).toHaveCount(3);
  await points.getByRole('row').nth(2).getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('dialog', { name: 'Delete recovery point' }).getByRole('button', { name: 'Delete point' }).click();
  await expect(points.getByText('Soft-deleted')).toBeVisible();
  await expect(points.getByText(/Purged/)).toBeVisible();

  await page.getByRole('link', { name: 'Protected items' }).click();
  await expect(page.getByRole('table', { name: 'Protected items' })).toContainText('web-01');
  await shot(page, 'items-list');
  await page.getByRole('button', { name: 'Protect VMs' }).click();
  await page.getByRole('button', { name: 'Next: policy' }).click();
  await page.getByRole('button', { name: 'Next: select VMs' }).click();
  await scanFolder(page, vm.dir);
  await expect(page.getByLabel('Protect web')).toBeDisabled();
  await expect(page.getByRole('group', { name: 'Discovered VMs' })).toContainText('Already protected as "web-01" in vault lab.');
  await shot(page, 'protect-2-files-already-protected');
});

test('restore the disks into a new folder, verified', async ({ page }) => {
  await openItem(page, 'web-01');
  await page.getByRole('button', { name: 'Restore' }).click();
  await expect(page.getByRole('radiogroup', { name: 'Recovery points' }).getByRole('radio')).toHaveCount(1);
  await expect(page.getByRole('radiogroup', { name: 'Recovery points' }).getByRole('radio')).toBeChecked();
  await shot(page, 'restore-2-point');
  await page.getByRole('button', { name: 'Back' }).click();
  await expect(page.getByRole('radio', { name: /web-01/ })).toBeChecked();
  await shot(page, 'restore-1-item');
  await page.getByRole('button', { name: 'Next: recovery point' }).click();
  await page.getByRole('button', { name: 'Next: what to restore' }).click();
  await expect(page.getByRole('radio', { name: /Create new VM/ })).toBeEnabled();
  await expect(page.getByRole('radio', { name: /Restore disks/ })).toBeChecked();
  await shot(page, 'restore-3-what');
  await page.getByRole('button', { name: 'Next: options' }).click();
  const target = page.getByLabel('Restore into');
  await target.fill(vm.dir);
  await expect(page.getByText(/is not empty/)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Next: review' })).toBeDisabled();
  const restored = join(host.scratch, 'restored');
  await target.fill(restored);
  await expect(page.getByText('New folder: it will be created.')).toBeVisible();
  await shot(page, 'restore-4-target');
  await page.getByRole('button', { name: 'Next: review' }).click();
  await expect(page.getByRole('region', { name: 'CLI equivalent' })).toContainText(`--to ${restored}`);
  await page.getByRole('button', { name: 'Restore', exact: true }).click();
  await expect(page.getByTestId('restore-verified')).toHaveText('Verified: every byte checked against stored digests.', { timeout: 60_000 });
  await shot(page, 'restore-5-done');
  expect(readFileSync(join(restored, 'web.qcow2')).equals(readFileSync(vm.disk))).toBe(true);
  expect(readFileSync(join(restored, 'web.xml')).equals(readFileSync(vm.config))).toBe(true);
});

test('design a policy with live limits and previews, save it, bind it to the item', async ({ page }) => {
  await page.goto(await host.signInUrl());
  await page.getByRole('link', { name: 'Policies' }).click();
  await expect(page.getByRole('table', { name: 'Policies' })).toContainText('DefaultPolicy');
  await shot(page, 'policies-list');
  await page.getByRole('button', { name: 'Create policy' }).click();
  await page.getByLabel('Policy name').fill('1lab');
  await expect(page.getByText(/Must start with a letter/)).toBeVisible();
  await page.getByLabel('Policy name').fill('lab-hourly');
  await page.getByRole('radio', { name: /Hourly/ }).check();
  await page.getByLabel('Every', { exact: true }).selectOption('6');
  await page.getByLabel('Window length (hours)').fill('30');
  await expect(page.getByText('Must be between 1 and 24.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Next: time zone' })).toBeDisabled();
  await page.getByLabel('Window length (hours)').fill('12');
  await shot(page, 'policy-1-schedule');
  await page.getByRole('button', { name: 'Next: time zone' }).click();

  await page.getByLabel('Search time zones').fill('new york');
  await page.getByRole('option', { name: /America\/New York/ }).click();
  await expect(page.getByTestId('selected-zone')).toHaveText('America/New_York');
  await shot(page, 'policy-2-time-zone');
  await page.getByRole('button', { name: 'Next: fast restore' }).click();

  const instant = page.getByLabel('Keep fast restore copies on this disk for');
  await expect(instant).toHaveValue('7');
  await instant.fill('31');
  await expect(page.getByText('Must be between 1 and 30 for an enhanced policy.')).toBeVisible();
  await instant.fill('10');
  await shot(page, 'policy-3-instant-restore');
  await page.getByRole('button', { name: 'Next: retention' }).click();

  await page.getByLabel('Keep for (days)').fill('5');
  await expect(page.getByText('Must be between 7 and 9999.')).toBeVisible();
  await page.getByLabel('Keep for (days)').fill('14');
  await page.getByText('Weekly points').click();
  await page.getByText('Monthly points').click();
  await page.getByText('Yearly points').click();
  await page.getByLabel('Keep for (years)').fill('100');
  await expect(page.getByText('Must be between 1 and 99.')).toBeVisible();
  await page.getByLabel('Keep for (years)').fill('3');
  await shot(page, 'policy-4-retention', { fullPage: true });
  await page.getByRole('button', { name: 'Next: preview' }).click();

  await expect(page.getByRole('list', { name: 'Next runs' }).getByRole('listitem')).toHaveCount(14);
  await expect(page.getByTestId('retention-year-grid')).toBeVisible();
  await expect(page.locator('.year-day.keep-yearly')).not.toHaveCount(0);
  await expect(page.locator('.year-day.keep-monthly')).not.toHaveCount(0);
  await shot(page, 'policy-5-preview', { fullPage: true });
  await page.getByRole('button', { name: /Show runs around the clock change/ }).click();
  await expect(page.getByRole('list', { name: 'Next runs' })).toContainText('DST:');
  await shot(page, 'policy-5-preview-dst');
  await page.getByRole('button', { name: 'Next: review' }).click();
  await expect(page.getByRole('region', { name: 'CLI equivalent' })).toContainText('"everyHours": 6');
  await shot(page, 'policy-6-review');
  await page.getByRole('button', { name: 'Create policy' }).click();
  await expect(page.getByRole('heading', { name: 'Policy "lab-hourly" saved' })).toBeVisible();
  await shot(page, 'policy-7-done');

  await openItem(page, 'web-01');
  await page.getByRole('button', { name: 'Change policy' }).click();
  const dialog = page.getByRole('dialog', { name: 'Backup policy of "web-01"' });
  await dialog.getByLabel('Policy').selectOption('lab-hourly');
  await shot(page, 'item-set-policy');
  await dialog.getByRole('button', { name: 'Apply policy' }).click();
  await expect(page.getByText('Vault lab · policy lab-hourly')).toBeVisible();

  await page.getByRole('link', { name: 'Policies' }).click();
  await page.getByRole('table', { name: 'Policies' }).getByText('lab-hourly', { exact: true }).click();
  await expect(page.getByLabel('Policy name')).toHaveValue('lab-hourly');
  for (const next of ['Next: time zone', 'Next: fast restore', 'Next: retention']) await page.getByRole('button', { name: next }).click();
  await page.getByLabel('Keep for (days)').fill('7');
  await page.getByRole('button', { name: 'Next: preview' }).click();
  await page.getByRole('button', { name: 'Next: review' }).click();
  await expect(page.getByText(/No existing recovery point is removed|Saving removes/)).toBeVisible({ timeout: 30_000 });
  await shot(page, 'policy-6-review-change');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('heading', { name: 'Policy "lab-hourly" saved' })).toBeVisible();
});

test('jobs list with filters, and the dashboard', async ({ page }) => {
  await page.goto(await host.signInUrl());
  await page.getByRole('link', { name: 'Jobs' }).click();
  const jobs = page.getByRole('table', { name: 'Jobs' });
  await expect(jobs).toContainText('Backup');
  await expect(jobs).toContainText('Restore');
  await shot(page, 'jobs-list');
  await page.getByLabel('Operation').selectOption('restore');
  await expect(jobs.getByRole('row')).toHaveCount(2);
  await page.getByLabel('Status').selectOption('failed');
  await expect(page.getByText('No jobs match')).toBeVisible();
  await page.getByRole('link', { name: 'Vaults' }).click();
  await page.getByRole('table', { name: 'Vaults' }).getByText('lab', { exact: true }).click();
  await page.getByRole('button', { name: 'Verify' }).click();
  const verify = page.getByRole('dialog', { name: 'Verify vault "lab"' });
  await verify.getByText('Also read every byte').click();
  await verify.getByRole('button', { name: 'Verify', exact: true }).click();
  await expect(verify.getByText('The vault is healthy.')).toBeVisible({ timeout: 30_000 });
  await shot(page, 'vault-verify');
  await verify.getByRole('button', { name: 'Close', exact: true }).last().click();
  await page.getByRole('link', { name: 'Dashboard' }).click();
  await expect(page.getByRole('table', { name: 'Items health' })).toContainText('web-01');
  await shot(page, 'dashboard');
});

test('stop protection deleting data (typed), undelete, then clean up the vault', async ({ page }) => {
  await openItem(page, 'web-01');
  await page.getByRole('button', { name: 'Stop protection' }).click();
  const dialog = page.getByRole('dialog', { name: 'Stop protection of "web-01"' });
  await dialog.getByRole('radio', { name: /Delete backup data/ }).check();
  await expect(dialog.getByText(/will be deleted/)).toBeVisible();
  await expect(dialog.getByText(/can be undeleted until/)).toBeVisible();
  await dialog.getByLabel(/Type the item name/).fill('web-0');
  await expect(dialog.getByRole('button', { name: 'Stop and delete data' })).toBeDisabled();
  await dialog.getByLabel(/Type the item name/).fill('web-01');
  await shot(page, 'stop-protection-delete');
  await dialog.getByRole('button', { name: 'Stop and delete data' }).click();
  await expect(page.getByText("This item's backup data is soft-deleted.")).toBeVisible();
  await shot(page, 'item-soft-deleted');

  await page.getByRole('link', { name: 'Vaults' }).click();
  await page.getByRole('table', { name: 'Vaults' }).getByText('lab', { exact: true }).click();
  await page.getByRole('button', { name: 'Delete vault' }).click();
  await expect(page.getByTestId('delete-blockers')).toBeVisible();
  await shot(page, 'vault-delete-blocked');
  await page.getByRole('dialog').getByRole('button', { name: 'Close', exact: true }).last().click();

  await openItem(page, 'web-01');
  await page.getByRole('button', { name: 'Undelete' }).click();
  await expect(page.getByText("This item's backup data is soft-deleted.")).toHaveCount(0);
  await expect(page.getByRole('table', { name: 'Recovery points' }).getByRole('button', { name: 'Delete' }).first()).toBeVisible();

  // Clean up: soft delete off (typed), delete the data for good, delete the vault.
  await page.getByRole('link', { name: 'Vaults' }).click();
  await page.getByRole('table', { name: 'Vaults' }).getByText('lab', { exact: true }).click();
  await page.getByRole('button', { name: 'Turn soft delete off…' }).click();
  const off = page.getByRole('dialog', { name: 'Turn soft delete off' });
  await off.getByLabel(/Type the vault name/).fill('lab');
  await off.getByRole('button', { name: 'Turn soft delete off' }).click();
  await expect(page.getByRole('button', { name: 'Turn soft delete on' })).toBeVisible();

  await openItem(page, 'web-01');
  await page.getByRole('button', { name: /Stop protection|Delete backup data/ }).click();
  const again = page.getByRole('dialog');
  await again.getByRole('radio', { name: /Delete backup data/ }).check();
  await expect(again.getByText(/removed at once/)).toBeVisible();
  await again.getByLabel(/Type the item name/).fill('web-01');
  await again.getByRole('button', { name: 'Stop and delete data' }).click();

  await page.getByRole('link', { name: 'Vaults' }).click();
  await page.getByRole('table', { name: 'Vaults' }).getByText('lab', { exact: true }).click();
  await page.getByRole('button', { name: 'Delete vault' }).click();
  const remove = page.getByRole('dialog', { name: 'Delete vault "lab"' });
  await remove.getByLabel(/Type the vault name/).fill('lab');
  await remove.getByRole('button', { name: 'Delete vault' }).click();
  await expect(page.getByText('No vaults yet')).toBeVisible();
  const listed = await host.cliJson<unknown[]>(['vault', 'list']);
  expect(listed).toEqual([]);
});
