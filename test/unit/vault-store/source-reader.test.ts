/**
 * SourceReader: spans read in file order with reads in flight ahead of the caller; a file
 * shorter than its spans ends the reading at its end, and every buffer of a read the caller
 * never took goes back to the pool. With a direct (O_DIRECT) handle and page-aligned buffers,
 * aligned reads go around the page cache and the rest through it, the same bytes either way;
 * misaligned buffers make the first direct read fail and every read fall back to buffered.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { closeSync, constants, openSync, writeFileSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '../../support/disk-fixtures.ts';
import { BufferPool } from '../../../electron/engine/vault/store/buffer-pool.ts';
import { alignedSharedBuffers } from '../../../electron/engine/vault/store/aligned-buffers.ts';
import { SourceReader } from '../../../electron/engine/vault/store/source-reader.ts';
import { StageProfile } from '../../../electron/engine/vault/store/stage-profile.ts';

const dir = makeTempDir('labvault-source-reader-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function drain(reader: SourceReader, pool: BufferPool): Promise<Array<[number, number, Buffer]>> {
  const reads: Array<[number, number, Buffer]> = [];
  for (let read = await reader.next(); read !== null; read = await reader.next()) {
    reads.push([read.position, read.filled, Buffer.from(read.buffer.subarray(0, read.filled))]);
    pool.release(read.buffer);
    if (read.filled < read.want) break;
  }
  await reader.close();
  return reads;
}

/** Every buffer is back in the pool: all of them can be taken again at once. */
async function allFree(pool: BufferPool, count: number): Promise<boolean> {
  const taken = await Promise.race([
    Promise.all(Array.from({ length: count }, () => pool.acquire())),
    new Promise<null>((resolve) => setTimeout(() => resolve(null), 200)),
  ]);
  return taken !== null;
}

describe('SourceReader', () => {
  const data = randomBytes(10 * 4096 + 100);
  const path = join(dir, 'source.bin');
  writeFileSync(path, data);

  it.each([1, 2, 3])('reads spans in order with %i reads in flight, gaps left out', async (depth) => {
    const handle = await open(path, 'r');
    const pool = new BufferPool(4, 8192);
    const spans = [{ start: 0, end: 8192 }, { start: 16384, end: 32768 }, { start: 36864, end: data.length }];
    const reads = await drain(new SourceReader({
      handle, sourcePath: path, pool, spans, bufferSize: 8192, depth, profile: new StageProfile(),
    }), pool);
    await handle.close();
    expect(reads.map(([position, filled]) => [position, filled])).toEqual([[0, 8192], [16384, 8192], [24576, 8192], [36864, 4196]]);
    for (const [position, filled, bytes] of reads) expect(bytes.equals(data.subarray(position, position + filled))).toBe(true);
    expect(await allFree(pool, 4)).toBe(true);
  });

  it('a file shorter than its span ends at its end; reads started past it are released', async () => {
    const handle = await open(path, 'r');
    const pool = new BufferPool(4, 8192);
    const reads = await drain(new SourceReader({
      handle, sourcePath: path, pool, spans: [{ start: 0, end: Number.POSITIVE_INFINITY }], bufferSize: 8192, depth: 3,
      profile: new StageProfile(),
    }), pool);
    await handle.close();
    expect(reads.map(([, filled]) => filled).reduce((a, b) => a + b, 0)).toBe(data.length);
    expect(reads.at(-1)![1]).toBeLessThan(8192);
    expect(await allFree(pool, 4)).toBe(true);
  });

  it('a read error is a typed IO error naming the file, and the buffers come back', async () => {
    const handle = await open(path, 'r');
    await handle.close(); // reading a closed handle fails
    const pool = new BufferPool(2, 8192);
    const reader = new SourceReader({
      handle, sourcePath: path, pool, spans: [{ start: 0, end: 32768 }], bufferSize: 8192, profile: new StageProfile(),
    });
    await expect(reader.next()).rejects.toMatchObject({ message: expect.stringContaining(path) as unknown });
    await reader.close();
    expect(await allFree(pool, 2)).toBe(true);
  });

  describe('direct reads', () => {
    const spans = [{ start: 0, end: 8192 }, { start: 16384, end: 32768 }, { start: 36864, end: Number.POSITIVE_INFINITY }];
    /** Whether this test folder's filesystem takes O_DIRECT (ext4, XFS, btrfs do; tmpfs before Linux 6.6 does not). */
    const directSupported = (() => {
      try {
        closeSync(openSync(path, constants.O_RDONLY | constants.O_DIRECT));
        return true;
      } catch {
        return false;
      }
    })();

    async function readAll(buffers: Buffer[]): Promise<{ reads: Array<[number, number, Buffer]>; direct: number }> {
      const handle = await open(path, 'r');
      const direct = directSupported ? await open(path, constants.O_RDONLY | constants.O_DIRECT) : undefined;
      const pool = new BufferPool(buffers.length, 8192, buffers);
      const reader = new SourceReader({
        handle, sourcePath: path, pool, spans, bufferSize: 8192, depth: 2, profile: new StageProfile(), direct,
      });
      const reads = await drain(reader, pool);
      await handle.close();
      await direct?.close();
      expect(await allFree(pool, buffers.length)).toBe(true);
      return { reads, direct: reader.bytesDirect };
    }

    function expectFileBytes(reads: Array<[number, number, Buffer]>): void {
      expect(reads.map(([position, filled]) => [position, filled])).toEqual([[0, 8192], [16384, 8192], [24576, 8192], [36864, 4196]]);
      for (const [position, filled, bytes] of reads) expect(bytes.equals(data.subarray(position, position + filled))).toBe(true);
    }

    it('aligned buffers: every aligned read goes around the page cache, the same bytes', async () => {
      const buffers = alignedSharedBuffers(4, 8192);
      expect(buffers).not.toBeNull();
      for (const buffer of buffers!) {
        expect(buffer.buffer).toBeInstanceOf(SharedArrayBuffer);
        expect(buffer.length).toBe(8192);
      }
      const { reads, direct } = await readAll(buffers!);
      expectFileBytes(reads);
      // Every byte read, the file's last 4196 too (a direct read that ends short at the end of the file).
      const bytesRead = reads.reduce((sum, [, filled]) => sum + filled, 0);
      expect(direct).toBe(directSupported ? bytesRead : 0);
    });

    it('misaligned buffers: the direct read is refused and every read is buffered, the same bytes', async () => {
      const misaligned = Array.from({ length: 4 }, () => Buffer.from(new SharedArrayBuffer(8192 + 4096), 1, 8192));
      const { reads, direct } = await readAll(misaligned);
      expectFileBytes(reads);
      expect(direct).toBe(0);
    });
  });
});
