/**
 * The file side of this machine's change-tracking records (clone-tracking-record.ts,
 * file-identity-record.ts): <app home>/change-tracking/<vault id>/<item id><suffix>, the
 * folder 0700 and the file 0600, written atomically. Reading is forgiving by design: a
 * missing, oversized, unparsable or invalid record is no evidence (null), never an error.
 */
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from '../../../shared/zod-jitless.ts';
import { writeJsonAtomic } from '../fs/atomic-file.ts';
import { isUuid } from '../vault/vault-ids.ts';

export const CHANGE_TRACKING_DIR = 'change-tracking';
const MAX_RECORD_BYTES = 4 * 1024 * 1024;

/** Where the records live: the app home and the vault's id (both this machine's, the id checked). */
export interface TrackingPlace {
  appHome: string;
  vaultId: string;
}

function recordPath(place: TrackingPlace, itemId: string, suffix: string): string | null {
  if (!isUuid(place.vaultId) || !isUuid(itemId)) return null;
  return join(place.appHome, CHANGE_TRACKING_DIR, place.vaultId, `${itemId}${suffix}`);
}

/** The item's record of this kind when it exists and `schema` accepts it, else null. */
export async function readTrackingRecord<T>(
  place: TrackingPlace, itemId: string, suffix: string, schema: z.ZodType<T>,
): Promise<T | null> {
  const path = recordPath(place, itemId, suffix);
  if (path === null) return null;
  try {
    const info = await stat(path);
    if (!info.isFile() || info.size > MAX_RECORD_BYTES) return null;
    const parsed = schema.safeParse(JSON.parse(await readFile(path, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Replaces the item's record of this kind (atomically, checked by `schema`); `empty` removes it. */
export async function writeTrackingRecord<T>(
  place: TrackingPlace, itemId: string, suffix: string, schema: z.ZodType<T>, record: T, empty: boolean,
): Promise<void> {
  const path = recordPath(place, itemId, suffix);
  if (path === null) return;
  if (empty) {
    await rm(path, { force: true });
    return;
  }
  await mkdir(join(place.appHome, CHANGE_TRACKING_DIR, place.vaultId), { recursive: true, mode: 0o700 });
  await writeJsonAtomic(path, schema.parse(record), { mode: 0o600 });
}
