/**
 * Hosts the engine's scheduler in the desktop app: started when the app is ready and
 * stopped only when the user quits (closing the window leaves it running in the tray).
 * The engine exposes its scheduler as `engine.scheduler` with start()/stop(); until it
 * does, this says so in the log and scheduled backups run only from `labvault` commands.
 * No electron import.
 */
import type { AppLog } from './app-log.ts';

export interface HostedScheduler {
  start(): void | Promise<void>;
  stop(): void | Promise<void>;
}

function isScheduler(value: unknown): value is HostedScheduler {
  const candidate = value as Partial<HostedScheduler> | null;
  return typeof candidate === 'object' && candidate !== null && typeof candidate.start === 'function' && typeof candidate.stop === 'function';
}

/** The engine's scheduler when it has one (duck-typed so this face does not depend on it yet). */
export function schedulerOf(engine: object): HostedScheduler | null {
  const scheduler = (engine as { scheduler?: unknown }).scheduler;
  return isScheduler(scheduler) ? scheduler : null;
}

export class SchedulerHost {
  private readonly scheduler: HostedScheduler | null;
  private readonly log: AppLog;
  private running = false;

  constructor(engine: object, log: AppLog) {
    this.scheduler = schedulerOf(engine);
    this.log = log;
  }

  async start(): Promise<void> {
    if (this.running) return;
    if (!this.scheduler) {
      this.log.warn('The engine has no scheduler yet: scheduled backups do not run in the desktop app.');
      return;
    }
    await this.scheduler.start();
    this.running = true;
    this.log.info('Scheduler started.');
  }

  async stop(): Promise<void> {
    if (!this.running || !this.scheduler) return;
    this.running = false;
    await this.scheduler.stop();
    this.log.info('Scheduler stopped.');
  }
}
