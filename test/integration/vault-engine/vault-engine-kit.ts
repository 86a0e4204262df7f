/**
 * Shared set-up for the vault engine integration tests: a temp "lab" (app home, VM folder,
 * vault folder) driven through the real CLI, plus file makers and comparers that stream
 * (the files here reach 128 MiB).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdirSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Job, Point } from '../../../shared/contract/item-models.ts';
import { makeTempDir } from '../../support/disk-fixtures.ts';
import { runCli, runCliJson, type CliOptions, type CliResult } from '../../support/cli-runner.ts';

export const MIB = 1024 * 1024;
export const TRANSFER = 'Transfer data to vault';

export class Lab {
  readonly dir: string;
  readonly home: string;
  readonly vmDir: string;

  constructor(prefix: string, root?: string) {
    this.dir = root ?? makeTempDir(`labvault-${prefix}-`);
    this.home = join(this.dir, 'home');
    this.vmDir = join(this.dir, 'vm');
    mkdirSync(this.vmDir, { recursive: true });
  }

  cli(args: string[], options?: CliOptions): Promise<CliResult> {
    return runCli(this.home, args, options);
  }

  cliJson<T = unknown>(args: string[], options?: CliOptions): Promise<T> {
    return runCliJson<T>(this.home, args, options);
  }

  async createVault(name: string, path = join(this.dir, `vault-${name}`)): Promise<string> {
    await this.cliJson(['vault', 'create', '--name', name, '--path', path]);
    return path;
  }

  async protect(vault: string, name: string, files: string[]): Promise<void> {
    await this.cliJson(['protect', '--vault', vault, '--name', name, ...files]);
  }

  /** Backs up and expects success; returns the finished job. */
  async backup(item: string, extra: string[] = []): Promise<Job> {
    const result = await this.cli(['backup', item, ...extra, '--json']);
    const job = result.json<Job>();
    expect(job.status, `backup of ${item}: ${result.stderr}`).toBe('completed');
    expect(result.code).toBe(0);
    return job;
  }

  points(item: string, all = false): Promise<Point[]> {
    return this.cliJson<Point[]>(['points', 'list', item, ...(all ? ['--all'] : [])]);
  }

  /** Restores a point into a new folder under the lab and returns that folder. */
  async restore(item: string, pointId: string, to = join(this.dir, `restore-${pointId}-${randomBytes(3).toString('hex')}`)): Promise<string> {
    const result = await this.cli(['restore', 'disks', item, '--point', pointId, '--to', to, '--json']);
    expect(result.code, `restore of ${item}/${pointId}: ${result.stderr}`).toBe(0);
    expect(result.json<Job>().status).toBe('completed');
    return to;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Writes `size` random bytes in 8 MiB pieces (no holes). */
export async function writeRandomFile(path: string, size: number): Promise<void> {
  const handle = await open(path, 'w');
  try {
    for (let offset = 0; offset < size; offset += 8 * MIB) {
      await handle.write(randomBytes(Math.min(8 * MIB, size - offset)), 0, undefined, offset);
    }
  } finally {
    await handle.close();
  }
}

/** Overwrites `length` bytes at `offset` with random data (the file keeps its size or grows). */
export async function overwriteRandom(path: string, offset: number, length: number): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.write(randomBytes(length), 0, length, offset);
  } finally {
    await handle.close();
  }
}

/** A sparse file: `size` bytes of holes with random `dataLength`-byte islands at the given offsets. */
export async function writeSparseFile(path: string, size: number, islands: number[], dataLength = 64 * 1024): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await handle.truncate(size);
    for (const offset of islands) await handle.write(randomBytes(dataLength), 0, dataLength, offset);
  } finally {
    await handle.close();
  }
}

export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path).on('data', (data) => hash.update(data)).on('end', () => resolve(hash.digest('hex'))).on('error', reject);
  });
}

export async function expectSameFile(actual: string, expected: string): Promise<void> {
  expect(statSync(actual).size, `${actual} size`).toBe(statSync(expected).size);
  expect(await sha256File(actual), `${actual} content`).toBe(await sha256File(expected));
}

/** Bytes the filesystem allocated for a file (st_blocks, 512-byte units). */
export function allocatedBytes(path: string): number {
  return statSync(path).blocks * 512;
}

export function transferOf(job: Job): NonNullable<Job['subtasks'][number]> {
  const transfer = job.subtasks.find((subtask) => subtask.name === TRANSFER);
  if (!transfer) throw new Error(`job ${job.id} has no transfer subtask`);
  return transfer;
}
