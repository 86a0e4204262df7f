/**
 * Phase 1, Snapshot: freeze the state of an item's files quickly.
 *
 * Where the filesystem can clone files (reflink on XFS, btrfs, APFS, ReFS), every file is
 * cloned (fs/reflink-clone.ts, never copied) into the item's snapshot area on the same filesystem:
 * first <vault>/snapshots/<item>/<point>/ (when the vault shares the VM's filesystem), else
 * a hidden .labvault-snapshots folder beside the VM's files; an encrypted vault's clones
 * only beside the VM, never in the vault folder (besideVmOnly). Those clones are the
 * instant-restore tier and the transfer reads them, so the VM may keep writing.
 * Elsewhere each file's identity (size, mtime, inode, device) is recorded, and the transfer
 * proves afterwards that the files did not change under it.
 */
import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { ItemFileRecord } from '../protection/item-record.ts';
import { cloneFile } from '../fs/reflink-clone.ts';
import { captureAreas, makePointSnapshotDir, removeCapturedSnapshot, type SnapshotArea } from './snapshot-area.ts';

export interface FileIdentity {
  size: number;
  mtimeMs: number;
  ino: number;
  dev: number;
  mode: number;
  /**
   * The change time in nanoseconds (decimal) from a stat taken just before the one above,
   * and the wall clock then: the evidence for reusing the file's index at the next backup
   * (file-identity-record.ts). Absent where not taken (the file is then read next time).
   */
  ctimeNs?: string;
  seenAtMs?: number;
}

export interface CapturedFile {
  source: ItemFileRecord;
  /** Name inside the point (unique within the point). */
  name: string;
  identity: FileIdentity;
  /** What the transfer reads: the clone, or the live file. */
  readPath: string;
  cloned: boolean;
}

export interface Capture {
  files: CapturedFile[];
  /** Folder holding the clones (the snapshot tier), or null; derived by snapshot-area.ts. */
  snapshotDir: string | null;
  /** The area holding that folder, for removing it again. */
  area: SnapshotArea | null;
  /** Why there is no snapshot tier, when there is none. */
  tierNote: string | null;
}

