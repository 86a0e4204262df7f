/**
 * data/key-check: which master key the blobs of this data folder are sealed with, as
 * hex(HMAC-SHA256(MAC key, "labvault key check v1")) (reveals nothing about the key). Written
 * by a rekey; a process still holding the previous key is refused before it writes a blob
 * the vault could no longer open. A data folder without the file is not checked.
 */
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { ErrorCodes, LabvaultError } from '../../../../shared/errors.ts';
import { readUntrustedText } from '../../fs/untrusted-file.ts';
import { writeFileDurable } from './durable-fs.ts';
import type { VaultKeys } from './vault-keys.ts';

export const KEY_CHECK_FILE = 'key-check';
const KEY_CHECK_DOMAIN = 'labvault key check v1';

function keyCheckOf(keys: VaultKeys): string {
  return createHmac('sha256', keys.macKey).update(KEY_CHECK_DOMAIN).digest('hex');
}

export async function writeKeyCheck(dataDir: string, tmpDir: string, keys: VaultKeys): Promise<void> {
  await writeFileDurable(join(dataDir, KEY_CHECK_FILE), Buffer.from(`${keyCheckOf(keys)}\n`), { tmpDir });
}

/** Throws VAULT_LOCKED when the data folder says its blobs are sealed with another key than `keys`. */
export async function assertKeyCheck(dataDir: string, keys: VaultKeys | undefined): Promise<void> {
  if (keys === undefined) return;
  const path = join(dataDir, KEY_CHECK_FILE);
  // A one-line file: the gc-epoch size cap fits it.
  const text = await readUntrustedText(path, 'gc-epoch').catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  });
  if (text === null || text.trim() === keyCheckOf(keys)) return;
  throw new LabvaultError(ErrorCodes.VAULT_LOCKED, `The vault's key was replaced (labvault vault rekey) since this process unlocked it (${path}). Unlock the vault again, then retry.`, { details: { path } });
}
