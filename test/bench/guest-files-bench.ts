/**
 * Guest files bench (`npm run bench -- guest`): files inside a point of a 50 GiB disk, read
 * from the vault cold, against issue 14's targets (first folder listing under 3 s, first
 * 1 MiB file out under 5 s). Not a test.
 *   node test/bench/guest-files-bench.ts [--size 50G] [--files 4000] [--large-mib 32] [--plain] [--keep]
 *
 * Setup, untimed: a generated tree (--files small files in nested folders, a deep folder,
 * one 1 MiB file, three --large-mib files), a sparse raw disk of --size with a GPT table
 * (sfdisk) and one ext4 partition filled by `mkfs.ext4 -d` at the partition's offset
 * (`-E offset=`), then vault create (encrypted unless --plain), protect and backup through
 * the CLI bundle (out/cli/labvault.mjs, rebuilt when older than the sources) in a temp
 * LABVAULT_HOME. Timed: `files parts`, `files ls /`, `files ls` of the deep folder,
 * `files get` of the 1 MiB file (digest checked against the source) and `files history` of
 * it, each as its own process (no in-memory cache) after `sync; echo 3 >
 * /proc/sys/vm/drop_caches` when the bench may write it (root); the table says whether it did.
 * Chunks read are the engine's own figure (`chunksRead`, cache misses of the request) and
 * the engine's `elapsedMs` (vault open, manifest, disks, worker, the walk) beside the wall
 * time, so the rest is process start, catalog open and the item lookup.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTimed } from './timed-command.ts';
import type { TimedRun } from './timed-command.ts';
import { CLI_BUNDLE, ensureCliBundle } from './labvault-cli-session.ts';
import { parseSize } from './bench-size.ts';

const args = process.argv.slice(2);
const numberFlag = (name: string, fallback: number): number => {
  const at = args.indexOf(name);
  const value = at >= 0 ? Number(args[at + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} takes a whole number, not "${args[at + 1]}"`);
  return value;
};
const GIB = 1024 ** 3;
const MIB = 1024 ** 2;
const size = parseSize(args, 50 * GIB);
const smallFiles = numberFlag('--files', 4000);
const largeMiB = numberFlag('--large-mib', 32);
const encrypt = !args.includes('--plain');
const VAULT = 'guest-bench';
const ITEM = 'ext4-vm';
const ONE_MIB_PATH = '/etc/app/settings-1mib.bin';
const DEEP_PATH = '/home/user/projects/labvault/src/engine/guest/ext';
const work = mkdtempSync(join(tmpdir(), 'lv-guest-bench-'));
const tree = join(work, 'tree');
const disk = join(work, 'disk.raw');
const env = { LABVAULT_HOME: join(work, 'home'), LABVAULT_PASSPHRASE: 'guest bench passphrase' };

interface Row { label: string; target?: number; run: TimedRun; dropped: boolean; chunks: string; engineMs: string; result: string }
const rows: Row[] = [];
/** The vault's chunk size (vault show --json): chunks read times this bounds the bytes decoded. */
let chunkSize = 0;

function cli(argv: string[]): Promise<TimedRun> {
  return runTimed(process.execPath, [CLI_BUNDLE, ...argv], env);
}

const json = <T>(stdout: string): T => JSON.parse(stdout) as T;
const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** Drops the page cache (root only); false when this process may not. */
function dropPageCache(): boolean {
  try {
    execFileSync('sync');
    writeFileSync('/proc/sys/vm/drop_caches', '3');
    return true;
  } catch {
    return false;
  }
}

/** The source tree; returns the 1 MiB file's digest. */
function writeTree(): { oneMiBDigest: string; files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  const put = (path: string, data: Buffer): void => {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, data);
    files += 1;
    bytes += data.length;
  };
  const perFolder = 10;
  const folders = Math.ceil(smallFiles / perFolder);
  for (let i = 0; i < smallFiles; i += 1) {
    const folder = Math.floor(i / perFolder);
    const path = join(tree, 'srv', 'data', `d${String(folder % Math.ceil(folders / 10)).padStart(3, '0')}`, `s${folder % 10}`, `file-${i}.txt`);
    put(path, Buffer.from(`${'line of file '.repeat(8)}${i}\n`.repeat(1 + (i % 24))));
  }
  for (let i = 0; i < 60; i += 1) put(join(tree, DEEP_PATH, `source-${String(i).padStart(2, '0')}.ts`), Buffer.from(`export const n${i} = ${i};\n`.repeat(40)));
  const oneMiB = randomBytes(MIB);
  put(join(tree, ONE_MIB_PATH), oneMiB);
  for (let i = 1; i <= 3; i += 1) put(join(tree, 'var', 'lib', 'db', `large-${i}.bin`), randomBytes(largeMiB * MIB));
  return { oneMiBDigest: sha256(oneMiB), files, bytes };
}

