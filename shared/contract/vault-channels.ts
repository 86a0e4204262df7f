import { z } from '../zod-jitless.ts';
import { channel } from './define.ts';
import { ImmutabilitySchema, PathCheckSchema, VaultSchema, VaultUsageSchema } from './models.ts';

export const CreateVaultInputSchema = z.object({
  name: z.string(),
  path: z.string(),
  softDeleteEnabled: z.boolean().optional(),
  softDeleteDays: z.number().optional(),
  immutability: z.enum(['disabled', 'enabled']).optional(),
  /** When set, the vault is encrypted with this passphrase (never stored). */
  passphrase: z.string().optional(),
});
export type CreateVaultInput = z.infer<typeof CreateVaultInputSchema>;

export const UpdateVaultInputSchema = z.object({
  name: z.string(),
  softDeleteEnabled: z.boolean().optional(),
  softDeleteDays: z.number().optional(),
  immutability: ImmutabilitySchema.optional(),
  /** Instant-restore clones (reflink copies of the VM's files; an encrypted vault's only beside the VM) on or off. */
  instantRestoreClones: z.boolean().optional(),
  /** Accepted and ignored: no longer needed to turn an encrypted vault's clones on (they never enter its folder). */
  confirmPlaintextClones: z.boolean().optional(),
  /** Typed vault name confirming an irreversible or risky change (lock, soft delete off). */
  confirm: z.string().optional(),
});
export type UpdateVaultInput = z.infer<typeof UpdateVaultInputSchema>;

export const DeleteBlockersSchema = z.object({
  deletable: z.boolean(),
  blockers: z.array(z.string()),
});

export const vaultChannels = {
  'vaults.list': channel(z.object({}), z.array(VaultSchema), 'List the vaults this app knows.'),
  'vaults.show': channel(z.object({
    name: z.string(),
    /** Fail with the reason (CORRUPT, NOT_FOUND...) when the vault cannot be opened, instead of a status. */
    strict: z.boolean().optional(),
  }), VaultSchema, 'Show one vault by name.'),
  'vaults.create': channel(CreateVaultInputSchema, VaultSchema, 'Create a vault in an empty or new folder.'),
  'vaults.open': channel(z.object({ path: z.string() }), VaultSchema, 'Add an existing vault folder to the known list.'),
  'vaults.update': channel(UpdateVaultInputSchema, VaultSchema, 'Change soft delete, immutability or instant-restore clone settings.'),
  'vaults.checkPath': channel(z.object({ path: z.string() }), PathCheckSchema, 'Tell whether a folder can hold a new vault.'),
  'vaults.deleteCheck': channel(z.object({ name: z.string() }), DeleteBlockersSchema, 'List what blocks deleting a vault.'),
  'vaults.changePassphrase': channel(z.object({ name: z.string(), oldPassphrase: z.string(), newPassphrase: z.string() }), z.object({ changed: z.boolean() }), 'Re-wrap an encrypted vault\'s key with a new passphrase (no data is rewritten).'),
  'vaults.rekey': channel(
    z.object({ name: z.string(), passphrase: z.string() }),
    z.object({ points: z.number().int(), resumed: z.boolean() }),
    'Replace an encrypted vault\'s master key and rewrite every blob under the new one (resumes an unfinished rekey).',
  ),
  'vaults.usage': channel(
    z.object({ name: z.string(), refresh: z.boolean().optional() }),
    VaultUsageSchema,
    'Every size of a vault: logical, stored, reclaimable (what vaults.gc frees), free space on its drive.',
  ),
  'vaults.delete': channel(z.object({ name: z.string() }), z.object({ deleted: z.boolean() }), 'Delete an empty vault.'),
} as const;
