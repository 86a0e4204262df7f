/**
 * The restore wizard's VM outcomes in Chromium, on the real engine: a powered-off VirtualBox
 * VM (a .vbox and a VDI made by qemu-img) protected and backed up twice with the CLI (its
 * disk changed between), then
 * - restored as a new VM: the two points compared (the disk changed), the folder checked
 *   live (a non-empty one refused), review with the CLI equivalent, live job, done with the
 *   command to register it; the new .vbox names the new VM and the disk equals the point
 *   (qemu-img compare);
 * - replaced in place by the older point (typed confirmation; the VM's state shown): the
 *   files equal the point's byte for byte, and the state before is a recovery point. The
 *   job's end is held back on the WebSocket until the progress step has been pictured.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { startLabvaultHost, type LabvaultHost } from './fixtures/labvault-host.ts';
import { shot } from './fixtures/screenshots.ts';
import { makeVirtualBoxVm, type VmFixture } from './fixtures/vm-configs.ts';

interface CliPoint { id: string; createdAt: string }

let host: LabvaultHost;
let vm: VmFixture;
/** The VM's files as the older point has them. */
let olderCopy: string;
let older: CliPoint;
let newer: CliPoint;

test.describe.configure({ mode: 'serial' });
test.beforeAll(async () => {
  host = await startLabvaultHost();
  expect((await host.cli(['vault', 'create', '--name', 'lab', '--path', join(host.scratch, 'lab')])).code).toBe(0);
  vm = makeVirtualBoxVm(join(host.scratch, 'vms'), 'web', 'poweroff');
  const protectedVm = await host.cli(['protect', '--vault', 'lab', '--vm', vm.config, '--name', 'web', '--json']);
  expect(protectedVm.code, protectedVm.stderr).toBe(0);
  expect((await host.cli(['backup', 'web', '--json'])).code).toBe(0);
  olderCopy = join(host.scratch, 'older-copy');
  mkdirSync(olderCopy);
  for (const file of [vm.config, vm.disk]) copyFileSync(file, join(olderCopy, file.slice(vm.dir.length + 1)));
  // The guest writes 2 MiB between the backups.
  execFileSync('qemu-io', ['-c', 'write -P 0x77 4M 2M', vm.disk], { stdio: 'ignore' });
  expect((await host.cli(['backup', 'web', '--json'])).code).toBe(0);
  const points = await host.cliJson<CliPoint[]>(['points', 'list', 'web']);
  expect(points).toHaveLength(2);
  [newer, older] = points as [CliPoint, CliPoint];
});
test.afterAll(async () => { await host?.stop(); });

test('replace is refused while the VM is saved (suspended), saying why', async ({ page }) => {
  const saved = makeVirtualBoxVm(join(host.scratch, 'vms'), 'db');
  expect((await host.cli(['protect', '--vault', 'lab', '--vm', saved.config, '--name', 'db', '--json'])).code).toBe(0);
  expect((await host.cli(['backup', 'db', '--json'])).code).toBe(0);
  await page.goto(await host.signInUrl());
  await page.goto(`${host.origin}/#/restore/db`);
  await page.getByRole('button', { name: 'Next: what to restore' }).click();
  await page.getByRole('radio', { name: /Replace existing/ }).check();
  await page.getByRole('button', { name: 'Next: options' }).click();
  await expect(page.getByTestId('replace-vm-state')).toContainText('Saved');
  await expect(page.getByRole('status').filter({ hasText: 'Replace cannot start now.' })).toContainText('db is saved (suspended)');
  await page.getByLabel('Type the item name "db" to confirm').fill('db');
  await expect(page.getByRole('button', { name: 'Next: review' })).toBeDisabled();
  await shot(page, 'restore-replace-4-vm-saved', { fullPage: true });
  // The new VM keeps the saved state by default on the same hypervisor.
  await page.getByRole('button', { name: 'Back' }).click();
  await page.getByRole('radio', { name: /Create new VM/ }).check();
  await page.getByRole('button', { name: 'Next: options' }).click();
  await expect(page.getByRole('checkbox', { name: /Keep the saved state/ })).toBeChecked();
  await page.getByLabel('Hypervisor', { exact: true }).selectOption('libvirt-qemu');
  await expect(page.getByRole('checkbox', { name: /Keep the saved state/ })).toBeDisabled();
  await page.getByLabel('Hypervisor', { exact: true }).selectOption('same');
  await page.getByRole('checkbox', { name: /Keep the saved state/ }).uncheck();
  await expect(page.getByRole('button', { name: 'Next: review' })).toBeEnabled();
  await page.getByRole('button', { name: 'Next: review' }).click();
  await expect(page.getByRole('region', { name: 'CLI equivalent' })).toContainText('--name db-restored --drop-saved-state');
});

