/**
 * The catalog repositories on a real SQLite catalog (openCatalog in a temp dir): each table's
 * insert, update, list order, filters and counts, and the schedule slot's compare-and-set.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Alert, Job } from '../../../shared/contract/item-models.ts';
import { defaultPolicy } from '../../../shared/policy.ts';
import {
  findAlert, listAllAlerts, listRecentAlerts, upsertAlert, ALERT_LIST_LIMIT,
} from '../../../electron/engine/catalog/alert-repository.ts';
import {
  countItems, countItemsInStates, deleteItem, findItem, findItemOwningPath, listItems, upsertItem,
} from '../../../electron/engine/catalog/item-repository.ts';
import {
  countJobs, countJobsSince, findJob, findLastFinishedBackup, latestBackupStartedAt, listUnfinishedJobs, queryJobs,
  upsertJob,
} from '../../../electron/engine/catalog/job-repository.ts';
import {
  countPoints, deletePoint, findPoint, listAllPoints, listPointsDueForPurge, listPointsOfItem, upsertPoint,
  type PointRow,
} from '../../../electron/engine/catalog/point-repository.ts';
import {
  countPolicies, deletePolicyRow, listPolicies, upsertPolicy, type PolicyRecord,
} from '../../../electron/engine/catalog/policy-repository.ts';
import { claimScheduleSlot, findScheduleSlot } from '../../../electron/engine/catalog/schedule-slot-repository.ts';
import { catalogPath, openCatalog, type CatalogDb } from '../../../electron/engine/catalog/vault-catalog.ts';
import type { ItemRecord } from '../../../electron/engine/protection/item-record.ts';
import { makeTempDir, removeDir } from '../../support/disk-fixtures.ts';

let dir = '';
let db: CatalogDb;

beforeEach(() => {
  dir = makeTempDir('labvault-repositories-');
  db = openCatalog(catalogPath(dir));
});
afterEach(() => {
  db.close();
  removeDir(dir);
});

function item(id: string, name: string, state: ItemRecord['state'], paths: string[]): ItemRecord {
  return {
    id, name, vaultId: 'v', createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', state,
    policyId: 'p', files: paths.map((path) => ({ path, role: 'disk' as const })),
  };
}

function point(id: string, itemId: string, createdAt: string, state: PointRow['state'], purgeAt?: string): PointRow {
  return {
    id, itemId, createdAt, consistency: 'crash-consistent', tiers: ['vault'], expiresAt: null, onDemand: false,
    logicalBytes: 10, storedBytes: 5, state, files: [], scheduled: false, ...(purgeAt ? { purgeAt } : {}),
  };
}

function job(id: string, fields: Partial<Job>): Job {
  return {
    id, vaultId: 'v', vaultName: 'v', itemId: 'i1', item: 'one', operation: 'backup', status: 'completed',
    trigger: 'on-demand', startedAt: '2026-01-01T00:00:00.000Z', endedAt: null, subtasks: [], ...fields,
  };
}

function alert(id: string, createdAt: string, acknowledged = false): Alert {
  return {
    id, vaultId: 'v', vaultName: 'v', severity: 'warning', title: `t-${id}`, message: 'm', createdAt, acknowledged,
  };
}

function policy(id: string, name: string, isDefault: boolean): PolicyRecord {
  return {
    id, name, isDefault, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z',
    policy: { ...defaultPolicy('UTC'), name },
  };
}

describe('item repository', () => {
  it('stores items with their files, lists them by name, finds the owner of a path and counts by state', () => {
    upsertItem(db, item('i1', 'beta', 'protected', ['/vm/b.qcow2']));
    upsertItem(db, item('i2', 'Alpha', 'stopped', ['/vm/a.qcow2', '/vm/a.nvram']));
    upsertItem(db, item('i3', 'gamma', 'soft-deleted', []));
    expect(listItems(db).map((record) => record.name)).toEqual(['Alpha', 'beta', 'gamma']);
    expect(findItem(db, 'i2')?.files.map((file) => file.path)).toEqual(['/vm/a.qcow2', '/vm/a.nvram']);
    expect(findItem(db, 'nope')).toBeNull();
    expect(findItemOwningPath(db, '/vm/a.nvram')?.id).toBe('i2');
    expect(findItemOwningPath(db, '/vm/other')).toBeNull();
    expect(countItems(db)).toBe(3);
    expect(countItemsInStates(db, ['protected', 'stopped'])).toBe(2);
    expect(countItemsInStates(db, ['soft-deleted'])).toBe(1);
    expect(countItemsInStates(db, [])).toBe(0);
  });

  it('replaces an item and its file paths on update, and removes both on delete', () => {
    upsertItem(db, item('i1', 'one', 'protected', ['/vm/old.qcow2']));
    upsertItem(db, { ...item('i1', 'renamed', 'stopped', ['/vm/new.qcow2']), updatedAt: '2026-02-01T00:00:00.000Z' });
    expect(listItems(db).map((record) => [record.name, record.state])).toEqual([['renamed', 'stopped']]);
    expect(findItemOwningPath(db, '/vm/old.qcow2')).toBeNull();
    expect(findItemOwningPath(db, '/vm/new.qcow2')?.name).toBe('renamed');
    deleteItem(db, 'i1');
    expect(countItems(db)).toBe(0);
    expect(findItemOwningPath(db, '/vm/new.qcow2')).toBeNull();
    const files = db.prepare('SELECT COUNT(*) AS n FROM item_files').get() as { n: number };
    expect(files.n).toBe(0);
  });
});

describe('point repository', () => {
  it('lists an item\'s points newest first, active only unless deleted ones are asked for', () => {
    upsertPoint(db, point('p1', 'i1', '2026-01-01T00:00:00.000Z', 'active'));
    upsertPoint(db, point('p2', 'i1', '2026-01-03T00:00:00.000Z', 'soft-deleted', '2026-02-01T00:00:00.000Z'));
    upsertPoint(db, point('p3', 'i1', '2026-01-02T00:00:00.000Z', 'active'));
    upsertPoint(db, point('p4', 'i2', '2026-01-04T00:00:00.000Z', 'active'));
    expect(listPointsOfItem(db, 'i1').map((row) => row.id)).toEqual(['p3', 'p1']);
    expect(listPointsOfItem(db, 'i1', { includeDeleted: true }).map((row) => row.id)).toEqual(['p2', 'p3', 'p1']);
    expect(listAllPoints(db).map((row) => row.id)).toEqual(['p4', 'p2', 'p3', 'p1']);
    expect(countPoints(db)).toBe(4);
  });

  it('updates state and purge date in place, finds due purges, and deletes', () => {
    upsertPoint(db, point('p1', 'i1', '2026-01-01T00:00:00.000Z', 'active'));
    upsertPoint(db, point('p2', 'i1', '2026-01-02T00:00:00.000Z', 'soft-deleted', '2026-03-01T00:00:00.000Z'));
    upsertPoint(db, { ...point('p1', 'i1', '2026-01-01T00:00:00.000Z', 'soft-deleted', '2026-02-01T00:00:00.000Z'),
      deletedAt: '2026-01-05T00:00:00.000Z' });
    expect(findPoint(db, 'p1')).toMatchObject({ state: 'soft-deleted', purgeAt: '2026-02-01T00:00:00.000Z',
      deletedAt: '2026-01-05T00:00:00.000Z' });
    expect(listPointsDueForPurge(db, '2026-01-31T23:59:59.999Z')).toEqual([]);
    expect(listPointsDueForPurge(db, '2026-02-01T00:00:00.000Z').map((row) => row.id)).toEqual(['p1']);
    expect(listPointsDueForPurge(db, '2026-03-01T00:00:00.000Z').map((row) => row.id).sort()).toEqual(['p1', 'p2']);
    deletePoint(db, 'p1');
    expect(findPoint(db, 'p1')).toBeNull();
    expect(countPoints(db)).toBe(1);
  });
});

describe('policy repository', () => {
  it('lists the default policy first, then by name ignoring case; updates and deletes', () => {
    upsertPolicy(db, policy('a', 'zeta', false));
    upsertPolicy(db, policy('b', 'DefaultPolicy', true));
    upsertPolicy(db, policy('c', 'Alpha', false));
    expect(listPolicies(db).map((record) => record.name)).toEqual(['DefaultPolicy', 'Alpha', 'zeta']);
    upsertPolicy(db, { ...policy('a', 'beta', false), updatedAt: '2026-02-01T00:00:00.000Z' });
    expect(listPolicies(db).map((record) => record.name)).toEqual(['DefaultPolicy', 'Alpha', 'beta']);
    expect(listPolicies(db).find((record) => record.id === 'a')?.updatedAt).toBe('2026-02-01T00:00:00.000Z');
    deletePolicyRow(db, 'c');
    expect(countPolicies(db)).toBe(2);
  });

  it('refuses a second policy with the same name in another case (the unique index)', () => {
    upsertPolicy(db, policy('a', 'Nightly', false));
    expect(() => upsertPolicy(db, policy('b', 'NIGHTLY', false))).toThrow(/UNIQUE/);
  });
});

describe('job repository', () => {
  it('updates status, end and body but keeps the start; filters a query and orders it newest first', () => {
    const running = job('j1', { status: 'in-progress', startedAt: '2026-01-01T00:00:00.000Z' });
    upsertJob(db, { ...running, owner: { pid: 1, host: 'h' } });
    expect(findJob(db, 'j1')?.owner).toEqual({ pid: 1, host: 'h' });
    upsertJob(db, job('j1', { status: 'completed', startedAt: '2026-09-09T00:00:00.000Z',
      endedAt: '2026-01-01T01:00:00.000Z' }));
    upsertJob(db, job('j2', { operation: 'restore', startedAt: '2026-01-02T00:00:00.000Z' }));
    upsertJob(db, job('j3', { status: 'failed', itemId: 'i2', startedAt: '2026-01-03T00:00:00.000Z' }));
    expect(findJob(db, 'j1')).toMatchObject({ status: 'completed', endedAt: '2026-01-01T01:00:00.000Z' });
    expect(findJob(db, 'j1')).not.toHaveProperty('owner');
    const started = db.prepare('SELECT started_at AS at FROM jobs WHERE id = ?').get('j1') as { at: string };
    expect(started.at).toBe('2026-01-01T00:00:00.000Z');
    expect(queryJobs(db, {}).map((row) => row.id)).toEqual(['j3', 'j2', 'j1']);
    expect(queryJobs(db, { operation: 'backup' }).map((row) => row.id)).toEqual(['j3', 'j1']);
    expect(queryJobs(db, { status: 'failed' }).map((row) => row.id)).toEqual(['j3']);
    expect(queryJobs(db, { itemId: 'i1', from: '2026-01-02T00:00:00.000Z' }).map((row) => row.id)).toEqual(['j2']);
    expect(queryJobs(db, { to: '2026-01-02T00:00:00.000Z', limit: 1 }).map((row) => row.id)).toEqual(['j2']);
    expect(countJobs(db)).toBe(3);
  });

  it('finds the last finished backup, the latest backup start, unfinished jobs and the dashboard counts', () => {
    upsertJob(db, job('old', { startedAt: '2026-01-01T00:00:00.000Z' }));
    upsertJob(db, job('failed', { status: 'failed', startedAt: '2026-01-02T00:00:00.000Z' }));
    upsertJob(db, job('running', { status: 'in-progress', startedAt: '2026-01-03T00:00:00.000Z' }));
    upsertJob(db, job('queued', { status: 'queued', operation: 'verify', startedAt: '2026-01-04T00:00:00.000Z' }));
    upsertJob(db, job('restore', { operation: 'restore', startedAt: '2026-01-05T00:00:00.000Z' }));
    expect(findLastFinishedBackup(db, 'i1')?.id).toBe('failed');
    expect(findLastFinishedBackup(db, 'i9')).toBeNull();
    expect(latestBackupStartedAt(db, 'i1')).toBe('2026-01-03T00:00:00.000Z');
    expect(latestBackupStartedAt(db, 'i9')).toBeUndefined();
    expect(listUnfinishedJobs(db).map((row) => row.id).sort()).toEqual(['queued', 'running']);
    expect(countJobsSince(db, '2026-01-02T00:00:00.000Z')).toEqual({ running: 2, failed: 1, completed: 1 });
    expect(countJobsSince(db, '2026-01-06T00:00:00.000Z')).toEqual({ running: 2, failed: 0, completed: 0 });
  });

  it('counts zero on an empty table (SUM of no rows)', () => {
    expect(countJobsSince(db, '2026-01-01T00:00:00.000Z')).toEqual({ running: 0, failed: 0, completed: 0 });
  });
});

describe('alert repository', () => {
  it('lists alerts newest first up to the limit, replaces the body on update, finds one by id', () => {
    upsertAlert(db, alert('a', '2026-01-01T00:00:00.000Z'));
    upsertAlert(db, alert('b', '2026-01-03T00:00:00.000Z'));
    upsertAlert(db, alert('c', '2026-01-02T00:00:00.000Z'));
    expect(listRecentAlerts(db).map((row) => row.id)).toEqual(['b', 'c', 'a']);
    upsertAlert(db, alert('a', '2026-01-01T00:00:00.000Z', true));
    expect(findAlert(db, 'a')?.acknowledged).toBe(true);
    expect(findAlert(db, 'zzz')).toBeNull();
    expect(listAllAlerts(db).map((row) => row.id).sort()).toEqual(['a', 'b', 'c']);
  });

  it('reads at most ALERT_LIST_LIMIT alerts', () => {
    const insert = db.transaction(() => {
      for (let index = 0; index < ALERT_LIST_LIMIT + 3; index += 1) {
        upsertAlert(db, alert(`a${index}`, new Date(Date.UTC(2026, 0, 1, 0, 0, index)).toISOString()));
      }
    });
    insert();
    const listed = listRecentAlerts(db);
    expect(listed).toHaveLength(ALERT_LIST_LIMIT);
    expect(listed[0]?.id).toBe(`a${ALERT_LIST_LIMIT + 2}`);
    expect(listAllAlerts(db)).toHaveLength(ALERT_LIST_LIMIT + 3);
  });
});

describe('schedule slot repository', () => {
  it('records a slot when the check finds no conflict, and leaves the row alone when it does', () => {
    expect(findScheduleSlot(db, 'i1')).toBeUndefined();
    const seen: (string | undefined)[] = [];
    const record = (slot: string, at: string, answer: (current: string | undefined) => string | null) =>
      claimScheduleSlot(db, 'i1', slot, at, (current) => {
        seen.push(current);
        return answer(current);
      });
    expect(record('s1', '2026-01-01T00:00:00.000Z', () => null)).toBeNull();
    expect(findScheduleSlot(db, 'i1')).toBe('s1');
    expect(record('s2', '2026-01-02T00:00:00.000Z', (current) => current ?? 'x')).toBe('s1');
    expect(findScheduleSlot(db, 'i1')).toBe('s1');
    expect(record('s3', '2026-01-03T00:00:00.000Z', () => null)).toBeNull();
    expect(seen).toEqual([undefined, 's1', 's1']);
    const row = db.prepare('SELECT slot, recorded_at AS at FROM schedule_slots WHERE item_id = ?').get('i1');
    expect(row).toEqual({ slot: 's3', at: '2026-01-03T00:00:00.000Z' });
  });

  it('keeps a second catalog connection from claiming while the first holds the transaction', () => {
    const other = openCatalog(catalogPath(dir));
    try {
      let inner: unknown = null;
      claimScheduleSlot(db, 'i1', 's1', '2026-01-01T00:00:00.000Z', () => {
        other.pragma('busy_timeout = 0');
        inner = (() => {
          try {
            return claimScheduleSlot(other, 'i1', 's1', '2026-01-01T00:00:00.000Z', () => null);
          } catch (error) {
            return (error as { code?: string }).code;
          }
        })();
        return null;
      });
      expect(inner).toBe('SQLITE_BUSY');
      expect(findScheduleSlot(other, 'i1')).toBe('s1');
    } finally {
      other.close();
    }
  });
});