/** GPT with one Linux partition from 1 MiB to the end, ext4 in it from the tree. */
function buildDisk(): { offset: number; partitionBytes: number } {
  writeFileSync(disk, '');
  execFileSync('truncate', ['-s', String(size), disk]);
  execFileSync('sfdisk', ['-q', disk], { input: 'label: gpt\nstart=2048, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name=data\n' });
  const table = json<{ partitiontable: { sectorsize?: number; partitions: Array<{ start: number; size: number }> } }>(
    execFileSync('sfdisk', ['--json', disk], { encoding: 'utf8' }));
  const sector = table.partitiontable.sectorsize ?? 512;
  const partition = table.partitiontable.partitions[0]!;
  const offset = partition.start * sector;
  const partitionBytes = partition.size * sector;
  execFileSync('mkfs.ext4', ['-q', '-F', '-L', 'benchroot', '-b', '4096', '-E', `offset=${offset}`, '-d', tree, disk,
    String(Math.floor(partitionBytes / 4096))]);
  return { offset, partitionBytes };
}

async function measure(label: string, argv: string[], target: number | undefined,
  read: (run: TimedRun) => { chunks: string; engineMs: string; result: string }): Promise<TimedRun> {
  const dropped = dropPageCache();
  const run = await cli(argv);
  const row = { label, target, run, dropped, ...read(run) };
  rows.push(row);
  console.log(`  ${label}: ${run.seconds.toFixed(2)} s (engine ${row.engineMs} ms), CPU ${run.cpuSeconds.toFixed(2)} s, `
    + `peak RSS ${run.peakRssMiB.toFixed(0)} MiB, ${row.chunks} chunks read; ${row.result}`);
  return run;
}

function printTable(): void {
  const head = ['command (own process, cold)', 'wall s', 'target', 'engine ms', 'CPU s', 'peak RSS MiB', 'chunks read (decoded)', 'page cache', 'result'];
  const lines = rows.map((row) => [row.label, row.run.seconds.toFixed(2),
    row.target === undefined ? '' : `< ${row.target} s ${row.run.seconds < row.target ? 'met' : 'MISSED'}`,
    row.engineMs, row.run.cpuSeconds.toFixed(2), row.run.peakRssMiB.toFixed(0), chunksText(row.chunks), row.dropped ? 'dropped' : 'not dropped', row.result]);
  const all = [head, ...lines];
  const widths = head.map((_, i) => Math.max(...all.map((line) => line[i]!.length)));
  for (const [n, line] of all.entries()) {
    console.log(`| ${line.map((value, i) => value.padEnd(widths[i]!)).join(' | ')} |`);
    if (n === 0) console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  }
}

/** "5 (<= 5 MiB)": chunks read and the most they decode to. */
function chunksText(chunks: string): string {
  const count = Number(chunks);
  return Number.isInteger(count) && chunkSize > 0 ? `${count} (<= ${((count * chunkSize) / MIB).toFixed(0)} MiB)` : chunks;
}

/** "N entries ... ; C chunks read from the vault in M ms." as `files ls` prints it on stderr. */
function listFigures(stderr: string): { chunks: string; engineMs: string; result: string } {
  const match = /(\d+) chunks read from the vault in (\d+) ms/.exec(stderr);
  return { chunks: match?.[1] ?? '?', engineMs: match?.[2] ?? '?', result: `${/^(\d+) entries/m.exec(stderr)?.[1] ?? '?'} entries` };
}

