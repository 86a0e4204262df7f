/**
 * vault.json: the vault's identity and settings, written atomically. See docs/FORMAT.md.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import { IMMUTABILITY_STATES } from '../../../shared/vault-rules.ts';
import { writeJsonAtomic } from '../fs/atomic-file.ts';
import { ioError } from '../fs/io-error.ts';

export const VAULT_FILE = 'vault.json';
export const VAULT_FORMAT_TAG = 'labvault-vault';
/** Version 1: the first format. Readers refuse versions newer than they know. */
export const VAULT_FORMAT_VERSION = 1;
export const DEFAULT_CHUNK_SIZE = 1024 * 1024;

const VaultConfigSchema = z.object({
  format: z.literal(VAULT_FORMAT_TAG),
  formatVersion: z.number().int().min(1),
  id: z.string().min(8),
  name: z.string(),
  createdAt: z.string(),
  settings: z.object({
    softDelete: z.object({ enabled: z.boolean(), days: z.number().int() }),
    immutability: z.enum(IMMUTABILITY_STATES),
    immutabilityLockedAt: z.string().optional(),
    chunkSize: z.number().int().positive(),
    compression: z.enum(['zstd', 'none']),
  }),
  /** Chunk store settings (encryption parameters, wrapped key) owned by vault/store. */
  store: z.record(z.string(), z.unknown()).default({}),
});
export type VaultConfig = z.infer<typeof VaultConfigSchema>;

export function vaultConfigPath(vaultDir: string): string {
  return join(vaultDir, VAULT_FILE);
}

export async function readVaultConfig(vaultDir: string): Promise<VaultConfig> {
  const path = vaultConfigPath(vaultDir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new LabvaultError(ErrorCodes.NOT_FOUND, `${vaultDir} is not a Labvault vault: ${VAULT_FILE} is missing.`, { field: 'path', details: { path: vaultDir } });
    }
    throw ioError(error, path, 'read');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new LabvaultError(ErrorCodes.CORRUPT, `${path} is damaged: it is not valid JSON.`, { details: { path } });
  }
  const parsed = VaultConfigSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new LabvaultError(ErrorCodes.CORRUPT, `${path} is damaged or not a Labvault vault: ${issue?.path.join('.') || 'file'}: ${issue?.message ?? 'invalid'}.`, { details: { path } });
  }
  if (parsed.data.formatVersion > VAULT_FORMAT_VERSION) {
    throw new LabvaultError(ErrorCodes.UNSUPPORTED, `${path} uses vault format ${parsed.data.formatVersion}; this Labvault reads up to ${VAULT_FORMAT_VERSION}. Update Labvault to open it.`, { details: { path } });
  }
  return parsed.data;
}

export async function writeVaultConfig(vaultDir: string, config: VaultConfig): Promise<void> {
  await writeJsonAtomic(vaultConfigPath(vaultDir), config);
}
