/**
 * What a point of a VM may claim, from the VM's state: no more than is known. A running VM
 * needs its hypervisor's tool on the PATH (a real executable in a temp folder here); without
 * it the backup is refused naming the tool, never copied torn.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { planCapture, snapshotConsistency } from '../../../electron/engine/consistency/consistency-plan.ts';
import type { DiscoveredVm, Hypervisor, VmState } from '../../../electron/engine/discovery/discovered-vm.ts';
import { makeTempDir, removeDir } from '../../support/disk-fixtures.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) removeDir(dir);
});

function vm(state: VmState, hypervisor: Hypervisor = 'libvirt-qemu'): DiscoveredVm {
  return {
    name: 'db', id: '3c9d2f7a-51b4-4e0c-a8d2-7f60e1c4b9a3', hypervisor, configPath: '/etc/libvirt/qemu/db.xml', state,
    stateEvidence: 'test evidence', disks: [], files: [], missingOnDisk: [], ignoredDevices: [], hardware: { disks: [], nics: [] },
  };
}

function pathWith(tool: string): NodeJS.ProcessEnv {
  const dir = makeTempDir('labvault-plan-');
  dirs.push(dir);
  writeFileSync(join(dir, tool), '#!/bin/sh\nexit 0\n');
  chmodSync(join(dir, tool), 0o755);
  return { PATH: dir };
}

describe('planCapture', () => {
  it('states consistency from the state of a VM that is not running', async () => {
    const env = { PATH: '' };
    expect(await planCapture(vm('poweroff'), env)).toMatchObject({ kind: 'as-is', consistency: 'file-system-consistent' });
    expect(await planCapture(vm('saved'), env)).toMatchObject({ kind: 'as-is', consistency: 'saved-state' });
    expect(await planCapture(vm('aborted'), env)).toMatchObject({ kind: 'as-is', consistency: 'crash-consistent' });
    expect(await planCapture(vm('unknown'), env)).toMatchObject({ kind: 'as-is', consistency: 'crash-consistent' });
  });

  it('refuses a running VM whose hypervisor tool is not on the PATH, naming the tool', async () => {
    for (const [hypervisor, tool] of [['libvirt-qemu', 'virsh'], ['virtualbox', 'VBoxManage'], ['vmware', 'vmrun']] as const) {
      const refusal = await planCapture(vm('running', hypervisor), pathWith('unrelated')).catch((error: unknown) => error);
      expect(refusal).toMatchObject({ code: 'RULE_VIOLATION', details: { rule: 'running-vm-needs-snapshot', tool } });
      expect((refusal as Error).message).toContain(`${tool} is not on this machine's PATH`);
      expect((refusal as Error).message).toContain('never copies it torn');
      const plan = await planCapture(vm('running', hypervisor), pathWith(tool));
      expect(plan).toMatchObject({ kind: 'hypervisor-snapshot', driver: { toolName: tool } });
    }
    await expect(planCapture(vm('running', 'files'), pathWith('virsh'))).rejects.toMatchObject({ code: 'RULE_VIOLATION' });
  });

  it('a snapshot point is crash-consistent unless quiesced; application-consistent only with scripts', () => {
    expect(snapshotConsistency(false, true)).toBe('crash-consistent');
    expect(snapshotConsistency(true, false)).toBe('file-system-consistent');
    expect(snapshotConsistency(true, true)).toBe('application-consistent');
  });
});
