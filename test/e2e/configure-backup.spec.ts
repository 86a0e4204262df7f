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

let host: LabvaultHost;
test.beforeAll(async () => {
  host = await startLabvaultHost();
  const made = await host.cli(['vault', 'create', '--name', 'lab', '--path', join(host.scratch, 'lab')]);
  expect(made.code, made.stderr).toBe(0);
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

  await page.goto(await host.signInUrl());
  await page.getByRole('link', { name: 'Protected items' }).click();
  await page.getByRole('button', { name: 'Protect VMs' }).first().click();
  await page.getByRole('button', { name: 'Next: files' }).click();
  await page.getByRole('button', { name: 'Browse…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Choose the VM configuration and disk images' });
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
  await expect(page.getByLabel('Files, one path per line'))
    .toHaveValue(`${join(root, 'VirtualBox VMs', 'web', 'web.vbox')}\n${join(root, 'disk.qcow2')}`);
});
