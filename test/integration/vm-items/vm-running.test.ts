/**
 * A running VM is never copied torn, through the real CLI. VirtualBox is not installable
 * here: `VBoxManage` is a recorded stand-in on the PATH that answers showvminfo as VirtualBox
 * 7 prints it for a running machine, and for `snapshot take` rewrites the .vbox the way
 * VirtualBox does while a snapshot exists (here: a marker line) and `snapshot delete` undoes
 * it. The backup takes the live snapshot, reads the frozen layers and the configuration as it
 * was before the snapshot, then deletes the snapshot. VMware likewise through a recorded
 * `vmrun` (snapshot, then deleteSnapshot). Without the tool on the PATH (state then from
 * VMware's lock folders) the backup is refused.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Point } from '../../../shared/contract/item-models.ts';
import { removeDir, requireQemuImg } from '../../support/disk-fixtures.ts';
import { mkdirSync } from 'node:fs';
import { makeVirtualBoxVm, makeVmwareVm, VBOX_MACHINE_UUID } from './vm-fixtures.ts';
import { makeVmItemsRoot, type VmItemsRoot } from './vm-items-kit.ts';

const CLI_TEST_MS = 300_000;
const MARKER = '<!-- labvault test: snapshot in progress -->';
const hasQemu = requireQemuImg();
let kit: VmItemsRoot;

beforeEach(() => {
  kit = makeVmItemsRoot('labvault-vm-running-');
});

afterEach(() => {
  removeDir(kit.root);
});

/** VBoxManage as VirtualBox 7.0 answers for a running machine, recording every call. */
function vboxManageStandIn(config: string, log: string): void {
  kit.tool('VBoxManage', `echo "$*" >> '${log}'
case "$1" in
  showvminfo)
    echo 'name="web"'
    echo 'UUID="${VBOX_MACHINE_UUID}"'
    echo 'VMState="running"'
    echo 'VMStateChangeTime="2026-12-02T09:58:11.523000000"'
    exit 0;;
  list)
    echo '"web" {${VBOX_MACHINE_UUID}}'
    exit 0;;
  snapshot)
    case "$3" in
      take)
        echo '${MARKER}' >> '${config}'
        echo '0%...10%...20%...30%...40%...50%...60%...70%...80%...90%...100%'
        echo 'Snapshot taken. UUID: 0c6b3a52-7f0e-4c1e-9f1a-5b2d8e4f7a10'
        exit 0;;
      delete)
        /usr/bin/sed -i '/labvault test: snapshot in progress/d' '${config}'
        echo '0%...10%...20%...30%...40%...50%...60%...70%...80%...90%...100%'
        exit 0;;
    esac;;
esac
echo "VBoxManage: error: unexpected arguments: $*" >&2
exit 1`);
}

