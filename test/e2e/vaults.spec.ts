/**
 * Issue 3: the app shell, the Vaults page and the Create vault wizard, checked against
 * the CLI on the same LABVAULT_HOME (both directions).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { startLabvaultHost, type LabvaultHost } from './fixtures/labvault-host.ts';
import { shot } from './fixtures/screenshots.ts';

interface VaultJson { name: string; path: string; softDeleteDays: number; softDeleteEnabled: boolean; immutability: string }

let host: LabvaultHost;
test.beforeAll(async () => { host = await startLabvaultHost(); });
test.afterAll(async () => { await host?.stop(); });
test.describe.configure({ mode: 'serial' });

test('empty vault list, then a vault created with the CLI appears in the UI', async ({ page }) => {
  await page.goto(await host.signInUrl());
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
  await expect(page.getByText('Welcome to Labvault')).toBeVisible();
  await shot(page, 'dashboard-empty');
  await page.getByRole('link', { name: 'Vaults' }).click();
  await expect(page.getByText('No vaults yet')).toBeVisible();
  // The token left the address bar but stays in the session.
  expect(page.url()).not.toContain('token=');
  await shot(page, 'vaults-empty');

  const created = await host.cli(['vault', 'create', '--name', 'Lab-Main', '--path', join(host.scratch, 'lab-main')]);
  expect(created.code, created.stderr).toBe(0);
  // The CLI is another process: the list shows it after a reload.
  await page.reload();
  await expect(page.getByRole('table', { name: 'Vaults' }).getByText('Lab-Main', { exact: true })).toBeVisible();
});

test('create vault wizard: live validation, review with CLI equivalent, create, reload, CLI sees it', async ({ page }) => {
  await page.goto(await host.signInUrl());
  await page.getByRole('link', { name: 'Vaults' }).click();
  await page.getByRole('button', { name: 'Create vault' }).first().click();
  await expect(page.getByRole('heading', { name: 'Create a vault' })).toBeVisible();
  const name = page.getByLabel('Vault name');
  const next = page.getByRole('button', { name: 'Next: settings' });

  const cases: Array<[string, string]> = [
    ['1-bad', 'Name must start with a letter (A-Z).'],
    ['a', 'Name must be at least 2 characters long.'],
    [`a${'b'.repeat(50)}`, 'Name must be at most 50 characters long.'],
    ['bad_name', 'Name may contain only letters A-Z, digits and hyphens.'],
    ['lab-MAIN', 'A vault named "Lab-Main" already exists'],
  ];
  for (const [value, message] of cases) {
    await name.fill(value);
    await expect(page.getByText(message)).toBeVisible();
    await expect(next).toBeDisabled();
  }
  await name.fill('1-bad');
  await shot(page, 'create-vault-1-basics-invalid-name');

  const busyFolder = join(host.scratch, 'busy');
  mkdirSync(busyFolder, { recursive: true });
  writeFileSync(join(busyFolder, 'notes.txt'), 'not a vault');
  await name.fill('ui-vault');
  const location = page.getByLabel('Location');
  await location.fill(busyFolder);
  await expect(page.getByText(/is not empty/)).toBeVisible();
  await expect(next).toBeDisabled();
  await shot(page, 'create-vault-1-basics-folder-not-empty');

  const vaultPath = join(host.scratch, 'ui-vault');
  await location.fill(vaultPath);
  await expect(page.getByText('New folder: it will be created.', { exact: false })).toBeVisible();
  await expect(next).toBeEnabled();
  await shot(page, 'create-vault-1-basics');
  // Enter in a field presses the step's primary button, as in a form.
  await location.press('Enter');

  const days = page.getByLabel('Keep deleted data for');
  await expect(days).toHaveValue('14');
  await days.fill('200');
  await expect(page.getByText('Soft delete retention must be between 14 and 180 days.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Next: review' })).toBeDisabled();
  await days.fill('30');
  await page.getByText('Encrypt this vault with a passphrase').click();
  await page.getByLabel('Passphrase', { exact: true }).fill('correct horse battery staple');
  await page.getByLabel('Passphrase again').fill('correct horse battery');
  await expect(page.getByText('The two passphrases differ.')).toBeVisible();
  await expect(page.getByText('A lost passphrase means lost backups.')).toBeVisible();
  await shot(page, 'create-vault-2-settings-encryption');
  await page.getByText('Encrypt this vault with a passphrase').click();
  await page.getByRole('radio', { name: /Enabled/ }).check();
  await shot(page, 'create-vault-2-settings');
  await page.getByRole('button', { name: 'Next: review' }).click();

  const cli = page.getByRole('region', { name: 'CLI equivalent' });
  await expect(cli).toContainText(`labvault vault create --name ui-vault --path ${vaultPath} --soft-delete-days 30 --immutability enabled`);
  await shot(page, 'create-vault-3-review');
  await page.getByRole('button', { name: 'Create vault' }).click();
  await expect(page.getByRole('heading', { name: 'Vault "ui-vault" is ready' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Protect VMs' })).toBeVisible();
  await shot(page, 'create-vault-4-done');

  await page.getByRole('button', { name: 'Back to vaults' }).click();
  const table = page.getByRole('table', { name: 'Vaults' });
  await expect(table.getByText('ui-vault', { exact: true })).toBeVisible();
  await page.reload();
  await expect(table.getByText('ui-vault', { exact: true })).toBeVisible();
  await expect(table.getByText('Lab-Main', { exact: true })).toBeVisible();
  await shot(page, 'vaults-list');

  const listed = await host.cliJson<VaultJson[]>(['vault', 'list']);
  const mine = listed.find((vault) => vault.name === 'ui-vault');
  expect(mine).toMatchObject({ softDeleteEnabled: true, softDeleteDays: 30, immutability: 'enabled' });
  expect(mine?.path).toBe(vaultPath);
});

test('vault details: settings changes, lock explained, delete an empty vault', async ({ page }) => {
  await page.goto(await host.signInUrl());
  await page.getByRole('link', { name: 'Vaults' }).click();
  await page.getByRole('table', { name: 'Vaults' }).getByText('ui-vault', { exact: true }).click();
  await expect(page.getByRole('heading', { name: /ui-vault/ })).toBeVisible();
  await expect(page.getByText('Protection settings')).toBeVisible();
  await shot(page, 'vault-details');

  await page.getByRole('button', { name: 'Lock immutability…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Lock immutability' });
  await expect(dialog.getByText('Locking is irreversible.')).toBeVisible();
  await dialog.getByLabel(/Type the vault name/).fill('UI-VAULT');
  await expect(dialog.getByRole('button', { name: 'Lock immutability' })).toBeDisabled();
  await shot(page, 'vault-lock-immutability');
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  await page.getByRole('button', { name: 'Disable' }).click();
  await page.getByRole('dialog', { name: 'Disable immutability' }).getByRole('button', { name: 'Disable' }).click();
  await expect(page.getByRole('button', { name: 'Enable immutability…' })).toBeVisible();
  const days = page.getByLabel('Keep deleted data for');
  await days.fill('181');
  await expect(page.getByText('Soft delete retention must be between 14 and 180 days.')).toBeVisible();
  await days.fill('60');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Deleted data is now kept 60 days')).toBeVisible();
  const shown = await host.cliJson<VaultJson>(['vault', 'show', 'ui-vault']);
  expect(shown).toMatchObject({ softDeleteDays: 60, immutability: 'disabled' });

  await page.getByRole('button', { name: 'Delete vault' }).click();
  const remove = page.getByRole('dialog', { name: 'Delete vault "ui-vault"' });
  await remove.getByLabel(/Type the vault name/).fill('ui-vault');
  await shot(page, 'vault-delete-confirm');
  await remove.getByRole('button', { name: 'Delete vault' }).click();
  await expect(page.getByRole('table', { name: 'Vaults' }).getByText('ui-vault', { exact: true })).toHaveCount(0);
  const after = await host.cliJson<VaultJson[]>(['vault', 'list']);
  expect(after.map((vault) => vault.name)).toEqual(['Lab-Main']);
});

test('open an existing vault folder created by another app home', async ({ page }) => {
  const folder = join(host.scratch, 'moved-vault');
  const otherHome = join(host.scratch, 'other-home');
  const made = await host.cli(['vault', 'create', '--name', 'moved', '--path', folder], { home: otherHome });
  expect(made.code, made.stderr).toBe(0);
  await page.goto(await host.signInUrl());
  await page.getByRole('link', { name: 'Vaults' }).click();
  await page.getByRole('button', { name: 'Open existing vault' }).click();
  const dialog = page.getByRole('dialog', { name: 'Open an existing vault' });
  await dialog.getByLabel('Vault folder').fill(join(host.scratch, 'nothing-here'));
  await dialog.getByRole('button', { name: 'Open vault' }).click();
  await expect(dialog.locator('.field-error')).toBeVisible();
  await shot(page, 'vault-open-error');
  await dialog.getByLabel('Vault folder').fill(folder);
  await shot(page, 'vault-open');
  await dialog.getByRole('button', { name: 'Open vault' }).click();
  await expect(page.getByRole('heading', { name: /moved/ })).toBeVisible();
  const listed = await host.cliJson<VaultJson[]>(['vault', 'list']);
  expect(listed.map((vault) => vault.name).sort()).toEqual(['Lab-Main', 'moved']);
});

test('create an encrypted vault; a wrong passphrase is refused at unlock, the right one unlocks', async ({ page }) => {
  await page.goto(await host.signInUrl());
  await page.getByRole('link', { name: 'Vaults' }).click();
  await page.getByRole('button', { name: 'Create vault' }).first().click();
  await page.getByLabel('Vault name').fill('sealed');
  await page.getByLabel('Location').fill(join(host.scratch, 'sealed'));
  await expect(page.getByText('New folder: it will be created.', { exact: false })).toBeVisible();
  await page.getByRole('button', { name: 'Next: settings' }).click();
  await page.getByText('Encrypt this vault with a passphrase').click();
  await page.getByLabel('Passphrase', { exact: true }).fill('short');
  await expect(page.getByText('Use at least 10 characters.')).toBeVisible();
  await page.getByLabel('Passphrase', { exact: true }).fill('orange kettle seven rivers');
  await page.getByLabel('Passphrase again').fill('orange kettle seven rivers');
  await expect(page.getByText('Strong.')).toBeVisible();
  await page.getByRole('button', { name: 'Next: review' }).click();
  await expect(page.getByRole('region', { name: 'CLI equivalent' })).toContainText('--encrypt --passphrase-file FILE');
  await page.getByRole('button', { name: 'Create vault' }).click();
  await expect(page.getByRole('heading', { name: 'Vault "sealed" is ready' })).toBeVisible();
  await page.getByRole('button', { name: 'Open vault' }).click();
  await expect(page.getByText('Encrypted', { exact: true })).toBeVisible();
  expect((await host.cliJson<VaultJson & { encrypted: boolean }>(['vault', 'show', 'sealed'])).encrypted).toBe(true);

  await page.getByRole('button', { name: 'Unlock…' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Unlock vault "sealed"' });
  await dialog.getByLabel('Passphrase').fill('not the passphrase');
  await dialog.getByRole('button', { name: 'Unlock' }).click();
  await expect(dialog.locator('.field-error')).toContainText(/passphrase is wrong/i);
  await shot(page, 'vault-unlock-wrong-passphrase');
  await dialog.getByLabel('Passphrase').fill('orange kettle seven rivers');
  await dialog.getByRole('button', { name: 'Unlock' }).click();
  await expect(dialog).toHaveCount(0);

  // Fast restore copies: on by default, kept beside the VM only; off and on again without a confirmation.
  await expect(page.getByText(/this encrypted vault keeps them only beside the VM/)).toBeVisible();
  await page.getByRole('button', { name: 'Turn clones off' }).click();
  await expect(page.getByText('Fast restore copies are off')).toBeVisible();
  expect((await host.cliJson<{ instantRestoreClones?: boolean }>(['vault', 'show', 'sealed'])).instantRestoreClones).toBe(false);
  await page.getByRole('button', { name: 'Turn clones on' }).click();
  await expect(page.getByText('Fast restore copies are on')).toBeVisible();
  expect((await host.cliJson<{ instantRestoreClones?: boolean }>(['vault', 'show', 'sealed'])).instantRestoreClones).toBe(true);
});
