import { z } from '../zod-jitless.ts';
import { channel } from './define.ts';
import { RestoreDiskFormatSchema } from './restore-vm-channels.ts';
import { CancelSourceSchema, FileCandidateSchema, ItemSchema, JobSchema, JobStatusSchema, JobOperationSchema, PointSchema, VaultStatsSchema, VerifyReportSchema } from './item-models.ts';

/** Pre/post-backup scripts (absolute paths; '' or null removes one) and their timeout in seconds. */
const ScriptsInput = {
  preScript: z.string().nullable().optional(),
  postScript: z.string().nullable().optional(),
  scriptTimeoutSec: z.number().int().optional(),
};

export const ProtectInputSchema = z.object({
  vault: z.string(),
  /** Required with files; a VM item defaults to the VM's name. */
  name: z.string().optional(),
  /** The VM's files; a VM configuration or a folder holding one VM among them resolves to the VM. */
  files: z.array(z.string()).min(1).optional(),
  /** The VM by its configuration: each backup re-reads it and backs up the files that make the VM then. */
  vm: z.object({ configPath: z.string().min(1) }).optional(),
  policy: z.string().optional(),
  ...ScriptsInput,
});

export const FilesChangeSchema = z.object({
  added: z.array(z.string()),
  removed: z.array(z.string()),
  vmBefore: z.string().nullable(),
  vmAfter: z.string().nullable(),
  notes: z.array(z.string()),
  saved: z.boolean(),
});

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
  'items.protect': channel(ProtectInputSchema, ItemSchema.extend({ notes: z.array(z.string()).optional() }), 'Protect a VM (by its configuration, or its files) in a vault.'),
  'items.updateFiles': channel(z.object({
    item: z.string(),
    files: z.array(z.string()).min(1).optional(),
    vm: z.object({ configPath: z.string().min(1) }).optional(),
    /** Show the change only. */
    dryRun: z.boolean().optional(),
  }), z.object({ item: ItemSchema, change: FilesChangeSchema }), 'Change a protected item\'s files (a disk added, the VM moved), shown before it is saved; protection keeps running.'),
  'items.setScripts': channel(z.object({ item: z.string(), ...ScriptsInput }), ItemSchema, 'Set the item\'s pre/post-backup scripts on this machine (never stored in the vault).'),
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
  'restore.disks': channel(z.object({
    item: z.string(), point: z.string(), to: z.string(), files: z.array(z.string()).optional(),
    /** Write each disk in this format (converted with the disk writers, chains flattened); default: as stored. */
    format: RestoreDiskFormatSchema.optional(),
    /** Merge each disk's chain into one image (in its own format unless `format` says another). */
    flatten: z.boolean().optional(),
  }), z.object({ jobId: z.string() }), 'Restore a point\'s files into a folder, verified; optionally converted or flattened.'),
  'vaults.stats': channel(z.object({ name: z.string() }), VaultStatsSchema, 'Storage used per vault and item.'),
  'vaults.verify': channel(z.object({ name: z.string(), readData: z.boolean().optional() }), VerifyReportSchema, 'Check every manifest, index and chunk (and with readData, every byte).'),
  'vaults.unlock': channel(z.object({ name: z.string(), passphrase: z.string(), remember: z.boolean().optional() }), z.object({ unlocked: z.boolean() }), 'Unlock an encrypted vault for this session.'),
} as const;
