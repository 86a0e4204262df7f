import { describe, expect, it } from 'vitest';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { JobService } from '../../../electron/engine/jobs/job-service.ts';
import { FIXTURE_VAULT, useEngineFixture } from '../../support/engine-fixture.ts';

const makeFixture = useEngineFixture();

type JobInit = Parameters<JobService['create']>[1];
const GC_INIT: JobInit = { operation: 'gc', itemId: null, item: null, trigger: 'on-demand', subtasks: [] };

describe('JobService', () => {
  it('create stores a queued job; start runs it to completed, with subtask states and events', async () => {
    const f = await makeFixture();
    const { jobs, events } = f.engine;
    const session = await f.session();
    const statuses: string[] = [];
    const stop = events.on('jobChanged', (change) => statuses.push(change.status));
    const job = jobs.create(session, { ...GC_INIT, operation: 'verify', subtasks: ['Verify'] });
    expect(job).toMatchObject({ status: 'queued', vaultName: FIXTURE_VAULT, endedAt: null });
    expect((await jobs.find(job.id)).job.status).toBe('queued');
    const running = jobs.start(session, job, async (context) => {
      context.begin('Verify', 10);
      context.report('Verify', { bytesRead: 10 });
      context.end('Verify', 'completed', 'all good');
    });
    expect(jobs.runningJob(job.id)).toBe(running);
    const done = await running.done;
    stop();
    expect(done.status).toBe('completed');
    expect(done.subtasks[0]).toMatchObject({ status: 'completed', bytesRead: 10, message: 'all good' });
    expect(jobs.runningJob(job.id)).toBeUndefined();
    expect(statuses[0]).toBe('queued');
    expect(statuses).toContain('in-progress');
    expect(statuses.at(-1)).toBe('completed');
    expect((await jobs.find(job.id)).job).toMatchObject({ status: 'completed' });
  });

  it('a failing body ends the job failed with the error code; later subtasks are marked not run', async () => {
    const f = await makeFixture();
    const session = await f.session();
    const init: JobInit = { ...GC_INIT, operation: 'restore', item: 'vm1', subtasks: ['Restore', 'Verify'] };
    const job = f.engine.jobs.create(session, init);
    const done = await f.engine.jobs.start(session, job, async (context) => {
      context.begin('Restore');
      throw new LabvaultError(ErrorCodes.DISK_FULL, 'The disk holding /t is full.');
    }).done;
    expect(done.status).toBe('failed');
    expect(done.error).toEqual({ code: ErrorCodes.DISK_FULL, message: 'The disk holding /t is full.' });
    expect(done.subtasks.map((subtask) => subtask.status)).toEqual(['failed', 'cancelled']);
    expect(done.subtasks[1]?.message).toBe('not run: an earlier subtask failed');
  });

  it('cancel of a running job aborts its body and ends it cancelled; cancel of an ended job is CONFLICT', async () => {
    const f = await makeFixture();
    const session = await f.session();
    const job = f.engine.jobs.create(session, GC_INIT);
    let started!: () => void;
    const entered = new Promise<void>((resolve) => { started = resolve; });
    const running = f.engine.jobs.start(session, job, async (context) => {
      started();
      await new Promise<void>((resolve) => context.signal.addEventListener('abort', () => resolve()));
      context.throwIfCancelled();
    });
    await entered;
    const cancelled = await f.engine.jobs.cancel(job.id, 'ui');
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.error).toBeUndefined();
    expect(cancelled.cancelled).toMatchObject({ by: 'ui', message: 'Cancelled in the app. The gc stopped before it finished.' });
    expect((await running.done).status).toBe('cancelled');
    await expect(f.engine.jobs.cancel(job.id)).rejects.toMatchObject({ code: ErrorCodes.CONFLICT, field: 'id' });
  });

  it('list filters by operation and status, newest first; an unknown id is NOT_FOUND', async () => {
    const f = await makeFixture();
    const { jobs } = f.engine;
    const session = await f.session();
    const gc = jobs.create(session, GC_INIT);
    await jobs.start(session, gc, async () => undefined).done;
    f.clock.advance(1000);
    const prune = jobs.create(session, { ...GC_INIT, operation: 'prune' });
    await jobs.start(session, prune, async () => { throw new Error('boom'); }).done;
    expect((await jobs.list(FIXTURE_VAULT, {})).map((job) => job.id)).toEqual([prune.id, gc.id]);
    expect((await jobs.list(undefined, { operation: 'gc' })).map((job) => job.id)).toEqual([gc.id]);
    expect((await jobs.list(undefined, { status: 'failed' })).map((job) => job.id)).toEqual([prune.id]);
    expect((await jobs.list(undefined, { limit: 1 })).map((job) => job.id)).toEqual([prune.id]);
    expect((await jobs.find(prune.id)).job.error).toEqual({ code: ErrorCodes.INTERNAL, message: 'boom' });
    await expect(jobs.find('00000000-0000-4000-8000-000000000000'))
      .rejects.toMatchObject({ code: ErrorCodes.NOT_FOUND });
  });
});
