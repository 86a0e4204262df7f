/**
 * Configure backup for VMs through the UI, on the real engine: the in-app file browser
 * (the browser host has no native picker), discovery of VMs in a folder made at test time
 * (a VirtualBox .vbox with a VDI and a libvirt domain with a qcow2, written the way the
 * hypervisors write them), the wizard protecting two VMs at once, and the items page.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { startLabvaultHost, type LabvaultHost } from './fixtures/labvault-host.ts';
import { shot } from './fixtures/screenshots.ts';
import { makeLibvirtVm, makeVirtualBoxVm, type VmFixture } from './fixtures/vm-configs.ts';

let host: LabvaultHost;
let vmFolder: string;
let web: VmFixture;
let db: VmFixture;
test.beforeAll(async () => {
  host = await startLabvaultHost();
  const made = await host.cli(['vault', 'create', '--name', 'lab', '--path', join(host.scratch, 'lab')]);
  expect(made.code, made.stderr).toBe(0);
  vmFolder = join(host.scratch, 'lab-vms');
  web = makeVirtualBoxVm(vmFolder, 'web');
  db = makeLibvirtVm(vmFolder, 'db');
});
test.afterAll(async () => { await host?.stop(); });
test.describe.configure({ mode: 'serial' });

test('the file browser lists server folders: breadcrumbs, up, hidden files, links, typed paths', async ({ page }) => {
  const root = join(host.scratch, 'browse');
  mkdirSync(join(root, 'VirtualBox VMs', 'web'), { recursive: true });
  writeFileSync(join(root, 'VirtualBox VMs', 'web', 'web.vbox'), '<VirtualBox/>\n');
  writeFileSync(join(root, '.hidden-notes'), 'x');
  writeFileSync(join(root, 'disk.qcow2'), Buffer.alloc(4096));
  symlinkSync(join(root, 'VirtualBox VMs'), join(root, 'vms-link'));
  mkdirSync(join(root, 'many'));
  for (let index = 0; index < 501; index += 1) writeFileSync(join(root, 'many', `disk-${index}.raw`), '');

  await page.goto(await host.signInUrl());
  await page.getByRole('link', { name: 'Protected items' }).click();
  await page.getByRole('button', { name: 'Protect VMs' }).first().click();
  await page.getByRole('button', { name: 'Next: policy' }).click();
  await page.getByRole('button', { name: 'Next: select VMs' }).click();
  await page.getByText('A VM that is not listed? Pick its files by hand').click();
  await page.getByRole('button', { name: 'Choose files…' }).click();
  const dialog = page.getByRole('dialog', { name: "Choose the VM's files" });
  const path = dialog.getByLabel('Path to open');
  await path.fill('relative/folder');
  await path.press('Enter');
  await expect(dialog.getByText('Type a full path')).toBeVisible();
  await path.fill(`${root}/*.qcow2`);
  await path.press('Enter');
  await expect(dialog.getByText('Wildcards are not supported')).toBeVisible();
  await path.fill(root);
  await path.press('Enter');
  const list = dialog.getByRole('listbox', { name: 'Folder contents' });
  await expect(list.getByRole('button', { name: 'VirtualBox VMs' })).toBeVisible();
  await expect(list.getByText('Link to folder')).toBeVisible();
  await expect(list.getByText('.hidden-notes')).toHaveCount(0);
  await list.getByRole('button', { name: 'many' }).click();
  await expect(dialog.getByText('Showing the first 500 of 501 entries.')).toBeVisible();
  await dialog.getByRole('button', { name: 'Up one folder' }).click();
  await dialog.getByLabel('Show hidden files').check();
  await expect(list.getByText('.hidden-notes')).toBeVisible();
  await list.getByRole('button', { name: 'VirtualBox VMs' }).click();
  await list.getByRole('button', { name: 'web', exact: true }).click();
  await dialog.getByLabel('Select web.vbox').check();
  await expect(dialog.getByText('1 selected')).toBeVisible();
  await shot(page, 'file-browser-dialog');
  await dialog.getByRole('navigation', { name: 'Folder path' }).getByRole('button', { name: 'browse' }).click();
  await dialog.getByLabel('Select disk.qcow2').check();
  await dialog.getByRole('button', { name: 'Add files' }).click();
  const inspected = page.getByRole('table', { name: 'Inspected files' });
  await expect(inspected.getByText(join(root, 'VirtualBox VMs', 'web', 'web.vbox'))).toBeVisible();
  await expect(inspected.getByText(join(root, 'disk.qcow2'))).toBeVisible();
});

test('configure backup for two VMs at once: vault, new policy, scan a folder, review, enable, backup now', async ({ page }) => {
  await page.goto(await host.signInUrl());
  await page.getByRole('link', { name: 'Protected items' }).click();
  await page.getByRole('button', { name: 'Protect VMs' }).first().click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Configure backup');
  await expect(page.getByRole('radio', { name: /lab/ })).toBeChecked();
  await expect(page.getByRole('radiogroup', { name: 'Vault' })).toContainText('Immutability: off');
  await shot(page, 'configure-backup-1-vault');
  await page.getByRole('button', { name: 'Next: policy' }).click();

  await expect(page.getByLabel('Backup policy')).toHaveValue('DefaultPolicy');
  await page.getByRole('radio', { name: /Create a new policy/ }).check();
  await shot(page, 'configure-backup-2-policy');
  await page.getByRole('button', { name: 'Next', exact: true }).click();
  await page.getByLabel('Policy name').fill('lab-nightly');
  for (let page_ = 0; page_ < 3; page_ += 1) await page.getByRole('button', { name: 'Next', exact: true }).click();
  await expect(page.getByRole('heading', { name: /Retention/ })).toBeVisible();
  await page.getByRole('button', { name: 'Next: select VMs' }).click();

  await page.getByRole('button', { name: 'Add a folder to scan…' }).click();
  const browser = page.getByRole('dialog', { name: 'Add a folder to scan' });
  await browser.getByLabel('Path to open').fill(vmFolder);
  await browser.getByLabel('Path to open').press('Enter');
  await expect(browser.getByRole('listbox', { name: 'Folder contents' }).getByRole('button', { name: 'web' })).toBeVisible();
  await shot(page, 'configure-backup-3-scan-folder');
  await browser.getByRole('button', { name: 'Scan this folder' }).click();
  const list = page.getByRole('group', { name: 'Discovered VMs' });
  await expect(list.getByText(web.config)).toBeVisible();
  await expect(list.getByText(db.config)).toBeVisible();
  await page.getByLabel('Protect web').check();
  await page.getByLabel('Protect db').check();
  await shot(page, 'configure-backup-3-select-vms');
  await page.getByRole('button', { name: 'Next: review' }).click();

  const cli = page.getByRole('region', { name: 'CLI equivalent' });
  await expect(cli).toContainText('labvault policy create --vault lab --file policy.json');
  await expect(cli).toContainText(`labvault protect --vault lab --vm ${web.config} --name web --policy lab-nightly`);
  await expect(cli).toContainText(`labvault protect --vault lab --vm ${db.config} --name db --policy lab-nightly`);
  await expect(page.getByRole('region', { name: 'VM web' })).toContainText(web.disk);
  await shot(page, 'configure-backup-4-review', { fullPage: true });
  await page.getByRole('button', { name: 'Enable backup' }).click();

  const rows = page.getByRole('list', { name: 'Backup enabled per VM' });
  await expect(rows.getByText('Protected')).toHaveCount(2);
  await shot(page, 'configure-backup-5-enabled');
  await page.getByRole('button', { name: 'Next: backup now' }).click();
  await page.getByRole('button', { name: 'Backup now (2 VMs)' }).click();
  await expect(page.getByRole('list', { name: 'Backups started' }).getByText('Started')).toHaveCount(2);
  await shot(page, 'configure-backup-6-backup-now');

  await page.getByRole('link', { name: 'Protected items' }).click();
  const items = page.getByRole('table', { name: 'Protected items' });
  const webRow = items.getByRole('row').filter({ has: page.getByText('web', { exact: true }) });
  await expect(webRow).toContainText('VirtualBox');
  await expect(webRow).toContainText('Saved');
  const dbRow = items.getByRole('row').filter({ has: page.getByText('db', { exact: true }) });
  await expect(dbRow).toContainText('libvirt / QEMU');
  await expect(dbRow).toContainText('Powered off');
  await shot(page, 'items-list-vms');

  await items.getByText('web', { exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('web');
  await page.getByRole('button', { name: 'Change files…' }).click();
  const change = page.getByRole('dialog', { name: 'Change the files of "web"' });
  await change.getByRole('button', { name: "Re-read the VM's configuration" }).click();
  await expect(change.getByText('No change: the item already backs up exactly these files.')).toBeVisible();
  await expect(change.getByRole('button', { name: 'Save change' })).toBeDisabled();
  await shot(page, 'item-change-files');
});

test('protected VMs are shown but cannot be chosen; a VM that fails is shown on its row, fixed and retried', async ({ page }) => {
  const more = join(host.scratch, 'more-vms');
  const app = makeVirtualBoxVm(more, 'app', 'poweroff');
  const cache = makeLibvirtVm(more, 'cache');
  await page.goto(`${await host.signInUrl()}`);
  await page.getByRole('link', { name: 'Protected items' }).click();
  await page.getByRole('button', { name: 'Protect VMs' }).first().click();
  await page.getByRole('button', { name: 'Next: policy' }).click();
  await page.getByRole('button', { name: 'Next: select VMs' }).click();
  for (const folder of [vmFolder, more]) {
    await page.getByRole('button', { name: 'Add a folder to scan…' }).click();
    const browser = page.getByRole('dialog', { name: 'Add a folder to scan' });
    await browser.getByLabel('Path to open').fill(folder);
    await browser.getByLabel('Path to open').press('Enter');
    await expect(browser.getByText(`Folder: ${folder}`)).toBeVisible();
    await browser.getByRole('button', { name: 'Scan this folder' }).click();
  }
  const list = page.getByRole('group', { name: 'Discovered VMs' });
  await expect(list.getByText(app.config)).toBeVisible();
  await expect(page.getByLabel('Protect web')).toBeDisabled();
  await expect(list.getByText('Already protected as "web" in vault lab.')).toBeVisible();
  await page.getByLabel('Protect app').check();
  await page.getByLabel('Protect cache').check();
  await shot(page, 'configure-backup-3-select-vms-protected', { fullPage: true });
  await page.getByRole('button', { name: 'Next: review' }).click();
  const cacheName = page.getByRole('region', { name: 'VM cache' }).getByLabel('Item name');
  await cacheName.fill('web');
  await page.getByRole('button', { name: 'Enable backup' }).click();

  const rows = page.getByRole('list', { name: 'Backup enabled per VM' });
  await expect(rows.getByRole('listitem').filter({ hasText: 'app' })).toContainText('Protected');
  const failed = rows.getByRole('listitem').filter({ hasText: 'Failed' });
  await expect(failed).toContainText('cache (item "web")');
  await expect(failed).toContainText('already has an item named "web"');
  await shot(page, 'configure-backup-5-partial-failure');
  await page.getByRole('button', { name: 'Back', exact: true }).click();
  await expect(page.getByRole('region', { name: 'VM app' }).getByLabel('Item name')).toBeDisabled();
  await cacheName.fill('cache');
  await page.getByRole('button', { name: 'Enable backup' }).click();
  await expect(rows.getByText('Protected')).toHaveCount(2);
  await page.getByRole('button', { name: 'Next: backup now' }).click();
  await expect(page.getByRole('heading', { name: 'Backup is enabled for 2 VMs' })).toBeVisible();
  const names = (await host.cliJson<Array<{ name: string }>>(['items', 'list'])).map((item) => item.name).sort();
  expect(names).toEqual(['app', 'cache', 'db', 'web']);

  await page.getByRole('link', { name: 'Dashboard' }).click();
  const health = page.getByRole('table', { name: 'Items health' });
  await expect(health.getByRole('row').filter({ hasText: 'cache' })).toContainText('libvirt / QEMU');
  await expect(health.getByRole('row').filter({ hasText: 'web' })).toContainText('Saved');
  await shot(page, 'dashboard-vms');
});

