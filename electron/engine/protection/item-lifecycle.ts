/**
 * Stop protection (keep or delete data), resume, undelete, delete one point (the purge of
 * soft-deleted data is soft-delete-purge.ts). Every path that removes data checks the
 * vault's rules first: while immutability is enabled or locked no point is deleted before
 * its expiry; with soft delete on, deleted data is kept (restorable, undeletable) until
 * its purge date.
 */
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { Point } from '../../../shared/contract/item-models.ts';
import type { AlertService } from '../alerts/alert-service.ts';
import type { Clock } from '../app/clock.ts';
import type { StoreSource } from '../vault/store-source.ts';
import { deletePointRow, listPointRows, readPointRow, savePointRow, type PointRow } from '../backup/point-record.ts';
import { removePointSnapshot } from '../backup/snapshot-area.ts';
import { findPolicyRecord } from '../policy/policy-records.ts';
import { checkItemPolicyChange } from '../policy/policy-admin.ts';
import type { VaultSession } from '../vault/vault-session.ts';
import { effectiveImmutability, effectiveSoftDelete, immutabilityOn } from '../vault/immutability-state.ts';
import { deleteItemRow } from './item-catalog.ts';
import { purgeDate } from './soft-delete-purge.ts';
import type { ItemRecord } from './item-record.ts';
import type { ProtectionService, ResolvedItem } from './protection-service.ts';

/** What item lifecycle changes are given: the clock, the vault's store, item saving and alerts. */
export interface ItemLifecycleServices extends StoreSource {
  readonly clock: Clock;
  readonly protection: Pick<ProtectionService, 'saveItem'>;
  readonly alerts: Pick<AlertService, 'raise'>;
}

export { immutabilityOn } from '../vault/immutability-state.ts';

/** Points an immutable vault still protects at `now` (not yet expired; no expiry = forever). */
export function protectedPoints(session: VaultSession, points: PointRow[], now: Date): PointRow[] {
  if (!immutabilityOn(session)) return [];
  return points.filter((point) => point.expiresAt === null || Date.parse(point.expiresAt) > now.getTime());
}

function refuseImmutable(session: VaultSession, blocked: PointRow[], action: string): never {
  const latest = blocked.map((point) => point.expiresAt)
    .filter((value): value is string => value !== null)
    .sort()
    .at(-1);
  const forever = blocked.some((point) => point.expiresAt === null);
  throw new LabvaultError(ErrorCodes.RULE_VIOLATION,
    `Immutability is ${effectiveImmutability(session)} on vault "${session.config.name}": ${action} would delete ${blocked.length} recovery point${blocked.length === 1 ? '' : 's'} before ${blocked.length === 1 ? 'its' : 'their'} expiry (${forever ? 'some are kept with no expiry' : `the last expires ${latest}`}). No point can be deleted before its expiry while immutability is on.`,
    { details: { points: blocked.map((point) => point.id) } });
}


/** Removes (soft or hard) one point's data; the caller checked the rules. */
async function removePoint(
  services: StoreSource, session: VaultSession, record: ItemRecord, point: PointRow, now: Date,
): Promise<PointRow | null> {
  const store = await services.keyring.store(session);
  const purgeAt = purgeDate(session, now);
  // The clone folder is derived from the ids (snapshot-area.ts), never taken from the row.
  await removePointSnapshot(session.dir, record.id, point.id, record.files);
  if (purgeAt) {
    await store.softDeleteManifest(point.itemId, point.id, { deletedAt: now.toISOString(), purgeAt });
    const row: PointRow = { ...point, state: 'soft-deleted', purgeAt, deletedAt: now.toISOString(), tiers: ['vault'] };
    savePointRow(session, row);
    return row;
  }
  await store.deleteManifest(point.itemId, point.id);
  deletePointRow(session, point.id);
  return null;
}

export async function deletePreview(services: ItemLifecycleServices, resolved: ResolvedItem): Promise<{
  item: string; points: number; storedBytes: number; softDelete: boolean; purgeAt: string | null;
  blockedBy: string | null;
}> {
  const { session, record } = resolved;
  const now = services.clock.now();
  const points = listPointRows(session, record.id);
  const blocked = protectedPoints(session, points, now);
  return {
    item: record.name,
    points: points.length,
    storedBytes: points.reduce((sum, point) => sum + point.storedBytes, 0),
    softDelete: effectiveSoftDelete(session).enabled,
    purgeAt: purgeDate(session, now),
    blockedBy: blocked.length > 0 ? `Immutability is ${effectiveImmutability(session)}: ${blocked.length} point${blocked.length === 1 ? '' : 's'} cannot be deleted before expiry.` : null,
  };
}

