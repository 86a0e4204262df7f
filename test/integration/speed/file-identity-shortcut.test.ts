/**
 * The unchanged-file shortcut (a file not read when it is as the previous point captured
 * it) never misses a change: a 4 KiB write with the size and mtime put back moves the
 * change time, which this machine recorded (backup/file-identity-record.ts), so the file
 * is read again and the point restores to the changed bytes. A file that is really
 * unchanged is not read; one written just before its capture is read at the next backup.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { Job } from '../../../shared/contract/item-models.ts';
import { ManualClock } from '../../../electron/engine/app/clock.ts';
import { Engine } from '../../../electron/engine/engine.ts';
import { CHANGE_TRACKING_DIR } from '../../../electron/engine/backup/clone-tracking-record.ts';
import { makeTempDir, removeDir } from '../../support/disk-fixtures.ts';

const MIB = 1024 * 1024;
const ITEM = 'shortcut-vm';
const TRANSFER = 'Transfer data to vault';
const sha256File = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1200));

describe('the unchanged-file shortcut', () => {
  const root = makeTempDir('labvault-identity-');
  let engine: Engine | undefined;
  const clock = new ManualClock('2026-05-04T10:00:00Z');

  afterAll(async () => {
    await engine?.close();
    removeDir(root);
  });

  it('reads a file again when only its change time moved', async () => {
    const disk = join(root, 'disk.raw');
    writeFileSync(disk, randomBytes(8 * MIB));
    engine = new Engine({ face: 'cli', appHome: join(root, 'home'), clock });
    await engine.handlers.vaults.create({ name: 'identity-vault', path: join(root, 'vault') });
    await engine.handlers.items.protect({ vault: 'identity-vault', name: ITEM, files: [disk] });
    const session = await engine.vaults.session('identity-vault');
    const itemId = (await engine.protection.resolve(ITEM)).record.id;
    const backup = async (label: string): Promise<{ job: Job; read: number }> => {
      clock.advance(60_000);
      const job = await (await (engine as Engine).backups.start(ITEM)).done;
      expect(job.status, `${label}: ${job.error?.message ?? ''}`).toBe('completed');
      return { job, read: job.subtasks.find((subtask) => subtask.name === TRANSFER)?.bytesRead ?? -1 };
    };
    const restoredSha = async (job: Job, to: string): Promise<string> => {
      const done = await (await (engine as Engine).restores.startDisks({ item: ITEM, point: job.pointId as string, to: join(root, to) })).done;
      expect(done.status, done.error?.message).toBe('completed');
      return sha256File(join(root, to, 'disk.raw'));
    };

    // Written just now: read, and not recorded as settled, so read again next time.
    expect((await backup('first')).read).toBe(8 * MIB);
    await settle();
    expect((await backup('second, the file was written just before the first')).read).toBe(8 * MIB);
    expect(existsSync(join(root, 'home', CHANGE_TRACKING_DIR, session.config.id, `${itemId}.files.json`))).toBe(true);
    const unchanged = await backup('unchanged');
    expect(unchanged.read).toBe(0);

    // One 4 KiB write, size and mtime put back: the change time moved, so it is read.
    const before = statSync(disk);
    const mtimeNs = statSync(disk, { bigint: true }).mtimeNs;
    const fd = openSync(disk, 'r+');
    writeSync(fd, Buffer.alloc(4096, 0x42), 0, 4096, 3 * MIB);
    closeSync(fd);
    // The exact nanoseconds back (utimes through a Date would round them, and the size+mtime check would see it).
    execFileSync('touch', ['-m', '-d', `@${mtimeNs / 1_000_000_000n}.${String(mtimeNs % 1_000_000_000n).padStart(9, '0')}`, disk]);
    expect(statSync(disk).mtimeMs).toBe(before.mtimeMs);
    expect(statSync(disk).size).toBe(before.size);
    const changed = await backup('size and mtime put back');
    expect(changed.read).toBe(8 * MIB);
    expect(await restoredSha(changed.job, 'changed')).toBe(sha256File(disk));
    expect(await restoredSha(unchanged.job, 'before')).not.toBe(sha256File(disk));
  });
});
