import * as z from 'zod';
import { channel } from './define.ts';
import { CancelSourceSchema, FileCandidateSchema, ItemSchema, JobSchema, JobStatusSchema, JobOperationSchema, PointSchema, VaultStatsSchema, VerifyReportSchema } from './item-models.ts';

const ItemRef = z.object({ item: z.string().describe('item name or id') });

export const StopProtectionInputSchema = z.object({
  item: z.string(),
  mode: z.enum(['keep-data', 'delete-data']),
  /** keep-data: keep points forever, or until each point's expiry. */
  retain: z.enum(['forever', 'expiry']).optional(),
  /** delete-data: the item name typed by the user. */
  confirm: z.string().optional(),
});

export const DeletePreviewSchema = z.object({
  item: z.string(),
  points: z.number().int(),
  storedBytes: z.number(),
  softDelete: z.boolean(),
  purgeAt: z.string().nullable(),
  blockedBy: z.string().nullable(),
});

export const JobFilterSchema = z.object({
  vault: z.string().optional(),
  status: JobStatusSchema.optional(),
  operation: JobOperationSchema.optional(),
  item: z.string().optional(),
  from: z.string().optional(),
  to: z.string().optional(),
  limit: z.number().int().positive().max(5000).optional(),
});

export const protectionChannels = {
  'items.inspectFiles': channel(z.object({ vault: z.string().optional(), paths: z.array(z.string()).min(1) }), z.array(FileCandidateSchema), 'Check files before protecting them: readable, disk format, not protected elsewhere.'),
  'items.protect': channel(z.object({ vault: z.string(), name: z.string(), files: z.array(z.string()).min(1), policy: z.string().optional() }), ItemSchema, 'Protect a VM\'s files in a vault.'),
  'items.list': channel(z.object({ vault: z.string().optional() }), z.array(ItemSchema), 'List protected items (soft-deleted ones included).'),
  'items.show': channel(ItemRef, ItemSchema, 'Show one item.'),
  'items.deletePreview': channel(ItemRef, DeletePreviewSchema, 'What stop-with-delete would soft-delete, and until when.'),
  'items.stopProtection': channel(StopProtectionInputSchema, ItemSchema, 'Stop protection, keeping or deleting the data.'),
  'items.resumeProtection': channel(z.object({ item: z.string(), policy: z.string().optional() }), ItemSchema, 'Resume protection of a stopped item.'),
  'items.undelete': channel(ItemRef, ItemSchema, 'Undelete a soft-deleted item.'),
  'items.confirm': channel(z.object({
    item: z.string(),
    /** The files the user was shown; refused (CONFLICT) when the record names others now. */
    files: z.array(z.string()).optional(),
  }), ItemSchema, 'Confirm on this machine the files an item may read, so it can be backed up here.'),
  'items.setPolicy': channel(z.object({ item: z.string(), policy: z.string() }), ItemSchema, 'Bind another policy of the vault to an item.'),
  'points.list': channel(z.object({ item: z.string(), includeDeleted: z.boolean().optional() }), z.array(PointSchema), 'Recovery points of an item, newest first.'),
  'points.delete': channel(z.object({ item: z.string(), point: z.string() }), PointSchema, 'Soft-delete (or delete) one recovery point.'),
  'backup.now': channel(z.object({
    item: z.string(),
    retainUntil: z.string().optional(),
    /** The id the job gets (a face that starts the backup in another process names it first). */
    jobId: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'must be letters, digits, "-" or "_"').optional(),
  }), z.object({ jobId: z.string() }), 'Start an on-demand backup; returns at once with the job id.'),
  'backup.check': channel(
    z.object({ item: z.string(), retainUntil: z.string().optional() }),
    z.object({ item: z.string(), vault: z.string() }),
    'Check an on-demand backup could start now (item protected, retain-until valid, vault unlocked); starts nothing.',
  ),
  'jobs.list': channel(JobFilterSchema, z.array(JobSchema), 'Jobs, newest first, filtered.'),
  'jobs.show': channel(z.object({ id: z.string() }), JobSchema, 'One job with its subtasks.'),
  'jobs.cancel': channel(
    z.object({ id: z.string(), by: CancelSourceSchema.optional() }),
    JobSchema,
    'Cancel a running job (it ends "cancelled", recording `by`: default the calling face); no partial point is left.',
  ),
  'jobs.wait': channel(z.object({ id: z.string() }), JobSchema, 'Wait for a job of this process to end and return it (an ended job at once).'),
  'restore.disks': channel(z.object({ item: z.string(), point: z.string(), to: z.string(), files: z.array(z.string()).optional() }), z.object({ jobId: z.string() }), 'Restore a point\'s files into a folder, verified.'),
  'vaults.stats': channel(z.object({ name: z.string() }), VaultStatsSchema, 'Storage used per vault and item.'),
  'vaults.verify': channel(z.object({ name: z.string(), readData: z.boolean().optional() }), VerifyReportSchema, 'Check every manifest, index and chunk (and with readData, every byte).'),
  'vaults.unlock': channel(z.object({ name: z.string(), passphrase: z.string(), remember: z.boolean().optional() }), z.object({ unlocked: z.boolean() }), 'Unlock an encrypted vault for this session.'),
} as const;
