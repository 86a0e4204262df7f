/**
 * vault.json: the vault's identity and settings, written atomically. See docs/FORMAT.md.
 */
import { join } from 'node:path';
import { z } from '../../../shared/zod-jitless.ts';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import {
  IMMUTABILITY_STATES, SOFT_DELETE_DAYS_MAX, SOFT_DELETE_DAYS_MIN, vaultNameProblem,
} from '../../../shared/vault-rules.ts';
import { writeJsonAtomic } from '../fs/atomic-file.ts';
import { ioError } from '../fs/io-error.ts';
import { readUntrustedText } from '../fs/untrusted-file.ts';
import { StoreSettingsSchema } from './store-settings-schema.ts';
import { UUID_PATTERN } from './vault-ids.ts';
import { VAULT_FILE } from './vault-config-file.ts';

export { VAULT_FILE } from './vault-config-file.ts';
export const VAULT_FORMAT_TAG = 'labvault-vault';
/** Version 1: the first format. Readers refuse versions newer than they know. */
export const VAULT_FORMAT_VERSION = 1;

const IsoTime = z.string().max(40).refine((value) => !Number.isNaN(Date.parse(value)), 'must be an ISO 8601 time');

/** vault.json is read from an untrusted folder: every field is bounded (docs/FORMAT.md, "Threat model"). */
const VaultConfigSchema = z.object({
  format: z.literal(VAULT_FORMAT_TAG),
  formatVersion: z.number().int().min(1).max(1000),
  id: z.string().regex(UUID_PATTERN, 'must be a UUID'),
  name: z.string().max(200).superRefine((name, context) => {
    const problem = vaultNameProblem(name);
    if (problem !== null) context.addIssue({ code: 'custom', message: problem });
  }),
  createdAt: IsoTime,
  settings: z.object({
    softDelete: z.object({
      enabled: z.boolean(), days: z.number().int().min(SOFT_DELETE_DAYS_MIN).max(SOFT_DELETE_DAYS_MAX),
    }),
    immutability: z.enum(IMMUTABILITY_STATES),
    immutabilityLockedAt: IsoTime.optional(),
    chunkSize: z.number().int().positive(),
    compression: z.enum(['zstd', 'none']),
    /** Instant-restore clones (unencrypted copies of VM files; an encrypted vault's beside the VM only); absent: on. */
    instantRestoreClones: z.boolean().optional(),
  }),
  /** Encrypted vaults: HMAC of id, name and settings under the vault key (see vault-settings-mac.ts). */
  settingsMac: z.string().regex(/^[0-9a-f]{64}$/).optional(),
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
    text = await readUntrustedText(path, 'vault-config');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new LabvaultError(ErrorCodes.NOT_FOUND, `${vaultDir} is not a Labvault vault: ${VAULT_FILE} is missing.`, { field: 'path', details: { path: vaultDir } });
    }
    throw ioError(path, 'read', error);
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
  const store = StoreSettingsSchema.safeParse(parsed.data.store);
  if (!store.success) {
    const issue = store.error.issues[0];
    throw new LabvaultError(ErrorCodes.CORRUPT, `${path} is damaged: store.${issue?.path.join('.') || 'settings'}: ${issue?.message ?? 'invalid'}.`, { details: { path } });
  }
  if (store.data.chunkSize !== parsed.data.settings.chunkSize) {
    throw new LabvaultError(ErrorCodes.CORRUPT, `${path} is damaged: settings.chunkSize ${parsed.data.settings.chunkSize} differs from store.chunkSize ${store.data.chunkSize}.`, { details: { path } });
  }
  return { ...parsed.data, store: store.data as unknown as Record<string, unknown> };
}

export async function writeVaultConfig(vaultDir: string, config: VaultConfig): Promise<void> {
  await writeJsonAtomic(vaultConfigPath(vaultDir), config);
}
