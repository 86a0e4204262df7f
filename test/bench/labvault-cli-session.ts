/**
 * Labvault as a user runs it, for the vault bench: the installed `labvault` bin
 * (electron/cli/bin.mjs, which runs the esbuild bundle out/cli/labvault.mjs when it is as
 * new as the sources; the bench builds it first) driven one command per process, with its
 * own LABVAULT_HOME. Each timed command goes through `runTimed`, so
 * wall time, CPU and peak RSS are measured the same way as restic's and borg's.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTimed } from './timed-command.ts';
import type { TimedRun } from './timed-command.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI_BUNDLE = join(ROOT, 'out', 'cli', 'labvault.mjs');
/** The installed command: checks the Node version and runs the bundle when it is current. */
export const CLI_BIN = join(ROOT, 'electron', 'cli', 'bin.mjs');
/** Source trees the CLI bundle is built from; a newer file in them makes the bundle stale. */
const SOURCE_DIRS = ['electron', 'shared'].map((dir) => join(ROOT, dir));
const ITEM = 'bench-vm';
const VAULT = 'bench';
const PASSPHRASE = 'bench passphrase';

function newestMtimeMs(path: string): number {
  let newest = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const full = join(path, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtimeMs(full));
    else if (entry.isFile()) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

/** Builds the bundle (`node build/build.mjs --no-renderer`) when missing or older than its sources. */
export async function ensureCliBundle(): Promise<void> {
  const sources = Math.max(...SOURCE_DIRS.filter((dir) => existsSync(dir)).map(newestMtimeMs));
  if (existsSync(CLI_BUNDLE) && statSync(CLI_BUNDLE).mtimeMs >= sources) return;
  console.log(`  building ${CLI_BUNDLE} (missing or older than electron/ sources)`);
  try {
    await runTimed(process.execPath, [join(ROOT, 'build', 'build.mjs'), '--no-renderer']);
  } catch (error) {
    // build.mjs exits 1 when any part fails; the bench only needs the CLI bundle.
    if (!existsSync(CLI_BUNDLE) || statSync(CLI_BUNDLE).mtimeMs < sources) throw error;
    console.log(`  build reported a failure outside the CLI bundle; the bundle is fresh, going on: ${String(error).slice(0, 300)}`);
  }
}

interface JobJson { status: string; pointId?: string }

export class LabvaultCliSession {
  readonly vaultDir: string;
  private readonly env: Record<string, string>;
  private readonly encrypt: boolean;

  constructor(home: string, vaultDir: string, encrypt: boolean) {
    this.vaultDir = vaultDir;
    this.encrypt = encrypt;
    this.env = { LABVAULT_HOME: home, LABVAULT_PASSPHRASE: PASSPHRASE };
  }

  private run(args: string[]): Promise<TimedRun> {
    return runTimed(process.execPath, [CLI_BIN, ...args], this.env);
  }

  private static checkJob(run: TimedRun, what: string): TimedRun {
    const job = JSON.parse(run.stdout) as JobJson;
    if (job.status !== 'completed') throw new Error(`labvault ${what}: job ended ${job.status}: ${run.stdout.slice(0, 2000)}`);
    return run;
  }

  /** `vault create` then `protect`: untimed setup. */
  async setUp(disk: string): Promise<void> {
    await this.run(['vault', 'create', '--name', VAULT, '--path', this.vaultDir, ...(this.encrypt ? ['--encrypt'] : []), '--json']);
    await this.run(['protect', '--vault', VAULT, '--name', ITEM, disk, '--json']);
  }

  async backup(): Promise<TimedRun> {
    return LabvaultCliSession.checkJob(await this.run(['backup', ITEM, '--json']), `backup ${ITEM}`);
  }

  /** Newest point id from `points list --json` (untimed). */
  async latestPointId(): Promise<string> {
    const points = JSON.parse((await this.run(['points', 'list', ITEM, '--json'])).stdout) as Array<{ id: string }>;
    const newest = points[0];
    if (!newest) throw new Error(`labvault points list ${ITEM}: no points`);
    return newest.id;
  }

  async restore(pointId: string, toDir: string): Promise<TimedRun> {
    return LabvaultCliSession.checkJob(await this.run(['restore', 'disks', ITEM, '--point', pointId, '--to', toDir, '--json']), `restore disks ${ITEM}`);
  }

  /** Chunk bytes the vault reports (`vault stats --json` storedBytes). */
  async statsStoredBytes(): Promise<number> {
    return (JSON.parse((await this.run(['vault', 'stats', VAULT, '--json'])).stdout) as { storedBytes: number }).storedBytes;
  }
}
