/**
 * Where a backup may make clones (snapshot-area.ts captureAreas) and where clones are found
 * and removed: an encrypted vault's new clones only beside the VM and never inside the vault
 * folder, while clones an earlier version made in an encrypted vault's <vault>/snapshots/
 * are still found (for restores and change tracking) and removed.
 */
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BESIDE_VM_SNAPSHOTS_DIR, VAULT_SNAPSHOTS_DIR, captureAreas, existingPointSnapshot, removeOrphanSnapshots, removePointSnapshot,
} from '../../../electron/engine/backup/snapshot-area.ts';
import { clonesBesideVmOnly, clonesSettingValue, cloneRefusalOf, instantRestoreClonesOn } from '../../../electron/engine/vault/instant-restore-setting.ts';
import { makeTempDir, removeDir } from '../../support/disk-fixtures.ts';

const ITEM = '0b5c8f4e-2a61-4d3c-9e7f-1a2b3c4d5e6f';
const POINT = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const OTHER_POINT = 'f0e1d2c3b4a5968778695a4b3c2d1e0f';
const ENCRYPTED = { store: { encryption: { kdf: 'scrypt' } } } as const;
const PLAIN = { store: {} } as const;

describe('capture areas', () => {
  const root = makeTempDir('labvault-capture-areas-');
  const vaultDir = join(root, 'vault');
  const vmDir = join(root, 'vm');
  mkdirSync(vaultDir);
  mkdirSync(vmDir);
  const files = [{ path: join(vmDir, 'disk.raw') }];

  afterAll(() => removeDir(root));

  it('plain vault: the vault first, then beside the VM; encrypted: beside the VM only', () => {
    expect(captureAreas(vaultDir, ITEM, files, false).map((area) => [area.root, area.parts[0]])).toEqual([
      [vaultDir, VAULT_SNAPSHOTS_DIR], [vmDir, BESIDE_VM_SNAPSHOTS_DIR],
    ]);
    expect(captureAreas(vaultDir, ITEM, files, true).map((area) => [area.root, area.parts[0]])).toEqual([
      [vmDir, BESIDE_VM_SNAPSHOTS_DIR],
    ]);
  });

  it('encrypted: no area when the VM file lies in the vault folder or below it, also through a link', () => {
    mkdirSync(join(vaultDir, 'inside'));
    symlinkSync(join(vaultDir, 'inside'), join(root, 'link-into-vault'));
    expect(captureAreas(vaultDir, ITEM, [{ path: join(vaultDir, 'disk.raw') }], true)).toEqual([]);
    expect(captureAreas(vaultDir, ITEM, [{ path: join(vaultDir, 'inside', 'disk.raw') }], true)).toEqual([]);
    expect(captureAreas(vaultDir, ITEM, [{ path: join(root, 'link-into-vault', 'disk.raw') }], true)).toEqual([]);
    // A sibling whose name starts like the vault's is outside it.
    mkdirSync(join(root, 'vault-sibling'));
    expect(captureAreas(vaultDir, ITEM, [{ path: join(root, 'vault-sibling', 'disk.raw') }], true)).toHaveLength(1);
    expect(captureAreas(vaultDir, ITEM, [{ path: 'relative/disk.raw' }], true)).toEqual([]);
  });

  it("an earlier version's clone in an encrypted vault's snapshots folder is still found and removed", async () => {
    const old = join(vaultDir, VAULT_SNAPSHOTS_DIR, ITEM, POINT);
    mkdirSync(old, { recursive: true });
    writeFileSync(join(old, 'disk.raw'), 'clone');
    expect(existingPointSnapshot(vaultDir, ITEM, POINT, files)).toBe(old);
    expect(await removePointSnapshot(vaultDir, ITEM, POINT, files)).toBe(true);
    expect(existsSync(join(vaultDir, VAULT_SNAPSHOTS_DIR))).toBe(false);

    const orphan = join(vaultDir, VAULT_SNAPSHOTS_DIR, ITEM, OTHER_POINT);
    mkdirSync(orphan, { recursive: true });
    expect(await removeOrphanSnapshots(vaultDir, ITEM, files, new Set())).toBe(1);
    expect(existsSync(orphan)).toBe(false);
  });
});

describe('instant-restore setting', () => {
  it('is on by default for both kinds, an explicit false is honoured', () => {
    expect(instantRestoreClonesOn({ ...ENCRYPTED, settings: {} as never })).toBe(true);
    expect(instantRestoreClonesOn({ ...PLAIN, settings: {} as never })).toBe(true);
    expect(cloneRefusalOf({ ...ENCRYPTED, settings: { instantRestoreClones: false } as never }))
      .toBe('instant-restore clones are turned off for this encrypted vault');
    expect(cloneRefusalOf({ ...ENCRYPTED, settings: { instantRestoreClones: true } as never })).toBeNull();
    expect(clonesBesideVmOnly(ENCRYPTED)).toBe(true);
    expect(clonesBesideVmOnly(PLAIN)).toBe(false);
  });

  it("writes an encrypted vault's on as the setting's absence, never true", () => {
    expect(clonesSettingValue(ENCRYPTED, true)).toBeUndefined();
    expect(clonesSettingValue(ENCRYPTED, false)).toBe(false);
    expect(clonesSettingValue(PLAIN, true)).toBe(true);
    expect(clonesSettingValue(PLAIN, false)).toBe(false);
  });
});
