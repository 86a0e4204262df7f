/**
 * One scheduler per vault: <vault>/data/schedule/scheduler.lock names the process that
 * schedules the vault's backups ({ pid, host, token, since, face }). Two schedulers (the
 * app and `labvault service run`, or two machines sharing a vault folder) never both run.
 *
 * Not under data/locks/: the vault store treats every file there as a backup writer lock,
 * so a long-lived scheduler lock there would block garbage collection for good.
 *
 * - Taking: the lock is written to a temp file and linked into place (atomic; fails if
 *   present), so nobody ever reads a half-written lock.
 * - Stale: a lock whose process is gone on this host (process.kill(pid, 0) -> ESRCH) is
 *   taken over: it is renamed aside first, and only removed if it is still the stale one
 *   we judged (so a racing taker's fresh lock is never deleted). A lock from another host
 *   is never presumed dead.
 * - Holding: stillHeld() re-reads the file and compares the token, so a holder whose lock
 *   was removed by hand stops scheduling.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { scheduleDir } from './schedule-slot-ledger.ts';
import { processAlive } from '../app/process-liveness.ts';
import { readUntrustedText } from '../fs/untrusted-file.ts';

export const SCHEDULER_LOCK_NAME = 'scheduler.lock';
const TAKE_ATTEMPTS = 3;

export interface SchedulerLockOwner {
  pid: number;
  host: string;
  token: string;
  since: string;
  face: string;
}

export interface HeldSchedulerLock {
  readonly owner: SchedulerLockOwner;
  readonly path: string;
  stillHeld(): Promise<boolean>;
  release(): Promise<void>;
}

export type SchedulerLockAttempt = { held: HeldSchedulerLock } | { held: null; owner: SchedulerLockOwner };

export function schedulerLockPath(vaultDir: string): string {
  return join(scheduleDir(vaultDir), SCHEDULER_LOCK_NAME);
}

function isStale(owner: SchedulerLockOwner): boolean {
  return owner.host === hostname() && Number.isInteger(owner.pid) && owner.pid > 0 && !processAlive(owner.pid);
}

async function readOwner(path: string): Promise<SchedulerLockOwner | null | 'unreadable'> {
  let text: string;
  try {
    text = await readUntrustedText(path, 'scheduler-lock');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    return 'unreadable';
  }
  try {
    const owner = JSON.parse(text) as Partial<SchedulerLockOwner> | null;
    const valid = typeof owner?.pid === 'number' && typeof owner.host === 'string' && typeof owner.token === 'string'
      && typeof owner.since === 'string' && typeof owner.face === 'string';
    return valid ? owner as SchedulerLockOwner : 'unreadable';
  } catch {
    return 'unreadable';
  }
}

async function createLinked(path: string, owner: SchedulerLockOwner): Promise<boolean> {
  const tmp = `${path}.${owner.token}.tmp`;
  try {
    await writeFile(tmp, JSON.stringify(owner), { flag: 'wx' });
    await link(tmp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await rm(tmp, { force: true }).catch(() => undefined);
  }
}

/** Moves a stale lock aside; removes it only if it is the one judged stale. */
async function clearStale(path: string, stale: SchedulerLockOwner): Promise<void> {
  const aside = `${path}.stale-${randomBytes(6).toString('hex')}`;
  try {
    await rename(path, aside);
  } catch {
    return; // already gone
  }
  const moved = await readOwner(aside);
  if (moved !== null && moved !== 'unreadable' && moved.token !== stale.token) {
    await link(aside, path).catch(() => undefined); // a fresh lock: put it back
  }
  await rm(aside, { force: true });
}

function heldLock(path: string, owner: SchedulerLockOwner): HeldSchedulerLock {
  let released = false;
  return {
    owner,
    path,
    async stillHeld() {
      if (released) return false;
      const current = await readOwner(path);
      return current !== null && current !== 'unreadable' && current.token === owner.token;
    },
    async release() {
      if (released) return;
      released = true;
      const current = await readOwner(path);
      if (current !== null && current !== 'unreadable' && current.token === owner.token) await rm(path, { force: true });
    },
  };
}

/** Takes the vault's scheduler lock, or says who holds it. */
export async function trySchedulerLock(vaultDir: string, face: string): Promise<SchedulerLockAttempt> {
  const path = schedulerLockPath(vaultDir);
  await mkdir(scheduleDir(vaultDir), { recursive: true });
  const owner: SchedulerLockOwner = { pid: process.pid, host: hostname(), token: randomBytes(12).toString('hex'), since: new Date().toISOString(), face };
  let holder: SchedulerLockOwner = { pid: -1, host: 'unknown', token: '', since: 'unknown', face: 'unreadable lock file' };
  for (let attempt = 0; attempt < TAKE_ATTEMPTS; attempt += 1) {
    if (await createLinked(path, owner)) return { held: heldLock(path, owner) };
    const current = await readOwner(path);
    if (current === null) continue; // released meanwhile
    if (current === 'unreadable') return { held: null, owner: holder };
    holder = current;
    if (!isStale(current)) return { held: null, owner: current };
    await clearStale(path, current);
  }
  return { held: null, owner: holder };
}
