/**
 * Keeps the computer from going to sleep while jobs run (a backup cut by suspend has to
 * start over), and lets it sleep again when the last one ends. Takes Electron's
 * powerSaveBlocker as a parameter, so it has no electron import.
 */
import type { AppLog } from './app-log.ts';

export interface SleepBlockerApi {
  start(type: 'prevent-app-suspension'): number;
  stop(id: number): boolean;
}

export class JobSleepBlocker {
  private readonly api: SleepBlockerApi;
  private readonly log: AppLog;
  private blockerId: number | null = null;

  constructor(api: SleepBlockerApi, log: AppLog) {
    this.api = api;
    this.log = log;
  }

  /** Call with the number of jobs queued or running whenever it may have changed. */
  update(activeJobs: number): void {
    if (activeJobs > 0 && this.blockerId === null) {
      this.blockerId = this.api.start('prevent-app-suspension');
      this.log.info('Jobs running: system sleep is held off until they finish.');
    } else if (activeJobs === 0 && this.blockerId !== null) {
      this.api.stop(this.blockerId);
      this.blockerId = null;
      this.log.info('No job running: system sleep allowed again.');
    }
  }

  isBlocking(): boolean {
    return this.blockerId !== null;
  }
}
