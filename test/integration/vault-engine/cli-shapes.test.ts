/**
 * The JSON the CLI prints for jobs and points, "Backup now" retain-until validation
 * (exit 2 naming the field), and `backup --no-wait` handing back a job id that completes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Job, Point } from '../../../shared/contract/item-models.ts';
import { Lab, MIB, TRANSFER, writeRandomFile } from './vault-engine-kit.ts';

const lab = new Lab('shapes');
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function dayFromNow(days: number): string {
  const date = new Date(Date.now() + days * 86_400_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

beforeAll(async () => {
  await writeRandomFile(join(lab.vmDir, 'disk.raw'), 3 * MIB);
  await lab.createVault('shapes');
  await lab.protect('shapes', 'vm-s', [join(lab.vmDir, 'disk.raw')]);
});

afterAll(() => lab.remove());

describe('CLI JSON shapes', () => {
  it('jobs show ID --json and points list ITEM --json', async () => {
    const retainUntil = dayFromNow(10);
    const done = await lab.backup('vm-s', ['--retain-until', retainUntil]);
    const job = await lab.cliJson<Job>(['jobs', 'show', done.id]);
    expect(job).toMatchObject({
      id: done.id,
      item: 'vm-s',
      operation: 'backup',
      status: 'completed',
      startedAt: expect.stringMatching(ISO),
      endedAt: expect.stringMatching(ISO),
    });
    expect(job.error).toBeUndefined();
    expect(job.subtasks.map((subtask) => subtask.name)).toEqual(['Snapshot', TRANSFER, 'Test restore']);
    for (const subtask of job.subtasks) {
      expect(subtask).toMatchObject({ status: 'completed', startedAt: expect.stringMatching(ISO), endedAt: expect.stringMatching(ISO) });
    }
    expect(job.subtasks[1]).toMatchObject({ bytesRead: 3 * MIB, bytesWritten: expect.any(Number), bytesDeduplicated: 0 });

    const points = await lab.points('vm-s');
    expect(points).toHaveLength(1);
    const point = points[0] as Point;
    expect(point).toMatchObject({
      id: job.pointId,
      createdAt: expect.stringMatching(ISO),
      consistency: 'crash-consistent',
      tiers: ['vault'],
      expiresAt: expect.stringMatching(ISO),
      logicalBytes: 3 * MIB,
      storedBytes: expect.any(Number),
    });
    // Kept until the end of the chosen (local) day.
    const expires = new Date(point.expiresAt as string);
    expect(dayFromNow(0) < retainUntil).toBe(true);
    expect(`${expires.getFullYear()}-${String(expires.getMonth() + 1).padStart(2, '0')}-${String(expires.getDate()).padStart(2, '0')}`).toBe(retainUntil);
  });

  it('a failed job shows its error: { code, message }', async () => {
    const missing = join(lab.vmDir, 'gone.raw');
    await writeRandomFile(missing, 4096);
    await lab.protect('shapes', 'vm-gone', [missing]);
    rmSync(missing);
    const result = await lab.cli(['backup', 'vm-gone', '--json']);
    expect(result.code).toBe(1);
    const job = await lab.cliJson<Job>(['jobs', 'show', result.json<Job>().id]);
    expect(job.status).toBe('failed');
    expect(job.error).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining(missing) });
    expect(job.endedAt).toMatch(ISO);
  });
});

describe('backup --retain-until validation', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['in the past', '2020-01-01', /in the past/],
    ['not a real date', '2027-02-30', /not a real date/],
    ['not a date at all', 'next-week', /YYYY-MM-DD/],
    ['more than 99 years ahead', dayFromNow(365 * 100), /99 years/],
  ];
  it.each(cases)('%s -> exit 2 naming the field', async (_label, value, message) => {
    const result = await lab.cli(['backup', 'vm-s', '--retain-until', value]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/INVALID_INPUT/);
    expect(result.stderr).toMatch(/retain-?until/i);
    expect(result.stderr).toMatch(message);
  });

  it('is checked before a --no-wait job is detached', async () => {
    const result = await lab.cli(['backup', 'vm-s', '--no-wait', '--retain-until', '1999-12-31']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/retain-?until/i);
  });
});

describe('backup --no-wait', () => {
  it('prints a job id that later completes with a point', async () => {
    const before = (await lab.points('vm-s')).length;
    const started = await lab.cli(['backup', 'vm-s', '--no-wait']);
    expect(started.code).toBe(0);
    const jobId = started.stdout.trim();
    expect(jobId).toMatch(/^[0-9a-f-]{36}$/);
    let job: Job | undefined;
    for (let poll = 0; poll < 120; poll += 1) {
      job = await lab.cliJson<Job>(['jobs', 'show', jobId]);
      if (job.status !== 'queued' && job.status !== 'in-progress') break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(job?.status).toBe('completed');
    expect(job?.pointId).toBeTruthy();
    expect((await lab.points('vm-s')).length).toBe(before + 1);
  });
});