test('restore a VM as a new VM beside the old one', async ({ page }) => {
  await page.goto(await host.signInUrl());
  await page.goto(`${host.origin}/#/restore/web`);
  const points = page.getByRole('radiogroup', { name: 'Recovery points' });
  await expect(points.getByRole('radio')).toHaveCount(2);
  await expect(points.getByRole('radio').first()).toBeChecked();
  // Compare the newest point with the one before: the disk changed, by the 2 MiB the guest wrote (chunks of 1 MiB or more).
  await page.getByLabel('Compare with another point').selectOption(older.id);
  const changes = page.getByRole('table', { name: 'Changes between the points' });
  await expect(changes.getByRole('row', { name: /web\.vdi/ })).toContainText('Changed');
  await expect(changes.getByRole('row', { name: /web\.vbox/ })).toContainText('Unchanged');
  await expect(page.getByText('1 of 2 files changed.')).toBeVisible();
  await shot(page, 'restore-vm-2-point-compare', { fullPage: true });

  await page.getByRole('button', { name: 'Next: what to restore' }).click();
  await page.getByRole('radio', { name: /Create new VM/ }).check();
  await shot(page, 'restore-vm-3-what');
  await page.getByRole('button', { name: 'Next: options' }).click();

  const name = page.getByLabel('Name of the new VM');
  await expect(name).toHaveValue('web-restored');
  const folder = page.getByLabel('Folder of the new VM');
  await expect(folder).toHaveValue(join(host.scratch, 'vms', 'web-restored'));
  // The folder follows the name until it is typed; a folder with files in it is refused.
  await name.fill('web-tuesday');
  const target = join(host.scratch, 'vms', 'web-tuesday');
  await expect(folder).toHaveValue(target);
  await folder.fill(vm.dir);
  await expect(page.getByText(/is not empty; a restore never writes over anything/)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Next: review' })).toBeDisabled();
  // Browse… opens the in-app folder browser (folders of the machine running Labvault) where the VMs are;
  // the VM's own folder is made inside the one chosen.
  await page.getByRole('button', { name: 'Browse…' }).click();
  const browser = page.getByRole('dialog', { name: 'Where the new VM goes' });
  await expect(browser.getByText(`Folder: ${join(host.scratch, 'vms')}`)).toBeVisible();
  await shot(page, 'restore-vm-4-folder-browser');
  await browser.getByRole('button', { name: 'Use this folder' }).click();
  await expect(folder).toHaveValue(target);
  await expect(page.getByText('This name is free.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Next: review' })).toBeEnabled();
  await shot(page, 'restore-vm-4-options', { fullPage: true });

  await page.getByRole('button', { name: 'Next: review' }).click();
  const cli = page.getByRole('region', { name: 'CLI equivalent' });
  await expect(cli).toContainText(`labvault restore vm web --point ${newer.id} --to ${target} --name web-tuesday`);
  await expect(page.getByText(join(target, 'web-tuesday.vbox'), { exact: true })).toBeVisible();
  await shot(page, 'restore-vm-5-review', { fullPage: true });

  await page.getByRole('button', { name: 'Restore', exact: true }).click();
  await expect(page.getByTestId('restore-verified')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('restored-folder')).toHaveText(target);
  // VirtualBox is not installed here: the last step gives the command that registers the VM.
  await expect(page.getByTestId('restored-registration')).toContainText(`VBoxManage registervm ${join(target, 'web-tuesday.vbox')}`);
  await shot(page, 'restore-vm-7-done');

  const vbox = readFileSync(join(target, 'web-tuesday.vbox'), 'utf8');
  expect(vbox).toContain('name="web-tuesday"');
  expect(vbox).not.toContain(vm.dir);
  const disks = readdirSync(target).filter((file) => file.endsWith('.vdi'));
  expect(disks).toHaveLength(1);
  execFileSync('qemu-img', ['compare', '-q', join(target, disks[0]!), vm.disk]);
  // The original VM is untouched.
  expect(readdirSync(vm.dir).sort()).toEqual(['Snapshots', 'web.vbox', 'web.vdi']);
});

