/**
 * VM items through the real CLI: `protect --vm` makes an item that follows the VM (its
 * record names the config; this machine confirms the config path), a saved VM's point holds
 * its saved state and says so (consistency 'saved-state', the VM's hardware summary), and the
 * protect step as a new user tries it: a lone .vbox or the VM's folder resolves to the VM
 * with all its files, a folder without a VM, a pattern and a quoted path are refused.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Item, Point } from '../../../shared/contract/item-models.ts';
import { removeDir, requireQemuImg } from '../../support/disk-fixtures.ts';
import { makeVirtualBoxVm, VBOX_MACHINE_UUID } from './vm-fixtures.ts';
import { makeVmItemsRoot, type VmItemsRoot } from './vm-items-kit.ts';

const CLI_TEST_MS = 300_000;
const hasQemu = requireQemuImg();
let kit: VmItemsRoot;

beforeEach(() => {
  kit = makeVmItemsRoot('labvault-vm-protect-');
});

afterEach(() => {
  removeDir(kit.root);
});

describe.skipIf(!hasQemu)('protect --vm', () => {
  it('protects a saved VirtualBox VM by its config; its point holds the saved state and the hardware', async () => {
    const vm = makeVirtualBoxVm(join(kit.root, 'vms'), 'web', 'saved');
    const item = kit.ok('protect', '--vault', kit.vault, '--vm', vm.config, '--json').json<Item>();
    const sav = join(vm.dir, 'Snapshots', `{${VBOX_MACHINE_UUID}}.sav`);
    expect(item).toMatchObject({ name: 'web', vm: { hypervisor: 'virtualbox', configPath: vm.config, vmId: VBOX_MACHINE_UUID } });
    expect(item.files.map((file) => [file.path, file.role])).toEqual([
      [vm.config, 'config'], [vm.disk, 'disk'], [sav, 'other'],
    ]);
    expect(item.needsConfirmation).toBeUndefined();
    const job = kit.backup('web');
    expect(job.status, JSON.stringify(job)).toBe('completed');
    expect(job.subtasks[0]?.message).toContain('files read as they were');
    const [point] = kit.ok('points', 'list', 'web', '--json').json<Point[]>();
    expect(point?.consistency).toBe('saved-state');
    // Point file names keep [A-Za-z0-9._ -]: the braces of VirtualBox's .sav name become '_'.
    expect(point?.files.map((file) => file.name).sort()).toEqual([`_${VBOX_MACHINE_UUID}_.sav`, 'web.vbox', 'web.vdi']);
    expect(point?.vm).toMatchObject({
      name: 'web', hypervisor: 'virtualbox', state: 'saved', quiesced: false,
      hardware: { cpus: 2, memoryMiB: 2048, firmware: 'bios', nics: [{ mac: '08:00:27:5a:1b:2c' }] },
    });
    expect(point?.vm?.consistencyNote).toMatch(/saved state is part of the point/);
    const table = kit.ok('points', 'list', 'web').stdout;
    expect(table).toContain('saved-state');
  }, CLI_TEST_MS);

  it('a lone .vbox given as a file, or the VM folder, resolves to the VM with its disks', async () => {
    const one = makeVirtualBoxVm(join(kit.root, 'a'), 'alpha');
    const fromFile = kit.ok('protect', '--vault', kit.vault, '--name', 'alpha', one.config, '--json').json<Item & { notes: string[] }>();
    expect(fromFile.vm?.configPath).toBe(one.config);
    expect(fromFile.files.map((file) => file.path)).toEqual([one.config, one.disk]);
    expect(fromFile.notes.join(' ')).toMatch(/is the configuration of VM "alpha": protecting the VM with all its files/);

    const two = makeVirtualBoxVm(join(kit.root, 'b'), 'beta');
    const human = kit.ok('protect', '--vault', kit.vault, '--name', 'beta', two.dir);
    expect(human.stdout).toMatch(/is a folder holding the VM "beta"/);
    expect(human.stdout).toMatch(/followed from/);
    const listed = kit.ok('items', 'list', '--json').json<Item[]>();
    expect(listed.find((item) => item.name === 'beta')?.files.map((file) => file.path)).toEqual([two.config, two.disk]);
    // The VM is protected now: its disk cannot join another item.
    const again = kit.cli('protect', '--vault', kit.vault, '--name', 'copy', two.disk);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already protected as item "beta"/);
  }, CLI_TEST_MS);

  it('refuses a folder without a VM, a pattern and a quoted path, with what to do instead', () => {
    const folder = join(kit.root, 'loose');
    mkdirSync(folder);
    writeFileSync(join(folder, 'notes.txt'), 'not a VM\n');
    const dir = kit.cli('protect', '--vault', kit.vault, '--name', 'xx', folder);
    expect(dir.code).toBe(2);
    expect(dir.stderr).toMatch(/INVALID_INPUT/);
    expect(dir.stderr).toMatch(/is a folder: choose the VM files inside it/);

    const glob = kit.cli('protect', '--vault', kit.vault, '--name', 'xx', join(folder, '*.qcow2'));
    expect(glob.code).toBe(2);
    expect(glob.stderr).toMatch(/is a pattern: Labvault takes file names, not patterns/);

    const disk = join(folder, 'disk.img');
    writeFileSync(disk, Buffer.alloc(1024 * 1024, 3));
    const quoted = kit.cli('protect', '--vault', kit.vault, '--name', 'xx', `'${disk}'`);
    expect(quoted.code).toBe(2);
    expect(quoted.stderr).toMatch(/includes quote characters/);
    expect(quoted.stderr).toContain(`Without them it is ${disk}, which exists`);
    expect(kit.ok('items', 'list', '--json').json<Item[]>()).toEqual([]);
  }, CLI_TEST_MS);
});
