/**
 * Recovery points in the catalog. A point exists iff its manifest exists; the catalog row
 * is derived from the manifest (plus computed expiry). Whether a point has its snapshot
 * tier is never stored as a path: it is computed when a row is read, from the folder that
 * snapshot-area.ts derives from the item and point ids.
 */
import { randomBytes } from 'node:crypto';
import { ConsistencySchema, type Consistency, type PointVm } from '../../../shared/contract/item-models.ts';
import { readPointVmSummary } from './point-vm-summary.ts';
import { findItem } from '../catalog/item-repository.ts';
import { deletePoint, findPoint, listAllPoints, listPointsOfItem, upsertPoint, type PointRow } from '../catalog/point-repository.ts';
import { deletePointCheck, findPointCheck, pointChecksOfItem } from '../catalog/point-check-repository.ts';
import { pointCheckRecordId } from '../vault/record-schemas.ts';
import type { Manifest } from '../vault/store/index.ts';
import type { VaultSession } from '../vault/vault-session.ts';
import { existingPointSnapshot } from './snapshot-area.ts';

export interface PointExtra {
  /** Absolute path of each point file's source, by point file name. */
  sources?: Record<string, string>;
  /**
   * Written by format v1 engines: the clone folder's path. Read only as a hint that the point
   * had clones; never used to find or remove anything.
   */
  snapshotDir?: unknown;
  /** Until when the snapshot tier is kept; in the manifest so a rebuilt catalog still expires it. */
  snapshotUntil?: string | null;
  tierNote?: string | null;
  scheduled?: boolean;
  slot?: string;
  jobId?: string;
  /** VM items: the VM's state, capture and hardware at backup time (point-vm-summary.ts). */
  vm?: PointVm;
}

/** A manifest's consistency as the contract names it; anything else claims no more than crash-consistent. */
function consistencyOf(value: string | undefined): Consistency {
  const parsed = ConsistencySchema.safeParse(value);
  return parsed.success ? parsed.data : 'crash-consistent';
}

export type { PointRow };

const EXPIRED_NOTE = 'The instant-restore snapshot of this point has expired; it restores from the vault.';
const DEFAULT_NOTE = 'Vault tier only.';

/** The catalog row of a manifest; its tiers say "vault" until a read finds the clones (withLiveTiers). */
export function pointFromManifest(manifest: Manifest, state: 'active' | 'soft-deleted', extraFields: { purgeAt?: string | null; deletedAt?: string; snapshotUntil?: string | null; expiresAt?: string | null } = {}): PointRow {
  const extra = (manifest.extra ?? {}) as PointExtra;
  const snapshotUntil = extraFields.snapshotUntil ?? (typeof extra.snapshotUntil === 'string' ? extra.snapshotUntil : null);
  const hadClones = snapshotUntil !== null || (typeof extra.snapshotDir === 'string' && extra.snapshotDir !== '');
  const vm = readPointVmSummary(manifest.extra);
  return {
    id: manifest.pointId,
    itemId: manifest.itemId,
    createdAt: manifest.createdAt,
    consistency: consistencyOf(manifest.consistency),
    tiers: ['vault'],
    expiresAt: extraFields.expiresAt !== undefined ? extraFields.expiresAt : manifest.expiresAt ?? null,
    onDemand: manifest.onDemand === true,
    logicalBytes: manifest.files.reduce((sum, file) => sum + file.size, 0),
    storedBytes: manifest.files.reduce((sum, file) => sum + (file.storedBytesNew ?? 0), 0),
    state,
    ...(extraFields.purgeAt ? { purgeAt: extraFields.purgeAt } : {}),
    ...(extraFields.deletedAt ? { deletedAt: extraFields.deletedAt } : {}),
    files: manifest.files.map((file) => ({
      name: file.path, role: file.role, size: file.size, ...(file.diskFormat ? { diskFormat: file.diskFormat } : {}),
    })),
    tierNote: hadClones ? EXPIRED_NOTE : typeof extra.tierNote === 'string' ? extra.tierNote : DEFAULT_NOTE,
    snapshotUntil,
    scheduled: extra.scheduled === true,
    ...(vm ? { vm } : {}),
  };
}

