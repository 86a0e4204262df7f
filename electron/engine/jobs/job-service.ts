/**
 * Jobs: created, updated and finished here, persisted in the catalog after every state
 * change, and pushed to every face as events (jobChanged, jobProgress, jobFinished).
 * Running jobs of this process can be cancelled; their AbortSignal stops the work and
 * leaves nothing partial.
 */
import { randomUUID } from 'node:crypto';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { CancelSource, Job, JobOperation, Subtask } from '../../../shared/contract/item-models.ts';
import type { Clock } from '../app/clock.ts';
import type { EventBus } from '../app/event-bus.ts';
import type { VaultDirectory } from '../vault/vault-directory.ts';
import type { VaultSession } from '../vault/vault-session.ts';
import { queryJobRows, readJobRow, saveJobRow, type JobQuery } from './job-catalog.ts';
import { requestCancel, watchCancelRequest } from './cancel-request.ts';

export interface RunningJob {
  job: Job;
  session: VaultSession;
  controller: AbortController;
  done: Promise<Job>;
}

const PROGRESS_INTERVAL_MS = 250;
const CANCEL_SOURCE_TEXT: Record<CancelSource, string> = {
  cli: ' from the command line', ui: ' in the app', service: ' because the Labvault service stopped', unknown: '',
};

/** The abort reason a cancel gives the job's signal: carries who cancelled it. */
export function cancelReason(by: CancelSource): LabvaultError {
  return new LabvaultError(ErrorCodes.CANCELLED, 'Cancelled by the user.', { details: { by } });
}

function cancelSourceOf(reason: unknown): CancelSource {
  const by = reason instanceof LabvaultError ? reason.details?.by : undefined;
  return by === 'cli' || by === 'ui' || by === 'service' ? by : 'unknown';
}

/** What a cancelled job says it left: a cancelled backup's written chunks wait for GC. */
export function cancelMessage(operation: JobOperation, by: CancelSource): string {
  const who = `Cancelled${CANCEL_SOURCE_TEXT[by]}.`;
  if (operation === 'backup') {
    return `${who} No recovery point was made. Data written before the cancel belongs to no point: the vault shows it`
      + ' as reclaimable until garbage collection removes it.';
  }
  return `${who} The ${operation} stopped before it finished.`;
}
const CROSS_PROCESS_CANCEL_WAIT_MS = 60_000;

/** Told of every job this process ends (completed, failed or cancelled) before its `done` settles. */
export type JobEndListener = (session: VaultSession, job: Job) => Promise<void>;

export class JobService {
  private readonly running = new Map<string, RunningJob>();
  private readonly endListeners: JobEndListener[] = [];
  private readonly lastProgress = new Map<string, number>();
  private readonly clock: Clock;
  private readonly events: EventBus;
  private readonly vaults: VaultDirectory;

  constructor(vaults: VaultDirectory, clock: Clock, events: EventBus) {
    this.vaults = vaults;
    this.clock = clock;
    this.events = events;
  }

  create(session: VaultSession, init: { operation: JobOperation; itemId: string | null; item: string | null; trigger: Job['trigger']; subtasks: Subtask['name'][]; id?: string }): Job {
    const job: Job = {
      id: init.id ?? randomUUID(),
      vaultId: session.config.id,
      vaultName: session.config.name,
      itemId: init.itemId,
      item: init.item,
      operation: init.operation,
      status: 'queued',
      trigger: init.trigger,
      startedAt: this.clock.now().toISOString(),
      endedAt: null,
      subtasks: init.subtasks.map((name) => ({ name, status: 'queued', startedAt: null, endedAt: null })),
    };
    saveJobRow(session, job);
    this.events.emitAny('jobChanged', { jobId: job.id, vaultId: job.vaultId, status: job.status });
    return job;
  }

