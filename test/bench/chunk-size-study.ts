/**
 * Chunk size study for the vault bench (`--chunk-study`): the store API (the CLI has no
 * chunk-size option) backs up a disk, then the same disk after scattered 4 KiB writes, with
 * 256 KiB, 1 MiB and 4 MiB chunks; prints what the second backup stored and took.
 */
import { rmSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scatterSmallWrites, writeBenchDisk } from './bench-disk.ts';
import { runTimed } from './timed-command.ts';

const MIB = 1024 ** 2;
const child = join(dirname(fileURLToPath(import.meta.url)), 'vault-bench-child.ts');

function treeBytes(path: string): number {
  let total = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const full = join(path, entry.name);
    if (entry.isDirectory()) total += treeBytes(full);
    else if (entry.isFile()) total += statSync(full).size;
  }
  return total;
}

export async function chunkSizeStudy(work: string, diskSize: number, settle: () => Promise<void>): Promise<void> {
  const size = Math.min(1024 * MIB, diskSize);
  const writes = 256;
  console.log(`\nChunk size study (store API): ${size / MIB} MiB disk, day 2 = ${writes} scattered 4 KiB writes `
    + `(${(writes * 4096 / MIB).toFixed(1)} MiB changed)`);
  for (const chunkSize of [256 * 1024, 1024 * 1024, 4 * 1024 * 1024]) {
    const dir = join(work, `study-${chunkSize}`);
    const file = join(work, `study-${chunkSize}.raw`);
    await writeBenchDisk(file, size);
    await runTimed(process.execPath, [child, 'backup', dir, file, 'day1', '--chunk-size', String(chunkSize)]);
    const before = treeBytes(join(dir, 'data'));
    await scatterSmallWrites(file, size, writes, 'study');
    await settle();
    const run = await runTimed(process.execPath, [child, 'backup', dir, file, 'day2', '--chunk-size', String(chunkSize)]);
    const delta = treeBytes(join(dir, 'data')) - before;
    console.log(`  chunk ${chunkSize / 1024} KiB: day-2 stored ${(delta / MIB).toFixed(1)} MiB, `
      + `full vault ${(before / MIB).toFixed(1)} MiB, incremental ${run.seconds.toFixed(2)} s`);
    rmSync(dir, { recursive: true, force: true });
    rmSync(file, { force: true });
  }
}
