import { mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../../shared/errors.ts';
import {
  existingTargets, restoredFileMode, restoreNameProblem, targetPathIn,
} from '../../../electron/engine/restore/restore-target.ts';
import { listPointRows } from '../../../electron/engine/backup/point-record.ts';
import type { ManifestFile } from '../../../electron/engine/vault/store/index.ts';
import { FIXTURE_ITEM, useEngineFixture, type EngineFixture } from '../../support/engine-fixture.ts';
import { makeTempDir, removeDir } from '../../support/disk-fixtures.ts';

const makeFixture = useEngineFixture();

async function backedUp(encrypted = false): Promise<{ f: EngineFixture; pointId: string }> {
  const f = await makeFixture({ encrypted });
  expect((await (await f.engine.backups.start(FIXTURE_ITEM)).done).status).toBe('completed');
  const item = (await f.engine.protection.resolve(FIXTURE_ITEM)).record;
  const [point] = listPointRows(await f.session(), item.id);
  return { f, pointId: point!.id };
}

describe('RestoreService', () => {
  for (const encrypted of [false, true]) {
    it(`startDisks restores the point's files bit-exact (${encrypted ? 'encrypted' : 'plain'} vault)`, async () => {
      const { f, pointId } = await backedUp(encrypted);
      const to = join(f.root, 'restored');
      const job = await (await f.engine.restores.startDisks({ item: FIXTURE_ITEM, point: pointId, to })).done;
      expect(job).toMatchObject({ operation: 'restore', status: 'completed', pointId });
      expect(readdirSync(to)).toEqual([basename(f.diskPath)]);
      expect(readFileSync(join(to, basename(f.diskPath))).equals(readFileSync(f.diskPath))).toBe(true);
    });
  }

  it('checks the request before a job starts: unknown point, empty target, target a file, file present', async () => {
    const { f, pointId } = await backedUp();
    const { restores } = f.engine;
    await expect(restores.startDisks({ item: FIXTURE_ITEM, point: 'nope', to: join(f.root, 'x') }))
      .rejects.toMatchObject({ code: ErrorCodes.NOT_FOUND, field: 'point' });
    await expect(restores.startDisks({ item: FIXTURE_ITEM, point: pointId, to: '  ' }))
      .rejects.toMatchObject({ code: ErrorCodes.INVALID_INPUT, field: 'to' });
    const file = join(f.root, 'a-file');
    writeFileSync(file, 'x');
    await expect(restores.startDisks({ item: FIXTURE_ITEM, point: pointId, to: file }))
      .rejects.toMatchObject({ code: ErrorCodes.INVALID_INPUT, field: 'to' });
    const occupied = join(f.root, 'occupied');
    mkdirSync(occupied);
    writeFileSync(join(occupied, basename(f.diskPath)), 'keep me');
    await expect(restores.startDisks({ item: FIXTURE_ITEM, point: pointId, to: occupied }))
      .rejects.toMatchObject({ code: ErrorCodes.CONFLICT });
    expect(readFileSync(join(occupied, basename(f.diskPath)), 'utf8')).toBe('keep me');
    expect(await f.engine.jobs.list(undefined, { operation: 'restore' })).toEqual([]);
  });
});

describe('restore targets', () => {
  it('restoreNameProblem accepts what a backup writes and refuses separators, dot names and device names', () => {
    expect(restoreNameProblem('disk-0.qcow2')).toBeNull();
    expect(restoreNameProblem('My VM disk.vmdk')).toBeNull();
    expect(restoreNameProblem('a/b')).toContain('path separator');
    expect(restoreNameProblem('a\\b')).toContain('path separator');
    expect(restoreNameProblem('..')).toContain('names a folder');
    expect(restoreNameProblem('.hidden')).toContain('not one a backup writes');
    expect(restoreNameProblem(42)).toBe('a file name is not a string');
    expect(restoreNameProblem('NUL.txt', 'win32')).toContain('Windows device name');
    expect(restoreNameProblem('NUL.txt', 'linux')).toBeNull();
  });

  it('restoredFileMode keeps at most rw-rw-rw- less the umask', () => {
    expect(restoredFileMode(0o4777, 0o022)).toBe(0o644);
    expect(restoredFileMode(0o600, 0o077)).toBe(0o600);
    expect(restoredFileMode(0o666, 0o000)).toBe(0o666);
  });

  it('targetPathIn gives a direct child of the root; a name that escapes is CORRUPT naming the manifest', () => {
    expect(targetPathIn('/restore/here', 'disk.raw', 'm.json')).toBe('/restore/here/disk.raw');
    expect(() => targetPathIn('/restore/here', '../disk.raw', 'point-manifest.json'))
      .toThrow(expect.objectContaining({
        code: ErrorCodes.CORRUPT, message: expect.stringContaining('point-manifest.json'),
      }));
  });

  it('existingTargets lists files already there, a dangling symlink included', async () => {
    const dir = makeTempDir('labvault-restore-target-');
    try {
      writeFileSync(join(dir, 'a.raw'), 'x');
      symlinkSync(join(dir, 'missing'), join(dir, 'b.raw'));
      const files: ManifestFile[] = ['a.raw', 'b.raw', 'c.raw'].map((path) => ({
        path, role: 'disk', mode: 0o644, mtimeMs: 0, size: 1, indexId: 'i', digest: 'd', digestKind: 'chunk-list',
      }));
      expect(await existingTargets(dir, files)).toEqual([join(dir, 'a.raw'), join(dir, 'b.raw')]);
      expect(statSync(join(dir, 'a.raw')).isFile()).toBe(true);
    } finally {
      removeDir(dir);
    }
  });
});
