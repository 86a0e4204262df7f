/**
 * Protected items, recovery points, jobs, alerts: the shapes the UI and CLI show.
 */
import { z } from '../zod-jitless.ts';

export const FileRoleSchema = z.enum(['config', 'disk', 'nvram', 'other']);
export type FileRole = z.infer<typeof FileRoleSchema>;

export const ItemStateSchema = z.enum(['protected', 'stopped', 'soft-deleted']);
export type ItemState = z.infer<typeof ItemStateSchema>;

/** 'saved-state': the VM was saved or suspended and its saved state is part of the point. */
export const ConsistencySchema = z.enum([
  'application-consistent', 'file-system-consistent', 'crash-consistent', 'saved-state',
]);
export type Consistency = z.infer<typeof ConsistencySchema>;

export const ItemFileSchema = z.object({
  path: z.string(),
  role: FileRoleSchema,
  /** qemu-img format name when the file is a disk image detected by content. */
  diskFormat: z.string().optional(),
  size: z.number(),
  virtualSize: z.number().optional(),
});
export type ItemFile = z.infer<typeof ItemFileSchema>;

/** Result of checking candidate files before protecting them. */
export const FileCandidateSchema = ItemFileSchema.extend({
  ok: z.boolean(),
  /** Why the file cannot be protected (unreadable, protected elsewhere, soft-deleted). */
  problem: z.string().optional(),
  /** Parent images of a differencing disk, added automatically. */
  addedAsParentOf: z.string().optional(),
});
export type FileCandidate = z.infer<typeof FileCandidateSchema>;

export const HypervisorSchema = z.enum(['virtualbox', 'vmware', 'libvirt-qemu', 'files']);

/** A VM item: the VM it follows (each backup re-reads this configuration). */
export const ItemVmSchema = z.object({
  hypervisor: HypervisorSchema,
  configPath: z.string(),
  vmId: z.string(),
  vmName: z.string(),
});

/** Pre/post-backup scripts of an item, kept on this machine only. */
export const ItemScriptsSchema = z.object({
  pre: z.string().optional(),
  post: z.string().optional(),
  timeoutSec: z.number().int(),
});
export type ItemScripts = z.infer<typeof ItemScriptsSchema>;

export const ItemSchema = z.object({
  id: z.string(),
  name: z.string(),
  vaultId: z.string(),
  vaultName: z.string(),
  state: ItemStateSchema,
  policyName: z.string(),
  createdAt: z.string(),
  files: z.array(ItemFileSchema),
  lastBackupAt: z.string().nullable(),
  lastBackupStatus: z.string().nullable(),
  pointCount: z.number().int(),
  storedBytes: z.number(),
  /** stopped: 'forever' | 'expiry' (how points are kept). */
  retainMode: z.enum(['policy', 'forever', 'expiry']).optional(),
  deletedAt: z.string().optional(),
  /** soft-deleted: when its data will be purged. */
  purgeAt: z.string().optional(),
  nextRunAt: z.string().nullable().optional(),
  /** 'snapshot' tier available on this filesystem, or why not. */
  snapshotTier: z.object({ available: z.boolean(), reason: z.string() }).optional(),
  /**
   * Set when this machine has not confirmed the files the item's record names: it is not backed up here until
   * confirmed.
   */
  needsConfirmation: z.object({ reason: z.string() }).optional(),
  /** Set for a VM item (protected with --vm or from a VM's config): the VM it follows. */
  vm: ItemVmSchema.optional(),
  /** This machine's pre/post-backup scripts for the item. */
  scripts: ItemScriptsSchema.optional(),
});
export type Item = z.infer<typeof ItemSchema>;

/** What a point of a VM item records about the VM: state, how it was captured, hardware. */
export const PointVmSchema = z.object({
  name: z.string(),
  id: z.string(),
  hypervisor: HypervisorSchema,
  configPath: z.string(),
  state: z.enum(['running', 'saved', 'poweroff', 'aborted', 'unknown']),
  stateEvidence: z.string(),
  /** How the files were captured: read as they were, or through which hypervisor snapshot. */
  capture: z.string(),
  /** Why the point has its consistency, in words. */
  consistencyNote: z.string(),
  quiesced: z.boolean(),
  /** Outcome of the item's scripts, when it has some. */
  scripts: z.object({ pre: z.string().optional(), post: z.string().optional() }).optional(),
  hardware: z.object({
    cpus: z.number().optional(),
    memoryMiB: z.number().optional(),
    firmware: z.enum(['bios', 'efi']).optional(),
    guestOs: z.string().optional(),
    disks: z.array(z.object({ bus: z.string().optional(), path: z.string(), virtualSize: z.number().optional() })),
    nics: z.array(z.object({
      model: z.string().optional(), mac: z.string().optional(), attachment: z.string().optional(),
    })),
  }),
  /** Disks of the VM that are not in the point, with why. */
  skippedDisks: z.array(z.object({ path: z.string(), reason: z.string() })).optional(),
});
export type PointVm = z.infer<typeof PointVmSchema>;

