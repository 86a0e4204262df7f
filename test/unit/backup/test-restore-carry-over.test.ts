/**
 * When a backup's test restore is carried over from the previous point (test-restore-carry-over.ts):
 * only for the same disks (every file's name, role, format, size, source and index id equal, in
 * the same order), only a result that read the disks (never a failed one), and only while the
 * check that read them is at most a day old; the carried result keeps that check's time.
 */
import { describe, expect, it } from 'vitest';
import type { TestRestore } from '../../../shared/contract/item-models.ts';
import type { Manifest, ManifestFile } from '../../../electron/engine/vault/store/index.ts';
import { carriedTestRestore, MAX_CARRY_AGE_MS, sameDisks } from '../../../electron/engine/backup/test-restore-carry-over.ts';

const ITEM = '6f1c1a52-0d7b-4a56-9b8e-3d2f5b8f9a01';
const NOW = new Date('2026-05-04T12:00:00Z');

function file(path: string, indexId: string, extra: Partial<ManifestFile> = {}): ManifestFile {
  return {
    path, role: 'disk', size: 1 << 30, mode: 0o644, mtimeMs: 1, diskFormat: 'raw', indexId, digest: indexId,
    digestKind: 'chunk-list', ...extra,
  };
}

function manifest(pointId: string, files: ManifestFile[], sources?: Record<string, string>): Manifest {
  return {
    formatVersion: 2, pointId, itemId: ITEM, createdAt: NOW.toISOString(), files, consistency: 'crash-consistent',
    tiers: ['vault'], expiresAt: null, onDemand: true,
    extra: { sources: sources ?? Object.fromEntries(files.map((entry) => [entry.path, `/vms/${entry.path}`])) },
  } as unknown as Manifest;
}

function check(pointId: string, status: TestRestore['status'], checkedAt: string): TestRestore {
  return { pointId, itemId: ITEM, status, checkedAt, reasons: [], volumes: [], chunksRead: 12, elapsedMs: 340 };
}

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

describe('test restore carry-over', () => {
  const before = manifest('p1', [file('disk.raw', A), file('data.qcow2', B, { diskFormat: 'qcow2' })]);
  const same = manifest('p2', [file('disk.raw', A), file('data.qcow2', B, { diskFormat: 'qcow2' })]);

  it('carries a check of the same disks, keeping its time and reading nothing', () => {
    const earlier = check('p1', 'verified', '2026-05-04T09:00:00.000Z');
    expect(carriedTestRestore(same, before, earlier, NOW))
      .toEqual({ ...earlier, pointId: 'p2', chunksRead: 0, elapsedMs: 0 });
    expect(carriedTestRestore(same, before, check('p1', 'warnings', earlier.checkedAt), NOW)?.status).toBe('warnings');
    expect(carriedTestRestore(same, before, check('p1', 'not-readable', earlier.checkedAt), NOW)?.status).toBe('not-readable');
  });

  it('runs the check again after a failed one, an old one, one from the future, or none', () => {
    expect(carriedTestRestore(same, before, check('p1', 'failed', '2026-05-04T11:00:00.000Z'), NOW)).toBeNull();
    const old = new Date(NOW.getTime() - MAX_CARRY_AGE_MS - 1).toISOString();
    expect(carriedTestRestore(same, before, check('p1', 'verified', old), NOW)).toBeNull();
    expect(carriedTestRestore(same, before, check('p1', 'verified', '2026-05-04T12:00:01.000Z'), NOW)).toBeNull();
    expect(carriedTestRestore(same, before, check('p1', 'verified', 'not a time'), NOW)).toBeNull();
    expect(carriedTestRestore(same, before, undefined, NOW)).toBeNull();
    expect(carriedTestRestore(same, null, check('p1', 'verified', '2026-05-04T11:00:00.000Z'), NOW)).toBeNull();
    // A check of another point than the one compared with.
    expect(carriedTestRestore(same, before, check('p0', 'verified', '2026-05-04T11:00:00.000Z'), NOW)).toBeNull();
  });

  it('needs every file equal, in the same order', () => {
    expect(sameDisks(same, before)).toBe(true);
    expect(sameDisks(manifest('p2', [file('disk.raw', B), file('data.qcow2', B, { diskFormat: 'qcow2' })]), before)).toBe(false);
    expect(sameDisks(manifest('p2', [file('data.qcow2', B, { diskFormat: 'qcow2' }), file('disk.raw', A)]), before)).toBe(false);
    expect(sameDisks(manifest('p2', [file('disk.raw', A)]), before)).toBe(false);
    expect(sameDisks(manifest('p2', [file('disk.raw', A), file('data.qcow2', B)]), before)).toBe(false);
    expect(sameDisks(manifest('p2', [file('disk.raw', A, { size: 1 }), file('data.qcow2', B, { diskFormat: 'qcow2' })]), before))
      .toBe(false);
    expect(sameDisks(manifest('p2', [file('disk.raw', A, { role: 'config' }), file('data.qcow2', B, { diskFormat: 'qcow2' })]),
      before)).toBe(false);
    const moved = manifest('p2', same.files, { 'disk.raw': '/elsewhere/disk.raw', 'data.qcow2': '/vms/data.qcow2' });
    expect(sameDisks(moved, before)).toBe(false);
    expect(sameDisks(manifest('p2', []), manifest('p1', []))).toBe(false);
  });
});
