/**
 * Machine trust for VM items, as an attacker who can write the vault folder would try it:
 * this machine confirmed the VM's configuration path, and a backup reads only the files
 * derived from that local configuration. A record edited to name another file of this
 * machine reads nothing more; a record edited to follow another configuration needs
 * confirmation here before anything is read.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Item, Point } from '../../../shared/contract/item-models.ts';
import { removeDir, requireQemuImg } from '../../support/disk-fixtures.ts';
import { makeVirtualBoxVm } from './vm-fixtures.ts';
import { makeVmItemsRoot, type VmItemsRoot } from './vm-items-kit.ts';

const CLI_TEST_MS = 300_000;
const hasQemu = requireQemuImg();
let kit: VmItemsRoot;

beforeEach(() => {
  kit = makeVmItemsRoot('labvault-vm-trust-');
});

afterEach(() => {
  removeDir(kit.root);
});

function editRecord(itemId: string, change: (record: Record<string, unknown>) => void): void {
  const path = join(kit.root, 'vault', 'data', 'records', 'items', `${itemId}.json`);
  const record = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  change(record);
  writeFileSync(path, JSON.stringify(record));
  kit.ok('vault', 'rebuild-catalog', kit.vault, '--json');
}

describe.skipIf(!hasQemu)('VM items and machine trust', () => {
  it('a record naming another file reads nothing more; another config needs confirmation', () => {
    const vm = makeVirtualBoxVm(join(kit.root, 'vms'), 'web');
    const other = makeVirtualBoxVm(join(kit.root, 'elsewhere'), 'other');
    const secret = join(kit.root, 'secret.key');
    writeFileSync(secret, 'not for the vault\n');
    const item = kit.ok('protect', '--vault', kit.vault, '--vm', vm.config, '--json').json<Item>();

    editRecord(item.id, (record) => {
      (record.files as { path: string; role: string }[]).push({ path: secret, role: 'other' });
    });
    expect(kit.ok('item', 'show', 'web', '--json').json<Item>().needsConfirmation).toBeUndefined();
    expect(kit.backup('web').status).toBe('completed');
    const [point] = kit.ok('points', 'list', 'web', '--json').json<Point[]>();
    expect(point?.files.map((file) => file.name).sort()).toEqual(['web.vbox', 'web.vdi']);
    // The backup rewrote the record's files from the VM: the planted path is gone.
    expect(kit.ok('item', 'show', 'web', '--json').json<Item>().files.map((file) => file.path)).toEqual([vm.config, vm.disk]);

    editRecord(item.id, (record) => {
      (record.source as { configPath: string }).configPath = other.config;
    });
    const shown = kit.ok('item', 'show', 'web', '--json').json<Item>();
    expect(shown.needsConfirmation?.reason).toContain(`now follows the VM configuration ${other.config}`);
    expect(kit.ok('item', 'show', 'web').stdout).toContain(`VM configuration it follows (each backup reads the files this configuration names):\n  ${other.config}`);
    const refused = kit.cli('backup', 'web');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/RULE_VIOLATION/);
    expect(kit.ok('points', 'list', 'web', '--json').json<Point[]>()).toHaveLength(1);
    // Confirmed here, the item follows the other VM's configuration from now on.
    kit.ok('item', 'confirm', 'web');
    expect(kit.backup('web').status).toBe('completed');
    const [newest] = kit.ok('points', 'list', 'web', '--json').json<Point[]>();
    expect(newest?.files.map((file) => file.name).sort()).toEqual(['other.vbox', 'other.vdi']);
  }, CLI_TEST_MS);
});
