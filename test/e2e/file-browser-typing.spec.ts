/**
 * The file browser never overwrites what the user typed: the answers to its folder listings
 * and path checks (localFiles.list and .stat over the host's WebSocket) are held back while the
 * user types, then let through; the path field keeps the typed text, and a click navigation shows its folder again.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { startLabvaultHost, type LabvaultHost } from './fixtures/labvault-host.ts';

let host: LabvaultHost;
test.beforeAll(async () => {
  host = await startLabvaultHost();
  const made = await host.cli(['vault', 'create', '--name', 'lab', '--path', join(host.scratch, 'lab')]);
  expect(made.code, made.stderr).toBe(0);
});
test.afterAll(async () => { await host?.stop(); });

test('a listing that arrives after the user typed a path leaves the typed path alone', async ({ page }) => {
  const folder = join(host.scratch, 'vms', 'web');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'web.qcow2'), Buffer.alloc(4096));

  // The renderer <-> host socket, with the answers to localFiles.list and .stat held while `holding`.
  let holding = false;
  const held: Array<() => void> = [];
  const listRequests = new Set<number>();
  const browserChannels = new Set(['localFiles.list', 'localFiles.stat']);
  await page.routeWebSocket(/\/ws/, (client) => {
    const server = client.connectToServer();
    client.onMessage((message) => {
      const request = JSON.parse(String(message)) as { id?: number; channel?: string };
      if (browserChannels.has(request.channel ?? '') && typeof request.id === 'number') listRequests.add(request.id);
      server.send(message);
    });
    server.onMessage((message) => {
      const answer = JSON.parse(String(message)) as { type?: string; id?: number };
      if (holding && answer.type === 'result' && typeof answer.id === 'number' && listRequests.has(answer.id)) {
        held.push(() => client.send(message));
      } else {
        client.send(message);
      }
    });
  });

  await page.goto(await host.signInUrl());
  await page.getByRole('link', { name: 'Protected items' }).click();
  await page.getByRole('button', { name: 'Protect VMs' }).first().click();
  await page.getByRole('button', { name: 'Next: policy' }).click();
  await page.getByRole('button', { name: 'Next: select VMs' }).click();
  await page.getByText('A VM that is not listed? Pick its files by hand').click();
  holding = true;
  await page.getByRole('button', { name: 'Choose files…' }).click();
  const browser = page.getByRole('dialog', { name: "Choose the VM's files" });
  const path = browser.getByLabel('Path to open');
  // The first listing (the home folder) is asked for and held; the user types meanwhile.
  await expect.poll(() => held.length).toBe(1);
  await path.fill(folder);
  holding = false;
  for (const send of held.splice(0)) send();
  await expect(browser.getByRole('listbox', { name: 'Folder contents' })).toBeVisible();
  await expect(path).toHaveValue(folder);

  // Opening the typed folder: the check of the typed path (held) and then its listing keep what the
  // user typed on meanwhile.
  holding = true;
  await path.press('Enter');
  await expect.poll(() => held.length).toBe(1);
  await path.fill(`${folder}/web`);
  holding = false;
  for (const send of held.splice(0)) send();
  await expect(browser.getByRole('checkbox', { name: 'Select web.qcow2' })).toBeVisible();
  await expect(path).toHaveValue(`${folder}/web`);

  // A click navigation (Up) shows its folder in the field.
  await browser.getByRole('button', { name: 'Up one folder' }).click();
  await expect(path).toHaveValue(join(host.scratch, 'vms'));
});
