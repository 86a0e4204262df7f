/**
 * A speculative unlock at command start. A command on an encrypted vault spends much of its
 * first half second deriving the vault's key (scrypt, vault/store/vault-keys.ts), and could
 * only start once its modules were loaded and the vault opened. When the CLI is given the
 * passphrase without a prompt (LABVAULT_PASSPHRASE, --passphrase-file) and this machine
 * knows exactly one encrypted vault, the CLI starts that vault's derivation first
 * (electron/cli/early-unlock.ts), in worker threads, while the rest of it loads. The
 * engine's unlock takes the result only when its passphrase, salt and cost are exactly the
 * ones it needs; otherwise it derives as before and the early result is dropped.
 *
 * Reads, all synchronous (the derivation must be under way before this thread gets busy
 * loading modules) and small: the app home's known-vaults.json and catalogs folder (encrypted
 * vaults keep their catalog there), and that one vault's vault.json through the untrusted-file
 * checks (regular file, size cap), whose scrypt cost must pass the same limits as on open.
 * Nothing is written or printed; anything unexpected and it does nothing.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readUntrustedFileSync } from '../fs/untrusted-file.ts';
import { EXTERNAL_CATALOGS_DIR, KNOWN_VAULTS_FILE } from '../app/app-home-files.ts';
import { beginKekDerivation } from './store/vault-keys.ts';
import { SALT_BYTES, scryptParamsProblem } from './store/store-settings.ts';
import { VAULT_FILE } from './vault-config-file.ts';
import { UUID_PATTERN } from './vault-ids.ts';

const CATALOG_SUFFIX = '.sqlite';

interface KdfSettings { n: number; r: number; p: number; salt: string }

/** Ids of vaults whose catalog is in the app home: the encrypted ones this machine opened. */
function encryptedVaultIds(appHome: string): Set<string> {
  const ids = new Set<string>();
  for (const name of readdirSync(join(appHome, EXTERNAL_CATALOGS_DIR))) {
    const id = name.slice(0, -CATALOG_SUFFIX.length);
    if (name.endsWith(CATALOG_SUFFIX) && UUID_PATTERN.test(id)) ids.add(id);
  }
  return ids;
}

/** Folders of the known vaults among `ids` (known-vaults.json: { vaults: [{ id, path }] }). */
function knownVaultFolders(appHome: string, ids: Set<string>): string[] {
  const list = JSON.parse(readUntrustedFileSync(join(appHome, KNOWN_VAULTS_FILE), 'record').toString('utf8')) as unknown;
  const vaults = (list as { vaults?: unknown }).vaults;
  if (!Array.isArray(vaults)) return [];
  return vaults.flatMap((vault: unknown) => {
    const { id, path } = (vault ?? {}) as { id?: unknown; path?: unknown };
    return typeof id === 'string' && typeof path === 'string' && ids.has(id) ? [path] : [];
  });
}

/** The scrypt cost and salt of a vault.json, when they pass the limits vaults are opened with. */
function kdfSettingsOf(vaultDir: string): KdfSettings | null {
  const config = JSON.parse(readUntrustedFileSync(join(vaultDir, VAULT_FILE), 'vault-config').toString('utf8')) as unknown;
  const store = (config as { store?: { encryption?: unknown } }).store;
  const encryption = (store?.encryption ?? null) as Record<string, unknown> | null;
  if (encryption === null || encryption.kdf !== 'scrypt') return null;
  const { n, r, p, salt } = encryption;
  if (typeof n !== 'number' || typeof r !== 'number' || typeof p !== 'number' || typeof salt !== 'string') return null;
  if (scryptParamsProblem(n, r, p) !== null || Buffer.from(salt, 'base64').length !== SALT_BYTES) return null;
  return { n, r, p, salt };
}

/** Starts deriving the key of the one encrypted vault this app home knows, if there is one. */
export function startEarlyKeyDerivation(appHome: string, passphrase: string): void {
  if (passphrase === '') return;
  try {
    const ids = encryptedVaultIds(appHome);
    if (ids.size === 0) return;
    const folders = knownVaultFolders(appHome, ids);
    if (folders.length !== 1) return;
    const settings = kdfSettingsOf(folders[0]!);
    if (settings !== null) beginKekDerivation(passphrase, settings);
  } catch {
    // Speculative only: the command derives the key itself when it needs it.
  }
}
