/**
 * One subtask per phase per item at a time, across processes (the CLI, the app and the
 * service may all run jobs on one vault): a lock file per (item, phase) created with
 * O_EXCL, holding the owner's pid and host. A lock whose process is gone is stale and is
 * taken over. They live in data/phase-locks/, apart from the store's writer locks in
 * data/locks/ (which GC reads as writers: a phase lock there made GC refuse forever).
 */
import { open, rm, mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import { readUntrustedText } from '../fs/untrusted-file.ts';
import { vaultDataDir } from '../vault/vault-contents.ts';
import { isUuid } from '../vault/vault-ids.ts';
import { processAlive } from '../app/process-liveness.ts';

export type Phase = 'snapshot' | 'transfer';

export interface PhaseLockHandle {
  release(): Promise<void>;
}

export const PHASE_LOCKS_DIR = 'phase-locks';

function lockDir(vaultDir: string): string {
  return join(vaultDataDir(vaultDir), PHASE_LOCKS_DIR);
}

/** data/phase-locks/item-<itemId>-<phase>.lock; the item id comes from a vault record and must be a UUID. */
function lockPath(vaultDir: string, itemId: string, phase: Phase): string {
  if (!isUuid(itemId)) {
    throw new LabvaultError(ErrorCodes.CORRUPT, `Item id ${JSON.stringify(String(itemId).slice(0, 80))} is not a UUID (its record in ${vaultDir} was edited?); no lock file is named after it.`, { details: { path: vaultDir } });
  }
  return join(lockDir(vaultDir), `item-${itemId}-${phase}.lock`);
}

/** The lock's owner, or null when the file is unreadable, half-written or not a lock (a FIFO: CORRUPT). */
async function readOwner(path: string): Promise<{ pid: number; host: string } | null> {
  const text = await readUntrustedText(path, 'phase-lock').catch((error: unknown) => {
    if (error instanceof LabvaultError) throw error;
    return null;
  });
  if (text === null) return null;
  try {
    const owner = JSON.parse(text) as { pid?: unknown; host?: unknown } | null;
    return typeof owner?.pid === 'number' && typeof owner.host === 'string' ? { pid: owner.pid, host: owner.host } : null;
  } catch {
    return null;
  }
}

/** Tries once; returns null when another live job holds the phase. */
export async function tryLockPhase(
  vaultDir: string, itemId: string, phase: Phase, jobId: string,
): Promise<PhaseLockHandle | null> {
  const path = lockPath(vaultDir, itemId, phase);
  await mkdir(lockDir(vaultDir), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      const handle = await open(path, 'wx');
      const holder = { pid: process.pid, host: hostname(), jobId, since: new Date().toISOString() };
      await handle.writeFile(JSON.stringify(holder));
      await handle.close();
      return { release: () => rm(path, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = await readOwner(path);
      if (owner && owner.host === hostname() && !processAlive(owner.pid)) {
        await rm(path, { force: true });
        continue;
      }
      if (!owner) {
        // Half-written lock: give its writer a moment, then treat as stale.
        await new Promise((resolve) => setTimeout(resolve, 50));
        const again = await readUntrustedText(path, 'phase-lock').catch(() => null);
        if (again === '' ) await rm(path, { force: true });
        continue;
      }
      return null;
    }
  }
  return null;
}

/** Waits (polling) until the phase is free or the signal aborts. */
export async function lockPhase(
  vaultDir: string, itemId: string, phase: Phase, jobId: string, signal?: AbortSignal,
): Promise<PhaseLockHandle> {
  for (let delay = 25; ; delay = Math.min(delay * 2, 500)) {
    const handle = await tryLockPhase(vaultDir, itemId, phase, jobId);
    if (handle) return handle;
    if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
