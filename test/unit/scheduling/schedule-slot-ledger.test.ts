/** The slot ledger: compare-and-set in the catalog, a file that survives a rebuilt catalog, a clock that went back. */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { catalogPath, openCatalog } from '../../../electron/engine/catalog/vault-catalog.ts';
import { RecordStore } from '../../../electron/engine/vault/record-store.ts';
import type { VaultSession } from '../../../electron/engine/vault/vault-session.ts';
import { readLastSlot, recordScheduledSlot } from '../../../electron/engine/scheduling/schedule-slot-ledger.ts';
import { makeTempDir, removeDir } from '../../support/disk-fixtures.ts';

const ITEM = 'item-1';
let dir = '';
let session: VaultSession;

beforeEach(() => {
  dir = makeTempDir('labvault-ledger-');
  session = { dir, config: { name: 'v' } as VaultSession['config'], catalog: openCatalog(catalogPath(dir)), catalogFile: catalogPath(dir), records: new RecordStore(dir) };
});
afterEach(() => {
  session.catalog.close();
  removeDir(dir);
});

describe('schedule slot ledger', () => {
  it('records a slot in the catalog and in its file, and refuses it a second time', async () => {
    expect(await readLastSlot(session, ITEM)).toBeUndefined();
    await recordScheduledSlot(session, ITEM, '2026-03-29T02:30@Europe/Berlin', new Date('2026-03-29T01:00:00Z'));
    expect(await readLastSlot(session, ITEM)).toBe('2026-03-29T02:30@Europe/Berlin');
    await expect(recordScheduledSlot(session, ITEM, '2026-03-29T02:30@Europe/Berlin', new Date('2026-03-29T01:00:01Z'))).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(recordScheduledSlot(session, ITEM, '2026-03-28T02:30@Europe/Berlin', new Date('2026-03-29T01:00:01Z'))).rejects.toMatchObject({ code: 'CONFLICT' });
    await recordScheduledSlot(session, ITEM, '2026-03-30T02:30@Europe/Berlin', new Date('2026-03-30T00:30:00Z'));
    expect(await readLastSlot(session, ITEM)).toBe('2026-03-30T02:30@Europe/Berlin');
  });

  it('lets one of two racing schedulers claim a slot', async () => {
    const other: VaultSession = { ...session, catalog: openCatalog(catalogPath(dir)) };
    try {
      const now = new Date('2026-03-29T01:00:00Z');
      const results = await Promise.allSettled([
        recordScheduledSlot(session, ITEM, '2026-03-29T02:30@Europe/Berlin', now),
        recordScheduledSlot(other, ITEM, '2026-03-29T02:30@Europe/Berlin', now),
      ]);
      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    } finally {
      other.catalog.close();
    }
  });

  it('keeps the slot through a rebuilt catalog (the file remembers)', async () => {
    await recordScheduledSlot(session, ITEM, '2026-03-29T02:30@Europe/Berlin', new Date('2026-03-29T01:00:00Z'));
    session.catalog.close();
    const { rmSync } = await import('node:fs');
    for (const name of ['catalog.sqlite', 'catalog.sqlite-wal', 'catalog.sqlite-shm']) rmSync(join(dir, name), { force: true });
    session.catalog = openCatalog(catalogPath(dir));
    expect(await readLastSlot(session, ITEM)).toBe('2026-03-29T02:30@Europe/Berlin');
    await expect(recordScheduledSlot(session, ITEM, '2026-03-29T02:30@Europe/Berlin', new Date('2026-03-29T01:00:00Z'))).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('does not let a slot recorded in the future (clock went back) block runs', async () => {
    await recordScheduledSlot(session, ITEM, '2027-01-01T02:00@UTC', new Date('2027-01-01T02:00:00Z'));
    await recordScheduledSlot(session, ITEM, '2026-06-01T02:00@UTC', new Date('2026-06-01T02:00:00Z'));
    expect(await readLastSlot(session, ITEM)).toBe('2026-06-01T02:00@UTC');
  });
});
