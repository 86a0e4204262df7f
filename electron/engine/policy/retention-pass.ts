/**
 * Applies retention to a vault: for every item, the policy's computeRetention decides which
 * points are kept and until when; expired points are removed (through soft delete when the
 * vault has it on). Instant-restore snapshots past their days are removed (the point keeps
 * its vault tier). Soft-deleted data past its purge date is purged. An immutable vault never
 * loses a point before its expiry: retention only ever expires points whose expiry passed.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { StoreSource } from '../vault/store-source.ts';
import { computeRetention, type RetentionDecision } from './retention.ts';
import { deletePointRow, listStoredPointRows, savePointRow, type PointRow } from '../backup/point-record.ts';
import { existingPointSnapshot, removePointSnapshot, snapshotAreas } from '../backup/snapshot-area.ts';
import { listItemRecords } from '../protection/item-catalog.ts';
import { purgeDate, purgeExpiredSoftDeletes } from '../protection/soft-delete-purge.ts';
import type { ItemRecord } from '../protection/item-record.ts';
import type { Policy } from '../../../shared/policy.ts';
import { listPolicyRecords } from './policy-records.ts';
import { immutabilityOn } from '../vault/immutability-state.ts';
import type { VaultSession } from '../vault/vault-session.ts';

export interface RetentionChange {
  point: PointRow;
  item: ItemRecord;
  keep: boolean;
  until: string | null;
  rules: string[];
}

export interface PruneReport {
  vault: string;
  dryRun: boolean;
  expired: { item: string; pointId: string; createdAt: string; expiredAt: string | null; action: 'soft-deleted' | 'deleted' | 'would remove' }[];
  kept: number;
  snapshotsRemoved: number;
  purged: number;
}

/**
 * Retention decisions for one item's active points under a policy (pure apart from reading the catalog).
 * The points are the catalog's rows: no clone folder is probed for each (applyRetention probes only the
 * points whose snapshot days are over).
 */
export function decideItem(session: VaultSession, item: ItemRecord, policy: Policy, now: Date): RetentionChange[] {
  const points = listStoredPointRows(session, item.id);
  if (points.length === 0) return [];
  if (item.state === 'stopped' && item.retainMode === 'forever') {
    return points.map((point) => ({ point, item, keep: true, until: null, rules: ['stopped: kept forever'] }));
  }
  const decisions = computeRetention(points.map((point) => ({
    id: point.id,
    time: new Date(point.createdAt),
    scheduled: point.scheduled,
    ...(point.onDemand && point.expiresAt ? { onDemandUntil: new Date(point.expiresAt) } : {}),
  })), policy, now);
  const byId = new Map<string, RetentionDecision>(decisions.map((decision) => [decision.id, decision]));
  return points.map((point) => {
    const decision = byId.get(point.id);
    return {
      point, item, keep: decision?.keep ?? true, until: decision?.until ? decision.until.toISOString() : null,
      rules: decision?.rules ?? [],
    };
  });
}

/**
 * The point ids with a folder in one of the item's snapshot areas, one listing per area: which
 * points may still have clones (each is then probed with every check by existingPointSnapshot).
 * A listing that fails other than by absence answers "maybe" for every point.
 */
function listedCloneFolders(session: VaultSession, item: ItemRecord): { has(pointId: string): boolean } {
  const everyPoint = { has: () => true };
  let areas;
  try {
    areas = snapshotAreas(session.dir, item.id, item.files);
  } catch {
    return everyPoint;
  }
  const ids = new Set<string>();
  for (const area of areas) {
    try {
      for (const name of readdirSync(join(area.root, ...area.parts))) ids.add(name);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return everyPoint;
    }
  }
  return ids;
}

/**
 * On an immutable vault a point is kept at least until its stored expiry, whatever the
 * policy now decides (a shorter policy bound later, an edited record): never removed
 * before it, and its stored expiry never moved earlier.
 */
export function holdUntilStoredExpiry(session: VaultSession, change: RetentionChange, now: Date): RetentionChange {
  const stored = change.point.expiresAt;
  if (!immutabilityOn(session) || stored === null || Date.parse(stored) <= now.getTime()) return change;
  if (change.keep && (change.until === null || Date.parse(change.until) >= Date.parse(stored))) return change;
  return { ...change, keep: true, until: stored, rules: [...change.rules, 'immutability: kept until its stored expiry'] };
}

export async function applyRetention(services: StoreSource, session: VaultSession, now: Date,
  options: { dryRun?: boolean } = {}): Promise<PruneReport> {
  const policies = new Map(listPolicyRecords(session).map((record) => [record.id, record.policy]));
  const report: PruneReport = {
    vault: session.config.name, dryRun: options.dryRun === true, expired: [], kept: 0, snapshotsRemoved: 0, purged: 0,
  };
  const store = options.dryRun ? null : await services.keyring.store(session);
  for (const item of listItemRecords(session)) {
    if (item.state === 'soft-deleted') continue;
    const policy = policies.get(item.policyId);
    if (!policy) continue;
    let cloneFolders: { has(pointId: string): boolean } | undefined;
    for (const decided of decideItem(session, item, policy, now)) {
      const change = holdUntilStoredExpiry(session, decided, now);
      const { point } = change;
      if (change.keep) {
        report.kept += 1;
        // The snapshot tier is live only while its derived clone folder exists (point-record.ts): probed
        // only for points whose snapshot days are over and whose folder an area lists, not for every point.
        const snapshotExpired = point.snapshotUntil && Date.parse(point.snapshotUntil) <= now.getTime()
          && (cloneFolders ??= listedCloneFolders(session, item)).has(point.id)
          && existingPointSnapshot(session.dir, item.id, point.id, item.files) !== null;
        if (!options.dryRun && (point.expiresAt !== change.until || snapshotExpired)) {
          if (snapshotExpired) {
            await removePointSnapshot(session.dir, item.id, point.id, item.files);
            report.snapshotsRemoved += 1;
          }
          savePointRow(session, { ...point, expiresAt: change.until, ...(snapshotExpired ? { tiers: ['vault'] as PointRow['tiers'], tierNote: 'The instant-restore snapshot of this point has expired; it restores from the vault.' } : {}) });
        }
        continue;
      }
      if (options.dryRun || !store) {
        report.expired.push({ item: item.name, pointId: point.id, createdAt: point.createdAt, expiredAt: change.until, action: 'would remove' });
        continue;
      }
      await removePointSnapshot(session.dir, item.id, point.id, item.files);
      const purgeAt = purgeDate(session, now);
      if (purgeAt) {
        await store.softDeleteManifest(item.id, point.id, { deletedAt: now.toISOString(), purgeAt });
        savePointRow(session, { ...point, state: 'soft-deleted', purgeAt, deletedAt: now.toISOString(), expiresAt: change.until, tiers: ['vault'] });
      } else {
        await store.deleteManifest(item.id, point.id);
        deletePointRow(session, point.id);
      }
      report.expired.push({ item: item.name, pointId: point.id, createdAt: point.createdAt, expiredAt: change.until, action: purgeAt ? 'soft-deleted' : 'deleted' });
    }
  }
  if (!options.dryRun) report.purged = await purgeExpiredSoftDeletes(services, session, now);
  return report;
}
