/**
 * protectedBy for discovery: a discovered VM's config path or files joined with the items of
 * the reachable vaults; a soft-deleted item is marked (the VM cannot be protected again yet).
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readVm } from '../../../electron/engine/discovery/discovery-service.ts';
import { stopProtection } from '../../../electron/engine/protection/item-lifecycle.ts';
import { fillProtectedBy, vmProtectionLookup } from '../../../electron/engine/protection/vm-protected-by.ts';
import { requireQemuImg } from '../../support/disk-fixtures.ts';
import { FIXTURE_ITEM, FIXTURE_VAULT, useEngineFixture } from '../../support/engine-fixture.ts';
import { makeVirtualBoxVm } from '../../integration/vm-items/vm-fixtures.ts';

const makeFixture = useEngineFixture();
const hasQemu = requireQemuImg();

describe.skipIf(!hasQemu)('protectedBy', () => {
  it('names the item protecting a VM by config path or file; soft-deleted items are marked', async () => {
    const f = await makeFixture({ softDeleteEnabled: true });
    const vm = makeVirtualBoxVm(join(f.root, 'vms'), 'web');
    await f.engine.handlers.items.protect({ vault: FIXTURE_VAULT, vm: { configPath: vm.config } });
    const lookup = vmProtectionLookup(f.engine.protection);
    const found = await lookup.protectedByForPaths([vm.config, f.diskPath, join(f.root, 'nowhere.vbox')]);
    expect(found.get(vm.config)).toMatchObject({ vaultName: FIXTURE_VAULT, itemName: 'web' });
    expect(found.get(f.diskPath)).toMatchObject({ itemName: FIXTURE_ITEM });
    expect(found.get(vm.config)?.softDeleted).toBeUndefined();
    expect(found.has(join(f.root, 'nowhere.vbox'))).toBe(false);

    const [discovered] = await fillProtectedBy(f.engine.protection, [await readVm(vm.config, { env: { PATH: '' } })]);
    expect(discovered?.protectedBy).toMatchObject({ itemName: 'web' });

    await stopProtection(f.engine, await f.engine.protection.resolve('web'), { mode: 'delete-data', confirm: 'web' });
    const after = await lookup.protectedByForPaths([vm.config]);
    expect(after.get(vm.config)).toMatchObject({ itemName: 'web', softDeleted: true });
  });
});
