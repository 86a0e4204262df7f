/**
 * Cancelling a job that runs in another Labvault process (the CLI, the service, the app):
 * the canceller writes data/cancel-requests/<jobId>; the process running the job checks
 * for it twice a second and aborts the job, which then leaves nothing partial.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import { vaultDataDir } from '../vault/vault-contents.ts';
import { isUuid } from '../vault/vault-ids.ts';

export const CANCEL_REQUESTS_DIR = 'cancel-requests';
const POLL_MS = 500;

/** data/cancel-requests/<jobId>; the id (from the CLI, a UI or a vault's job record) must be a UUID. */
function requestPath(vaultDir: string, jobId: string): string {
  if (!isUuid(jobId)) {
    throw new LabvaultError(ErrorCodes.INVALID_INPUT, `Job id ${JSON.stringify(String(jobId).slice(0, 80))} is not a UUID; Labvault never uses it in a file name.`, { field: 'id' });
  }
  return join(vaultDataDir(vaultDir), CANCEL_REQUESTS_DIR, jobId);
}

export async function requestCancel(vaultDir: string, jobId: string): Promise<void> {
  await mkdir(join(vaultDataDir(vaultDir), CANCEL_REQUESTS_DIR), { recursive: true });
  await writeFile(requestPath(vaultDir, jobId), new Date().toISOString());
}

/**
 * Calls `cancel` when a request for the job appears; returns a function that stops watching (and clears the
 * request).
 */
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
