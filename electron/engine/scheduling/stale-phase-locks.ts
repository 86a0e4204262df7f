/**
 * Before GC: clear phase locks (jobs/phase-lock.ts) left by backups whose process died.
 *
 * Phase locks live in data/locks/ next to the store's writer locks, and the store's
 * VaultLock counts every file there as a writer; it reads the owner's host from a
 * `hostname` field, which phase locks do not have (they write `host`), so it never finds
 * them stale. A backup killed with -9 would then block every GC until that item's next
 * backup took its phase lock over. This applies phase-lock.ts's own stale rule (same host,
 * process gone) to those files. Live phase locks are left alone (GC then waits or refuses).
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { vaultDataDir } from '../vault/vault-contents.ts';

const PHASE_LOCK_PATTERN = /^item-.+-(snapshot|transfer)\.lock$/;

function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Removes phase locks of dead processes on this host; returns how many. */
export async function clearStalePhaseLocks(vaultDir: string, log: (line: string) => void): Promise<number> {
  const dir = join(vaultDataDir(vaultDir), 'locks');
  let removed = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!PHASE_LOCK_PATTERN.test(name)) continue;
    const path = join(dir, name);
    const owner = await readFile(path, 'utf8').then((text) => JSON.parse(text) as { pid?: unknown; host?: unknown }).catch(() => null);
    if (!owner || owner.host !== hostname() || typeof owner.pid !== 'number' || !Number.isInteger(owner.pid) || owner.pid <= 0) continue;
    if (!processGone(owner.pid)) continue;
    await rm(path, { force: true });
    log(`removed stale backup phase lock ${path} of dead process ${owner.pid}`);
    removed += 1;
  }
  return removed;
}