  /** Runs `work` as the body of a created job; the job ends completed, failed or cancelled. */
  start(session: VaultSession, job: Job, work: (context: JobContext) => Promise<void>): RunningJob {
    const controller = new AbortController();
    const context = new JobContext(this, session, job, controller.signal);
    const stopWatching = watchCancelRequest(session.dir, job.id, (by) => controller.abort(cancelReason(by)));
    const done = (async () => {
      this.update(session, job, (current) => { current.status = 'in-progress'; });
      try {
        await work(context);
        this.finish(session, job, job.subtasks.some((subtask) => subtask.status === 'failed') ? 'failed' : 'completed');
      } catch (error) {
        const cancelled = controller.signal.aborted
          || (error instanceof LabvaultError && error.code === ErrorCodes.CANCELLED);
        const info = error instanceof LabvaultError
          ? { code: error.code, message: error.message }
          : { code: ErrorCodes.INTERNAL, message: error instanceof Error ? error.message : String(error) };
        for (const subtask of job.subtasks) {
          if (subtask.status === 'in-progress') {
            subtask.status = cancelled ? 'cancelled' : 'failed';
            subtask.endedAt = this.clock.now().toISOString();
            subtask.message = info.message;
          } else if (subtask.status === 'queued') {
            subtask.status = 'cancelled';
            subtask.message = cancelled ? 'cancelled' : 'not run: an earlier subtask failed';
          }
        }
        if (cancelled) {
          const by = cancelSourceOf(controller.signal.reason);
          delete job.error;
          job.cancelled = { by, at: this.clock.now().toISOString(), message: cancelMessage(job.operation, by) };
        } else {
          job.error = info;
        }
        this.finish(session, job, cancelled ? 'cancelled' : 'failed');
      } finally {
        this.running.delete(job.id);
        this.lastProgress.delete(job.id);
        await stopWatching();
      }
      for (const listener of this.endListeners) {
        // A listener (alerts) failing must not change how the job ended.
        await listener(session, job).catch(() => undefined);
      }
      return job;
    })();
    const running: RunningJob = { job, session, controller, done };
    this.running.set(job.id, running);
    return running;
  }

  /** Adds a listener awaited after each job of this process ends, before its `done` settles. */
  onJobEnd(listener: JobEndListener): void {
    this.endListeners.push(listener);
  }

  update(session: VaultSession, job: Job, change: (job: Job) => void): void {
    change(job);
    saveJobRow(session, job);
    this.events.emitAny('jobChanged', { jobId: job.id, vaultId: job.vaultId, status: job.status });
  }

  progress(job: Job, subtask: Subtask, force = false): void {
    const now = Date.now();
    if (!force && now - (this.lastProgress.get(job.id) ?? 0) < PROGRESS_INTERVAL_MS) return;
    this.lastProgress.set(job.id, now);
    const total = subtask.bytesTotal ?? 0;
    const done = subtask.bytesRead ?? 0;
    const rate = subtask.bytesPerSecond ?? 0;
    this.events.emitAny('jobProgress', {
      jobId: job.id, itemId: job.itemId ?? '', vaultId: job.vaultId, subtask: subtask.name,
      bytesDone: done, bytesTotal: total, bytesPerSecond: rate,
      etaSeconds: rate > 0 && total >= done ? Math.round((total - done) / rate) : null,
    });
  }

  private finish(session: VaultSession, job: Job, status: Job['status']): void {
    job.status = status;
    job.endedAt = this.clock.now().toISOString();
    saveJobRow(session, job);
    // Finished jobs are also kept in the vault's files, so a rebuilt catalog keeps the history.
    session.records.write('jobs', job.id, job).catch(() => undefined);
    this.events.emitAny('jobChanged', { jobId: job.id, vaultId: job.vaultId, status });
    const verb = status === 'completed' ? 'completed' : status === 'cancelled' ? 'was cancelled' : 'failed';
    this.events.emitAny('jobFinished', {
      jobId: job.id, vaultId: job.vaultId, itemName: job.item ?? job.vaultName, operation: job.operation, status,
      message: `${job.operation[0]?.toUpperCase()}${job.operation.slice(1)} of ${job.item ?? job.vaultName} ${verb}${job.error && status === 'failed' ? `: ${job.error.message}` : '.'}`,
    });
  }

