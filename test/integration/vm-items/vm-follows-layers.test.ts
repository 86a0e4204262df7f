/**
 * A VM item follows its VM through the real CLI: protected with --vm, it picks up at its next
 * backup the disk layer a snapshot added (made with qemu-img, the .vbox changed the way
 * VirtualBox changes it), and the layers that did not change are not read again: the
 * transfer's bytesTotal counts only the new layer and the rewritten config. The item's file
 * list follows, the VM needs no new confirmation, and the newest point restores bit-exact.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Item, Job, Point } from '../../../shared/contract/item-models.ts';
import { removeDir, requireQemuImg } from '../../support/disk-fixtures.ts';
import { makeLibvirtVm, makeVirtualBoxVmdkVm, takeLibvirtSnapshot, takeVirtualBoxSnapshot } from './vm-fixtures.ts';
import { makeVmItemsRoot, type VmItemsRoot } from './vm-items-kit.ts';
import { waitUntilSettled } from '../../support/settled-files.ts';

const CLI_TEST_MS = 400_000;
const hasQemu = requireQemuImg();
let kit: VmItemsRoot;

beforeEach(() => {
  kit = makeVmItemsRoot('labvault-vm-layers-');
});

afterEach(() => {
  removeDir(kit.root);
});

function transfer(job: Job) {
  return job.subtasks.find((subtask) => subtask.name === 'Transfer data to vault');
}

describe.skipIf(!hasQemu)('a VM item follows its VM', () => {
  it('picks up a new snapshot layer; unchanged layers are not read again', () => {
    const vm = makeVirtualBoxVmdkVm(join(kit.root, 'vms'), 'lab');
    kit.ok('protect', '--vault', kit.vault, '--vm', vm.config);
    const first = kit.backup('lab');
    expect(first.status, JSON.stringify(first)).toBe('completed');
    expect(transfer(first)?.bytesTotal).toBe(statSync(vm.disk).size + statSync(vm.config).size);

    const layer = takeVirtualBoxSnapshot(vm);
    // Past the engine's same-tick margin, so the second backup can prove these files unchanged next time.
    waitUntilSettled([layer, vm.config, vm.disk]);
    const second = kit.backup('lab');
    expect(second.status, JSON.stringify(second)).toBe('completed');
    // Only the new layer and the rewritten .vbox are read: the base layer is reused from the first point.
    expect(transfer(second)?.bytesTotal).toBe(statSync(layer).size + statSync(vm.config).size);
    expect(transfer(second)?.bytesRead ?? 0).toBeLessThanOrEqual(statSync(layer).size + statSync(vm.config).size);

    const [newest] = kit.ok('points', 'list', 'lab', '--json').json<Point[]>();
    expect(newest?.files.map((file) => file.name).sort()).toEqual(['_11111111-1111-4000-8000-000000000001_.vmdk', 'lab.vbox', 'lab.vmdk']);
    const item = kit.ok('item', 'show', 'lab', '--json').json<Item>();
    expect(item.files.map((file) => file.path)).toEqual([vm.config, layer, vm.disk]);
    expect(item.needsConfirmation).toBeUndefined();

    const third = kit.backup('lab');
    expect(third.status).toBe('completed');
    expect(transfer(third)?.bytesTotal).toBe(0);

    const restored = join(kit.root, 'restored');
    kit.ok('restore', 'disks', 'lab', '--point', newest?.id ?? '', '--to', restored);
    expect(readFileSync(join(restored, 'lab.vmdk')).equals(readFileSync(vm.disk))).toBe(true);
    expect(readFileSync(join(restored, `_${basename(layer).slice(1, -6)}_.vmdk`)).equals(readFileSync(layer))).toBe(true);
    expect(readFileSync(join(restored, 'lab.vbox'), 'utf8')).toContain('Snapshot 1');
  }, CLI_TEST_MS);

  it('a libvirt domain: an external snapshot layer made with qemu-img is picked up, the base is not re-read', () => {
    const vm = makeLibvirtVm(join(kit.root, 'vms'), 'qemu-lab');
    kit.ok('protect', '--vault', kit.vault, '--vm', vm.config);
    expect(kit.backup('qemu-lab').status).toBe('completed');
    const overlay = takeLibvirtSnapshot(vm, vm.disk, 'snap1');
    const second = kit.backup('qemu-lab');
    expect(second.status, JSON.stringify(second)).toBe('completed');
    expect(transfer(second)?.bytesTotal).toBe(statSync(overlay).size + statSync(vm.config).size);
    const [newest] = kit.ok('points', 'list', 'qemu-lab', '--json').json<Point[]>();
    expect(newest?.files.map((file) => file.name).sort()).toEqual(['qemu-lab.qcow2', 'qemu-lab.snap1', 'qemu-lab.xml']);
    expect(newest?.consistency).toBe('file-system-consistent');
    expect(newest?.vm).toMatchObject({ hypervisor: 'libvirt-qemu', state: 'poweroff', hardware: { cpus: 2, memoryMiB: 1024 } });
  }, CLI_TEST_MS);
});
