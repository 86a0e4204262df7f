/**
 * Cancelling a job that runs in another Labvault process (the CLI, the service, the app):
 * the canceller writes data/cancel-requests/<jobId>; the process running the job checks
 * for it twice a second and aborts the job, which then leaves nothing partial.
 */
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import { CancelSourceSchema, type CancelSource } from '../../../shared/contract/item-models.ts';
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

/** The file holds {"at": ISO, "by": source}; older files hold only the time. */
const REQUEST_READ_CAP = 256;

export async function requestCancel(vaultDir: string, jobId: string, by: CancelSource = 'unknown'): Promise<void> {
  await mkdir(join(vaultDataDir(vaultDir), CANCEL_REQUESTS_DIR), { recursive: true });
  await writeFile(requestPath(vaultDir, jobId), JSON.stringify({ at: new Date().toISOString(), by }));
}

/** Who asked, as the request file says (a vault file: read capped, anything unexpected is 'unknown'). */
function requestSource(path: string): CancelSource {
  let fd: number | null = null;
  try {
    fd = openSync(path, 'r');
    const buffer = Buffer.alloc(REQUEST_READ_CAP);
    const length = readSync(fd, buffer, 0, REQUEST_READ_CAP, 0);
    const parsed = JSON.parse(buffer.subarray(0, length).toString('utf8')) as { by?: unknown };
    const by = CancelSourceSchema.safeParse(parsed.by);
    return by.success ? by.data : 'unknown';
  } catch {
    return 'unknown';
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/**
 * Calls `cancel` when a request for the job appears; returns a function that stops watching (and clears the
 * request).
 */
export function watchCancelRequest(
  vaultDir: string, jobId: string, cancel: (by: CancelSource) => void,
): () => Promise<void> {
  const path = requestPath(vaultDir, jobId);
  const timer = setInterval(() => {
    if (existsSync(path)) {
      clearInterval(timer);
      cancel(requestSource(path));
    }
  }, POLL_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await rm(path, { force: true }).catch(() => undefined);
  };
}
