/** The per-vault scheduler lock: one holder, stale takeover on this host, foreign hosts respected. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { schedulerLockPath, trySchedulerLock } from '../../../electron/engine/scheduling/scheduler-lock.ts';
import { scheduleDir } from '../../../electron/engine/scheduling/schedule-slot-ledger.ts';
import { makeTempDir, removeDir } from '../../support/disk-fixtures.ts';

let vaultDir = '';
beforeEach(() => { vaultDir = makeTempDir('labvault-schedlock-'); });
afterEach(() => removeDir(vaultDir));

/** A pid that surely belongs to no process: one that ran and exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

function plantLock(owner: { pid: number; host: string; token: string }): void {
  mkdirSync(scheduleDir(vaultDir), { recursive: true });
  writeFileSync(schedulerLockPath(vaultDir), JSON.stringify({ ...owner, since: '2026-01-01T00:00:00.000Z', face: 'cli' }));
}

describe('scheduler lock', () => {
  it('has one holder at a time; the holder releases it', async () => {
    const first = await trySchedulerLock(vaultDir, 'desktop');
    expect(first.held).not.toBeNull();
    const second = await trySchedulerLock(vaultDir, 'cli');
    expect(second.held).toBeNull();
    if (second.held === null) expect(second.owner).toMatchObject({ pid: process.pid, host: hostname(), face: 'desktop' });
    expect(await first.held?.stillHeld()).toBe(true);
    await first.held?.release();
    expect(existsSync(schedulerLockPath(vaultDir))).toBe(false);
    expect((await trySchedulerLock(vaultDir, 'cli')).held).not.toBeNull();
  });

  it('lets exactly one of many racing takers win', async () => {
    const attempts = await Promise.all(Array.from({ length: 12 }, () => trySchedulerLock(vaultDir, 'cli')));
    expect(attempts.filter((attempt) => attempt.held !== null)).toHaveLength(1);
  });

  it('takes over the lock of a dead process on this host', async () => {
    plantLock({ pid: deadPid(), host: hostname(), token: 'dead' });
    const attempt = await trySchedulerLock(vaultDir, 'cli');
    expect(attempt.held).not.toBeNull();
    expect(JSON.parse(readFileSync(schedulerLockPath(vaultDir), 'utf8')).pid).toBe(process.pid);
  });

  it('never presumes a lock of another host dead', async () => {
    plantLock({ pid: deadPid(), host: `${hostname()}-elsewhere`, token: 'far' });
    const attempt = await trySchedulerLock(vaultDir, 'cli');
    expect(attempt.held).toBeNull();
    if (attempt.held === null) expect(attempt.owner.token).toBe('far');
  });

  it('notices a lock removed or replaced under its holder, and never removes the new owner\'s', async () => {
    const mine = await trySchedulerLock(vaultDir, 'cli');
    plantLock({ pid: process.pid, host: hostname(), token: 'someone-else' });
    expect(await mine.held?.stillHeld()).toBe(false);
    await mine.held?.release();
    expect(JSON.parse(readFileSync(schedulerLockPath(vaultDir), 'utf8')).token).toBe('someone-else');
  });
});
