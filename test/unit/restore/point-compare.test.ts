/**
 * Comparing two points on a real vault: a disk with one changed byte between two backups, a file
 * added to the item, a point compared with itself or with another item's point refused.
 */
import { openSync, writeSync, closeSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../../shared/errors.ts';
import { listPointRows } from '../../../electron/engine/backup/point-record.ts';
import { changedChunkBytes } from '../../../electron/engine/restore/point-compare.ts';
import { FixedIndex } from '../../../electron/engine/vault/store/index.ts';
import { FIXTURE_ITEM, useEngineFixture } from '../../support/engine-fixture.ts';
import { deterministicBytes } from '../../support/disk-fixtures.ts';

const makeFixture = useEngineFixture();
const MIB = 1024 * 1024;

describe('comparing two points', () => {
  it('names the changed disk with the bytes of its changed chunks, an added file, and unchanged ones', async () => {
    const f = await makeFixture({ diskBytes: 8 * MIB + 77 });
    const backup = async () => {
      f.clock.advance(60_000);
      expect((await (await f.engine.backups.start(FIXTURE_ITEM)).done).status).toBe('completed');
    };
    const extra = join(f.root, 'notes.txt');
    writeFileSync(extra, deterministicBytes(5000, 3));
    await backup();
    // One byte changed 3 MiB into the disk; a second file added to the item.
    const fd = openSync(f.diskPath, 'r+');
    writeSync(fd, Buffer.from([0xee]), 0, 1, 3 * MIB + 5);
    closeSync(fd);
    await f.engine.handlers.items.updateFiles({ item: FIXTURE_ITEM, files: [f.diskPath, extra] });
    await backup();
    await backup();
    const item = (await f.engine.protection.resolve(FIXTURE_ITEM)).record;
    const [third, second, first] = listPointRows(await f.session(), item.id).map((point) => point.id);

    const compared = await f.engine.handlers.points.compare({ item: FIXTURE_ITEM, from: first!, to: second! });
    expect(compared.from.id).toBe(first);
    expect(compared.to.id).toBe(second);
    const disk = compared.files.find((file) => file.name === 'disk.raw');
    const store = await f.engine.keyring.store(await f.session());
    const manifest = await store.readManifest(item.id, second!);
    const index = await store.readIndex(manifest.files.find((file) => file.path === 'disk.raw')!.indexId);
    expect(disk).toMatchObject({ change: 'changed', changedBytes: index.chunkSize });
    expect(disk!.from!.digest).not.toBe(disk!.to!.digest);
    expect(disk!.from!.size).toBe(8 * MIB + 77);
    const added = compared.files.find((file) => file.name === 'notes.txt');
    expect(added).toMatchObject({ change: 'added', to: { size: 5000 } });
    expect(added!.from).toBeUndefined();

    const reversed = await f.engine.handlers.points.compare({ item: FIXTURE_ITEM, from: second!, to: first! });
    expect(reversed.files.find((file) => file.name === 'notes.txt')).toMatchObject({ change: 'removed', from: { size: 5000 } });

    const unchanged = await f.engine.handlers.points.compare({ item: FIXTURE_ITEM, from: second!, to: third! });
    expect(unchanged.files.map((file) => file.change)).toEqual(['same', 'same']);

    await expect(f.engine.handlers.points.compare({ item: FIXTURE_ITEM, from: first!, to: first! }))
      .rejects.toMatchObject({ code: ErrorCodes.INVALID_INPUT });
    await expect(f.engine.handlers.points.compare({ item: FIXTURE_ITEM, from: first!, to: 'nope' }))
      .rejects.toMatchObject({ code: ErrorCodes.NOT_FOUND, field: 'to' });
  });

  it('changedChunkBytes counts differing chunks (a short last one by its length) and gives up on other chunk counts', () => {
    const a = new FixedIndex(4, 10);
    const b = new FixedIndex(4, 10);
    expect(changedChunkBytes(a, b)).toBe(0);
    b.setId(2, Buffer.alloc(32, 1));
    expect(changedChunkBytes(a, b)).toBe(2);
    b.setId(0, Buffer.alloc(32, 2));
    expect(changedChunkBytes(a, b)).toBe(6);
    expect(changedChunkBytes(a, new FixedIndex(4, 13))).toBeUndefined();
  });
});
