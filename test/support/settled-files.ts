/**
 * Waits (synchronously) until every file's last change is older than the engine's SETTLED_MS:
 * a backup proves a file unchanged next time only when, at its capture, the file's change
 * time was at least that old (a write in the same timestamp tick could hide otherwise;
 * backup/file-identity-record.ts). A real VM is seldom backed up within a second of a write;
 * a test that wants the next backup to skip a file waits here first.
 */
import { statSync } from 'node:fs';
import { SETTLED_MS } from '../../electron/engine/backup/file-identity-record.ts';

const MARGIN_MS = 150;

export function waitUntilSettled(paths: readonly string[]): void {
  const newest = Math.max(...paths.map((path) => Number(statSync(path, { bigint: true }).ctimeNs / 1_000_000n)));
  const waitMs = newest + SETTLED_MS + MARGIN_MS - Date.now();
  if (waitMs > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, waitMs);
}
