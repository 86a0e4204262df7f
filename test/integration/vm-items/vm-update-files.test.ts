/**
 * Changing a protected item's files later, through the real CLI: `item update-files` shows
 * the change before it is saved (--dry-run saves nothing), keeps the item protected, and
 * another machine needs to confirm again only when the item names a file it never confirmed
 * (a copy of the app home taken before the change stands for that machine). A VM item whose
 * VM was moved follows it with `--vm NEWPATH`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cpSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Item, Point } from '../../../shared/contract/item-models.ts';
import { removeDir, requireQemuImg } from '../../support/disk-fixtures.ts';
import { runLabvault } from '../../support/run-cli.ts';
import { makeVirtualBoxVm } from './vm-fixtures.ts';
import { makeVmItemsRoot, type VmItemsRoot } from './vm-items-kit.ts';

const CLI_TEST_MS = 300_000;
const hasQemu = requireQemuImg();
let kit: VmItemsRoot;

beforeEach(() => {
  kit = makeVmItemsRoot('labvault-vm-update-');
});

afterEach(() => {
  removeDir(kit.root);
});

function disk(name: string, fill: number): string {
  const path = join(kit.root, name);
  writeFileSync(path, Buffer.alloc(1024 * 1024, fill));
  return path;
}

function otherMachine(home: string, ...args: string[]) {
  return runLabvault(args, { LABVAULT_HOME: home, PATH: kit.bin });
}

describe.skipIf(!hasQemu)('item update-files', () => {
  it('shows the change first, saves it without stopping protection; re-confirmation only for new files', () => {
    const one = disk('one.img', 1);
    const two = disk('two.img', 2);
    kit.ok('protect', '--vault', kit.vault, '--name', 'disks', one);
    const machineB = join(kit.root, 'home-b');
    cpSync(kit.home, machineB, { recursive: true });

    const dry = kit.ok('item', 'update-files', 'disks', one, two, '--dry-run');
    expect(dry.stdout).toContain(`  + ${two}`);
    expect(dry.stdout).toContain('Dry run: nothing saved');
    expect(kit.ok('item', 'show', 'disks', '--json').json<Item>().files.map((file) => file.path)).toEqual([one]);

    const saved = kit.ok('item', 'update-files', 'disks', one, two, '--json').json<{ item: Item; change: { added: string[]; saved: boolean } }>();
    expect(saved.change).toMatchObject({ added: [two], saved: true });
    expect(saved.item).toMatchObject({ state: 'protected' });
    expect(saved.item.needsConfirmation).toBeUndefined();
    expect(kit.backup('disks').status).toBe('completed');

    // Machine B confirmed only one.img: the new file needs its confirmation, and is named.
    const onB = otherMachine(machineB, 'item', 'show', 'disks', '--json');
    expect(onB.json<Item>().needsConfirmation?.reason).toContain(two);
    expect(onB.json<Item>().needsConfirmation?.reason).not.toContain(one);
    // Dropping the new file again: B never needed more than it confirmed.
    kit.ok('item', 'update-files', 'disks', one);
    expect(otherMachine(machineB, 'item', 'show', 'disks', '--json').json<Item>().needsConfirmation).toBeUndefined();
  }, CLI_TEST_MS);

  it('a moved VM is followed with --vm NEWPATH after the change is shown', () => {
    const vm = makeVirtualBoxVm(join(kit.root, 'vms'), 'web');
    kit.ok('protect', '--vault', kit.vault, '--vm', vm.config);
    expect(kit.backup('web').status).toBe('completed');
    const moved = join(kit.root, 'moved');
    renameSync(join(kit.root, 'vms'), moved);
    const lost = kit.backup('web');
    expect(lost.status).toBe('failed');
    expect(lost.error?.message).toContain(vm.config);

    const newConfig = join(moved, 'web', 'web.vbox');
    const dry = kit.ok('item', 'update-files', 'web', '--vm', newConfig, '--dry-run');
    expect(dry.stdout).toContain(`VM configuration: ${vm.config} -> ${newConfig}`);
    expect(dry.stdout).toContain(`  + ${join(moved, 'web', 'web.vdi')}`);
    expect(dry.stdout).toContain(`  - ${vm.disk}`);
    kit.ok('item', 'update-files', 'web', '--vm', newConfig);
    const item = kit.ok('item', 'show', 'web', '--json').json<Item>();
    expect(item).toMatchObject({ state: 'protected', vm: { configPath: newConfig } });
    expect(kit.backup('web').status).toBe('completed');
    expect(kit.ok('points', 'list', 'web', '--json').json<Point[]>()).toHaveLength(2);
  }, CLI_TEST_MS);
});
