/**
 * Where a point's instant-restore clones live, and the only code that creates, finds or
 * removes those folders. A point's folder is derived from its validated item id and point
 * id under one of two known roots, never read from a manifest or a catalog row:
 *
 *   <vault>/snapshots/<itemId>/<pointId>
 *   <folder of the item's first file>/.labvault-snapshots/<itemId>/<pointId>
 *
 * Before a folder is made, used or removed, fs/contained-folder.ts checks every component
 * below its root with lstat (a symbolic link is refused) and its realpath to be inside the
 * root. A link planted at <vault>/snapshots/<itemId> never leads a removal or a clone elsewhere.
 *
 * New clones of an encrypted vault are made only beside the VM (captureAreas), never in the
 * vault folder; finding and removing clones looks in both places, so the clones an earlier
 * version made in an encrypted vault's snapshots folder are still found, used and removed.
 */
import { realpathSync } from 'node:fs';
import { readdir, rm, rmdir } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import { ensureContainedFolder, probeContainedFolder as probe, unsafeFolderError as unsafeError } from '../fs/contained-folder.ts';
import { isPointId, isUuid } from '../vault/vault-ids.ts';
import { BESIDE_VM_SNAPSHOTS_DIR } from '../../../shared/snapshot-folder-names.ts';

export const VAULT_SNAPSHOTS_DIR = 'snapshots';
export { BESIDE_VM_SNAPSHOTS_DIR };

/** One place an item's clones may live: a root the user chose, and the folder names below it. */
export interface SnapshotArea {
  /** The vault folder, or the folder of the item's first file. */
  root: string;
  /** [snapshots folder name, item id]. */
  parts: [string, string];
}

function refuseId(what: string, value: string): never {
  throw new LabvaultError(ErrorCodes.CORRUPT,
    `Refusing to derive a snapshot folder from ${what} ${JSON.stringify(String(value).slice(0, 80))}: it is not a valid ${what} (a vault record or catalog row was edited?).`,
    { details: { [what === 'item id' ? 'itemId' : 'pointId']: value } });
}

function checkedItemId(itemId: string): string {
  return isUuid(itemId) ? itemId : refuseId('item id', itemId);
}

function checkedPointId(pointId: string): string {
  return isPointId(pointId) ? pointId : refuseId('point id', pointId);
}

/** The item's clone areas: in the vault, and beside its first file (an absolute path). */
export function snapshotAreas(vaultDir: string, itemId: string, files: readonly { path: string }[]): SnapshotArea[] {
  const id = checkedItemId(itemId);
  const areas: SnapshotArea[] = [{ root: vaultDir, parts: [VAULT_SNAPSHOTS_DIR, id] }];
  const first = files[0]?.path;
  if (typeof first === 'string' && isAbsolute(first) && !first.includes('\0')) {
    areas.push({ root: dirname(first), parts: [BESIDE_VM_SNAPSHOTS_DIR, id] });
  }
  return areas;
}

/**
 * Where a backup may make the point's clones, in order of preference: both areas for a plain
 * vault; only beside the VM when `besideVmOnly` (an encrypted vault: plaintext never enters
 * its folder).
 */
export function captureAreas(
  vaultDir: string, itemId: string, files: readonly { path: string }[], besideVmOnly: boolean,
): SnapshotArea[] {
  const areas = snapshotAreas(vaultDir, itemId, files);
  if (!besideVmOnly) return areas;
  // A VM file kept inside the vault folder would put "beside the VM" inside the vault: no clone then.
  return areas.filter((area) => area.parts[0] === BESIDE_VM_SNAPSHOTS_DIR && !isWithin(area.root, vaultDir));
}

/** Whether `path` is `folder` or below it, by real paths where they resolve. */
function isWithin(path: string, folder: string): boolean {
  const real = (p: string): string => {
    try {
      return realpathSync(p);
    } catch {
      return resolve(p);
    }
  };
  const below = relative(real(folder), real(path));
  return below === '' || (below !== '..' && !below.startsWith(`..${sep}`) && !isAbsolute(below));
}

/** The point's clone folder when one exists and is safe to read; null otherwise (the vault tier is used). */
export function existingPointSnapshot(
  vaultDir: string, itemId: string, pointId: string, files: readonly { path: string }[],
): string | null {
  if (!isUuid(itemId) || !isPointId(pointId)) return null;
  for (const area of snapshotAreas(vaultDir, itemId, files)) {
    const found = probe(area.root, [...area.parts, pointId]);
    if (found.kind === 'folder') return found.path;
  }
  return null;
}

/**
 * Creates the (new, empty) clone folder of a point in `area`, one component at a time, each
 * checked not to be a link. Throws an errno-coded error when the filesystem refuses (or the
 * folder exists), a CORRUPT LabvaultError when a component is unsafe.
 */
export async function makePointSnapshotDir(area: SnapshotArea, pointId: string): Promise<string> {
  const parts = [...area.parts, checkedPointId(pointId)];
  const existing = probe(area.root, parts);
  if (existing.kind === 'unsafe') throw unsafeError(existing, 'writes clones into');
  if (existing.kind === 'folder') throw Object.assign(new Error(`${existing.path} already exists`), { code: 'EEXIST' });
  return ensureContainedFolder(area.root, parts, 'writes clones into');
}

/** Removes `<area>/<pointId>` after the checks, then the item and area folders when empty. */
async function removeInArea(area: SnapshotArea, pointId: string): Promise<boolean> {
  const found = probe(area.root, [...area.parts, pointId]);
  if (found.kind === 'unsafe') throw unsafeError(found, 'removes');
  if (found.kind === 'absent') return false;
  await rm(found.path, { recursive: true, force: true });
  // Now-empty parents (derived, not links: probed above). rmdir never removes a non-empty folder.
  await rmdir(join(area.root, ...area.parts)).catch(() => undefined);
  await rmdir(join(area.root, area.parts[0])).catch(() => undefined);
  return true;
}

/** Removes a point's clones wherever they may be; true when a folder was removed. */
export async function removePointSnapshot(
  vaultDir: string, itemId: string, pointId: string, files: readonly { path: string }[],
): Promise<boolean> {
  const id = checkedPointId(pointId);
  let removed = false;
  for (const area of snapshotAreas(vaultDir, itemId, files)) {
    if (await removeInArea(area, id)) removed = true;
  }
  return removed;
}

/** Removes the clone folder a capture just made in `area` (its transfer failed or was skipped). */
export async function removeCapturedSnapshot(area: SnapshotArea, pointId: string): Promise<void> {
  await removeInArea(area, checkedPointId(pointId));
}

/**
 * Removes clones of the item's points that are not in `keep` (a backup killed before its
 * manifest). Only entries named like point ids are touched; the ids are checked before any
 * folder is read.
 */
export async function removeOrphanSnapshots(
  vaultDir: string, itemId: string, files: readonly { path: string }[], keep: ReadonlySet<string>,
): Promise<number> {
  let removed = 0;
  for (const area of snapshotAreas(vaultDir, itemId, files)) {
    const found = probe(area.root, area.parts);
    if (found.kind === 'unsafe') throw unsafeError(found, 'cleans');
    if (found.kind === 'absent') continue;
    for (const entry of await readdir(found.path)) {
      if (!isPointId(entry) || keep.has(entry)) continue;
      if (await removeInArea(area, entry)) removed += 1;
    }
  }
  return removed;
}
