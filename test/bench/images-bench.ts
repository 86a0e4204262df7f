/**
 * Disk image export benchmark (not a test): `node test/bench/images-bench.ts [GiB]`.
 *
 * Builds a sparse raw disk (default 4 GiB: 1 MiB of data then a 1 MiB hole, so 50% holes),
 * converts it to qcow2 with qemu-img, then times in the same run:
 *   - labvault: exportDiskImage(qcow2 -> raw)
 *   - qemu-img convert -O raw
 * and checks the two outputs are identical. Prints the figures and the ratio (target <= 1.2).
 * Everything lives in a temp dir removed at the end. Set LABVAULT_BENCH_DIR to pick the dir.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, ftruncateSync, writeSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { deterministicBytes } from '../support/disk-fixtures.ts';
import { exportDiskImage } from '../../electron/engine/disk/open-disk-image.ts';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed with ${result.status}`);
}

function buildSparseRaw(path: string, size: number): void {
  const block = deterministicBytes(MiB, 42);
  const fd = openSync(path, 'w');
  try {
    ftruncateSync(fd, size);
    for (let offset = 0, index = 0; offset < size; offset += 2 * MiB, index += 1) {
      block.writeUInt32LE(index, 0);
      writeSync(fd, block, 0, Math.min(MiB, size - offset), offset);
    }
  } finally {
    closeSync(fd);
  }
}

function timed(label: string, action: () => Promise<void> | void): Promise<number> {
  const start = process.hrtime.bigint();
  return Promise.resolve(action()).then(() => {
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    console.log(`${label.padEnd(34)} ${seconds.toFixed(2)} s`);
    return seconds;
  });
}

function sameFiles(a: string, b: string): boolean {
  return spawnSync('cmp', ['-s', a, b]).status === 0;
}

async function main(): Promise<void> {
  const size = Number(process.argv[2] ?? '4') * GiB;
  const dir = mkdtempSync(join(process.env.LABVAULT_BENCH_DIR ?? tmpdir(), 'labvault-images-bench-'));
  try {
    const raw = join(dir, 'source.raw');
    const qcow2 = join(dir, 'source.qcow2');
    await timed('build sparse raw', () => buildSparseRaw(raw, size));
    await timed('qemu-img convert raw -> qcow2', () => run('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', raw, qcow2]));
    rmSync(raw);
    console.log(`qcow2: virtual ${size / GiB} GiB, file ${(statSync(qcow2).size / GiB).toFixed(2)} GiB`);
    const ours = join(dir, 'labvault.raw');
    const theirs = join(dir, 'qemu.raw');
    // Warm the page cache equally for both: the first reader would otherwise pay for it.
    run('cat', [qcow2]);
    // Three rounds, the order swapped each round, best of each, so neither side gains from
    // going second; `sync` before each timed step so neither pays for the other's writeback.
    let qemuSeconds = Infinity;
    let ourSeconds = Infinity;
    let identical = true;
    const runQemu = async (round: number): Promise<void> => {
      run('sync', []);
      qemuSeconds = Math.min(qemuSeconds, await timed(`round ${round}: qemu-img convert -O raw`, () => run('qemu-img', ['convert', '-f', 'qcow2', '-O', 'raw', qcow2, theirs])));
    };
    const runOurs = async (round: number): Promise<void> => {
      run('sync', []);
      ourSeconds = Math.min(ourSeconds, await timed(`round ${round}: labvault export -> raw`, () => exportDiskImage(qcow2, ours)));
    };
    for (let round = 1; round <= 3; round += 1) {
      rmSync(ours, { force: true });
      rmSync(theirs, { force: true });
      if (round % 2 === 1) { await runQemu(round); await runOurs(round); } else { await runOurs(round); await runQemu(round); }
      identical &&= sameFiles(ours, theirs);
    }
    console.log(`outputs identical: ${identical}`);
    const ratio = ourSeconds / qemuSeconds;
    console.log(`ratio labvault / qemu-img: ${ratio.toFixed(2)} (target <= 1.20) ${ratio <= 1.2 ? 'OK' : 'SLOWER THAN TARGET'}`);
    console.log(`throughput: labvault ${((size / MiB) / ourSeconds).toFixed(0)} MiB/s virtual, qemu-img ${((size / MiB) / qemuSeconds).toFixed(0)} MiB/s virtual`);
    console.log(`load average (1 min) at the end: ${loadavg()[0]!.toFixed(1)} on this machine (timings are noisy when it is busy)`);
    if (!identical) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
