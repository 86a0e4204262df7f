/**
 * The vms.* channels through the contract (dispatchChannel: zod in and out): vms.read of a
 * .vbox, vms.discover with its problems, bad input refused, and the protection seam filling
 * `protectedBy` (the lookup here is a table standing in for the vault items 12-items joins).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelHandlers } from '../../../shared/contract/channels.ts';
import { dispatchChannel } from '../../../shared/contract/dispatch.ts';
import { vmHandlers } from '../../../electron/engine/handlers/vm-handlers.ts';
import type { VmProtectedBy } from '../../../electron/engine/discovery/vm-protection-lookup.ts';
import { makeTempDir, removeDir, requireQemuImg } from './vm-fixture-kit.ts';
import { writeVbox7Machine, type VboxFixture } from './virtualbox-fixtures.ts';

const hasTools = requireQemuImg();

describe.skipIf(!hasTools)('vms.* channels', () => {
  let dir: string;
  let fixture: VboxFixture;
  beforeAll(() => {
    dir = makeTempDir('labvault-vm-channels-');
    fixture = writeVbox7Machine(join(dir, 'home'), join(dir, 'vms'));
  });
  afterAll(() => removeDir(dir));

  function handlers(protectedPaths: Map<string, VmProtectedBy> | undefined): ChannelHandlers {
    const lookup = protectedPaths === undefined ? {} : {
      vmProtection: { protectedByForPaths: async (paths: string[]) => new Map(paths.flatMap((path) => {
        const found = protectedPaths.get(path);
        return found === undefined ? [] : [[path, found] as const];
      })) },
    };
    return { vms: vmHandlers(lookup) } as unknown as ChannelHandlers;
  }

  it('vms.read returns the VM in the contract shape; vms.discover reports problems next to the VMs', async () => {
    const read = await dispatchChannel(handlers(undefined), 'vms.read', { configPath: fixture.configPath });
    expect(read).toMatchObject({ ok: true, value: { name: 'ubuntu-efi', hypervisor: 'virtualbox', disks: [{ path: fixture.diff2 }] } });
    const discovered = await dispatchChannel(handlers(undefined), 'vms.discover', { paths: [join(dir, 'home'), join(dir, 'gone')] });
    expect(discovered).toMatchObject({ ok: true, value: {
      vms: [{ configPath: fixture.configPath }], problems: [{ path: join(dir, 'gone'), code: 'NOT_FOUND' }] } });
  });

  it('fills protectedBy through the protection seam, and refuses bad input naming the field', async () => {
    const by: VmProtectedBy = { vaultId: 'v1', vaultName: 'Lab', itemId: 'i1', itemName: 'ubuntu' };
    const read = await dispatchChannel(handlers(new Map([[fixture.configPath, by]])), 'vms.read', { configPath: fixture.configPath });
    expect(read).toMatchObject({ ok: true, value: { protectedBy: by } });
    const bad = await dispatchChannel(handlers(undefined), 'vms.discover', { paths: [''] });
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    const missing = await dispatchChannel(handlers(undefined), 'vms.read', { configPath: join(dir, 'nope.vbox') });
    expect(missing).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: expect.stringContaining('nope.vbox') } });
  });
});
