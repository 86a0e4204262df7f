/**
 * The schema a manifest read from a vault must pass before anything uses it. A vault folder
 * is untrusted input: ids match the store's name pattern, file names are single path
 * components of the point-file character set (never '.', '..', '/' or '\'), numbers are
 * non-negative safe integers or finite times, strings and arrays are bounded. Unknown
 * fields are kept (a newer writer may add some) but nothing here interprets them.
 */
import { z } from '../../../../shared/zod-jitless.ts';

export const MANIFEST_LIMITS = { files: 1024, nameLength: 255, text: 4096, tiers: 16 } as const;

/** Point file names: what the backup writes (snapshot-phase pointFileNames), one path component. */
export const POINT_FILE_NAME_PATTERN = /^[A-Za-z0-9_ -][A-Za-z0-9._ -]{0,254}$/;
const STORE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;
const HEX_ID = /^[0-9a-f]{64}$/;
/** Largest |milliseconds| a JavaScript Date holds. */
const MAX_TIME_MS = 8.64e15;

const IsoTime = z.string().max(40).refine((value) => !Number.isNaN(Date.parse(value)), 'must be an ISO 8601 time');
const Count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

const ManifestFileSchema = z.looseObject({
  path: z.string().regex(POINT_FILE_NAME_PATTERN, "must be one file name of letters, digits, '.', '_', '-' and spaces"),
  role: z.enum(['config', 'disk', 'nvram', 'other']),
  size: Count,
  mode: z.number().int().min(0).max(0xffffffff),
  mtimeMs: z.number().min(-MAX_TIME_MS).max(MAX_TIME_MS),
  ino: z.number().min(0).optional(),
  dev: z.number().min(0).optional(),
  diskFormat: z.string().max(32).optional(),
  indexId: z.string().regex(HEX_ID, 'must be a 64-character lowercase hex id'),
  digest: z.string().regex(HEX_ID, 'must be a 64-character lowercase hex id'),
  digestKind: z.literal('chunk-list'),
  storedBytesNew: Count.optional(),
});

export const ManifestSchema = z.looseObject({
  formatVersion: z.number().int().min(1),
  pointId: z.string().regex(STORE_NAME, 'must be a point name'),
  itemId: z.string().regex(STORE_NAME, 'must be an item name'),
  createdAt: IsoTime,
  files: z.array(ManifestFileSchema).max(MANIFEST_LIMITS.files),
  consistency: z.string().max(64).optional(),
  tiers: z.array(z.string().max(32)).max(MANIFEST_LIMITS.tiers).optional(),
  expiresAt: IsoTime.nullable().optional(),
  onDemand: z.boolean().optional(),
  policy: z.record(z.string(), z.unknown()).optional(),
  extra: z.record(z.string(), z.unknown()).optional(),
});

export const TombstoneSchema = z.object({
  deletedAt: IsoTime,
  purgeAt: IsoTime.nullable(),
});