  /** Cancels a job of any Labvault process; `by` is recorded on the job (job.cancelled.by). */
  async cancel(id: string, by: CancelSource = 'unknown'): Promise<Job> {
    const running = this.running.get(id);
    if (running) {
      running.controller.abort(cancelReason(by));
      return running.done;
    }
    const { job, session } = await this.find(id);
    if (job.status === 'in-progress' || job.status === 'queued') {
      // The job runs in another process: ask it to stop and wait (bounded) for it to end.
      await requestCancel(session.dir, id, by);
      for (let waited = 0; waited < CROSS_PROCESS_CANCEL_WAIT_MS; waited += 250) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        const current = (await this.find(id)).job;
        if (current.status !== 'in-progress' && current.status !== 'queued') return current;
      }
      throw new LabvaultError(ErrorCodes.CONFLICT, `Asked job ${id} (running in another Labvault process) to cancel; it has not stopped yet. Check "labvault jobs show ${id}".`, { field: 'id' });
    }
    throw new LabvaultError(ErrorCodes.CONFLICT, `Job ${id} has already ended (${job.status}).`, { field: 'id' });
  }

  /** Cancels every job this process runs (the service stopping); resolves when they have ended. */
  async cancelRunning(by: CancelSource): Promise<Job[]> {
    const jobs = [...this.running.values()];
    for (const running of jobs) running.controller.abort(cancelReason(by));
    return Promise.all(jobs.map((running) => running.done));
  }

  runningJob(id: string): RunningJob | undefined {
    return this.running.get(id);
  }

  async find(id: string): Promise<{ session: VaultSession; job: Job }> {
    for (const entry of await this.vaults.known.list()) {
      const session = await this.vaults.session(entry.id).catch(() => null);
      if (!session) continue;
      const job = this.running.get(id)?.job ?? readJobRow(session, id);
      if (job) return { session, job };
    }
    throw new LabvaultError(ErrorCodes.NOT_FOUND, `No job with id ${id}. "labvault jobs list" shows recent jobs.`, { field: 'id' });
  }

  async list(vault: string | undefined, query: JobQuery): Promise<Job[]> {
    const sessions: VaultSession[] = [];
    if (vault) sessions.push(await this.vaults.session(vault));
    else for (const entry of await this.vaults.known.list()) {
      const session = await this.vaults.session(entry.id).catch(() => null);
      if (session) sessions.push(session);
    }
    const jobs = sessions.flatMap((session) => (
      queryJobRows(session, query).map((job) => this.running.get(job.id)?.job ?? job)
    ));
    return jobs.sort((a, b) => b.startedAt.localeCompare(a.startedAt)).slice(0, query.limit ?? 500);
  }
}

/** What a job body uses to report subtask states and progress. */
export class JobContext {
  readonly signal: AbortSignal;
  readonly job: Job;
  readonly session: VaultSession;
  private readonly service: JobService;
  private readonly rateStart = new Map<string, { at: number; bytes: number }>();

  constructor(service: JobService, session: VaultSession, job: Job, signal: AbortSignal) {
    this.service = service;
    this.session = session;
    this.job = job;
    this.signal = signal;
  }

  subtask(name: Subtask['name']): Subtask {
    const subtask = this.job.subtasks.find((candidate) => candidate.name === name);
    if (!subtask) throw new LabvaultError(ErrorCodes.INTERNAL, `Job ${this.job.id} has no subtask ${name}.`);
    return subtask;
  }

  begin(name: Subtask['name'], bytesTotal?: number): Subtask {
    const subtask = this.subtask(name);
    this.service.update(this.session, this.job, () => {
      subtask.status = 'in-progress';
      subtask.startedAt = new Date().toISOString();
      if (bytesTotal !== undefined) subtask.bytesTotal = bytesTotal;
    });
    this.rateStart.set(name, { at: Date.now(), bytes: 0 });
    return subtask;
  }

  report(
    name: Subtask['name'],
    figures: Partial<Pick<Subtask, 'bytesRead' | 'bytesWritten' | 'bytesDeduplicated' | 'bytesTracked' | 'bytesTrackedBitmap' | 'bytesTotal' | 'stages'>>,
  ): void {
    const subtask = this.subtask(name);
    Object.assign(subtask, figures);
    const start = this.rateStart.get(name);
    if (start && subtask.bytesRead !== undefined) {
      const seconds = (Date.now() - start.at) / 1000;
      if (seconds > 0.05) subtask.bytesPerSecond = Math.round(subtask.bytesRead / seconds);
    }
    this.service.progress(this.job, subtask);
  }

  end(name: Subtask['name'], status: Subtask['status'], message?: string): void {
    const subtask = this.subtask(name);
    this.service.update(this.session, this.job, () => {
      subtask.status = status;
      subtask.endedAt = new Date().toISOString();
      if (message !== undefined) subtask.message = message;
      const start = this.rateStart.get(name);
      if (start && subtask.bytesRead !== undefined && subtask.startedAt) {
        const seconds = (Date.now() - Date.parse(subtask.startedAt)) / 1000;
        if (seconds > 0) subtask.bytesPerSecond = Math.round(subtask.bytesRead / seconds);
      }
    });
    this.service.progress(this.job, subtask, true);
  }

  setJob(change: (job: Job) => void): void {
    this.service.update(this.session, this.job, change);
  }

  throwIfCancelled(): void {
    if (this.signal.aborted) throw cancelReason(cancelSourceOf(this.signal.reason));
  }
}
