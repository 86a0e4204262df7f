/**
 * kill -9 at random moments of a backup and of a GC: the vault must verify clean, every
 * listed point must restore bit-exact, and the next backup must succeed.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { spawn } from 'node:child_process';
import { writeFileSync, copyFileSync, openSync, writeSync, closeSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deterministicBytes } from '../../support/disk-fixtures.ts';
import { makeVault, backupPoint, restoreAndCompare, TEST_CHUNK } from './store-test-kit.ts';
import type { TestVault } from './store-test-kit.ts';

const CHILD = fileURLToPath(new URL('../../support/store-crash-child.ts', import.meta.url));
const FILE_CHUNKS = 160;

let vault: TestVault | undefined;
afterEach(() => vault?.cleanup());

/** Runs the child and SIGKILLs it after `killAfterMs`; resolves with whether it finished first. */
function runAndKill(args: string[], killAfterMs: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') resolve(false);
      else if (code === 0) resolve(/committed|gc done/.test(out));
      else reject(new Error(`child failed (${String(code)}): ${err}`));
    });
  });
}

/** Deterministic delays in [min, max). */
function delays(count: number, min: number, max: number): number[] {
  return Array.from({ length: count }, (_, i) => min + ((i * 7919 + 13) % 97) / 97 * (max - min));
}

function mutate(path: string, round: number): void {
  const fd = openSync(path, 'r+');
  for (let k = 0; k < 40; k += 1) {
    const chunk = (round * 31 + k * 17) % FILE_CHUNKS;
    writeSync(fd, deterministicBytes(TEST_CHUNK, round * 1000 + k + 1), 0, TEST_CHUNK, chunk * TEST_CHUNK);
  }
  closeSync(fd);
}

describe('vault store crash safety (SIGKILL)', () => {
  it('survives 12 killed backups and 4 killed GCs', async () => {
    vault = await makeVault();
    const { dir, store, settings } = vault;
    writeFileSync(join(store.dir, 'vault.json'), JSON.stringify({ store: settings }));
    const src = join(dir, 'disk.raw');
    writeFileSync(src, deterministicBytes(FILE_CHUNKS * TEST_CHUNK, 99));
    await backupPoint(store, 'vm1', 'p0', [src]);
    const versions: Record<string, string> = { p0: join(dir, 'v-p0') };
    copyFileSync(src, versions.p0!);

    let finished = 0;
    for (const [round, delay] of delays(12, 100, 1400).entries()) {
      mutate(src, round + 1);
      const pointId = `c${round}`;
      const copy = join(dir, `v-${pointId}`);
      copyFileSync(src, copy);
      if (await runAndKill(['backup', store.dir, src, 'vm1', pointId], delay)) finished += 1;
      versions[pointId] = copy;
    }
    const report = await store.verify({ readData: true });
    expect(report.problems).toEqual([]);
    const listed = await store.listManifests();
    expect(listed.length).toBeGreaterThanOrEqual(1 + finished);
    for (const ref of listed) await restoreAndCompare(store, 'vm1', ref.pointId, dir, { 'disk.raw': versions[ref.pointId]! });

    // The next backup succeeds (stale writer locks of killed children are cleared).
    mutate(src, 50);
    await backupPoint(store, 'vm1', 'after', [src]);
    console.log(`crash loop: ${finished} of 12 backups finished before SIGKILL; ${listed.length} points listed`);

    // Kill GC at random moments; only unreferenced chunks may ever disappear.
    for (const ref of listed.filter((r) => r.pointId !== 'p0')) await store.deleteManifest('vm1', ref.pointId);
    for (const delay of delays(4, 150, 700)) {
      await runAndKill(['gc', store.dir], delay);
      const after = await store.verify({ readData: true });
      expect(after.problems).toEqual([]);
    }
    await store.gc();
    expect(readdirSync(join(store.dir, 'data', 'locks'))).toEqual([]);
    expect(readdirSync(join(store.dir, 'data', 'tmp')).filter((name) => !name.startsWith('.tmp-lock-'))).toEqual([]);
    expect((await store.verify({ readData: true })).ok).toBe(true);
    await restoreAndCompare(store, 'vm1', 'p0', dir, { 'disk.raw': versions.p0! });
  });
});
