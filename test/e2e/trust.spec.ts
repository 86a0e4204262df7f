/**
 * Issue 10: a vault that arrives from elsewhere is untrusted. Its items are listed as
 * "Needs confirmation" and are not backed up until the user reviews and confirms the files
 * they name, on the item's page. And a locked vault whose vault.json was edited back to
 * "disabled" stays locked on a machine that saw it locked, with the reason shown.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { startLabvaultHost, type LabvaultHost } from './fixtures/labvault-host.ts';
import { shot } from './fixtures/screenshots.ts';
import { makeTestVm } from './fixtures/vm-files.ts';

interface ItemJson { name: string; needsConfirmation?: { reason: string } }
interface VaultJson { name: string; immutability: string; immutabilityNote?: string }

let host: LabvaultHost;
test.beforeAll(async () => { host = await startLabvaultHost(); });
test.afterAll(async () => { await host?.stop(); });
test.describe.configure({ mode: 'serial' });

test('an item from an opened vault needs its files confirmed before any backup', async ({ page }) => {
  const otherHome = join(host.scratch, 'colleague-home');
  const folder = join(host.scratch, 'usb-vault');
  const vm = makeTestVm(host.scratch, 'web-07');
  for (const args of [
    ['vault', 'create', '--name', 'usb', '--path', folder],
    ['protect', '--vault', 'usb', '--name', 'web-07', vm.config, vm.disk],
    ['backup', 'web-07'],
  ]) {
    const run = await host.cli(args, { home: otherHome });
    expect(run.code, run.stderr).toBe(0);
  }
  const opened = await host.cli(['vault', 'open', folder]);
  expect(opened.code, opened.stderr).toBe(0);
  const refused = await host.cli(['backup', 'web-07']);
  expect(refused.code).toBe(2);
  expect(refused.stderr).toContain('labvault item confirm');

  await page.goto(await host.signInUrl());
  await page.getByRole('link', { name: 'Protected items' }).click();
  await expect(page.getByText('Needs confirmation')).toBeVisible();
  await shot(page, 'items-needs-confirmation');
  await page.getByRole('table', { name: 'Protected items' }).getByText('web-07', { exact: true }).click();
  await expect(page.getByText('Not backed up on this machine until you confirm its files.')).toBeVisible();
  await page.getByRole('button', { name: 'Review and confirm files…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Confirm the files of "web-07"' });
  await expect(dialog.getByText(vm.disk)).toBeVisible();
  await expect(dialog.getByText(vm.config)).toBeVisible();
  await shot(page, 'item-confirm-files-dialog');
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText('Not backed up on this machine until you confirm its files.')).toBeHidden();
  const item = await host.cliJson<ItemJson>(['item', 'show', 'web-07']);
  expect(item.needsConfirmation).toBeUndefined();
  const backup = await host.cli(['backup', 'web-07']);
  expect(backup.code, backup.stderr).toBe(0);
});

test('a locked vault edited to "disabled" stays locked here, and the page says why', async ({ page }) => {
  const folder = join(host.scratch, 'locked-vault');
  for (const args of [
    ['vault', 'create', '--name', 'vault-lock', '--path', folder, '--immutability', 'enabled'],
    ['vault', 'update', 'vault-lock', '--immutability', 'locked', '--confirm', 'vault-lock'],
  ]) {
    const run = await host.cli(args);
    expect(run.code, run.stderr).toBe(0);
  }
  const configPath = join(folder, 'vault.json');
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as { settings: { immutability: string } };
  config.settings.immutability = 'disabled';
  chmodSync(configPath, 0o644);
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  const shown = await host.cliJson<VaultJson>(['vault', 'show', 'vault-lock']);
  expect(shown.immutability).toBe('locked');
  expect(shown.immutabilityNote).toBeTruthy();

  await page.goto(await host.signInUrl());
  await page.getByRole('link', { name: 'Vaults' }).click();
  await page.getByRole('table', { name: 'Vaults' }).getByText('vault-lock', { exact: true }).click();
  await expect(page.getByText(shown.immutabilityNote ?? '', { exact: false })).toBeVisible();
  await shot(page, 'vault-immutability-remembered', { fullPage: true });
});
