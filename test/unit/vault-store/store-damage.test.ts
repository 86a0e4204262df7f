import { describe, it, expect, afterEach } from 'vitest';
import { writeFileSync, readdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { deterministicBytes } from '../../support/disk-fixtures.ts';
import { makeVault, backupPoint, TEST_CHUNK } from './store-test-kit.ts';
import type { TestVault } from './store-test-kit.ts';

let vault: TestVault | undefined;
afterEach(() => vault?.cleanup());

function chunkFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => e.isDirectory() ? chunkFiles(join(dir, e.name)) : [join(dir, e.name)]);
}

describe('damaged vault data', () => {
  it('a flipped bit in a chunk: verify names the chunk and every affected point; restore fails clearly', async () => {
    vault = await makeVault();
    const { dir, store } = vault;
    const a = join(dir, 'a.bin');
    const b = join(dir, 'b.bin');
    writeFileSync(a, deterministicBytes(4 * TEST_CHUNK, 1));
    writeFileSync(b, deterministicBytes(4 * TEST_CHUNK, 2));
    const p1 = await backupPoint(store, 'vm1', 'p1', [a, b]);
    await backupPoint(store, 'vm1', 'p2', [a]);
    expect((await store.verify()).ok).toBe(true);
    const index = await store.readIndex(p1.files[0]!.indexId);
    const victimId = index.idAt(2).toString('hex');
    const victim = join(store.dir, 'data', 'chunks', victimId.slice(0, 2), victimId);
    const bytes = readFileSync(victim);
    bytes[100]! ^= 0x10;
    writeFileSync(victim, bytes);
    expect((await store.verify()).ok).toBe(true); // structure-only check cannot see content damage
    const report = await store.verify({ readData: true });
    expect(report.ok).toBe(false);
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0]).toMatchObject({ kind: 'chunk-damaged', chunkId: victimId });
    expect(report.problems[0]!.message).toContain(victimId);
    expect(report.affectedPoints.map((p) => `${p.itemId}/${p.pointId}:${p.files.join(',')}`).sort()).toEqual(['vm1/p1:a.bin', 'vm1/p2:a.bin']);
    const out = join(dir, 'restored.bin');
    const error = await store.restoreFile({ index, outPath: out }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CORRUPT' });
    expect(String((error as Error).message)).toContain(victimId);
    expect(String((error as Error).message)).toContain(out);
    expect(existsSync(out)).toBe(false);
    // The undamaged file of the same point still restores.
    await store.restoreFile({ index: await store.readIndex(p1.files[1]!.indexId), outPath: join(dir, 'b-restored.bin') });
    expect(readFileSync(join(dir, 'b-restored.bin')).equals(readFileSync(b))).toBe(true);
  });

  it('a missing chunk and a missing index are reported by a structure verify; GC refuses to sweep', async () => {
    vault = await makeVault();
    const { dir, store } = vault;
    const a = join(dir, 'a.bin');
    writeFileSync(a, deterministicBytes(3 * TEST_CHUNK, 1));
    const p1 = await backupPoint(store, 'vm1', 'p1', [a]);
    rmSync(chunkFiles(join(store.dir, 'data', 'chunks'))[0]!);
    let report = await store.verify();
    expect(report.problems.map((p) => p.kind)).toEqual(['chunk-missing']);
    const indexId = p1.files[0]!.indexId;
    rmSync(join(store.dir, 'data', 'indexes', indexId.slice(0, 2), indexId));
    report = await store.verify();
    expect(report.problems).toMatchObject([{ kind: 'index-missing', manifest: 'vm1/p1', file: 'a.bin', indexId }]);
    await expect(store.gc()).rejects.toMatchObject({ code: 'CORRUPT' });
    expect(chunkFiles(join(store.dir, 'data', 'chunks'))).toHaveLength(2);
  });

  it('a damaged manifest is reported, not thrown', async () => {
    vault = await makeVault();
    const { dir, store } = vault;
    const a = join(dir, 'a.bin');
    writeFileSync(a, deterministicBytes(TEST_CHUNK, 1));
    await backupPoint(store, 'vm1', 'p1', [a]);
    writeFileSync(join(store.dir, 'data', 'manifests', 'vm1', 'p1'), 'garbage');
    const report = await store.verify();
    expect(report.problems).toMatchObject([{ kind: 'manifest-damaged', manifest: 'vm1/p1' }]);
    await expect(store.readManifest('vm1', 'p1')).rejects.toMatchObject({ code: 'CORRUPT' });
  });
});
