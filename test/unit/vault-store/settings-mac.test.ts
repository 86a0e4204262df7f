/** vault.json's settingsMac: canonical encoding, and every settings field is covered. */
import { describe, expect, it } from 'vitest';
import { createEncryption } from '../../../electron/engine/vault/store/index.ts';
import type { VaultConfig } from '../../../electron/engine/vault/vault-config.ts';
import { canonicalJson, checkSettingsMac, settingsMacOf, withSettingsMac } from '../../../electron/engine/vault/vault-settings-mac.ts';
import { FAST_KDF } from './store-test-kit.ts';

const config: VaultConfig = {
  format: 'labvault-vault',
  formatVersion: 1,
  id: '6f1c2d4e-8a9b-4c3d-9e8f-0a1b2c3d4e5f',
  name: 'lab-vault',
  createdAt: '2026-06-01T10:00:00.000Z',
  settings: {
    softDelete: { enabled: true, days: 30 },
    immutability: 'enabled',
    chunkSize: 1048576,
    compression: 'zstd',
    instantRestoreClones: false,
  },
  store: {},
};

describe('settings MAC', () => {
  it('encodes canonically: sorted keys at every level, no whitespace, absent values left out', () => {
    expect(canonicalJson({ b: 1, a: { d: 'x', c: [2, { f: true, e: null }] }, g: undefined }))
      .toBe('{"a":{"c":[2,{"e":null,"f":true}],"d":"x"},"b":1}');
  });

  it('does not depend on key order, and changes with any settings field, the name or the id', async () => {
    const { keys } = await createEncryption('pw', FAST_KDF);
    const mac = settingsMacOf(config, keys);
    expect(mac).toMatch(/^[0-9a-f]{64}$/);
    const settings = Object.fromEntries(Object.entries(config.settings).reverse()) as VaultConfig['settings'];
    const reordered = { ...config, settings };
    expect(Object.keys(reordered.settings)[0]).toBe('instantRestoreClones');
    expect(settingsMacOf(reordered, keys)).toBe(mac);
    const variants: VaultConfig[] = [
      { ...config, name: 'lab-vault2' },
      { ...config, id: '6f1c2d4e-8a9b-4c3d-9e8f-0a1b2c3d4e50' },
      { ...config, settings: { ...config.settings, immutability: 'disabled' } },
      { ...config, settings: { ...config.settings, softDelete: { enabled: true, days: 14 } } },
      { ...config, settings: { ...config.settings, instantRestoreClones: true } },
    ];
    for (const variant of variants) expect(settingsMacOf(variant, keys)).not.toBe(mac);
    const other = await createEncryption('pw', FAST_KDF);
    expect(settingsMacOf(config, other.keys)).not.toBe(mac);
  });

  it('checks: missing, valid, and CORRUPT naming the file when edited', async () => {
    const { keys } = await createEncryption('pw', FAST_KDF);
    expect(checkSettingsMac(config, keys, '/v/vault.json')).toBe('missing');
    const sealed = withSettingsMac(config, keys);
    expect(checkSettingsMac(sealed, keys, '/v/vault.json')).toBe('valid');
    const edited = { ...sealed, settings: { ...sealed.settings, immutability: 'disabled' as const } };
    expect(() => checkSettingsMac(edited, keys, '/v/vault.json')).toThrow(/\/v\/vault\.json was changed outside Labvault/);
  });
});
