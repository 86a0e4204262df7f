/**
 * The file browser of a recovery point, on the real engine: an ext4 disk image made with
 * mkfs.ext4 -d from a small tree, protected and backed up twice with the CLI (one file
 * changed between), then in Chromium: the points table's test restore badge, "Browse files",
 * folders, search by name, two files selected and downloaded to a folder chosen with the
 * in-app folder browser (bytes checked with node), a changed file's history, and the
 * restore wizard's "File recovery" choice leading to the same browser.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { startLabvaultHost, type LabvaultHost } from './fixtures/labvault-host.ts';
import { shot } from './fixtures/screenshots.ts';

let host: LabvaultHost;
let tree = '';
let disk = '';
let itemId = '';
let lastJobId = '';
const FILES: Record<string, string> = {
  'etc/hostname': 'web-01\n',
  'etc/hosts': '127.0.0.1 localhost\n10.0.0.5 db\n',
  'home/ana/notes.txt': 'first version of the notes\n',
  'home/ana/report.csv': 'month,total\njan,10\nfeb,12\n'.repeat(40),
  'home/ana/readme.md': '# Ana\nHome folder of Ana.\n',
  'home/ana/photo.jpg': 'not really a jpeg, ',
  'var/log/app.log': 'started\n'.repeat(200),
};

function writeTree(files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(tree, path, '..'), { recursive: true });
    writeFileSync(join(tree, path), text);
  }
}

/** A 24 MiB ext4 image holding the tree (made again for the second point). */
function makeImage(): void {
  execFileSync('truncate', ['-s', '24M', disk]);
  execFileSync('mkfs.ext4', ['-q', '-F', '-L', 'rootfs', '-d', tree, disk]);
}

async function backup(): Promise<void> {
  const done = await host.cli(['backup', 'web', '--json']);
  expect(done.code, done.stderr).toBe(0);
  lastJobId = (JSON.parse(done.stdout) as { id: string }).id;
}

test.beforeAll(async () => {
  host = await startLabvaultHost();
  tree = join(host.scratch, 'tree');
  disk = join(host.scratch, 'vm', 'web-root.img');
  mkdirSync(join(host.scratch, 'vm'), { recursive: true });
  writeTree(FILES);
  makeImage();
  const made = await host.cli(['vault', 'create', '--name', 'lab', '--path', join(host.scratch, 'lab')]);
  expect(made.code, made.stderr).toBe(0);
  const protectedItem = await host.cli(['protect', '--vault', 'lab', '--name', 'web', disk, '--json']);
  expect(protectedItem.code, protectedItem.stderr).toBe(0);
  await backup();
  // The second point: notes.txt changed.
  writeTree({ 'home/ana/notes.txt': 'second version of the notes, longer\n' });
  makeImage();
  await backup();
  itemId = (await host.cliJson<{ id: string }>(['item', 'show', 'web'])).id;
});
test.afterAll(async () => { await host?.stop(); });
test.describe.configure({ mode: 'serial' });

async function openNewestPointFiles(page: Page): Promise<void> {
  await page.goto(await host.signInUrl());
  await page.goto(`${host.origin}/#/items/${itemId}`);
  const points = page.getByRole('table', { name: 'Recovery points' });
  await expect(points.getByText('Verified')).toHaveCount(2);
  await points.getByRole('button', { name: 'Browse files' }).first().click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Files of the point');
}

