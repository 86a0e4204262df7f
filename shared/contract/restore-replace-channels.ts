/**
 * restore.replace and restore.replaceStatus: "replace existing", a point's files put back in
 * place of the item's files, only while the VM is off. The current state is backed up first
 * as a point of its own; each file is written beside the original, verified against the
 * point, then renamed over it; a journal in the app home lets an interrupted replace be
 * resumed or rolled back (action 'resume' / 'rollback'), never leaving a torn file.
 */
import { z } from '../zod-jitless.ts';
import { channel } from './define.ts';

export const ReplaceActionSchema = z.enum(['replace', 'resume', 'rollback']);

export const RestoreReplaceInputSchema = z.object({
  /** The item's name or id (vault/item when names repeat across vaults). */
  item: z.string().min(1),
  /** The point to put in place (required for 'replace'). */
  point: z.string().min(1).optional(),
  /** The item's name, typed again: replacing overwrites its files. */
  confirm: z.string(),
  /** replace (default) starts one; resume / rollback finish or undo an interrupted one. */
  action: ReplaceActionSchema.optional(),
});

export const ReplaceStatusSchema = z.object({
  item: z.string(),
  /** The interrupted replace of the item, or null when none is pending. */
  pending: z.object({
    pointId: z.string(),
    prePointId: z.string(),
    phase: z.enum(['staging', 'swapping', 'committed']),
    startedAt: z.string(),
    files: z.array(z.object({ target: z.string(), state: z.enum(['pending', 'staged', 'swapped', 'skipped']) })),
    /** The commands that finish or undo it. */
    howTo: z.string(),
  }).nullable(),
});
export type ReplaceStatusView = z.infer<typeof ReplaceStatusSchema>;

export const restoreReplaceChannels = {
  'restore.replace': channel(
    RestoreReplaceInputSchema,
    z.object({ jobId: z.string() }),
    'Replace the item\'s files with a point\'s (VM off; current state backed up first; verified, atomic per file), or resume / roll back an interrupted replace.',
  ),
  'restore.replaceStatus': channel(
    z.object({ item: z.string().min(1) }),
    ReplaceStatusSchema,
    'Whether an interrupted replace of the item is pending, its files\' states, and how to finish or roll it back.',
  ),
} as const;
