/**
 * SourceReader: spans read in file order with reads in flight ahead of the caller; a file
 * shorter than its spans ends the reading at its end, and every buffer of a read the caller
 * never took goes back to the pool.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { writeFileSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '../../support/disk-fixtures.ts';
import { BufferPool } from '../../../electron/engine/vault/store/buffer-pool.ts';
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
});
