/**
 * The settings MAC of an encrypted vault: vault.json's `settingsMac` is HMAC-SHA256, under
 * the settings key derived from the master key, of
 *
 *   "labvault vault settings v1\n" ‖ canonical JSON of { id, name, settings }
 *
 * (canonical JSON: object keys sorted by code unit, no whitespace, JSON.stringify for
 * strings and numbers; see docs/FORMAT.md). Someone who can write the vault folder but does
 * not know the passphrase cannot change the vault's settings (immutability, soft delete,
 * instant-restore clones): the vault no longer unlocks (CORRUPT naming vault.json).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { VaultKeys } from './store/index.ts';
import type { VaultConfig } from './vault-config.ts';

const MAC_DOMAIN = 'labvault vault settings v1\n';
export const SETTINGS_MAC_PATTERN = /^[0-9a-f]{64}$/;

/** JSON with object keys sorted at every level and no whitespace. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((entry) => canonicalJson(entry)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, entry]) => entry !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${canonicalJson(entry)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function settingsMacOf(config: Pick<VaultConfig, 'id' | 'name' | 'settings'>, keys: VaultKeys): string {
  const subject = canonicalJson({ id: config.id, name: config.name, settings: config.settings });
  return createHmac('sha256', keys.settingsKey).update(MAC_DOMAIN).update(subject, 'utf8').digest('hex');
}

/** The config with its settingsMac recomputed (call before every write of an encrypted vault's vault.json). */
export function withSettingsMac(config: VaultConfig, keys: VaultKeys): VaultConfig {
  return { ...config, settingsMac: settingsMacOf(config, keys) };
}

/**
 * Checks vault.json's settingsMac. 'missing' for a vault written before settings were
 * authenticated; a MAC that does not match throws CORRUPT naming the file.
 */
export function checkSettingsMac(config: VaultConfig, keys: VaultKeys, path: string): 'valid' | 'missing' {
  const stored = config.settingsMac;
  if (stored === undefined) return 'missing';
  const expected = Buffer.from(settingsMacOf(config, keys), 'hex');
  const actual = SETTINGS_MAC_PATTERN.test(stored) ? Buffer.from(stored, 'hex') : Buffer.alloc(0);
  if (actual.length === expected.length && timingSafeEqual(actual, expected)) return 'valid';
  throw new LabvaultError(
    ErrorCodes.CORRUPT,
    `${path} was changed outside Labvault: its settings (name, id, soft delete, immutability, clones) no longer match `
      + 'their authentication code (settingsMac). Restore the vault.json Labvault wrote; the vault stays locked until then.',
    { field: 'settingsMac', details: { path } },
  );
}