/**
 * Holds back every answer that is a restore job which has ended (what the wizard asks for
 * while it follows the job), until release(): the wizard stays on its progress step however
 * fast the job is.
 */
async function holdJobEnds(page: Page): Promise<{ release: () => void }> {
  const held: (() => void)[] = [];
  let holding = true;
  await page.routeWebSocket(/\/ws/, (client) => {
    const server = client.connectToServer();
    client.onMessage((message) => server.send(message));
    server.onMessage((message) => {
      const answer = JSON.parse(String(message)) as { type?: string; result?: { value?: { operation?: string; status?: string } } };
      const job = answer.type === 'result' ? answer.result?.value : undefined;
      const ended = job?.operation === 'restore' && !['in-progress', 'queued'].includes(job.status ?? '');
      if (holding && ended) held.push(() => client.send(message));
      else client.send(message);
    });
  });
  return { release: () => { holding = false; for (const send of held.splice(0)) send(); } };
}

test('replace the powered-off VM with an older point, typed confirmation', async ({ page }) => {
  const before = readFileSync(vm.disk);
  const jobEnds = await holdJobEnds(page);
  await page.goto(await host.signInUrl());
  await page.goto(`${host.origin}/#/restore/web`);
  const points = page.getByRole('radiogroup', { name: 'Recovery points' });
  await expect(points.getByRole('radio')).toHaveCount(2);
  await points.getByRole('radio').nth(1).check();
  await page.getByRole('button', { name: 'Next: what to restore' }).click();
  await page.getByRole('radio', { name: /Replace existing/ }).check();
  await page.getByRole('button', { name: 'Next: options' }).click();

  await expect(page.getByTestId('replace-vm-state')).toContainText('Powered off');
  const confirm = page.getByLabel('Type the item name "web" to confirm');
  await confirm.fill('Web');
  await expect(page.getByText('Does not match "web" (letter case counts).')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Next: review' })).toBeDisabled();
  await shot(page, 'restore-replace-4-confirm-mismatch', { fullPage: true });
  await confirm.fill('web');
  await expect(page.getByRole('button', { name: 'Next: review' })).toBeEnabled();
  await shot(page, 'restore-replace-4-options', { fullPage: true });

  await page.getByRole('button', { name: 'Next: review' }).click();
  await expect(page.getByRole('region', { name: 'CLI equivalent' })).toContainText(`labvault restore replace web --point ${older.id} --confirm web`);
  await shot(page, 'restore-replace-5-review', { fullPage: true });
  await page.getByRole('button', { name: 'Replace now' }).click();
  await expect(page.locator('.wizard[data-step="running"]')).toBeVisible();
  await shot(page, 'restore-replace-6-progress');
  jobEnds.release();
  await expect(page.getByTestId('restore-verified')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole('heading', { name: /web is back as it was on/ })).toBeVisible();
  const prePoint = (await page.getByTestId('pre-replace-point').locator('.mono').textContent()) ?? '';
  await shot(page, 'restore-replace-7-done');

  // The VM's files are the older point's, byte for byte; the state before is a point of its own.
  expect(readFileSync(vm.disk).equals(readFileSync(join(olderCopy, 'web.vdi')))).toBe(true);
  expect(readFileSync(vm.config).equals(readFileSync(join(olderCopy, 'web.vbox')))).toBe(true);
  const after = await host.cliJson<CliPoint[]>(['points', 'list', 'web']);
  expect(after.map((point) => point.id)).toContain(prePoint);
  expect(after).toHaveLength(3);
  // That point holds the disk as it was before the replace.
  const back = join(host.scratch, 'pre-replace');
  expect((await host.cli(['restore', 'disks', 'web', '--point', prePoint, '--to', back, '--json'])).code).toBe(0);
  expect(readFileSync(join(back, 'web.vdi')).equals(before)).toBe(true);
  expect(existsSync(join(back, 'web.vbox'))).toBe(true);
});