/**
 * A test restore of a point (after its backup, or `labvault verify ITEM --point ID --guest`):
 * its partition tables read and each readable filesystem's metadata walked. verified: all
 * clean; warnings: readable with findings to look at; failed: damage found; not-readable:
 * no filesystem Labvault reads (encrypted, unknown, not a raw disk), with the reasons.
 */
export const TestRestoreStatusSchema = z.enum(['verified', 'warnings', 'failed', 'not-readable']);
export type TestRestoreStatus = z.infer<typeof TestRestoreStatusSchema>;

export const TestRestoreFindingSchema = z.object({
  severity: z.enum(['error', 'warning', 'note']),
  kind: z.string().max(64),
  message: z.string().max(2000),
});

export const TestRestoreVolumeSchema = z.object({
  /** Disk index in the point, -1 for a logical volume. */
  disk: z.number().int(),
  id: z.string().max(300),
  filesystem: z.string().max(32),
  label: z.string().max(300).optional(),
  status: TestRestoreStatusSchema,
  findings: z.array(TestRestoreFindingSchema).max(64),
});

export const TestRestoreSchema = z.object({
  pointId: z.string().max(128),
  itemId: z.string().max(64),
  status: TestRestoreStatusSchema,
  checkedAt: z.string().max(40),
  /** One line per problem (or why nothing was readable), newest engine wording. */
  reasons: z.array(z.string().max(2000)).max(64),
  volumes: z.array(TestRestoreVolumeSchema).max(256),
  /** Chunks read from the vault and how long the walk took. */
  chunksRead: z.number().int().min(0),
  elapsedMs: z.number().min(0),
});
export type TestRestore = z.infer<typeof TestRestoreSchema>;

export const PointSchema = z.object({
  id: z.string(),
  itemId: z.string(),
  createdAt: z.string(),
  consistency: ConsistencySchema,
  tiers: z.array(z.enum(['snapshot', 'vault'])),
  expiresAt: z.string().nullable(),
  onDemand: z.boolean(),
  logicalBytes: z.number(),
  storedBytes: z.number(),
  state: z.enum(['active', 'soft-deleted']),
  purgeAt: z.string().optional(),
  files: z.array(z.object({
    name: z.string(), role: FileRoleSchema, size: z.number(), diskFormat: z.string().optional(),
  })),
  /** Why the snapshot tier is missing, when it is. */
  tierNote: z.string().optional(),
  /** Points of VM items: the VM's state, capture and hardware at backup time. */
  vm: PointVmSchema.optional(),
  /** The newest test restore of the point; absent when none ran (policy switch off, older points). */
  testRestore: TestRestoreSchema.optional(),
});
export type Point = z.infer<typeof PointSchema>;

export const JobStatusSchema = z.enum(['queued', 'in-progress', 'completed', 'failed', 'cancelled', 'skipped']);
export type JobStatus = z.infer<typeof JobStatusSchema>;

export const SubtaskSchema = z.object({
  name: z.enum(['Snapshot', 'Transfer data to vault', 'Restore', 'Verify', 'Test restore']),
  status: JobStatusSchema,
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  bytesRead: z.number().optional(),
  bytesWritten: z.number().optional(),
  bytesDeduplicated: z.number().optional(),
  /** Of bytesRead, bytes change tracking proved unchanged since the previous point (never read). */
  bytesTracked: z.number().optional(),
  /** Of bytesTracked, bytes qcow2 persistent dirty bitmaps proved unchanged (LABVAULT_CHANGE_TRACKING=qcow2-bitmap). */
  bytesTrackedBitmap: z.number().optional(),
  bytesTotal: z.number().optional(),
  bytesPerSecond: z.number().optional(),
  message: z.string().optional(),
  /** Where the time went, per pipeline stage (transfer phase): summed durations, bytes, calls. */
  stages: z.array(z.object({
    stage: z.string().max(32), where: z.string().max(16), ms: z.number(), bytes: z.number(), calls: z.number(),
  })).max(32).optional(),
});
export type Subtask = z.infer<typeof SubtaskSchema>;

