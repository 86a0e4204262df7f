/**
 * The schema of vault.json's `store` object as read from an untrusted vault folder: the
 * chunk size and compression within the store's bounds, and encryption parameters bounded
 * to what Labvault itself writes (scrypt cost, exact salt and wrapped-key lengths), so a
 * vault file cannot make unlocking take minutes or gigabytes. See docs/FORMAT.md.
 */
import { z } from '../../../shared/zod-jitless.ts';
import {
  MAX_CHUNK_SIZE, MIN_CHUNK_SIZE, SALT_BYTES, WRAPPED_KEY_BYTES, scryptParamsProblem,
} from './store/store-settings.ts';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function base64OfLength(bytes: number): z.ZodString {
  const chars = Math.ceil(bytes / 3) * 4;
  return z.string().length(chars, `must be base64 of exactly ${bytes} bytes`)
    .regex(BASE64, 'must be base64')
    .refine((value) => Buffer.from(value, 'base64').length === bytes, `must be base64 of exactly ${bytes} bytes`);
}

const EncryptionSchema = z.object({
  kdf: z.literal('scrypt'),
  n: z.number(),
  r: z.number(),
  p: z.number(),
  salt: base64OfLength(SALT_BYTES),
  wrappedKey: base64OfLength(WRAPPED_KEY_BYTES),
  /** Set once vault.json's settings are authenticated with the vault key (vault-keys.ts). */
  settingsBound: z.literal(true).optional(),
}).superRefine((value, context) => {
  const problem = scryptParamsProblem(value.n, value.r, value.p);
  if (problem !== null) context.addIssue({ code: 'custom', message: `scrypt ${problem}`, path: ['n'] });
});

export const StoreSettingsSchema = z.object({
  chunkSize: z.number().int().min(MIN_CHUNK_SIZE).max(MAX_CHUNK_SIZE)
    .refine((size) => (size & (size - 1)) === 0, 'must be a power of two'),
  compression: z.enum(['none', 'zstd']),
  compressionLevel: z.number().int().min(1).max(19).optional(),
  encryption: EncryptionSchema.optional(),
});
