/**
 * The machine-local evidence of qcow2 bitmap tracking (backup/qcow2-bitmap-record.ts) is
 * no evidence unless it reads back whole: a damaged, oversized or foreign record reads as
 * empty, fingerprints whose digest or length differ read as null, ids that are not UUIDs
 * name no file; and the setting is on only when LABVAULT_CHANGE_TRACKING lists it.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  readQcow2BitmapRecord, readQcow2Fingerprints, writeQcow2BitmapRecord, writeQcow2Fingerprints, type TrackedQcow2,
} from '../../../electron/engine/backup/qcow2-bitmap-record.ts';
import { qcow2BitmapTrackingOn } from '../../../electron/engine/backup/qcow2-bitmap-tracking.ts';
import { makeTempDir, removeDir } from '../../support/disk-fixtures.ts';

const home = makeTempDir('labvault-bitmap-record-');
const place = { appHome: home, vaultId: randomUUID() };
const itemId = randomUUID();

afterAll(() => removeDir(home));

function entry(fingerprintsSha256: string): TrackedQcow2 {
  return {
    source: '/vms/disk.qcow2', ino: '12', dev: '34', bitmap: 'labvault-20260504T100100.000Z-abc123',
    pointId: '20260504T100100.000Z-abc123', indexId: 'a'.repeat(64), fileSize: 3 * 1024 * 1024, chunkSize: 1024 * 1024,
    clusterSize: 65536, virtualSize: 64 * 1024 * 1024, granularityBits: 16, fingerprintsSha256,
  };
}

describe('qcow2 bitmap tracking record', () => {
  it('reads back what it wrote, and nothing that was changed', async () => {
    const fingerprints = Buffer.alloc(48, 7);
    const digest = await writeQcow2Fingerprints(place, itemId, '/vms/disk.qcow2', fingerprints);
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    await writeQcow2BitmapRecord(place, itemId, { version: 1, files: [entry(digest!)] });
    const record = await readQcow2BitmapRecord(place, itemId);
    expect(record.files).toEqual([entry(digest!)]);
    expect(await readQcow2Fingerprints(place, itemId, record.files[0]!, 48)).toEqual(fingerprints);
    // A different length, a different digest, a changed file: no evidence.
    expect(await readQcow2Fingerprints(place, itemId, record.files[0]!, 32)).toBeNull();
    expect(await readQcow2Fingerprints(place, itemId, entry('b'.repeat(64)), 48)).toBeNull();
    const folder = join(home, 'change-tracking', place.vaultId);
    const name = readdirSync(folder).find((file) => file.endsWith('.qcow2-fp'))!;
    writeFileSync(join(folder, name), Buffer.alloc(48, 8));
    expect(await readQcow2Fingerprints(place, itemId, record.files[0]!, 48)).toBeNull();
  });

  it('reads a damaged or foreign record as empty and names no file for ids that are not UUIDs', async () => {
    const folder = join(home, 'change-tracking', place.vaultId);
    writeFileSync(join(folder, `${itemId}.qcow2-bitmaps.json`), '{"version":1,"files":[{"source":"/x"}]}');
    expect((await readQcow2BitmapRecord(place, itemId)).files).toEqual([]);
    writeFileSync(join(folder, `${itemId}.qcow2-bitmaps.json`), 'not json');
    expect((await readQcow2BitmapRecord(place, itemId)).files).toEqual([]);
    expect((await readQcow2BitmapRecord({ appHome: home, vaultId: '../x' }, itemId)).files).toEqual([]);
    expect(await writeQcow2Fingerprints(place, '../../etc', '/vms/disk.qcow2', Buffer.alloc(16))).toBeNull();
  });

  it('is on only when LABVAULT_CHANGE_TRACKING lists qcow2-bitmap', () => {
    expect(qcow2BitmapTrackingOn({})).toBe(false);
    expect(qcow2BitmapTrackingOn({ LABVAULT_CHANGE_TRACKING: 'qcow2-bitmap' })).toBe(true);
    expect(qcow2BitmapTrackingOn({ LABVAULT_CHANGE_TRACKING: 'reflink, qcow2-bitmap' })).toBe(true);
    expect(qcow2BitmapTrackingOn({ LABVAULT_CHANGE_TRACKING: 'qcow2' })).toBe(false);
  });
});