/** The files of the item a point belongs to, as the catalog has them (for the clone area beside the VM). */
function itemFiles(session: VaultSession, itemId: string): { path: string }[] {
  const record = findItem(session.catalog, itemId) as { files?: unknown } | null;
  if (!record) return [];
  const files = record.files;
  return Array.isArray(files) ? files.filter((file): file is { path: string } => typeof (file as { path?: unknown })?.path === 'string') : [];
}

/**
 * A stored row with its tiers computed now: "snapshot" only while the derived clone folder
 * exists (active points). Drops the path field older catalogs stored.
 */
function withLiveTiers(
  session: VaultSession, stored: PointRow & { snapshotDir?: unknown }, files: { path: string }[],
): PointRow {
  const { snapshotDir: _legacyPath, ...point } = stored;
  const clone = point.state === 'active' ? existingPointSnapshot(session.dir, point.itemId, point.id, files) : null;
  if (clone) {
    const { tierNote: _note, ...live } = point;
    return { ...live, tiers: ['snapshot', 'vault'] };
  }
  const hadClones = point.snapshotUntil != null || typeof _legacyPath === 'string';
  return { ...point, tiers: ['vault'], tierNote: point.tiers.includes('snapshot') || hadClones ? EXPIRED_NOTE : point.tierNote ?? DEFAULT_NOTE };
}

export function savePointRow(session: VaultSession, row: PointRow): void {
  upsertPoint(session.catalog, row);
}

/** Forgets a point: its catalog row, its test restore row, and (best effort) its check record. */
export function deletePointRow(session: VaultSession, pointId: string): void {
  deletePoint(session.catalog, pointId);
  deletePointCheck(session.catalog, pointId);
  void session.records.remove('point-checks', pointCheckRecordId(pointId)).catch(() => undefined);
}

export function listPointRows(
  session: VaultSession, itemId: string, options: { includeDeleted?: boolean } = {},
): PointRow[] {
  const files = itemFiles(session, itemId);
  const checks = pointChecksOfItem(session.catalog, itemId);
  return listPointsOfItem(session.catalog, itemId, options).map((row) => {
    const live = withLiveTiers(session, row, files);
    const check = checks.get(row.id);
    return check ? { ...live, testRestore: check } : live;
  });
}

export function allPointRows(session: VaultSession): PointRow[] {
  return listAllPoints(session.catalog);
}

/**
 * The item's active points as the catalog stores them, newest first: no clone folder probed
 * (their tiers say "vault"; existingPointSnapshot answers for one point when needed), no check.
 */
export function listStoredPointRows(session: VaultSession, itemId: string): PointRow[] {
  return listPointsOfItem(session.catalog, itemId);
}

/** The id of the item's newest active point, from the catalog alone (no clone folder probed), or null. */
export function newestPointId(session: VaultSession, itemId: string): string | null {
  return listPointsOfItem(session.catalog, itemId)[0]?.id ?? null;
}

/** The test restore kept for a point, from the catalog alone, or undefined. */
export function pointTestRestoreOf(session: VaultSession, pointId: string): PointRow['testRestore'] {
  return findPointCheck(session.catalog, pointId) ?? undefined;
}

export function readPointRow(session: VaultSession, pointId: string): PointRow | null {
  const point = findPoint(session.catalog, pointId);
  if (!point) return null;
  const live = withLiveTiers(session, point, itemFiles(session, point.itemId));
  const check = findPointCheck(session.catalog, pointId);
  return check ? { ...live, testRestore: check } : live;
}

/** Sortable, readable point ids: 20261125T163300.123Z-a1b2c3. */
export function newPointId(now: Date, random: string): string {
  return `${now.toISOString().replace(/[-:]/g, '')}-${random}`;
}

/**
 * Point id of an encrypted vault: 32 random lowercase hex digits (vault-ids.ts
 * RANDOM_POINT_ID_PATTERN), so the manifest's file name carries no time in clear. Points
 * are ordered by their manifest's createdAt (the catalog's created_at), never by id.
 */
export function randomPointId(): string {
  return randomBytes(16).toString('hex');
}
