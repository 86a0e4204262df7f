/**
 * Cancelling a job that runs in another Labvault process (the CLI, the service, the app):
 * the canceller writes data/cancel-requests/<jobId>; the process running the job checks
 * for it twice a second and aborts the job, which then leaves nothing partial.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { vaultDataDir } from '../vault/vault-contents.ts';

export const CANCEL_REQUESTS_DIR = 'cancel-requests';
const POLL_MS = 500;

function requestPath(vaultDir: string, jobId: string): string {
  return join(vaultDataDir(vaultDir), CANCEL_REQUESTS_DIR, jobId);
}

export async function requestCancel(vaultDir: string, jobId: string): Promise<void> {
  await mkdir(join(vaultDataDir(vaultDir), CANCEL_REQUESTS_DIR), { recursive: true });
  await writeFile(requestPath(vaultDir, jobId), new Date().toISOString());
}

/** Calls `cancel` when a request for the job appears; returns a function that stops watching (and clears the request). */
export function watchCancelRequest(vaultDir: string, jobId: string, cancel: () => void): () => Promise<void> {
  const path = requestPath(vaultDir, jobId);
  const timer = setInterval(() => {
    if (existsSync(path)) {
      clearInterval(timer);
      cancel();
    }
  }, POLL_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await rm(path, { force: true }).catch(() => undefined);
  };
}
