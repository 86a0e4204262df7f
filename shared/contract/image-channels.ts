/**
 * images.*: inspect, check, map and convert disk image files (qcow2, vmdk, vdi, vpc, vhdx,
 * raw) with the engine's own readers; no vault involved. Format names follow qemu-img.
 */
import { z } from '../zod-jitless.ts';
import { channel } from './define.ts';

export const DiskFormatSchema = z.enum(['raw', 'qcow2', 'vmdk', 'vdi', 'vpc', 'vhdx']);

const ImagePath = z.string().min(1);

export const DiskImageInfoSchema = z.object({
  format: DiskFormatSchema,
  path: z.string(),
  virtualSize: z.number(),
  fileSize: z.number(),
  allocatedBytes: z.number(),
  clusterSize: z.number().optional(),
  backing: z.object({
    path: z.string(),
    format: DiskFormatSchema,
    recordedPath: z.string().optional(),
    formatRecorded: z.boolean().optional(),
  }).optional(),
  chain: z.array(z.object({ path: z.string(), format: DiskFormatSchema })),
  subformat: z.string().optional(),
  snapshots: z.array(z.object({
    id: z.string(),
    name: z.string(),
    vmStateSize: z.number().optional(),
    date: z.string().optional(),
  })).optional(),
  files: z.array(z.string()).optional(),
});
export type DiskImageInfoView = z.infer<typeof DiskImageInfoSchema>;

export const ImageCheckSchema = z.object({
  format: z.union([DiskFormatSchema, z.literal('unknown')]),
  path: z.string(),
  clean: z.boolean(),
  findings: z.array(z.object({
    severity: z.enum(['corruption', 'leak', 'warning']),
    kind: z.string(),
    message: z.string(),
  })),
});

export const DiskRangeSchema = z.object({ offset: z.number(), length: z.number(), zero: z.boolean() });

export const ImageExportInputSchema = z.object({
  path: ImagePath,
  out: ImagePath,
  format: DiskFormatSchema.optional(),
  subformat: z.string().optional(),
  /** Push imageExportProgress events while it runs. */
  progress: z.boolean().optional(),
});

export const imageChannels = {
  'images.info': channel(
    z.object({ path: ImagePath }), DiskImageInfoSchema, 'Format, sizes, backing chain and snapshots of a disk image.',
  ),
  'images.check': channel(
    z.object({ path: ImagePath }), ImageCheckSchema, 'Integrity check of a disk image, with findings.',
  ),
  'images.map': channel(
    z.object({ path: ImagePath }), z.array(DiskRangeSchema), 'Data and zero ranges of an image\'s merged view.',
  ),
  'images.export': channel(
    ImageExportInputSchema,
    z.object({ source: z.string(), out: z.string(), format: DiskFormatSchema }),
    'Convert a disk image (with its backing chain merged) into a new file; never overwrites.',
  ),
} as const;
