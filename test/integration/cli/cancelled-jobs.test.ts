/**
 * Cancelled is its own job state: through the real CLI, `jobs cancel` records who cancelled
 * (the command line), `jobs wait` and `backup` exit 4 for a cancelled job, `jobs show --json`
 * carries job.cancelled and no error; old records (failed + CANCELLED) read as cancelled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Job } from '../../../shared/contract/item-models.ts';
import { ErrorCodes } from '../../../shared/errors.ts';
import { Engine } from '../../../electron/engine/index.ts';
import { saveJobRow } from '../../../electron/engine/jobs/job-catalog.ts';
import { makeTempDir, removeDir } from '../../support/disk-fixtures.ts';
import { runCli, startCli } from '../../support/cli-runner.ts';

let root: string;
let home: string;
let engine: Engine;

beforeAll(async () => {
  root = makeTempDir('labvault-cancelled-');
  home = join(root, 'home');
  engine = new Engine({ face: 'browser', appHome: home });
  await engine.handlers.vaults.create({ name: 'jobs', path: join(root, 'vault') });
});

afterAll(async () => {
  await engine.close();
  removeDir(root);
});

/** A job of this process that only ends when it is cancelled. */
async function startWaitingJob() {
  const session = await engine.vaults.session('jobs');
  const job = engine.jobs.create(session, {
    operation: 'verify', itemId: null, item: null, trigger: 'on-demand', subtasks: ['Verify'],
  });
  return engine.jobs.start(session, job, async (context) => {
    context.begin('Verify');
    await new Promise<void>((_resolve, reject) => {
      context.signal.addEventListener('abort', () => reject(context.signal.reason as Error), { once: true });
    });
  });
}

describe('cancelled jobs through the CLI', () => {
  it('jobs cancel from the CLI records by "cli"; jobs wait exits 4; jobs show --json has no error', async () => {
    const running = await startWaitingJob();
    const waiter = startCli(home, ['jobs', 'wait', running.job.id, '--json']);
    const cancel = await runCli(home, ['jobs', 'cancel', running.job.id, '--json']);
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(cancel.json<Job>()).toMatchObject({ status: 'cancelled', cancelled: { by: 'cli' } });
    const waited = await waiter.result;
    expect(waited.code, waited.stderr).toBe(4);
    const job = waited.json<Job>();
    expect(job.status).toBe('cancelled');
    expect(job.error).toBeUndefined();
    expect(job.cancelled?.message).toMatch(/^Cancelled from the command line\./);
    const shown = await runCli(home, ['jobs', 'show', running.job.id]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/verify of jobs cancelled \(Cancelled from the command line\./);
    expect((await running.done).cancelled?.by).toBe('cli');
    const listed = await runCli(home, ['jobs', 'list', '--status', 'cancelled', '--json']);
    expect(listed.json<Job[]>().map((entry) => entry.id)).toContain(running.job.id);
  });

  it('a contract cancel without `by` records the calling face; jobs wait of a completed job exits 0', async () => {
    const running = await startWaitingJob();
    const cancelled = await engine.handlers.jobs.cancel({ id: running.job.id });
    expect(cancelled.cancelled?.by).toBe('ui');
    const session = await engine.vaults.session('jobs');
    const done = engine.jobs.create(session, { operation: 'gc', itemId: null, item: null, trigger: 'on-demand', subtasks: [] });
    await engine.jobs.start(session, done, async () => undefined).done;
    const waited = await runCli(home, ['jobs', 'wait', done.id, '--timeout', '5']);
    expect(waited.code).toBe(0);
    const help = await runCli(home, ['help']);
    expect(help.stdout).toMatch(/4 the job waited for\s+was cancelled/);
  });

  it('reads an old record (failed with code CANCELLED) as cancelled', async () => {
    const session = await engine.vaults.session('jobs');
    const old: Job = {
      id: '5b0c3f7e-5f0e-4a55-9d3e-0c2b1b0a9e01', vaultId: session.config.id, vaultName: 'jobs', itemId: null,
      item: null, operation: 'backup', status: 'failed', trigger: 'on-demand', startedAt: '2026-01-01T10:00:00.000Z',
      endedAt: '2026-01-01T10:01:00.000Z', subtasks: [],
      error: { code: ErrorCodes.CANCELLED, message: 'Cancelled by the user; nothing partial was kept.' },
    };
    saveJobRow(session, old);
    const shown = await runCli(home, ['jobs', 'show', old.id, '--json']);
    expect(shown.json<Job>()).toMatchObject({
      status: 'cancelled', cancelled: { by: 'unknown', at: old.endedAt, message: old.error?.message },
    });
    expect(shown.json<Job>().error).toBeUndefined();
    const waited = await runCli(home, ['jobs', 'wait', old.id]);
    expect(waited.code).toBe(4);
  });

  it('labvault backup exits 4 when its job is cancelled (Ctrl+C), as jobs wait does', async () => {
    const disk = join(root, 'disk.raw');
    writeFileSync(disk, Buffer.alloc(1024 * 1024, 7));
    // The pre-script sends the backup process Ctrl+C (SIGINT) and ends: the signal is handled
    // before the script's exit is seen, so the job is aborted before it captures anything.
    const script = join(root, 'interrupt.sh');
    writeFileSync(script, '#!/bin/sh\nkill -INT "$PPID"\n');
    chmodSync(script, 0o755);
    const protect = await runCli(home, ['protect', '--vault', 'jobs', '--name', 'interrupted', '--pre-script', script, disk]);
    expect(protect.code, protect.stderr).toBe(0);
    const backup = await runCli(home, ['backup', 'interrupted', '--json']);
    expect(backup.signal, backup.stderr).toBeNull();
    expect(backup.code, backup.stderr).toBe(4);
    const job = backup.json<Job>();
    expect(job).toMatchObject({ status: 'cancelled', cancelled: { by: 'cli' } });
    expect(job.error).toBeUndefined();
    expect(job.pointId).toBeUndefined();
  });
});
