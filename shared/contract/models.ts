/**
 * Plain domain shapes that cross the contract, as zod schemas (runtime check + TS type).
 * No Node, DOM or Electron imports here.
 */
import { z } from '../zod-jitless.ts';
import { IMMUTABILITY_STATES } from '../vault-rules.ts';

export const ImmutabilitySchema = z.enum(IMMUTABILITY_STATES);

/**
 * Every size of a vault, each labelled with what it counts (electron/engine/vault/vault-usage.ts):
 * logical = what the items protect (files of each item's newest point); stored = bytes in the vault's
 * data folder; reclaimable = stored bytes no point references, freed by garbage collection (vaults.gc);
 * free/drive = space on the drive holding the vault (null when the system cannot tell).
 */
export const VaultUsageSchema = z.object({
  logicalBytes: z.number(),
  storedBytes: z.number(),
  /** Stored size of the chunks some point references. */
  referencedBytes: z.number(),
  reclaimableBytes: z.number(),
  reclaimableChunks: z.number().int(),
  /** False when a manifest or index could not be read: nothing is counted as reclaimable (verify the vault). */
  reclaimableComplete: z.boolean(),
  freeBytes: z.number().nullable(),
  driveBytes: z.number().nullable(),
  /** When stored and reclaimable were last counted (they are recounted only after the vault changed). */
  scannedAt: z.string(),
});
export type VaultUsage = z.infer<typeof VaultUsageSchema>;

export const VaultSchema = z.object({
  id: z.string(),
  name: z.string(),
  path: z.string(),
  createdAt: z.string(),
  formatVersion: z.number().int(),
  softDeleteEnabled: z.boolean(),
  softDeleteDays: z.number().int(),
  immutability: ImmutabilitySchema,
  /** Why `immutability` (the effective state) differs from vault.json's: this machine saw it stronger. */
  immutabilityNote: z.string().optional(),
  encrypted: z.boolean(),
  /** Whether backups make instant-restore clones (default on; an encrypted vault's beside the VM only). */
  instantRestoreClones: z.boolean().optional(),
  chunkSize: z.number().int(),
  /** 'ok' when the vault directory answers, 'missing' when it cannot be read now. */
  status: z.enum(['ok', 'missing']),
  statusMessage: z.string().optional(),
  /** Encrypted vault whose passphrase is needed before its items can be listed. */
  locked: z.boolean().optional(),
  itemCount: z.number().int().optional(),
  storedBytes: z.number().optional(),
  /** Every size of the vault (absent when it is missing or encrypted and locked). */
  usage: VaultUsageSchema.optional(),
});
export type Vault = z.infer<typeof VaultSchema>;

export const ErrorInfoSchema = z.object({
  code: z.string(),
  message: z.string(),
  field: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});

export const PathCheckSchema = z.object({
  path: z.string(),
  ok: z.boolean(),
  /** What the engine will do or why it refuses: 'will create the folder', 'folder is not empty'... */
  message: z.string(),
});
export type PathCheck = z.infer<typeof PathCheckSchema>;

export const AppInfoSchema = z.object({
  version: z.string(),
  appHome: z.string(),
  /** 'electron' | 'browser': which face the renderer is served by (set by the face). */
  face: z.enum(['electron', 'browser', 'cli']),
  platform: z.string(),
  defaultVaultParent: z.string(),
});
export type AppInfo = z.infer<typeof AppInfoSchema>;
