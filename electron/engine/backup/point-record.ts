/**
 * Recovery points in the catalog. A point exists iff its manifest exists; the catalog row
 * is derived from the manifest (plus computed expiry and the snapshot tier's state).
 */
import { existsSync } from 'node:fs';
import type { Point } from '../../../shared/contract/item-models.ts';
import type { Manifest } from '../vault/store/index.ts';
import type { VaultSession } from '../vault/vault-session.ts';

export interface PointExtra {
  /** Absolute path of each point file's source, by point file name. */
  sources?: Record<string, string>;
  snapshotDir?: string | null;
  /** Until when the snapshot tier is kept; in the manifest so a rebuilt catalog still expires it. */
  snapshotUntil?: string | null;
  tierNote?: string | null;
  scheduled?: boolean;
  slot?: string;
  jobId?: string;
}

export interface PointRow extends Point {
  snapshotDir?: string | null;
  /** Until when the snapshot tier is kept (policy instant-restore days). */
  snapshotUntil?: string | null;
  scheduled: boolean;
  deletedAt?: string;
}

export function pointFromManifest(manifest: Manifest, state: 'active' | 'soft-deleted', extraFields: { purgeAt?: string | null; deletedAt?: string; snapshotUntil?: string | null; expiresAt?: string | null } = {}): PointRow {
  const extra = (manifest.extra ?? {}) as PointExtra;
  const snapshotDir = extra.snapshotDir ?? null;
  const snapshotLive = snapshotDir !== null && existsSync(snapshotDir);
  return {
    id: manifest.pointId,
    itemId: manifest.itemId,
    createdAt: manifest.createdAt,
    consistency: (manifest.consistency as Point['consistency'] | undefined) ?? 'crash-consistent',
    tiers: snapshotLive ? ['snapshot', 'vault'] : ['vault'],
    expiresAt: extraFields.expiresAt !== undefined ? extraFields.expiresAt : manifest.expiresAt ?? null,
    onDemand: manifest.onDemand === true,
    logicalBytes: manifest.files.reduce((sum, file) => sum + file.size, 0),
    storedBytes: manifest.files.reduce((sum, file) => sum + (file.storedBytesNew ?? 0), 0),
    state,
    ...(extraFields.purgeAt ? { purgeAt: extraFields.purgeAt } : {}),
    ...(extraFields.deletedAt ? { deletedAt: extraFields.deletedAt } : {}),
    files: manifest.files.map((file) => ({ name: file.path, role: file.role, size: file.size, ...(file.diskFormat ? { diskFormat: file.diskFormat } : {}) })),
    ...(snapshotLive ? {} : { tierNote: extra.tierNote ?? (snapshotDir ? 'The instant-restore snapshot of this point has expired; it restores from the vault.' : 'Vault tier only.') }),
    snapshotDir: snapshotLive ? snapshotDir : null,
    snapshotUntil: extraFields.snapshotUntil ?? extra.snapshotUntil ?? null,
    scheduled: extra.scheduled === true,
  };
}

export function savePointRow(session: VaultSession, row: PointRow): void {
  session.catalog.prepare(`INSERT INTO points (id, item_id, created_at, state, expires_at, purge_at, body) VALUES (?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT(id) DO UPDATE SET state = excluded.state, expires_at = excluded.expires_at, purge_at = excluded.purge_at, body = excluded.body`)
    .run(row.id, row.itemId, row.createdAt, row.state, row.expiresAt, row.purgeAt ?? null, JSON.stringify(row));
}

export function deletePointRow(session: VaultSession, pointId: string): void {
  session.catalog.prepare('DELETE FROM points WHERE id = ?').run(pointId);
}

export function listPointRows(session: VaultSession, itemId: string, options: { includeDeleted?: boolean } = {}): PointRow[] {
  const sql = options.includeDeleted ? 'SELECT body FROM points WHERE item_id = ? ORDER BY created_at DESC' : "SELECT body FROM points WHERE item_id = ? AND state = 'active' ORDER BY created_at DESC";
  return (session.catalog.prepare(sql).all(itemId) as { body: string }[]).map((row) => {
    const point = JSON.parse(row.body) as PointRow;
    if (point.snapshotDir && !existsSync(point.snapshotDir)) {
      point.tiers = ['vault'];
      point.snapshotDir = null;
      point.tierNote = 'The instant-restore snapshot of this point has expired; it restores from the vault.';
    }
    return point;
  });
}

export function allPointRows(session: VaultSession): PointRow[] {
  return (session.catalog.prepare('SELECT body FROM points ORDER BY created_at DESC').all() as { body: string }[]).map((row) => JSON.parse(row.body) as PointRow);
}

export function readPointRow(session: VaultSession, pointId: string): PointRow | null {
  const row = session.catalog.prepare('SELECT body FROM points WHERE id = ?').get(pointId) as { body: string } | undefined;
  return row ? (JSON.parse(row.body) as PointRow) : null;
}

/** Sortable, readable point ids: 20261125T163300.123Z-a1b2c3. */
export function newPointId(now: Date, random: string): string {
  return `${now.toISOString().replace(/[-:]/g, '')}-${random}`;
}
