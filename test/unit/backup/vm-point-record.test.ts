/**
 * The format additions of VM items read old and new data: a point without `extra.vm` (older
 * points, files items) lists as before; a summary that fails its bounded schema is left out;
 * an unknown consistency claims no more than crash-consistent; item records without `source`
 * still parse, and a `source` must name an absolute config path.
 */
import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { pointFromManifest } from '../../../electron/engine/backup/point-record.ts';
import { pointVmSummary } from '../../../electron/engine/backup/point-vm-summary.ts';
import type { DiscoveredVm } from '../../../electron/engine/discovery/discovered-vm.ts';
import { parseRecord } from '../../../electron/engine/vault/record-schemas.ts';
import type { Manifest } from '../../../electron/engine/vault/store/index.ts';

const vm: DiscoveredVm = {
  name: 'web', id: '6f2c1d0e-8a41-4c8e-9d57-3b1f0a2e7c11', hypervisor: 'virtualbox', configPath: '/vms/web/web.vbox',
  state: 'poweroff', stateEvidence: 'VBoxManage showvminfo: VMState="poweroff"',
  disks: [{ path: '/vms/web/web.vdi', format: 'vdi', chain: [{ path: '/vms/web/web.vdi', format: 'vdi' }], backupable: true },
    { path: '/vms/web/tmp.vdi', format: 'vdi', chain: [], backupable: false, reason: 'independent-nonpersistent' }],
  files: ['/vms/web/web.vbox', '/vms/web/web.vdi'], missingOnDisk: [], ignoredDevices: [],
  hardware: { cpus: 2, memoryMiB: 2048, firmware: 'efi', disks: [{ bus: 'sata', path: '/vms/web/web.vdi' }], nics: [] },
};

function manifest(extra: Record<string, unknown>, consistency?: string): Manifest {
  return {
    formatVersion: 1, pointId: '20261125T163300.123Z-a1b2c3', itemId: randomUUID(), createdAt: '2026-11-25T16:33:00.123Z',
    files: [], ...(consistency ? { consistency } : {}), extra,
  } as Manifest;
}

describe('points of VM items', () => {
  it('reads the VM summary back; older points have none; a summary out of bounds is left out', () => {
    const summary = pointVmSummary(vm, { capture: 'files read as they were', consistencyNote: 'shut down cleanly', quiesced: false });
    expect(summary.skippedDisks).toEqual([{ path: '/vms/web/tmp.vdi', reason: 'independent-nonpersistent' }]);
    const row = pointFromManifest(manifest({ vm: summary }, 'file-system-consistent'), 'active');
    expect(row.consistency).toBe('file-system-consistent');
    expect(row.vm).toEqual(summary);
    expect(pointFromManifest(manifest({ sources: {} }, 'crash-consistent'), 'active').vm).toBeUndefined();
    const huge = { ...summary, name: 'x'.repeat(10_000) };
    expect(pointFromManifest(manifest({ vm: huge }), 'active').vm).toBeUndefined();
    const manyNics = { ...summary, hardware: { ...summary.hardware, nics: Array.from({ length: 65 }, () => ({})) } };
    expect(pointFromManifest(manifest({ vm: manyNics }), 'active').vm).toBeUndefined();
  });

  it('a consistency the contract does not know reads as crash-consistent', () => {
    expect(pointFromManifest(manifest({}, 'powered-off'), 'active').consistency).toBe('crash-consistent');
    expect(pointFromManifest(manifest({}), 'active').consistency).toBe('crash-consistent');
    expect(pointFromManifest(manifest({}, 'saved-state'), 'active').consistency).toBe('saved-state');
  });
});

describe('item records of VM items', () => {
  const base = {
    id: randomUUID(), name: 'web', vaultId: randomUUID(), createdAt: '2026-11-25T16:33:00.123Z',
    updatedAt: '2026-11-25T16:33:00.123Z', state: 'protected', policyId: randomUUID(),
    files: [{ path: '/vms/web/web.vbox', role: 'config' }],
  };
  const source = { kind: 'vm', hypervisor: 'virtualbox', configPath: '/vms/web/web.vbox', vmId: vm.id, vmName: 'web' };

  it('parses records without a source (files items) and with one', () => {
    expect(parseRecord('items', base, base.id, 'r.json')).toMatchObject({ name: 'web' });
    expect(parseRecord('items', { ...base, source }, base.id, 'r.json')).toMatchObject({ source });
  });

  it('refuses a source with a relative config path or an unknown kind, naming the field', () => {
    expect(() => parseRecord('items', { ...base, source: { ...source, configPath: 'web.vbox' } }, base.id, 'r.json'))
      .toThrow(/r\.json is damaged or was tampered with: source\.configPath: must be an absolute path/);
    expect(() => parseRecord('items', { ...base, source: { ...source, kind: 'container' } }, base.id, 'r.json'))
      .toThrow(/source\.kind/);
  });
});