test('the points table shows each point verified; browse, search, select two files and download them', async ({ page }) => {
  await page.goto(await host.signInUrl());
  await page.goto(`${host.origin}/#/items/${itemId}`);
  const points = page.getByRole('table', { name: 'Recovery points' });
  await expect(points.getByText('Verified')).toHaveCount(2);
  await shot(page, 'item-points-test-restore', { fullPage: true });
  await points.getByRole('button', { name: 'Browse files' }).first().click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Files of the point');

  const list = page.getByRole('listbox', { name: 'Folder contents' });
  for (const name of ['etc', 'home', 'var', 'lost+found']) await expect(list.getByRole('button', { name, exact: true })).toBeVisible();
  await list.getByRole('button', { name: 'home', exact: true }).click();
  await list.getByRole('button', { name: 'ana', exact: true }).click();
  const crumbs = page.getByRole('navigation', { name: 'Folder path' });
  await expect(crumbs).toContainText('home');
  await expect(crumbs.getByText('ana', { exact: true })).toBeVisible();
  await expect(list.getByRole('option')).toHaveCount(4);
  await expect(list.getByRole('option', { name: /report\.csv/ })).toContainText('1.02 KiB');

  await page.getByLabel('Search names in this folder').fill('re');
  await expect(list.getByRole('option')).toHaveCount(2);
  await list.getByLabel('Select readme.md').check();
  await list.getByLabel('Select report.csv').check();
  await expect(page.getByText('2 of 4 shown · 2 selected')).toBeVisible();
  await shot(page, 'point-files-browse');

  const out = join(host.scratch, 'downloads');
  mkdirSync(out);
  await page.getByRole('button', { name: 'Download to a folder…' }).click();
  const picker = page.getByRole('dialog', { name: 'Download to a folder' });
  await picker.getByLabel('Path to open').fill(out);
  await picker.getByLabel('Path to open').press('Enter');
  await expect(picker.getByText(`Folder: ${out}`)).toBeVisible();
  await picker.getByRole('button', { name: 'Download here' }).click();
  const status = page.getByRole('status', { name: 'Download' });
  await expect(status).toContainText(`Downloaded 2 of 2`);
  await expect(status).toContainText(out);
  await shot(page, 'point-files-download');
  for (const name of ['readme.md', 'report.csv']) {
    expect(readFileSync(join(out, name)).equals(Buffer.from(FILES[`home/ana/${name}`] as string)), name).toBe(true);
  }
});

test('a file changed between the two backups shows both versions, the newer marked changed', async ({ page }) => {
  await openNewestPointFiles(page);
  const list = page.getByRole('listbox', { name: 'Folder contents' });
  await list.getByRole('button', { name: 'home', exact: true }).click();
  await list.getByRole('button', { name: 'ana', exact: true }).click();
  await list.getByRole('button', { name: 'History of notes.txt' }).click();
  const dialog = page.getByRole('dialog', { name: 'History of /home/ana/notes.txt' });
  const rows = dialog.getByRole('table', { name: 'File history' }).locator('tbody tr');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toContainText('Changed');
  await expect(rows.nth(0)).toContainText('36 B');
  await expect(rows.nth(1)).not.toContainText('Changed');
  await expect(rows.nth(1)).toContainText('27 B');
  await expect(dialog).toContainText('changed 1 time');
  await shot(page, 'point-files-history');
  await dialog.getByRole('button', { name: 'Close' }).first().click();
  // An unchanged file: two versions, neither changed.
  await list.getByRole('button', { name: 'History of readme.md' }).click();
  await expect(page.getByRole('dialog', { name: 'History of /home/ana/readme.md' })).toContainText('never changed');
});

