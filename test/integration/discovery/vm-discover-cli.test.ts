/**
 * `labvault vm discover` through the real CLI subprocess: --path (repeated), --root, --json
 * shape, the human table, exit codes. VBoxManage is not installable here: PATH holds a
 * stand-in script printing recorded VBoxManage output.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLabvault } from '../../support/run-cli.ts';
import { hashTree, makeTempDir, removeDir, requireQemuImg, writeStandInTool } from './vm-fixture-kit.ts';
import { UBUNTU_UUID, writeVbox2Home, writeVbox7Machine, type VboxFixture } from './virtualbox-fixtures.ts';

const hasTools = requireQemuImg();

describe.skipIf(!hasTools)('labvault vm discover', () => {
  let dir: string;
  let env: Record<string, string>;
  let vbox7: VboxFixture;
  beforeAll(() => {
    dir = makeTempDir('labvault-vm-cli-');
    vbox7 = writeVbox7Machine(join(dir, 'vbox-home'), join(dir, 'VirtualBox VMs'));
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeStandInTool(bin, 'VBoxManage', [{
      args: `showvminfo {${UBUNTU_UUID}} --machinereadable`,
      stdout: `name="ubuntu-efi"\nUUID="${UBUNTU_UUID}"\nVMState="poweroff"\nVMStateChangeTime="2026-12-01T08:00:00.000000000"`,
    }]);
    env = { LABVAULT_HOME: join(dir, 'app'), PATH: bin, HOME: join(dir, 'user'), VBOX_USER_HOME: join(dir, 'none') };
  });
  afterAll(() => removeDir(dir));

  it('prints the VMs of a VirtualBox home as JSON, in the documented shape', () => {
    const before = hashTree(join(dir, 'VirtualBox VMs'));
    const run = runLabvault(['vm', 'discover', '--path', join(dir, 'vbox-home'), '--json'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const vms = run.json<Record<string, unknown>[]>();
    expect(vms).toHaveLength(1);
    expect(vms[0]).toMatchObject({
      name: 'ubuntu-efi', id: UBUNTU_UUID, hypervisor: 'virtualbox', configPath: vbox7.configPath, state: 'poweroff',
      stateEvidence: expect.stringContaining('VBoxManage showvminfo: VMState="poweroff"'),
      disks: [{ path: vbox7.diff2, format: 'vdi', backupable: true,
        chain: [{ path: vbox7.diff2, format: 'vdi' }, { path: vbox7.diff1, format: 'vdi' }, { path: vbox7.base, format: 'vdi' }] }],
      nvram: join(dir, 'VirtualBox VMs', 'ubuntu-efi', 'ubuntu-efi.nvram'),
      missingOnDisk: [],
      ignoredDevices: [expect.objectContaining({ device: 'dvd on SATA port 1 device 0' })],
    });
    expect(Object.keys(vms[0]!)).toEqual(expect.arrayContaining(['files', 'hardware', 'snapshots']));
    expect(hashTree(join(dir, 'VirtualBox VMs'))).toBe(before);
  });

  it('takes several --path flags and a --root, and prints a readable table without --json', () => {
    const second = writeVbox7Machine(join(dir, 'second-home'), join(dir, 'second-vms'));
    const json = runLabvault(['vm', 'discover', '--path', join(dir, 'vbox-home'), '--path', join(dir, 'second-vms'), '--json'], env);
    expect(json.code).toBe(0);
    expect(json.json<{ configPath: string }[]>().map((vm) => vm.configPath)).toEqual([vbox7.configPath, second.configPath]);
    const root = join(dir, 'mounted');
    writeVbox2Home(join(root, 'home', 'bob', '.VirtualBox'), '/home/bob/.VirtualBox');
    const wellKnown = runLabvault(['vm', 'discover', '--root', root, '--json'], env);
    expect(wellKnown.json<{ name: string; state: string }[]>()).toEqual([expect.objectContaining({ name: 'xp', state: 'poweroff' })]);
    const table = runLabvault(['vm', 'discover', '--path', join(dir, 'vbox-home')], env);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/NAME\s+HYPERVISOR\s+STATE\s+DISKS\s+SIZE\s+CONFIG/);
    expect(table.stdout).toMatch(/ubuntu-efi\s+virtualbox\s+poweroff\s+1 \(3 layers\)\s+8\.00 MiB/);
  });

  it('exits 2 naming the path when a named place does not exist, and refuses unknown flags', () => {
    const missing = runLabvault(['vm', 'discover', '--path', join(dir, 'nowhere'), '--json'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(join(dir, 'nowhere'));
    const typo = runLabvault(['vm', 'discover', '--pth', dir], env);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('--pth');
  });
});