const CLONE_UNSUPPORTED = new Set(['EXDEV', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EINVAL', 'ENOTTY', 'EPERM']);

export function identityOf(
  info: { size: number; mtimeMs: number; ino: number; dev: number; mode: number },
): FileIdentity {
  return { size: info.size, mtimeMs: info.mtimeMs, ino: info.ino, dev: info.dev, mode: info.mode };
}

export function sameIdentity(a: FileIdentity, b: FileIdentity): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino && a.dev === b.dev;
}

/** Unique, portable names for the files of a point: the base name, prefixed on clashes. */
export function pointFileNames(files: ItemFileRecord[]): string[] {
  const counts = new Map<string, number>();
  for (const file of files) counts.set(basename(file.path), (counts.get(basename(file.path)) ?? 0) + 1);
  return files.map((file, index) => {
    const name = basename(file.path).replace(/[^A-Za-z0-9._ -]/g, '_').replace(/^\.+/, '_');
    return (counts.get(basename(file.path)) ?? 0) > 1 ? `${index + 1}-${name}` : name;
  });
}

async function statIdentity(path: string): Promise<FileIdentity> {
  try {
    // The change time first: a write between the two stats leaves a newer change time, never an older one.
    const changed = await stat(path, { bigint: true });
    const seenAtMs = Date.now();
    return { ...identityOf(await stat(path)), ctimeNs: changed.ctimeNs.toString(), seenAtMs };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new LabvaultError(code === 'ENOENT' ? ErrorCodes.NOT_FOUND : ErrorCodes.IO_ERROR, `Protected file ${path} cannot be read (${code ?? String(error)}). Was the VM moved or deleted?`, { details: { path } });
  }
}

async function tryCloneAll(
  area: SnapshotArea, pointId: string, files: ItemFileRecord[], names: string[],
): Promise<{ ok: true; dir: string } | { ok: false; code: string; why: string }> {
  let dir: string;
  try {
    dir = await makePointSnapshotDir(area, pointId);
  } catch (error) {
    if (error instanceof LabvaultError) return { ok: false, code: 'EUNSAFE', why: error.message };
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
    return { ok: false, code, why: code };
  }
  try {
    for (let i = 0; i < files.length; i += 1) {
      await cloneFile((files[i] as ItemFileRecord).path, join(dir, names[i] as string));
    }
    return { ok: true, dir };
  } catch (error) {
    await removeCapturedSnapshot(area, pointId).catch(() => undefined);
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
    return { ok: false, code, why: code };
  }
}

export interface CaptureOptions {
  vaultDir: string;
  itemId: string;
  pointId: string;
  files: ItemFileRecord[];
  allowClone?: boolean;
  /** Why clones are not allowed (the point's tier note), when allowClone is false. */
  noCloneReason?: string;
  /** Clones only beside the VM, never in the vault folder (an encrypted vault). */
  besideVmOnly?: boolean;
}

export async function captureSnapshot(options: CaptureOptions): Promise<Capture> {
  const { files } = options;
  const names = pointFileNames(files);
  const before = await Promise.all(files.map((file) => statIdentity(file.path)));
  let snapshotDir: string | null = null;
  let snapshotArea: SnapshotArea | null = null;
  let lastCode = '';
  let lastWhy = '';
  const areas = captureAreas(options.vaultDir, options.itemId, files, options.besideVmOnly === true);
  if (options.allowClone !== false && files.length > 0) {
    for (const area of areas) {
      const result = await tryCloneAll(area, options.pointId, files, names);
      if (result.ok) {
        snapshotDir = result.dir;
        snapshotArea = area;
        break;
      }
      lastCode = result.code;
      lastWhy = result.why;
      if (!CLONE_UNSUPPORTED.has(result.code)) break;
    }
  }
  if (snapshotDir) {
    // A file that changed while the clones were made was cloned at some instant inside the
    // capture window; each clone is itself a point-in-time copy (crash-consistent per file).
    return {
      files: files.map((source, i) => ({
        source, name: names[i] as string, identity: before[i] as FileIdentity,
        readPath: join(snapshotDir as string, names[i] as string), cloned: true,
      })),
      snapshotDir,
      area: snapshotArea,
      tierNote: null,
    };
  }
  const why = options.allowClone === false
    ? options.noCloneReason ?? 'snapshots are turned off for this backup'
    : areas.length === 0 && options.besideVmOnly === true
      ? "the VM's files are inside the encrypted vault's folder, which never holds instant-restore clones"
      : lastCode === 'EXDEV' || lastCode === 'ENOTSUP' || lastCode === 'EOPNOTSUPP' || lastCode === 'EINVAL' || lastCode === 'ENOTTY' || lastCode === 'ENOSYS'
        ? "the VM's filesystem cannot clone files (reflink needs XFS, btrfs, APFS or ReFS)"
        : `cloning failed (${lastWhy || 'unknown error'})`;
  return {
    files: files.map((source, i) => ({
      source, name: names[i] as string, identity: before[i] as FileIdentity, readPath: source.path, cloned: false,
    })),
    snapshotDir: null,
    area: null,
    // Written before the transfer runs (the Snapshot phase's result, then the point's note): it says what the
    // transfer does, never that the check passed, which a transfer that fails would make untrue.
    tierNote: `Vault tier only: ${why}. The transfer reads the live files and checks that they do not change while`
      + ' it reads them.',
  };
}

/** After reading live files: proves none changed during the transfer. */
export async function assertUnchanged(capture: Capture): Promise<void> {
  for (const file of capture.files) {
    if (file.cloned) continue;
    const now = await statIdentity(file.source.path);
    if (!sameIdentity(now, file.identity)) {
      throw new LabvaultError(ErrorCodes.SOURCE_CHANGED, `${file.source.path} changed while it was being backed up (the VM is probably running) and its filesystem cannot snapshot it. No recovery point was made: shut the VM down or pause it and retry, or keep VMs on XFS/btrfs for instant snapshots.`, { details: { path: file.source.path } });
    }
  }
}
