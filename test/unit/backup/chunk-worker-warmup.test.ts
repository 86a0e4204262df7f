/**
 * The guess that starts a backup's chunk workers early (backup/chunk-worker-warmup.ts): yes for
 * an item with no point and for one whose file was modified at or after its newest point was
 * taken; no for an item whose files are older than that point (an unchanged backup hashes nothing).
 */
import { describe, expect, it } from 'vitest';
import { utimesSync } from 'node:fs';
import { backupLikelyReadsData } from '../../../electron/engine/backup/chunk-worker-warmup.ts';
import { listPointRows } from '../../../electron/engine/backup/point-record.ts';
import { FIXTURE_ITEM, useEngineFixture } from '../../support/engine-fixture.ts';

const makeFixture = useEngineFixture();

describe('backupLikelyReadsData', () => {
  it('is true before the first point, then follows the files\' modification times against the newest point', async () => {
    const f = await makeFixture();
    const session = await f.session();
    const item = (await f.engine.protection.resolve(FIXTURE_ITEM)).record;
    expect(backupLikelyReadsData(session, item)).toBe(true);

    expect((await (await f.engine.backups.start(FIXTURE_ITEM)).done).status).toBe('completed');
    const taken = Date.parse(listPointRows(session, item.id)[0]!.createdAt);
    const setModified = (ms: number): void => {
      for (const file of item.files) utimesSync(file.path, new Date(ms), new Date(ms));
    };
    setModified(taken - 60_000);
    expect(backupLikelyReadsData(session, item)).toBe(false);
    setModified(taken + 1_000);
    expect(backupLikelyReadsData(session, item)).toBe(true);
    // One changed file of several is enough; a missing file is left to the backup to report.
    setModified(taken - 60_000);
    expect(backupLikelyReadsData(session, { id: item.id, files: [...item.files, { path: '/nonexistent/disk.raw', role: 'disk' }] }))
      .toBe(false);
  });
});
