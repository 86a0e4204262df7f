/**
 * The file steps of a replace (replace-swap.ts) taken from every state a crash can leave
 * between them: before anything, after the original was kept as a hard link, after it was
 * moved aside (filesystems without hard links), after the new file was renamed in. From
 * each, resuming (swapIn) leaves the new file and rolling back (swapOut) the old one, and
 * the original path never holds anything else. Also the journal: written durably, read
 * back, refused when damaged or too large, one per item.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, linkSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, removeDir } from '../../support/disk-fixtures.ts';
import { dropOld, swapIn, swapOut, wasSwapped } from '../../../electron/engine/restore/replace-swap.ts';
import {
  createReplaceJournal, journalPath, readReplaceJournal, removeReplaceJournal, saveReplaceJournal, type ReplaceJournal,
} from '../../../electron/engine/restore/replace-journal.ts';

let dir: string;
beforeAll(() => { dir = makeTempDir('labvault-replace-swap-'); });
afterAll(() => removeDir(dir));

type Crash = 'nothing' | 'linked' | 'moved aside' | 'renamed in';
const CRASHES: Crash[] = ['nothing', 'linked', 'moved aside', 'renamed in'];

function files(name: string) {
  const folder = join(dir, name);
  mkdirSync(folder);
  const file = { name: 'disk.vdi', target: join(folder, 'disk.vdi'), temp: join(folder, '.disk.vdi.labvault-new-1'), old: join(folder, '.disk.vdi.labvault-old-1'), state: 'staged' as const };
  writeFileSync(file.target, 'OLD');
  writeFileSync(file.temp, 'NEW');
  return file;
}

function crashAfter(file: ReturnType<typeof files>, crash: Crash): void {
  if (crash === 'linked') linkSync(file.target, file.old);
  if (crash === 'moved aside') renameSync(file.target, file.old);
  if (crash === 'renamed in') {
    linkSync(file.target, file.old);
    renameSync(file.temp, file.target);
  }
}

describe('replace file steps after a crash', () => {
  for (const crash of CRASHES) {
    it(`after "${crash}": resume puts the new file in place, rollback the old one, no leftovers`, async () => {
      const resumed = files(`resume-${crash.replace(' ', '-')}`);
      crashAfter(resumed, crash);
      if (crash !== 'moved aside') expect(['OLD', 'NEW']).toContain(readFileSync(resumed.target, 'utf8'));
      expect(await wasSwapped(resumed)).toBe(crash === 'renamed in');
      await swapIn(resumed);
      expect(readFileSync(resumed.target, 'utf8')).toBe('NEW');
      await dropOld(resumed);
      expect([existsSync(resumed.old), existsSync(resumed.temp)]).toEqual([false, false]);

      const rolled = files(`rollback-${crash.replace(' ', '-')}`);
      crashAfter(rolled, crash);
      await swapOut(rolled);
      expect(readFileSync(rolled.target, 'utf8')).toBe('OLD');
      expect([existsSync(rolled.old), existsSync(rolled.temp)]).toEqual([false, false]);
    });
  }

  it('a swap taken twice (resume of a resume) changes nothing more', async () => {
    const file = files('twice');
    await swapIn(file);
    await swapIn(file);
    expect(readFileSync(file.target, 'utf8')).toBe('NEW');
    expect(readFileSync(file.old, 'utf8')).toBe('OLD');
  });
});

describe('the replace journal', () => {
  const journal = (): ReplaceJournal => ({
    version: 1, itemId: '6a1f2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', itemName: 'web', vaultId: 'v', pointId: 'p2', prePointId: 'p3',
    jobId: 'j', startedAt: '2026-12-03T08:00:00.000Z', phase: 'staging',
    files: [{ name: 'web.vdi', target: '/vms/web/web.vdi', temp: '/vms/web/.web.vdi.labvault-new-j', old: '/vms/web/.web.vdi.labvault-old-j', state: 'pending' }],
  });

  it('is written durably, read back, one per item, and removed', async () => {
    const home = join(dir, 'home');
    expect(await readReplaceJournal(home, journal().itemId)).toBeNull();
    await createReplaceJournal(home, journal());
    await expect(createReplaceJournal(home, journal())).rejects.toMatchObject({ code: 'CONFLICT' });
    const saved = { ...journal(), phase: 'swapping' as const };
    await saveReplaceJournal(home, saved);
    expect(await readReplaceJournal(home, saved.itemId)).toEqual(saved);
    await removeReplaceJournal(home, saved.itemId);
    expect(await readReplaceJournal(home, saved.itemId)).toBeNull();
  });

  it('refuses a damaged or oversized journal (CORRUPT, naming it) instead of acting on it', async () => {
    const home = join(dir, 'home-damaged');
    await createReplaceJournal(home, journal());
    const path = journalPath(home, journal().itemId);
    writeFileSync(path, '{"version":1,"itemId":');
    await expect(readReplaceJournal(home, journal().itemId)).rejects.toMatchObject({ code: 'CORRUPT', details: { path } });
    writeFileSync(path, JSON.stringify({ ...journal(), phase: 'half-done' }));
    await expect(readReplaceJournal(home, journal().itemId)).rejects.toMatchObject({ code: 'CORRUPT' });
    writeFileSync(path, Buffer.alloc(5 * 1024 * 1024, 0x20));
    await expect(readReplaceJournal(home, journal().itemId)).rejects.toMatchObject({ code: 'CORRUPT' });
  });
});
