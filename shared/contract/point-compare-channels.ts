/**
 * points.compare: what changed between two recovery points of one item, read from their
 * manifests (each file's size and content digest) and, for a file in both with another
 * digest and the same chunk count, from their chunk indexes (bytes in chunks that differ).
 * Read-only: nothing is restored or written.
 */
import { z } from '../zod-jitless.ts';
import { FileRoleSchema } from './item-models.ts';
import { channel } from './define.ts';

export const PointFileChangeSchema = z.enum(['same', 'changed', 'added', 'removed']);
export type PointFileChange = z.infer<typeof PointFileChangeSchema>;

const PointFileStateSchema = z.object({
  size: z.number(),
  /** The file's content digest as the manifest records it (hex). */
  digest: z.string(),
});

export const PointCompareSchema = z.object({
  item: z.string(),
  from: z.object({ id: z.string(), createdAt: z.string() }),
  to: z.object({ id: z.string(), createdAt: z.string() }),
  files: z.array(z.object({
    name: z.string(),
    role: FileRoleSchema,
    change: PointFileChangeSchema,
    /** Absent when the file is not in that point. */
    from: PointFileStateSchema.optional(),
    to: PointFileStateSchema.optional(),
    /** 'changed' files with the same chunk count in both points: bytes in chunks that differ. */
    changedBytes: z.number().optional(),
  })),
});
export type PointCompare = z.infer<typeof PointCompareSchema>;

export const pointCompareChannels = {
  'points.compare': channel(
    z.object({ item: z.string().min(1), from: z.string().min(1), to: z.string().min(1) }),
    PointCompareSchema,
    'Which files and disks changed between two points of an item (size, digest, bytes in changed chunks); read-only.',
  ),
} as const;