export const JobOperationSchema = z.enum(['backup', 'restore', 'verify', 'prune', 'gc']);

/** Who cancelled a job: a user on the command line or in a UI, the service stopping, or not recorded (old jobs). */
export const CancelSourceSchema = z.enum(['cli', 'ui', 'service', 'unknown']);
export type CancelSource = z.infer<typeof CancelSourceSchema>;

/** A cancelled job's record: who, when, and what it left (status 'cancelled'; such a job has no `error`). */
export const JobCancellationSchema = z.object({ by: CancelSourceSchema, at: z.string(), message: z.string() });
export type JobCancellation = z.infer<typeof JobCancellationSchema>;
export type JobOperation = z.infer<typeof JobOperationSchema>;

export const JobSchema = z.object({
  id: z.string(),
  vaultId: z.string(),
  vaultName: z.string(),
  itemId: z.string().nullable(),
  item: z.string().nullable(),
  operation: JobOperationSchema,
  status: JobStatusSchema,
  trigger: z.enum(['on-demand', 'scheduled', 'catch-up', 'system']),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  /** Why the job failed (status 'failed' only). */
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  /** Status 'cancelled': who cancelled it, when, and what it left. */
  cancelled: JobCancellationSchema.optional(),
  pointId: z.string().optional(),
  subtasks: z.array(SubtaskSchema),
  /** Garbage collection figures (operation 'gc'). */
  gc: z.object({
    chunksRemoved: z.number(), bytesFreed: z.number(), chunksKept: z.number(), indexesRemoved: z.number(),
    tmpFilesRemoved: z.number(),
  }).optional(),
});
export type Job = z.infer<typeof JobSchema>;

export const AlertSchema = z.object({
  id: z.string(),
  vaultId: z.string(),
  vaultName: z.string(),
  severity: z.enum(['info', 'warning', 'critical']),
  title: z.string(),
  message: z.string(),
  createdAt: z.string(),
  acknowledged: z.boolean(),
  /** What raised it, for alerts that resolve themselves: 'backup-failed' (with itemId, item and jobId). */
  kind: z.string().optional(),
  itemId: z.string().optional(),
  item: z.string().optional(),
  /** The job that raised it (the newest one when the same problem came back). */
  jobId: z.string().optional(),
  /** How many times the problem happened while the alert was open (absent: once), and the newest time. */
  occurrences: z.number().int().optional(),
  lastAt: z.string().optional(),
  /** Set when the problem went away by itself (a later backup of the item succeeded); then the alert is not open. */
  resolvedAt: z.string().optional(),
  resolution: z.string().optional(),
});
export type Alert = z.infer<typeof AlertSchema>;

/** An alert is open until it is acknowledged or resolved. */
export function alertIsOpen(alert: Pick<Alert, 'acknowledged' | 'resolvedAt'>): boolean {
  return !alert.acknowledged && alert.resolvedAt === undefined;
}

export const VaultStatsSchema = z.object({
  vaultId: z.string(),
  name: z.string(),
  items: z.number().int(),
  points: z.number().int(),
  softDeletedPoints: z.number().int(),
  logicalBytes: z.number(),
  storedBytes: z.number(),
  chunks: z.number().int(),
  perItem: z.array(z.object({
    itemId: z.string(), name: z.string(), points: z.number().int(), logicalBytes: z.number(), storedBytes: z.number(),
  })),
});
export type VaultStats = z.infer<typeof VaultStatsSchema>;

export const VerifyReportSchema = z.object({
  ok: z.boolean(),
  readData: z.boolean(),
  manifestsChecked: z.number().int(),
  chunksChecked: z.number().int(),
  problems: z.array(z.object({
    kind: z.string(), message: z.string(), chunkId: z.string().optional(), pointId: z.string().optional(),
    item: z.string().optional(), file: z.string().optional(),
  })),
  affectedPoints: z.array(z.object({ pointId: z.string(), item: z.string(), files: z.array(z.string()) })),
});
export type VerifyReport = z.infer<typeof VerifyReportSchema>;
