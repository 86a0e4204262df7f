import { describe, it, expect, afterEach } from 'vitest';
import { writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { spawnSync } from 'node:child_process';
import { deterministicBytes } from '../../support/disk-fixtures.ts';
import { makeVault, backupPoint, restoreAndCompare, TEST_CHUNK } from './store-test-kit.ts';
import type { TestVault } from './store-test-kit.ts';

let vault: TestVault | undefined;
afterEach(() => vault?.cleanup());

function deadPid(): number {
  // A process that has exited: its pid is free (reuse within the test is very unlikely).
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString());
}

describe('garbage collection and locks', () => {
  it('GC waits for a running writer and never removes a chunk the writer references', async () => {
    vault = await makeVault();
    const { dir, store } = vault;
    const old = join(dir, 'old.bin');
    const fresh = join(dir, 'fresh.bin');
    const shared = deterministicBytes(50 * TEST_CHUNK, 1);
    writeFileSync(old, Buffer.concat([shared, deterministicBytes(20 * TEST_CHUNK, 2)]));
    writeFileSync(fresh, Buffer.concat([shared, deterministicBytes(20 * TEST_CHUNK, 3)]));
    await backupPoint(store, 'vm1', 'p1', [old]);
    // p1 goes away: its chunks are unreferenced, but the writer below reuses 50 of them.
    await store.deleteManifest('vm1', 'p1');
    const writer = await store.beginWrite('concurrent backup');
    const backup = store.backupFile({ sourcePath: fresh });
    await expect(store.gc()).rejects.toMatchObject({ code: 'VAULT_LOCKED' });
    const gc = store.gc({ waitMs: 30_000 });
    const result = await backup;
    expect(result.chunksReused).toBe(50);
    await store.commitPoint({ itemId: 'vm1', pointId: 'p2', createdAt: new Date().toISOString(), files: [{ path: 'fresh.bin', role: 'disk', size: result.bytesRead, mode: 0o644, mtimeMs: 0, indexId: result.indexId, digest: result.indexId, digestKind: 'chunk-list' }] });
    await writer.release();
    const swept = await gc;
    expect(swept.chunksRemoved).toBe(20);
    expect((await store.verify({ readData: true })).ok).toBe(true);
    await restoreAndCompare(store, 'vm1', 'p2', dir, { 'fresh.bin': fresh });
  });

  it('a writer cannot start while GC holds the exclusive lock', async () => {
    vault = await makeVault();
    const { store } = vault;
    const held = await store.lock.acquireExclusive({ purpose: 'garbage collection' });
    const error = await store.beginWrite('backup').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'VAULT_LOCKED' });
    expect(String((error as Error).message)).toContain(`process ${process.pid} on ${hostname()}`);
    await held.release();
    const writer = await store.beginWrite('backup');
    await writer.release();
  });

  it('clears stale locks of dead processes with a log line, keeps live and foreign-host ones', async () => {
    vault = await makeVault();
    const { store } = vault;
    const lockPath = join(store.dir, 'data', 'lock');
    const pid = deadPid();
    writeFileSync(lockPath, JSON.stringify({ kind: 'exclusive', pid, hostname: hostname(), startedAt: '2026-01-01T00:00:00Z', purpose: 'gc' }));
    writeFileSync(join(store.dir, 'data', 'locks', `${pid}-dead`), JSON.stringify({ kind: 'shared', pid, hostname: hostname(), startedAt: '2026-01-01T00:00:00Z', purpose: 'backup' }));
    writeFileSync(join(store.dir, 'data', 'locks', 'item-vm1-transfer.lock'), JSON.stringify({ pid, host: hostname(), purpose: 'phase lock' }));
    const writer = await store.beginWrite('backup');
    await writer.release();
    expect(vault.logs.some((line) => line.includes('stale') && line.includes(String(pid)))).toBe(true);
    await store.gc();
    expect(readdirSync(join(store.dir, 'data', 'locks'))).toEqual([]);
    writeFileSync(lockPath, JSON.stringify({ kind: 'exclusive', pid: 1, hostname: 'other-host', startedAt: '2026-01-01T00:00:00Z', purpose: 'gc' }));
    await expect(store.beginWrite('backup')).rejects.toMatchObject({ code: 'VAULT_LOCKED', details: { hostname: 'other-host', pid: 1 } });
  });

  it('GC removes orphan indexes and temp files, and respects the grace period', async () => {
    vault = await makeVault();
    const { dir, store } = vault;
    const a = join(dir, 'a.bin');
    writeFileSync(a, deterministicBytes(10 * TEST_CHUNK, 1));
    const writer = await store.beginWrite('orphans');
    await store.backupFile({ sourcePath: a });
    await writer.release();
    writeFileSync(join(store.dir, 'data', 'tmp', '.tmp-chunk-leftover'), 'x');
    const graced = await store.gc({ graceMs: 3_600_000 });
    expect(graced).toMatchObject({ chunksRemoved: 0, chunksKept: 10, indexesRemoved: 0, tmpFilesRemoved: 1 });
    const future = Date.now() + 7_200_000;
    const result = await store.gc({ now: future, graceMs: 3_600_000 });
    expect(result).toMatchObject({ chunksRemoved: 10, chunksKept: 0, indexesRemoved: 1 });
    expect(result.bytesFreed).toBeGreaterThan(10 * TEST_CHUNK);
  });
});
