/**
 * localFiles.*: the server-side file and folder browser. The browser host cannot open a
 * native picker on the machine it serves, so the UI lists folders of the machine running
 * the engine through these channels (read-only: nothing is created, changed or opened).
 */
import { z } from '../zod-jitless.ts';
import { channel } from './define.ts';

export const LOCAL_FOLDER_LIMIT_DEFAULT = 500;
export const LOCAL_FOLDER_LIMIT_MAX = 5000;

export const LocalEntryTypeSchema = z.enum(['file', 'folder', 'symlink', 'other']);
export type LocalEntryType = z.infer<typeof LocalEntryTypeSchema>;

export const LocalEntrySchema = z.object({
  name: z.string(),
  /** Absolute path. */
  path: z.string(),
  type: LocalEntryTypeSchema,
  /** Bytes (the link itself for a symlink; 0 for a folder). */
  size: z.number(),
  /** ISO time of the last modification. */
  mtime: z.string(),
  /** Name starts with a dot. */
  hidden: z.boolean(),
  /** symlink: what the link says, and what it points at now ('missing' when dangling). */
  linkTarget: z.string().optional(),
  targetType: z.enum(['file', 'folder', 'other', 'missing']).optional(),
});
export type LocalEntry = z.infer<typeof LocalEntrySchema>;

export const LocalFolderSchema = z.object({
  /** The folder listed, absolute and normalised. */
  path: z.string(),
  /** Its parent folder; null at a root ("/", "C:\"). */
  parent: z.string().nullable(),
  /** Folders first, then by name; at most `limit` entries. */
  entries: z.array(LocalEntrySchema),
  /** Entries in the folder (hidden ones counted only when shown); a lower bound when not `totalExact`. */
  total: z.number().int(),
  /** False when the folder was too large to count every entry (the scan stopped at its cap). */
  totalExact: z.boolean(),
  /** True when the folder holds more entries than were returned. */
  more: z.boolean(),
  /** Hidden entries left out (showHidden false). */
  hiddenCount: z.number().int(),
});
export type LocalFolder = z.infer<typeof LocalFolderSchema>;

const AbsolutePath = z.string().min(1).max(4096);

export const localFilesChannels = {
  'localFiles.list': channel(
    z.object({
      /** An absolute folder path; without it, the user's home folder. */
      path: AbsolutePath.optional(),
      showHidden: z.boolean().optional(),
      limit: z.number().int().min(1).max(LOCAL_FOLDER_LIMIT_MAX).optional(),
    }),
    LocalFolderSchema,
    'List a folder on the machine running Labvault (names, types, sizes, times), bounded.',
  ),
  'localFiles.stat': channel(
    z.object({ path: AbsolutePath }),
    LocalEntrySchema,
    'What one path on the machine running Labvault is (file, folder, symlink), or NOT_FOUND.',
  ),
} as const;
