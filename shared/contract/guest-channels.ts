/**
 * files.*: files inside a recovery point's disks, read from the vault without restoring the
 * disks: partitions and volumes (parts), a folder's entries (list), files and folders
 * written out (get), and every point holding a path (history).
 */
import { z } from '../zod-jitless.ts';
import { channel } from './define.ts';
import { TestRestoreSchema } from './item-models.ts';

export const GuestFilesystemKindSchema = z.enum([
  'ext2', 'ext3', 'ext4', 'vfat', 'ntfs', 'xfs', 'btrfs', 'exfat', 'bitlocker', 'luks', 'swap', 'lvm2-pv', 'unknown',
]);

export const GuestVolumeSchema = z.object({
  id: z.string(),
  kind: z.enum(['partition', 'logical-volume', 'whole-disk']),
  offset: z.number(),
  size: z.number(),
  typeCode: z.string().optional(),
  label: z.string().optional(),
  filesystem: GuestFilesystemKindSchema,
  readable: z.boolean(),
  reason: z.string().optional(),
});

const ErrorViewSchema = z.object({ code: z.string(), message: z.string() });

export const GuestDiskSchema = z.object({
  disk: z.number(),
  name: z.string(),
  size: z.number(),
  table: z.enum(['gpt', 'mbr', 'none', 'unreadable']),
  volumes: z.array(GuestVolumeSchema),
  warnings: z.array(z.string()),
  error: ErrorViewSchema.optional(),
  /** The disk image format (raw, qcow2, vmdk, vdi, vpc, vhdx) and the point files it is read from, top layer first. */
  image: z.object({ format: z.string(), files: z.array(z.string()) }).optional(),
});

const FiguresShape = {
  /** Chunks read from the vault (cache misses) by this request. */
  chunksRead: z.number(),
  elapsedMs: z.number(),
};

export const GuestPartsSchema = z.object({
  item: z.string(),
  point: z.string(),
  disks: z.array(GuestDiskSchema),
  logicalVolumes: z.array(GuestVolumeSchema),
  warnings: z.array(z.string()),
  ...FiguresShape,
});

/** One entry as `labvault files ls --json` prints it; mtime is ISO 8601 UTC. */
export const GuestEntrySchema = z.object({
  name: z.string(),
  type: z.enum(['file', 'dir', 'symlink', 'other']),
  size: z.number(),
  mtime: z.string(),
  mode: z.number(),
  target: z.string().optional(),
  /** NTFS alternate data streams of this file, by name; each reads as `PATH:NAME` (files get). */
  streams: z.array(z.string().max(255)).max(4096).optional(),
});
export type GuestEntryView = z.infer<typeof GuestEntrySchema>;

const VolumeChoiceShape = {
  item: z.string(),
  point: z.string(),
  /** Index in the point's disks. */
  disk: z.number().int().min(0).optional(),
  /** Partition id ("1", "5") or logical volume ("vg/lv"); default the only readable one. */
  partition: z.string().optional(),
};

const ChosenVolumeSchema = GuestVolumeSchema.extend({ disk: z.number() });

export const GuestListSchema = z.object({
  volume: ChosenVolumeSchema,
  path: z.string(),
  entries: z.array(GuestEntrySchema),
  ...FiguresShape,
});

export const GuestGetSchema = z.object({
  volume: ChosenVolumeSchema,
  to: z.string(),
  items: z.array(z.object({
    path: z.string(),
    target: z.string(),
    type: z.enum(['file', 'dir', 'symlink', 'hardlink', 'skipped']),
    size: z.number(),
    reason: z.string().optional(),
  })),
  ...FiguresShape,
});

export const GuestHistorySchema = z.object({
  item: z.string(),
  path: z.string(),
  versions: z.array(z.object({
    point: z.string(),
    createdAt: z.string(),
    type: z.enum(['file', 'dir', 'symlink', 'other']),
    size: z.number(),
    mtime: z.string(),
    sha256: z.string().optional(),
    changed: z.boolean(),
  })),
  skipped: z.array(z.object({ point: z.string(), createdAt: z.string(), reason: z.string(), code: z.string() })),
});

const GuestPath = z.string().min(1);

export const guestChannels = {
  'files.parts': channel(z.object({ item: z.string(), point: z.string() }), GuestPartsSchema,
    'Partitions, logical volumes and filesystems of a point\'s disks.'),
  'files.list': channel(z.object({ ...VolumeChoiceShape, path: GuestPath }), GuestListSchema,
    'Entries of a folder inside a point\'s disk.'),
  'files.get': channel(z.object({ ...VolumeChoiceShape, paths: z.array(GuestPath).min(1), to: z.string() }), GuestGetSchema,
    'Write files and folders from inside a point\'s disk into a local folder, never overwriting.'),
  'files.history': channel(
    z.object({
      item: z.string(), path: GuestPath, disk: VolumeChoiceShape.disk, partition: VolumeChoiceShape.partition,
    }),
    GuestHistorySchema, 'Every point holding a path inside the item\'s disks, with size, time and content digest.'),
  'files.testRestore': channel(z.object({ item: z.string(), point: z.string() }), TestRestoreSchema,
    'Test restore of a point: partition tables read and each readable filesystem\'s metadata walked; the result is kept on the point, an alert raised when it fails.'),
} as const;