async function main(): Promise<void> {
  await ensureCliBundle();
  const loadStart = loadavg();
  console.log(`Guest files bench: a ${(size / GIB).toFixed(0)} GiB sparse disk (GPT, one ext4 partition) in ${work}; `
    + `load average ${loadStart.map((l) => l.toFixed(1)).join(' ')}`);
  const source = writeTree();
  const layout = buildDisk();
  const allocated = Number(execFileSync('du', ['-s', '--block-size=1', disk], { encoding: 'utf8' }).split(/\s/)[0]);
  console.log(`  tree: ${source.files} files, ${(source.bytes / MIB).toFixed(0)} MiB; disk: partition at ${layout.offset} bytes, `
    + `${(layout.partitionBytes / GIB).toFixed(1)} GiB, ${(allocated / MIB).toFixed(0)} MiB allocated`);
  await cli(['vault', 'create', '--name', VAULT, '--path', join(work, 'vault'), ...(encrypt ? ['--encrypt'] : []), '--json']);
  chunkSize = json<{ chunkSize: number }>((await cli(['vault', 'show', VAULT, '--json'])).stdout).chunkSize;
  await cli(['protect', '--vault', VAULT, '--name', ITEM, disk, '--json']);
  const backup = await cli(['backup', ITEM, '--json']);
  if (json<{ status: string }>(backup.stdout).status !== 'completed') throw new Error(`backup: ${backup.stdout.slice(0, 2000)}`);
  console.log(`  backup: ${backup.seconds.toFixed(1)} s, peak RSS ${backup.peakRssMiB.toFixed(0)} MiB (untimed setup)`);
  const point = json<Array<{ id: string }>>((await cli(['points', 'list', ITEM, '--json'])).stdout)[0]?.id;
  if (point === undefined) throw new Error('no point after the backup');

  await measure('points list --json (floor: process, catalog open; no guest read)', ['points', 'list', ITEM, '--json'], undefined,
    (run) => ({ chunks: '-', engineMs: '-', result: `${json<unknown[]>(run.stdout).length} point` }));
  await measure('files parts --json', ['files', 'parts', ITEM, '--point', point, '--json'], undefined, (run) => {
    const parts = json<{ disks: Array<{ table: string; volumes: Array<{ id: string; filesystem: string }> }>; chunksRead: number; elapsedMs: number }>(run.stdout);
    const volumes = parts.disks.flatMap((d) => d.volumes.map((v) => `${d.table} ${v.id} ${v.filesystem}`));
    return { chunks: String(parts.chunksRead), engineMs: String(parts.elapsedMs), result: volumes.join(', ') };
  });
  await measure('files ls / (first listing)', ['files', 'ls', ITEM, '--point', point, '/'], 3, (run) => listFigures(run.stderr));
  await measure(`files ls ${DEEP_PATH}`, ['files', 'ls', ITEM, '--point', point, DEEP_PATH], 3, (run) => listFigures(run.stderr));
  const out = join(work, 'out');
  await measure(`files get ${ONE_MIB_PATH} (first file out)`, ['files', 'get', ITEM, '--point', point, ONE_MIB_PATH, '--to', out, '--json'], 5, (run) => {
    const got = json<{ items: Array<{ target: string; type: string }>; chunksRead: number; elapsedMs: number }>(run.stdout);
    const file = got.items.find((item) => item.type === 'file');
    const same = file !== undefined && sha256(readFileSync(file.target)) === source.oneMiBDigest;
    if (!same) throw new Error(`files get: the 1 MiB file's digest differs from the source (${run.stdout.slice(0, 500)})`);
    return { chunks: String(got.chunksRead), engineMs: String(got.elapsedMs), result: 'sha256 equals the source' };
  });
  await measure(`files history ${ONE_MIB_PATH}`, ['files', 'history', ITEM, ONE_MIB_PATH, '--json'], undefined, (run) => {
    const history = json<{ versions: Array<{ sha256?: string }> }>(run.stdout);
    const same = history.versions.length === 1 && history.versions[0]?.sha256 === source.oneMiBDigest;
    if (!same) throw new Error(`files history: expected one version with the source digest: ${run.stdout.slice(0, 500)}`);
    return { chunks: 'n/a', engineMs: 'n/a', result: '1 version, sha256 equals the source' };
  });

  const dropped = rows.every((row) => row.dropped);
  console.log(`\nGuest files: a ${(size / GIB).toFixed(0)} GiB disk (GPT, ext4, ${source.files} files, ${(source.bytes / MIB).toFixed(0)} MiB), `
    + `${encrypt ? 'encrypted' : 'plain'} vault, ${(chunkSize / 1024).toFixed(0)} KiB chunks; each command its own process (the CLI bundle), page cache ${dropped ? 'dropped before each' : 'NOT dropped (not root)'}\n`);
  printTable();
  console.log(`\nConditions: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), shared with other work; load average at start `
    + `${loadStart.map((l) => l.toFixed(1)).join(' ')}, at end ${loadavg().map((l) => l.toFixed(1)).join(' ')}; node ${process.version}; `
    + `vault in ${tmpdir()}; engine ms = the request inside the engine (vault open, manifest, disks, worker start, the walk); `
    + `wall minus engine = process start, catalog open, item lookup; peak RSS from /usr/bin/time -v.`);
}

try {
  await main();
} finally {
  if (!args.includes('--keep')) rmSync(work, { recursive: true, force: true });
}