describe.skipIf(!hasQemu)('a running VM', () => {
  it('is backed up through a live VirtualBox snapshot, deleted afterwards', () => {
    const vm = makeVirtualBoxVm(join(kit.root, 'vms'), 'web');
    const log = join(kit.root, 'vboxmanage.log');
    vboxManageStandIn(vm.config, log);
    kit.ok('protect', '--vault', kit.vault, '--vm', vm.config);
    const before = readFileSync(vm.config);
    const job = kit.backup('web');
    expect(job.status, JSON.stringify(job)).toBe('completed');
    const calls = readFileSync(log, 'utf8').trim().split('\n');
    const take = calls.findIndex((line) => line.startsWith(`snapshot ${VBOX_MACHINE_UUID} take labvault-`));
    const remove = calls.findIndex((line) => line.startsWith(`snapshot ${VBOX_MACHINE_UUID} delete labvault-`));
    expect(take, calls.join('\n')).toBeGreaterThanOrEqual(0);
    expect(calls[take]).toContain('--live');
    expect(remove).toBeGreaterThan(take);
    expect(readFileSync(vm.config).equals(before)).toBe(true);

    const [point] = kit.ok('points', 'list', 'web', '--json').json<Point[]>();
    expect(point?.consistency).toBe('crash-consistent');
    expect(point?.vm).toMatchObject({ state: 'running', quiesced: false, capture: 'VirtualBox live snapshot, then snapshot delete' });
    const restored = join(kit.root, 'restored');
    kit.ok('restore', 'disks', 'web', '--point', point?.id ?? '', '--to', restored);
    // The configuration as it was before the snapshot, not as VirtualBox rewrote it meanwhile.
    expect(readFileSync(join(restored, 'web.vbox')).equals(before)).toBe(true);
    expect(readFileSync(join(restored, 'web.vdi')).equals(readFileSync(vm.disk))).toBe(true);
  }, CLI_TEST_MS);

  it('fails cleanly when the snapshot cannot be taken: nothing copied, no point', () => {
    const vm = makeVirtualBoxVm(join(kit.root, 'vms'), 'web');
    const log = join(kit.root, 'vboxmanage.log');
    kit.tool('VBoxManage', `echo "$*" >> '${log}'
case "$1" in
  showvminfo) echo 'VMState="running"'; exit 0;;
  snapshot) echo "VBoxManage: error: The machine is not mutable (state is Saving)" >&2; exit 1;;
esac
exit 1`);
    kit.ok('protect', '--vault', kit.vault, '--vm', vm.config);
    const job = kit.backup('web');
    expect(job.status).toBe('failed');
    expect(job.error?.message).toMatch(/Taking a live VirtualBox snapshot of "web" failed: .*exited 1: VBoxManage: error: The machine is not mutable/);
    expect(job.subtasks[1]?.bytesRead ?? 0).toBe(0);
    expect(kit.ok('points', 'list', 'web', '--json').json<Point[]>()).toEqual([]);
  }, CLI_TEST_MS);

  it('without its hypervisor tool is refused, naming the tool, and nothing is copied', () => {
    const vm = makeVmwareVm(join(kit.root, 'vms'), 'lab');
    // Workstation holds a running VM's files open with lock folders beside the .vmx.
    mkdirSync(join(vm.dir, 'lab.vmx.lck'));
    mkdirSync(join(vm.dir, 'lab.vmdk.lck'));
    kit.ok('protect', '--vault', kit.vault, '--vm', vm.config);
    const job = kit.backup('lab');
    expect(job.status).toBe('failed');
    expect(job.error?.code).toBe('RULE_VIOLATION');
    expect(job.error?.message).toMatch(/VM "lab" is running .*lock folders.* and vmrun is not on this machine's PATH/);
    expect(job.error?.message).toContain('Nothing was copied');
    expect(job.subtasks[1]?.status).not.toBe('completed');
    expect(job.subtasks[1]?.bytesRead ?? 0).toBe(0);
    expect(kit.ok('points', 'list', 'lab', '--json').json<Point[]>()).toEqual([]);
  }, CLI_TEST_MS);

  it('a running VMware VM is backed up through vmrun snapshot, then deleteSnapshot', () => {
    const vm = makeVmwareVm(join(kit.root, 'vms'), 'lab');
    mkdirSync(join(vm.dir, 'lab.vmx.lck'));
    const log = join(kit.root, 'vmrun.log');
    // vmrun as Workstation 17 answers (recorded output; VMware is not installable here).
    kit.tool('vmrun', `echo "$*" >> '${log}'
case "$1 $2 $3" in
  "list  ") echo "Total running VMs: 1"; echo '${vm.config}'; exit 0;;
esac
case "$3" in
  snapshot|deleteSnapshot) exit 0;;
esac
echo "Error: unexpected arguments: $*"; exit 255`);
    kit.ok('protect', '--vault', kit.vault, '--vm', vm.config);
    const job = kit.backup('lab');
    expect(job.status, JSON.stringify(job)).toBe('completed');
    const calls = readFileSync(log, 'utf8').trim().split('\n');
    const take = calls.findIndex((line) => line.startsWith(`-T ws snapshot ${vm.config} labvault-`));
    const remove = calls.findIndex((line) => line.startsWith(`-T ws deleteSnapshot ${vm.config} labvault-`));
    expect(take, calls.join('\n')).toBeGreaterThanOrEqual(0);
    expect(remove).toBeGreaterThan(take);
    const [point] = kit.ok('points', 'list', 'lab', '--json').json<Point[]>();
    expect(point?.consistency).toBe('crash-consistent');
    expect(point?.vm).toMatchObject({ hypervisor: 'vmware', state: 'running', capture: 'VMware snapshot, then deleteSnapshot' });
  }, CLI_TEST_MS);
});
