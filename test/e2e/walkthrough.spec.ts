/**
 * A new user's first hour, at 1280x800, from an empty app home to a restored disk: create a
 * vault (one wrong name first), protect a qcow2 image made now, back it up and watch the job,
 * restore the disk, make a weekly policy (the keep-nothing mistake first), the dashboard.
 * It fails on any console error or page error, on any figure on a screen that disagrees with
 * the CLI's --json for the same thing (run on the same LABVAULT_HOME), and on any toast whose
 * box overlaps the page content.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { formatBytes } from '../../renderer/format/format-bytes.ts';
import { startLabvaultHost, type LabvaultHost } from './fixtures/labvault-host.ts';
import { shot } from './fixtures/screenshots.ts';

interface CliUsage { logicalBytes: number; storedBytes: number; reclaimableBytes: number; freeBytes: number | null }
interface CliVault { name: string; itemCount?: number; usage?: CliUsage }
interface CliStats { items: number; points: number; usage: CliUsage }
interface CliItem { name: string; pointCount: number; storedBytes: number }
interface CliPolicy { name: string; body: { retention?: { weekly?: { day?: string } } } }

let host: LabvaultHost;
let disk: string;
test.beforeAll(async () => {
  host = await startLabvaultHost();
  const folder = join(host.scratch, 'vms', 'build-agent');
  mkdirSync(folder, { recursive: true });
  disk = join(folder, 'build-agent.qcow2');
  execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', disk, '48M']);
  execFileSync('qemu-io', ['-c', 'write -P 0x3c 0 3M', '-c', 'write -P 0xc3 20M 2M', disk], { stdio: 'ignore' });
});
test.afterAll(async () => { await host?.stop(); });

/** Console errors and page errors, each with where it happened. */
function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error on ${page.url()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error on ${page.url()}: ${error.message}`));
  return problems;
}

/**
 * Records, in the page, every toast whose box overlaps the page content (the `.page` pane),
 * checked on every DOM change and every animation frame while a toast shows.
 */
async function watchToasts(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const overlaps: string[] = [];
    const seen: string[] = [];
    Object.assign(window, { toastOverlaps: overlaps, toastsSeen: seen });
    const check = () => {
      for (const toast of document.querySelectorAll<HTMLElement>('.toast')) {
        const title = toast.innerText.split('\n')[0] ?? '';
        if (!seen.includes(title)) seen.push(title);
      }
      const content = document.querySelector('.page')?.getBoundingClientRect();
      if (!content) return;
      for (const toast of document.querySelectorAll<HTMLElement>('.toast')) {
        const box = toast.getBoundingClientRect();
        if (box.width === 0 || box.height === 0) continue;
        const overlapX = Math.min(box.right, content.right) - Math.max(box.left, content.left);
        const overlapY = Math.min(box.bottom, content.bottom) - Math.max(box.top, content.top);
        if (overlapX > 0 && overlapY > 0) overlaps.push(`"${toast.innerText.split('\n')[0]}" over the page by ${Math.round(overlapY)} px`);
      }
    };
    const frame = () => {
      if (document.querySelector('.toast')) check();
      requestAnimationFrame(frame);
    };
    document.addEventListener('DOMContentLoaded', () => {
      new MutationObserver(check).observe(document.body, { childList: true, subtree: true });
      requestAnimationFrame(frame);
    });
  });
}

/** The boxes of the visible toasts and of the page pane do not intersect (checked from Playwright too). */
async function expectToastsClearOfContent(page: Page): Promise<void> {
  const content = await page.locator('main .page').boundingBox();
  expect(content).not.toBeNull();
  const toasts = page.getByRole('region', { name: 'Notifications' }).locator('.toast');
  for (let index = 0; index < await toasts.count(); index += 1) {
    const box = await toasts.nth(index).boundingBox();
    if (!box || !content) continue;
    const apart = box.y >= content.y + content.height || box.y + box.height <= content.y
      || box.x >= content.x + content.width || box.x + box.width <= content.x;
    expect(apart, `toast ${index} at ${JSON.stringify(box)} overlaps the page content ${JSON.stringify(content)}`).toBe(true);
  }
}

/** The first line of every toast the page showed so far. */
function toastsSeen(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { toastsSeen: string[] }).toastsSeen);
}

/** The index of a table's column by its header. */
async function columnIndex(table: Locator, header: string): Promise<number> {
  const headers = await table.getByRole('columnheader').allInnerTexts();
  const column = headers.findIndex((text) => text.trim().toLowerCase() === header.toLowerCase());
  expect(column, `column "${header}" in ${headers.join(' | ')}`).toBeGreaterThanOrEqual(0);
  return column;
}

/** The text of a table cell, by row text and column header. */
async function cell(table: Locator, rowText: string, header: string): Promise<string> {
  const column = await columnIndex(table, header);
  const row = table.getByRole('row').filter({ hasText: rowText }).first();
  return (await row.getByRole('cell').nth(column).innerText()).trim();
}

test('a new user: empty app to a restored disk, a weekly policy and the dashboard', async ({ page }) => {
  test.setTimeout(300_000);
  const problems = watchConsole(page);
  await watchToasts(page);
  const vaultPath = join(host.scratch, 'vaults', 'lab');

  // 1. An empty app home: the dashboard welcomes and offers the first step.
  await page.goto(await host.signInUrl());
  await expect(page.getByRole('heading', { name: 'Welcome to Labvault' })).toBeVisible();
  await shot(page, 'walkthrough-1-empty');
  await page.getByRole('button', { name: 'Create your first vault' }).click();

  // 2. Create a vault: a wrong name first, the error is seen, then fixed.
  const name = page.getByLabel('Vault name');
  await name.fill('1st-vault');
  await expect(page.getByText('Name must start with a letter (A-Z).')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Next: settings' })).toBeDisabled();
  await page.getByLabel('Location').fill(vaultPath);
  await expect(page.getByText(/New folder: it will be created/)).toBeVisible();
  await shot(page, 'walkthrough-2-vault-wrong-name');
  await name.fill('lab');
  await expect(page.getByText('Name must start with a letter (A-Z).')).toHaveCount(0);
  await page.getByRole('button', { name: 'Next: settings' }).click();
  await page.getByRole('button', { name: 'Next: review' }).click();
  await expect(page.getByRole('region', { name: 'CLI equivalent' })).toContainText(`labvault vault create --name lab --path ${vaultPath}`);
  await page.getByRole('button', { name: 'Create vault' }).click();
  await expect(page.getByRole('heading', { name: 'Vault "lab" is ready' })).toBeVisible();

  await page.getByRole('link', { name: 'Vaults' }).click();
  await expectVaultRowMatchesCli(page);
  await shot(page, 'walkthrough-3-vaults');

  // 3. Protect the disk image.
  await page.getByRole('link', { name: 'Protected items' }).click();
  await page.getByRole('button', { name: 'Protect VMs' }).first().click();
  await protectDiskImage(page, disk, 'build-agent');

  // 4. Back up now and watch the job to its end.
  await page.getByRole('link', { name: 'Protected items' }).click();
  await page.getByRole('table', { name: 'Protected items' }).getByText('build-agent', { exact: true }).click();
  await page.getByRole('button', { name: 'Backup now' }).click();
  const backupNow = page.getByRole('dialog', { name: /Backup now/ });
  // The default "retain until" day as the page computes it (its own today, in the browser's time zone).
  const retainDay = await backupNow.getByLabel('Retain until').inputValue();
  await backupNow.getByRole('button', { name: 'Start backup' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Backup of build-agent');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Completed', { timeout: 90_000 });
  await expect(page.getByRole('region', { name: 'Subtask Snapshot' })).toContainText('Completed');
  await expect(page.getByRole('region', { name: 'Subtask Transfer data to vault' })).toContainText('Completed');
  // The job's toast came (it leaves after a few seconds: seen by the page's watcher, not raced here).
  await expect.poll(() => toastsSeen(page)).toContainEqual(expect.stringMatching(/Backup of "?build-agent"? completed/));
  await expectToastsClearOfContent(page);
  await shot(page, 'walkthrough-5-job', { toasts: true });

  // The item's figures are the CLI's.
  await page.getByRole('button', { name: 'Open item' }).click();
  const item = await host.cliJson<CliItem>(['item', 'show', 'build-agent']);
  expect(item.pointCount).toBe(1);
  const overview = page.locator('.card').filter({ has: page.getByRole('heading', { name: 'Overview', exact: true }) });
  await expect(fact(overview, 'Recovery points')).toHaveText(String(item.pointCount));
  await expect(fact(overview, 'Stored')).toHaveText(formatBytes(item.storedBytes));
  const points = page.getByRole('table', { name: 'Recovery points' });
  await expect(points.getByRole('row')).toHaveCount(1 + item.pointCount);
  // The point expires on the day chosen in the dialog, shown in the browser's zone (not a day later).
  expect(await cell(points, 'On-demand', 'Expires')).toBe(await page.evaluate((day) => {
    const [year, month, date] = day.split('-').map(Number) as [number, number, number];
    return new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' })
      .format(new Date(year, month - 1, date));
  }, retainDay));
  await shot(page, 'walkthrough-6-item');

  // 5. Restore the disk into a new folder, verified, byte for byte.
  await page.getByRole('button', { name: 'Restore', exact: true }).click();
  await page.getByRole('button', { name: 'Next: what to restore' }).click();
  await expect(page.getByRole('radio', { name: /Restore disks/ })).toBeChecked();
  // The folder step is called Target, or Options followed by a Review (the wizard's newer shape).
  await page.getByRole('button', { name: /^Next: (target|options)$/ }).click();
  const restored = join(host.scratch, 'restored');
  await page.getByLabel('Restore into').fill(restored);
  await expect(page.getByText('New folder: it will be created.')).toBeVisible();
  const review = page.getByRole('button', { name: 'Next: review' });
  if (await review.count() > 0) await review.click();
  await page.getByRole('button', { name: 'Restore', exact: true }).click();
  await expect(page.getByTestId('restore-verified')).toHaveText('Verified: every byte checked against stored digests.', { timeout: 90_000 });
  await expectToastsClearOfContent(page);
  await shot(page, 'walkthrough-7-restored');
  expect(readFileSync(join(restored, 'build-agent.qcow2')).equals(readFileSync(disk))).toBe(true);

  // 6. A weekly policy: Saturday backups, with the keep-nothing mistake first.
  await page.getByRole('link', { name: 'Policies' }).click();
  await page.getByRole('button', { name: 'Create policy' }).click();
  await page.getByLabel('Policy name').fill('weekly-saturday');
  await page.getByRole('radio', { name: /Weekly/ }).check();
  const days = page.getByRole('group', { name: 'Backup days' });
  await days.getByRole('button', { name: 'saturday' }).click();
  if (await days.getByRole('button', { name: 'sunday' }).getAttribute('aria-pressed') === 'true') {
    await days.getByRole('button', { name: 'sunday' }).click();
  }
  await page.getByRole('button', { name: 'Next: time zone' }).click();
  await page.getByRole('button', { name: 'Next: fast restore' }).click();
  await page.getByRole('button', { name: 'Next: retention' }).click();
  await page.getByText('Daily points').click();
  await page.getByText('Weekly points').click();
  // The weekly day defaults to the first day the schedule runs.
  await expect(page.getByRole('combobox', { name: 'Weekday', exact: true })).toHaveValue('saturday');
  await page.getByRole('combobox', { name: 'Weekday', exact: true }).selectOption('sunday');
  // Either the field error (a weekly day the schedule never runs) or the keeps-nothing reason, naming the schedule.
  await expect(page.locator('.field-error, .banner-danger').filter({ hasText: /schedule/i }).first()).toBeVisible();
  await shot(page, 'walkthrough-8-policy-weekday-error', { fullPage: true });
  await page.getByRole('combobox', { name: 'Weekday', exact: true }).selectOption('saturday');
  await expect(page.getByText('This policy keeps no backup.')).toHaveCount(0);
  await page.getByRole('button', { name: 'Next: preview' }).click();
  await expect(page.getByText(/scheduled backups in a year; [1-9]\d* still kept/)).toBeVisible();
  await page.getByRole('button', { name: 'Next: review' }).click();
  await expect(page.getByRole('region', { name: 'CLI equivalent' })).toContainText('"day": "saturday"');
  await page.getByRole('button', { name: 'Create policy' }).click();
  await expect(page.getByRole('heading', { name: 'Policy "weekly-saturday" saved' })).toBeVisible();
  const policies = await host.cliJson<CliPolicy[]>(['policy', 'list', '--vault', 'lab']);
  expect(policies.find((policy) => policy.name === 'weekly-saturday')?.body.retention?.weekly?.day).toBe('saturday');

  // 7. The vault page and the dashboard agree with the CLI.
  await page.getByRole('link', { name: 'Vaults' }).click();
  await expectVaultRowMatchesCli(page);
  await page.getByRole('table', { name: 'Vaults' }).getByText('lab', { exact: true }).click();
  const stats = () => host.cliJson<CliStats>(['vault', 'stats', 'lab']);
  expect((await stats()).points).toBe(item.pointCount);
  await expectSameAsCli(page.getByTestId('size-logical'), async () => formatBytes((await stats()).usage.logicalBytes));
  await expectSameAsCli(page.getByTestId('size-stored'), async () => formatBytes((await stats()).usage.storedBytes));
  await expectSameAsCli(page.getByTestId('size-reclaimable'), async () => formatBytes((await stats()).usage.reclaimableBytes));
  // Free space moves with everything else on the drive: only its presence is compared.
  await expect(page.getByTestId('size-free')).not.toHaveText('—');
  await shot(page, 'walkthrough-9-vault-storage', { fullPage: true });

  await page.getByRole('link', { name: 'Dashboard' }).click();
  const health = page.getByRole('table', { name: 'Items health' });
  await expect(health).toContainText('build-agent');
  const items = await host.cliJson<CliItem[]>(['items', 'list']);
  await expect(health.getByRole('row')).toHaveCount(1 + items.length);
  await expectSameAsCli(page.getByTestId('vault-stored-lab'), async () => `${formatBytes((await stats()).usage.storedBytes)} stored`);
  await expect(page.getByText('No open alerts.')).toBeVisible();
  await expectToastsClearOfContent(page);
  await shot(page, 'walkthrough-10-dashboard');

  const overlaps = await page.evaluate(() => (window as unknown as { toastOverlaps: string[] }).toastOverlaps);
  expect(await toastsSeen(page), 'the watcher saw the toasts').not.toEqual([]);
  expect(overlaps, 'toasts over the page content').toEqual([]);
  expect(problems, 'console and page errors').toEqual([]);
});

/** A fact of a FactList by its label. */
function fact(scope: Locator, label: string): Locator {
  return scope.locator('.fact').filter({ has: scope.page().getByText(label, { exact: true }) }).locator('dd');
}

/**
 * The UI's text equals the CLI's figure read at the same time. Both are read again until they
 * agree: the vault may change between two reads (a job record written as a job ends), which is
 * not a disagreement; a UI that never shows the CLI's figure fails.
 */
async function expectSameAsCli(locator: Locator, cliText: () => Promise<string>): Promise<void> {
  await expect.poll(async () => {
    const expected = await cliText();
    const shown = (await locator.innerText()).trim();
    return shown === expected ? 'same' : `UI "${shown}", CLI "${expected}"`;
  }, { timeout: 30_000 }).toBe('same');
}

/** The Vaults list's row of "lab" shows the CLI's item count and stored size (the list refreshes when a job ends). */
async function expectVaultRowMatchesCli(page: Page): Promise<void> {
  const table = page.getByRole('table', { name: 'Vaults' });
  await expect(table.getByText('lab', { exact: true })).toBeVisible();
  const lab = async () => {
    const found = (await host.cliJson<CliVault[]>(['vault', 'list'])).find((vault) => vault.name === 'lab');
    expect(found?.usage, 'vault list --json gives the vault\'s usage').toBeDefined();
    return found as CliVault & { usage: CliUsage };
  };
  const row = table.getByRole('row').filter({ hasText: 'lab' });
  await expectSameAsCli(row.getByRole('cell').nth(await columnIndex(table, 'Items')), async () => String((await lab()).itemCount ?? 0));
  await expectSameAsCli(row.getByRole('cell').nth(await columnIndex(table, 'Stored')), async () => formatBytes((await lab()).usage.storedBytes));
}

/**
 * Protects one disk image through "Configure backup": the vault (the only one), its default
 * policy, then the VM's files picked by hand in the in-app file browser, review, enable.
 */
async function protectDiskImage(page: Page, file: string, itemName: string): Promise<void> {
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Configure backup');
  await expect(page.getByRole('radio', { name: /lab/ })).toBeChecked();
  // The vault card: immutability said in words, the stored size the CLI gives.
  const vaultCard = page.getByRole('radiogroup', { name: 'Vault' });
  await expect(vaultCard).toContainText('Immutability: off');
  await expect.poll(async () => {
    const lab = (await host.cliJson<CliVault[]>(['vault', 'list'])).find((vault) => vault.name === 'lab');
    return (await vaultCard.innerText()).includes(`${formatBytes(lab?.usage?.storedBytes ?? -1)} stored`);
  }, { timeout: 30_000 }).toBe(true);
  await page.getByRole('button', { name: 'Next: policy' }).click();
  await expect(page.getByLabel('Backup policy')).toHaveValue('DefaultPolicy');
  await page.getByRole('button', { name: 'Next: select VMs' }).click();
  await page.getByText('A VM that is not listed? Pick its files by hand').click();
  await page.getByRole('button', { name: 'Choose files…' }).click();
  const browser = page.getByRole('dialog', { name: "Choose the VM's files" });
  // Typed at once, as a user who knows the path does: the listing of the home folder arriving after never overwrites it.
  await browser.getByLabel('Path to open').fill(file);
  await browser.getByRole('button', { name: 'Go', exact: true }).click();
  await expect(browser.getByRole('checkbox', { name: `Select ${itemName}.qcow2` })).toBeChecked();
  await expect(browser.getByLabel('Path to open')).toHaveValue(file);
  await browser.getByRole('button', { name: 'Add files' }).click();
  await expect(page.getByRole('table', { name: 'Inspected files' }).getByText('qcow2', { exact: true })).toBeVisible();
  await shot(page, 'walkthrough-4-protect-files');
  await page.getByRole('button', { name: 'Next: review' }).click();
  await expect(page.getByRole('region', { name: 'CLI equivalent' })).toContainText(`labvault protect --vault lab`);
  await page.getByRole('button', { name: 'Enable backup' }).click();
  await expect(page.getByRole('list', { name: 'Backup enabled per VM' }).getByText('Protected')).toHaveCount(1);
  const item = await host.cliJson<CliItem>(['item', 'show', itemName]);
  expect(item.name).toBe(itemName);
}