export async function stopProtection(services: ItemLifecycleServices, resolved: ResolvedItem,
  input: { mode: 'keep-data' | 'delete-data'; retain?: 'forever' | 'expiry' | undefined; confirm?: string | undefined }): Promise<ItemRecord> {
  const { session, record } = resolved;
  const now = services.clock.now();
  if (record.state === 'soft-deleted') throw new LabvaultError(ErrorCodes.RULE_VIOLATION, `Item "${record.name}" is soft-deleted: undelete it first.`, { field: 'item' });
  const next: ItemRecord = { ...record, updatedAt: now.toISOString() };
  if (input.mode === 'keep-data') {
    if (record.state === 'stopped' && record.retainMode === (input.retain ?? 'forever')) return record;
    if (immutabilityOn(session) && input.retain === 'expiry' && record.retainMode === 'forever') {
      // Going from forever to expiry shortens retention of existing points.
      refuseImmutable(session, protectedPoints(session, listPointRows(session, record.id), now).filter((point) => point.expiresAt === null), 'keeping points only until expiry');
    }
    next.state = 'stopped';
    next.retainMode = input.retain ?? 'forever';
    next.stoppedAt = now.toISOString();
    await services.protection.saveItem(session, next);
    return next;
  }
  if (input.confirm !== record.name) {
    throw new LabvaultError(ErrorCodes.INVALID_INPUT, `To delete the backup data of "${record.name}", type the item name exactly to confirm (--confirm ${record.name}).`, { field: 'confirm' });
  }
  const points = listPointRows(session, record.id);
  const blocked = protectedPoints(session, points, now);
  if (blocked.length > 0) refuseImmutable(session, blocked, `deleting the data of "${record.name}"`);
  for (const point of points) await removePoint(services, session, record, point, now);
  const purgeAt = purgeDate(session, now);
  if (purgeAt) {
    next.state = 'soft-deleted';
    next.stateBeforeDelete = 'stopped';
    next.deletedAt = now.toISOString();
    next.purgeAt = purgeAt;
    next.stoppedAt = now.toISOString();
    await services.protection.saveItem(session, next);
    await services.alerts.raise(session, 'warning', 'Backup data soft-deleted',
      `Item "${record.name}" in vault "${session.config.name}": ${points.length} recovery point${points.length === 1 ? '' : 's'} soft-deleted; they can be undeleted until ${purgeAt}, then they are purged.`);
    return next;
  }
  await session.records.remove('items', record.id);
  deleteItemRow(session, record.id);
  await services.alerts.raise(session, 'warning', 'Backup data deleted', `Item "${record.name}" in vault "${session.config.name}": ${points.length} recovery point${points.length === 1 ? '' : 's'} deleted (soft delete is off).`);
  return { ...next, state: 'stopped' };
}

export async function resumeProtection(
  services: ItemLifecycleServices, resolved: ResolvedItem, policy?: string,
): Promise<ItemRecord> {
  const { session, record } = resolved;
  if (record.state === 'soft-deleted') throw new LabvaultError(ErrorCodes.RULE_VIOLATION, `Item "${record.name}" is soft-deleted: undelete it before resuming protection.`, { field: 'item' });
  const next: ItemRecord = { ...record, state: 'protected', updatedAt: services.clock.now().toISOString() };
  delete next.retainMode;
  delete next.stoppedAt;
  if (policy) next.policyId = findPolicyRecord(session, policy).id;
  checkItemPolicyChange(services, session, record, next);
  await services.protection.saveItem(session, next);
  return next;
}

export async function setItemPolicy(
  services: ItemLifecycleServices, resolved: ResolvedItem, policy: string,
): Promise<ItemRecord> {
  const { session, record } = resolved;
  const next: ItemRecord = {
    ...record, policyId: findPolicyRecord(session, policy).id, updatedAt: services.clock.now().toISOString(),
  };
  checkItemPolicyChange(services, session, record, next);
  await services.protection.saveItem(session, next);
  return next;
}

export async function undeleteItem(services: ItemLifecycleServices, resolved: ResolvedItem): Promise<ItemRecord> {
  const { session, record } = resolved;
  if (record.state !== 'soft-deleted') throw new LabvaultError(ErrorCodes.CONFLICT, `Item "${record.name}" is not soft-deleted (it is ${record.state}).`, { field: 'item' });
  const store = await services.keyring.store(session);
  for (const point of listPointRows(session, record.id, { includeDeleted: true }).filter((row) => row.state === 'soft-deleted')) {
    await store.undeleteManifest(point.itemId, point.id);
    const row: PointRow = { ...point, state: 'active' };
    delete row.purgeAt;
    delete row.deletedAt;
    savePointRow(session, row);
  }
  const next: ItemRecord = { ...record, state: record.stateBeforeDelete ?? 'stopped', retainMode: record.retainMode ?? 'forever', updatedAt: services.clock.now().toISOString() };
  delete next.deletedAt;
  delete next.purgeAt;
  delete next.stateBeforeDelete;
  await services.protection.saveItem(session, next);
  return next;
}

export async function deleteOnePoint(
  services: ItemLifecycleServices, resolved: ResolvedItem, pointId: string,
): Promise<Point> {
  const { session, record } = resolved;
  const now = services.clock.now();
  const point = readPointRow(session, pointId);
  if (!point || point.itemId !== record.id) throw new LabvaultError(ErrorCodes.NOT_FOUND, `Item "${record.name}" has no recovery point ${pointId}.`, { field: 'point' });
  if (point.state === 'soft-deleted') throw new LabvaultError(ErrorCodes.CONFLICT, `Point ${pointId} is already soft-deleted (purged on ${point.purgeAt ?? '?'}).`, { field: 'point' });
  const blocked = protectedPoints(session, [point], now);
  if (blocked.length > 0) refuseImmutable(session, blocked, `deleting point ${pointId}`);
  const row = await removePoint(services, session, record, point, now);
  if (row) {
    await services.alerts.raise(session, 'warning', 'Recovery point soft-deleted', `Item "${record.name}": point ${pointId} soft-deleted; it can be restored until ${row.purgeAt}.`);
    return row;
  }
  return { ...point, state: 'soft-deleted' };
}
