/**
 * Schemas of the records read from a vault folder (data/records/<kind>/<id>.json). A vault
 * folder is untrusted input: ids match their pattern and the file's name, names pass the
 * name rules, strings and arrays are bounded. Unknown fields are kept (a newer Labvault may
 * add some) but never used. A record that fails is CORRUPT naming the file and the field.
 */
import { isAbsolute } from 'node:path';
import { z } from '../../../shared/zod-jitless.ts';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import { itemNameProblem } from '../../../shared/item-rules.ts';
import { parsePolicy } from '../../../shared/policy.ts';
import { AlertSchema, FileRoleSchema, ItemStateSchema, JobSchema, TestRestoreSchema } from '../../../shared/contract/item-models.ts';
import { isPointId, UUID_PATTERN } from './vault-ids.ts';

/** Limits of record fields; far above what Labvault writes. */
export const RECORD_LIMITS = { files: 1024, path: 4096, name: 200, text: 16_384, subtasks: 16, vmId: 200 } as const;

const Uuid = z.string().regex(UUID_PATTERN, 'must be a UUID');
const IsoTime = z.string().max(40).refine((value) => !Number.isNaN(Date.parse(value)), 'must be an ISO 8601 time');
const Text = z.string().max(RECORD_LIMITS.text);

const ItemName = z.string().max(RECORD_LIMITS.name).superRefine((name, context) => {
  const problem = itemNameProblem(name);
  if (problem !== null) context.addIssue({ code: 'custom', message: problem });
});

const RecordPath = z.string().min(1).max(RECORD_LIMITS.path).refine((path) => !path.includes('\0'), 'must not contain NUL');

const ItemFileRecordSchema = z.looseObject({
  path: RecordPath,
  role: FileRoleSchema,
  diskFormat: z.string().max(32).optional(),
  parentOf: z.string().max(RECORD_LIMITS.path).optional(),
});

/** A VM item's source (FORMAT.md section 12, "Item records"): only its config path is ever acted on. */
const VmItemSourceSchema = z.looseObject({
  kind: z.literal('vm'),
  hypervisor: z.enum(['virtualbox', 'vmware', 'libvirt-qemu', 'files']),
  configPath: RecordPath.refine((path) => isAbsolute(path), 'must be an absolute path'),
  vmId: z.string().max(RECORD_LIMITS.vmId),
  vmName: z.string().max(RECORD_LIMITS.name),
});

const ItemRecordSchema = z.looseObject({
  id: Uuid,
  name: ItemName,
  vaultId: Uuid,
  createdAt: IsoTime,
  updatedAt: IsoTime,
  state: ItemStateSchema,
  policyId: Uuid,
  files: z.array(ItemFileRecordSchema).max(RECORD_LIMITS.files),
  source: VmItemSourceSchema.optional(),
  retainMode: z.enum(['forever', 'expiry']).optional(),
  stoppedAt: IsoTime.optional(),
  deletedAt: IsoTime.optional(),
  purgeAt: IsoTime.optional(),
  stateBeforeDelete: z.enum(['protected', 'stopped']).optional(),
});

const PolicyRecordSchema = z.looseObject({
  id: Uuid,
  name: z.string().min(1).max(RECORD_LIMITS.name),
  isDefault: z.boolean(),
  createdAt: IsoTime,
  updatedAt: IsoTime,
  policy: z.unknown(),
});

const JobRecordSchema = JobSchema.extend({
  id: Uuid,
  vaultId: Uuid,
  vaultName: z.string().max(RECORD_LIMITS.name),
  itemId: Uuid.nullable(),
  item: z.string().max(RECORD_LIMITS.name).nullable(),
  startedAt: IsoTime,
  endedAt: IsoTime.nullable(),
  error: z.object({ code: z.string().max(64), message: Text }).optional(),
  pointId: z.string().max(128).optional(),
  subtasks: z.array(JobSchema.shape.subtasks.element.extend({ message: Text.optional() })).max(RECORD_LIMITS.subtasks),
});

const AlertRecordSchema = AlertSchema.extend({
  id: Uuid,
  vaultId: Uuid,
  vaultName: z.string().max(RECORD_LIMITS.name),
  title: z.string().max(RECORD_LIMITS.name),
  message: Text,
  createdAt: IsoTime,
});

/**
 * A point's newest test restore (FORMAT.md section 12, "Point check records"); its id is the
 * point id with '.' written as '_' (record ids have no dots), and `pointId` must match it.
 */
const PointCheckRecordSchema = TestRestoreSchema.extend({
  id: z.string().max(128),
  pointId: z.string().refine(isPointId, 'must be a point id'),
  itemId: Uuid,
  checkedAt: IsoTime,
}).refine((record) => record.id === pointCheckRecordId(record.pointId), { message: 'id must be its point id', path: ['id'] });

/** The record id of a point's check: the point id with its '.' (timestamped ids) as '_'. */
export function pointCheckRecordId(pointId: string): string {
  return pointId.replace(/\./g, '_');
}

/** The kinds of record files under data/records/ (one folder each). */
export type RecordKind = 'items' | 'policies' | 'jobs' | 'alerts' | 'point-checks';

const SCHEMAS: Record<RecordKind, z.ZodType> = {
  items: ItemRecordSchema,
  policies: PolicyRecordSchema,
  jobs: JobRecordSchema,
  alerts: AlertRecordSchema,
  'point-checks': PointCheckRecordSchema,
};

function corruptRecord(path: string, problem: string): LabvaultError {
  return new LabvaultError(ErrorCodes.CORRUPT, `Vault record ${path} is damaged or was tampered with: ${problem}.`, { details: { path } });
}

/** Parses a decoded record of `kind` stored as `<fileId>.json`; throws CORRUPT naming `path`. */
export function parseRecord(kind: RecordKind, value: unknown, fileId: string, path: string): unknown {
  const parsed = SCHEMAS[kind].safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw corruptRecord(path, `${issue?.path.join('.') || 'record'}: ${issue?.message ?? 'invalid'}`);
  }
  const record = parsed.data as { id: string; policy?: unknown; name?: string };
  if (record.id !== fileId) throw corruptRecord(path, `its id ${record.id} differs from its file name`);
  if (kind === 'policies') {
    try {
      return { ...record, policy: parsePolicy(record.policy, `policy ${record.name ?? fileId}`) };
    } catch (error) {
      throw corruptRecord(path, error instanceof Error ? error.message : String(error));
    }
  }
  return record;
}
