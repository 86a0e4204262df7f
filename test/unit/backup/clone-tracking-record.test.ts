/**
 * The machine-local record of the clones a transfer read: written 0600 under the app home,
 * read back equal; a damaged, oversized or foreign record, or ids that are not UUIDs, read
 * as no evidence (null), never as an error.
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CHANGE_TRACKING_DIR, readCloneTrackingRecord, writeCloneTrackingRecord, type CloneTrackingRecord,
} from '../../../electron/engine/backup/clone-tracking-record.ts';
import { makeTempDir, removeDir } from '../../support/disk-fixtures.ts';

const VAULT = '0b7a3c1e-2f4d-4e5a-8b6c-7d8e9f0a1b2c';
const ITEM = '1c8b4d2f-3e5a-4f6b-9c7d-8e9fa0b1c2d3';

const RECORD: CloneTrackingRecord = {
  version: 1,
  pointId: '20260504T100000.000Z-a1b2c3',
  files: [{
    source: '/vms/web/disk.raw', name: 'disk.raw', indexId: 'ab'.repeat(32),
    clone: { ino: '131', dev: '2049', size: '134217728', mtimeNs: '1777888999123456789', ctimeNs: '1777888999123456789' },
  }],
};

describe('clone tracking record', () => {
  const homes: string[] = [];
  const home = (): string => {
    const dir = makeTempDir('labvault-tracking-record-');
    homes.push(dir);
    return dir;
  };
  afterEach(() => homes.splice(0).forEach(removeDir));

  it('round-trips, private, and an empty file list removes it', async () => {
    const appHome = home();
    await writeCloneTrackingRecord({ appHome, vaultId: VAULT }, ITEM, RECORD);
    expect(await readCloneTrackingRecord({ appHome, vaultId: VAULT }, ITEM)).toEqual(RECORD);
    const path = join(appHome, CHANGE_TRACKING_DIR, VAULT, `${ITEM}.json`);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    await writeCloneTrackingRecord({ appHome, vaultId: VAULT }, ITEM, { ...RECORD, files: [] });
    expect(await readCloneTrackingRecord({ appHome, vaultId: VAULT }, ITEM)).toBeNull();
  });

  it.each([
    ['not JSON', '{"version": 1,'],
    ['another version', JSON.stringify({ ...RECORD, version: 2 })],
    ['a point id that is not one', JSON.stringify({ ...RECORD, pointId: '../../etc' })],
    ['a clone name with a slash', JSON.stringify({ ...RECORD, files: [{ ...RECORD.files[0], name: '../disk.raw' }] })],
    ['a clone name of ..', JSON.stringify({ ...RECORD, files: [{ ...RECORD.files[0], name: '..' }] })],
    ['an index id that is not hex', JSON.stringify({ ...RECORD, files: [{ ...RECORD.files[0], indexId: 'zz' }] })],
    ['a size that is not a decimal', JSON.stringify({ ...RECORD, files: [{ ...RECORD.files[0], clone: { ...RECORD.files[0]?.clone, size: '-1' } }] })],
    ['too large', `${JSON.stringify(RECORD)}${' '.repeat(5 * 1024 * 1024)}`],
  ])('reads %s as no evidence', async (_what, text) => {
    const appHome = home();
    mkdirSync(join(appHome, CHANGE_TRACKING_DIR, VAULT), { recursive: true });
    writeFileSync(join(appHome, CHANGE_TRACKING_DIR, VAULT, `${ITEM}.json`), text);
    expect(await readCloneTrackingRecord({ appHome, vaultId: VAULT }, ITEM)).toBeNull();
  });

  it('never derives a path from ids that are not UUIDs', async () => {
    const appHome = home();
    await writeCloneTrackingRecord({ appHome, vaultId: '../escape' }, ITEM, RECORD);
    await writeCloneTrackingRecord({ appHome, vaultId: VAULT }, '../../x', RECORD);
    expect(await readCloneTrackingRecord({ appHome, vaultId: '../escape' }, ITEM)).toBeNull();
    expect(() => statSync(join(appHome, CHANGE_TRACKING_DIR))).toThrow();
  });
});
