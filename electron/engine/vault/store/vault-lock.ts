/**
 * Vault locks: one exclusive lock (data/lock) for operations that must run alone (GC,
 * repair), and shared writer locks (data/locks/<pid>-<random>) for backups, several of
 * which may run at once, in one process or several.
 *
 * Protocol (both sides "create, then check", so at least one of two racers sees the other):
 *  - shared:    create data/locks/<id>; if a live exclusive lock exists, remove ours and refuse.
 *  - exclusive: create data/lock (link, fails if present); if a live writer lock exists,
 *               remove ours and refuse (or wait and retry).
 * Lock files are written to a temp name and linked into place, so a reader never sees a
 * partial one. A lock whose process is dead on this host (process.kill(pid, 0) -> ESRCH)
 * is stale: it is removed with a log line. A lock from another host is never presumed dead.
 */
import { hostname } from 'node:os';
import { link, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ErrorCodes, LabvaultError } from '../../../../shared/errors.ts';
import { readUntrustedText } from '../../fs/untrusted-file.ts';
import { errnoCode, storeIoError } from './durable-fs.ts';
import { TMP_PREFIX } from './store-layout.ts';
import type { StoreLayout } from './store-layout.ts';

export interface LockInfo {
  kind: 'exclusive' | 'shared';
  pid: number;
  hostname: string;
  /** ISO time the lock was taken. */
  startedAt: string;
  purpose: string;
}

export interface HeldLock {
  readonly info: LockInfo;
  readonly path: string;
  release(): Promise<void>;
}

export interface LockOptions {
  purpose: string;
  /** Keep retrying this long while another live holder blocks (default 0: refuse at once). */
  waitMs?: number;
  log?: (line: string) => void;
}

const POLL_MS = 100;

function isAlive(info: LockInfo): boolean {
  if (info.hostname !== hostname()) return true;
  try {
    process.kill(info.pid, 0);
    return true;
  } catch (error) {
    return errnoCode(error) !== 'ESRCH';
  }
}

function lockedError(info: LockInfo, path: string): LabvaultError {
  return new LabvaultError(ErrorCodes.VAULT_LOCKED,
    `The vault is busy: ${info.kind === 'exclusive' ? 'an exclusive' : 'a writer'} lock for "${info.purpose}" is held by process ${info.pid} on ${info.hostname} since ${info.startedAt}. Wait for it to finish; if that process is gone for good, remove ${path}.`,
    { details: { ...info, path } });
}

async function readLock(path: string): Promise<LockInfo | undefined> {
  try {
    const raw = JSON.parse(await readUntrustedText(path, 'store-lock')) as Partial<Record<keyof LockInfo | 'host', unknown>>;
    // Other writers' lock files in data/locks/ (the jobs' phase locks) may say `host`.
    const text = (value: unknown, fallback: string): string => (typeof value === 'string' ? value.slice(0, 256) : fallback);
    return {
      kind: raw.kind === 'exclusive' ? 'exclusive' : 'shared',
      pid: Number.isSafeInteger(raw.pid) ? raw.pid as number : -1,
      hostname: text(raw.hostname, text(raw.host, 'unknown')),
      startedAt: text(raw.startedAt, 'unknown'),
      purpose: text(raw.purpose, 'unknown'),
    };
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    // Unreadable or foreign content: treat as a live lock of an unknown holder.
    return { kind: 'exclusive', pid: -1, hostname: 'unknown', startedAt: 'unknown', purpose: 'unreadable lock file' };
  }
}

export class VaultLock {
  private readonly layout: StoreLayout;

  constructor(layout: StoreLayout) {
    this.layout = layout;
  }

  private async createLink(path: string, info: LockInfo): Promise<boolean> {
    const tmp = join(this.layout.tmpDir, `${TMP_PREFIX}lock-${randomBytes(6).toString('hex')}`);
    try {
      await writeFile(tmp, JSON.stringify(info), { flag: 'wx' });
      await link(tmp, path);
      return true;
    } catch (error) {
      if (errnoCode(error) === 'EEXIST') return false;
      throw storeIoError(path, 'create lock', error);
    } finally {
      await rm(tmp, { force: true }).catch(() => undefined);
    }
  }

  /** The live holder of `path`, clearing it when stale. */
  private async liveHolder(path: string, log: (line: string) => void): Promise<LockInfo | undefined> {
    const info = await readLock(path);
    if (info === undefined) return undefined;
    if (isAlive(info)) return info;
    log(`labvault: removing stale ${info.kind} vault lock ${path} of dead process ${info.pid} (${info.purpose}, since ${info.startedAt})`);
    await rm(path, { force: true });
    return undefined;
  }

  /** Live writer locks (stale ones are cleared on the way). */
  async liveWriters(log: (line: string) => void = defaultLog): Promise<LockInfo[]> {
    const names = await readdir(this.layout.locksDir).catch(() => [] as string[]);
    const out: LockInfo[] = [];
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const holder = await this.liveHolder(join(this.layout.locksDir, name), log);
      if (holder !== undefined) out.push(holder);
    }
    return out;
  }

  private info(kind: LockInfo['kind'], purpose: string): LockInfo {
    return { kind, pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString(), purpose };
  }

  async acquireShared(options: LockOptions): Promise<HeldLock> {
    const log = options.log ?? defaultLog;
    const deadline = Date.now() + (options.waitMs ?? 0);
    for (;;) {
      const info = this.info('shared', options.purpose);
      const path = join(this.layout.locksDir, `${process.pid}-${randomBytes(8).toString('hex')}`);
      await this.createLink(path, info);
      const exclusive = await this.liveHolder(this.layout.exclusiveLockPath, log);
      if (exclusive === undefined) return held(info, path);
      await rm(path, { force: true });
      if (Date.now() >= deadline) throw lockedError(exclusive, this.layout.exclusiveLockPath);
      await sleep(POLL_MS);
    }
  }

  async acquireExclusive(options: LockOptions): Promise<HeldLock> {
    const log = options.log ?? defaultLog;
    const deadline = Date.now() + (options.waitMs ?? 0);
    const path = this.layout.exclusiveLockPath;
    for (;;) {
      const info = this.info('exclusive', options.purpose);
      if (await this.createLink(path, info)) {
        const writers = await this.liveWriters(log);
        if (writers.length === 0) return held(info, path);
        await rm(path, { force: true });
        if (Date.now() >= deadline) throw lockedError(writers[0]!, this.layout.locksDir);
      } else {
        const holder = await this.liveHolder(path, log);
        if (holder !== undefined && Date.now() >= deadline) throw lockedError(holder, path);
        if (holder === undefined) continue;
      }
      await sleep(POLL_MS);
    }
  }
}

function held(info: LockInfo, path: string): HeldLock {
  let released = false;
  return {
    info,
    path,
    async release() {
      if (released) return;
      released = true;
      await rm(path, { force: true });
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function defaultLog(line: string): void {
  console.warn(line);
}