test('a point with several partitions offers a picker (LUKS named, not readable); a damaged one shows Failed', async ({ page }) => {
  // GPT: 1 ext4 "boot" (8 MiB), 2 ext4 "data" (16 MiB), 3 a LUKS header (4 MiB).
  const gpt = join(host.scratch, 'vm', 'db.img');
  const boot = join(host.scratch, 'boot-tree');
  mkdirSync(join(boot, 'grub'), { recursive: true });
  writeFileSync(join(boot, 'grub', 'grub.cfg'), 'set timeout=5\n');
  execFileSync('truncate', ['-s', '32M', gpt]);
  execFileSync('sfdisk', ['--no-reread', '--no-tell-kernel', '-q', gpt], {
    input: 'label: gpt\nstart=2048, size=16384, name="boot"\nstart=18432, size=32768, name="data"\nstart=51200, size=8192, name="crypt"\n',
  });
  const mkfs = (offset: number, kib: number, label: string, from: string) => execFileSync('mkfs.ext4',
    ['-q', '-F', '-L', label, '-d', from, '-E', `offset=${offset}`, gpt, `${kib}k`]);
  mkfs(2048 * 512, 8192, 'boot', boot);
  mkfs(18432 * 512, 16384, 'data', tree);
  const luks = Buffer.concat([Buffer.from('LUKS\u00ba\u00be', 'latin1'), Buffer.from([0, 2])]);
  execFileSync('dd', ['of=' + gpt, 'bs=512', 'seek=51200', 'conv=notrunc', 'status=none'], { input: luks });
  expect((await host.cli(['protect', '--vault', 'lab', '--name', 'db', gpt, '--json'])).code).toBe(0);
  expect((await host.cli(['backup', 'db', '--json'])).code).toBe(0);
  // Damage the boot filesystem's superblock (one label byte: its checksum no longer matches), back up again.
  execFileSync('dd', ['of=' + gpt, 'bs=1', `seek=${2048 * 512 + 1024 + 120}`, 'conv=notrunc', 'status=none'], { input: 'X' });
  expect((await host.cli(['backup', 'db', '--json'])).code).toBe(0);
  const dbId = (await host.cliJson<{ id: string }>(['item', 'show', 'db'])).id;

  await page.goto(await host.signInUrl());
  await page.goto(`${host.origin}/#/items/${dbId}`);
  const points = page.getByRole('table', { name: 'Recovery points' });
  await expect(points.locator('tbody tr').nth(0)).toContainText('Failed');
  await expect(points.locator('tbody tr').nth(0)).toContainText('partition 1');
  await expect(points.locator('tbody tr').nth(1)).toContainText('Verified');
  await shot(page, 'item-points-test-restore-failed', { fullPage: true });

  await points.getByRole('button', { name: 'Browse files' }).nth(1).click();
  const picker = page.getByRole('radiogroup', { name: 'Partition or volume' });
  await expect(picker.getByRole('radio')).toHaveCount(3);
  await expect(picker.getByRole('radio', { name: /partition 2 \(ext4 "data"\)/ })).toBeChecked();
  await expect(picker.getByRole('radio', { name: /partition 3 \(luks/ })).toBeDisabled();
  await expect(picker).toContainText('LUKS-encrypted');
  const list = page.getByRole('listbox', { name: 'Folder contents' });
  await expect(list.getByRole('button', { name: 'home', exact: true })).toBeVisible();
  await picker.getByRole('radio', { name: /partition 1 \(ext4 "boot"\)/ }).check();
  await expect(list.getByRole('button', { name: 'grub', exact: true })).toBeVisible();
  await shot(page, 'point-files-volumes');
});

test('a backup job shows its test restore as a third step', async ({ page }) => {
  await page.goto(await host.signInUrl());
  await page.goto(`${host.origin}/#/jobs/${lastJobId}`);
  const step = page.getByRole('region', { name: 'Subtask Test restore' });
  await expect(step).toContainText('Completed');
  await expect(step).toContainText('Verified: 1 filesystem read clean.');
  await expect(step).not.toContainText('Throughput');
  await shot(page, 'job-details-test-restore', { fullPage: true });
});

test('the restore wizard\'s File recovery choice opens the point\'s file browser', async ({ page }) => {
  await page.goto(await host.signInUrl());
  await page.goto(`${host.origin}/#/restore/${itemId}`);
  await page.getByRole('button', { name: 'Next: what to restore' }).click();
  await page.getByRole('radio', { name: /File recovery/ }).check();
  await page.getByRole('button', { name: 'Next: browse files' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Files of the point');
  await expect(page.getByRole('listbox', { name: 'Folder contents' }).getByRole('button', { name: 'etc', exact: true })).toBeVisible();
});
