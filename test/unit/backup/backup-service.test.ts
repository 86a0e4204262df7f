import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../../shared/errors.ts';
import { precheckBackup } from '../../../electron/engine/backup/backup-precheck.ts';
import { resolveRetainUntil } from '../../../electron/engine/backup/retain-until.ts';
import { listPointRows } from '../../../electron/engine/backup/point-record.ts';
import { stopProtection } from '../../../electron/engine/protection/item-lifecycle.ts';
import { FIXTURE_ITEM, FIXTURE_VAULT, useEngineFixture } from '../../support/engine-fixture.ts';

const makeFixture = useEngineFixture();

describe('BackupService', () => {
  it('start runs a backup job to a committed point; a second backup adds a point', async () => {
    const f = await makeFixture();
    const first = await (await f.engine.backups.start(FIXTURE_ITEM)).done;
    expect(first).toMatchObject({ operation: 'backup', status: 'completed', item: FIXTURE_ITEM, trigger: 'on-demand' });
    // Snapshot, Transfer, then the test restore of the point (on by default).
    expect(first.subtasks.map((subtask) => subtask.status)).toEqual(['completed', 'completed', 'completed']);
    f.clock.advance(60_000);
    const second = await (await f.engine.backups.start(FIXTURE_ITEM, { retainUntil: '2026-06-01' })).done;
    expect(second.status).toBe('completed');
    const session = await f.session();
    const item = (await f.engine.protection.resolve(FIXTURE_ITEM)).record;
    const points = listPointRows(session, item.id);
    expect(points).toHaveLength(2);
    expect(points.every((point) => point.itemId === item.id && point.state === 'active')).toBe(true);
    expect(points.map((point) => point.logicalBytes)).toEqual([1024 * 1024 + 77, 1024 * 1024 + 77]);
    // On-demand points keep the retain-until asked for (end of that day), the first the default.
    expect(points.every((point) => point.onDemand)).toBe(true);
    expect(points.some((point) => point.expiresAt?.startsWith('2026-06-01') === true)).toBe(true);
  });

  it('start refuses a bad retain-until (INVALID_INPUT) and an item not protected (RULE_VIOLATION)', async () => {
    const f = await makeFixture();
    await expect(f.engine.backups.start(FIXTURE_ITEM, { retainUntil: '2026-05-03' }))
      .rejects.toMatchObject({ code: ErrorCodes.INVALID_INPUT, field: 'retainUntil' });
    await stopProtection(f.engine, await f.engine.protection.resolve(FIXTURE_ITEM), { mode: 'keep-data' });
    await expect(f.engine.backups.start(FIXTURE_ITEM))
      .rejects.toMatchObject({ code: ErrorCodes.RULE_VIOLATION, field: 'item' });
    expect(await f.engine.jobs.list(FIXTURE_VAULT, { operation: 'backup' })).toEqual([]);
  });

  it('precheckBackup names the item and vault, or says why a backup cannot start', async () => {
    const f = await makeFixture();
    expect(await precheckBackup(f.engine, FIXTURE_ITEM, undefined))
      .toEqual({ item: FIXTURE_ITEM, vault: FIXTURE_VAULT });
    await expect(precheckBackup(f.engine, FIXTURE_ITEM, 'tomorrow'))
      .rejects.toMatchObject({ code: ErrorCodes.INVALID_INPUT });
    await expect(precheckBackup(f.engine, 'nope', undefined)).rejects.toMatchObject({ code: ErrorCodes.NOT_FOUND });
  });
});

describe('resolveRetainUntil', () => {
  const now = new Date('2026-05-04T10:00:00Z');
  it('reads YYYY-MM-DD and refuses format, impossible, past and too-far dates with a message naming it', () => {
    expect(resolveRetainUntil('2026-05-04', now).getTime()).toBeGreaterThanOrEqual(now.getTime());
    for (const [value, words] of [['04/05/2026', 'YYYY-MM-DD'], ['2026-02-30', 'not a real date'],
      ['2026-05-03', 'in the past'], ['2999-01-01', 'years ahead']] as const) {
      let failure: unknown;
      try {
        resolveRetainUntil(value, now);
      } catch (error) {
        failure = error;
      }
      expect(failure, value).toMatchObject({ code: ErrorCodes.INVALID_INPUT, field: 'retainUntil' });
      expect((failure as Error).message).toContain(words);
    }
  });
});
