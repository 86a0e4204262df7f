/**
 * The one-line backup status shown in the tray menu and tooltip, kept up to date from
 * the engine's events: how many jobs run now, else how the last one ended.
 * Pure (no electron import): fed with events, read with `text()`.
 */
import type { EventName, EventPayload } from '../../shared/contract/events.ts';

const ACTIVE_STATUSES: ReadonlySet<string> = new Set(['queued', 'in-progress']);

export class BackupStatusLine {
  private readonly active = new Map<string, string>();
  private last: EventPayload<'jobFinished'> | null = null;
  private lastAt: Date | null = null;
  private readonly now: () => Date;

  constructor(now: () => Date = () => new Date()) {
    this.now = now;
  }

  /** Feeds one engine event; returns true when the line changed. */
  onEvent(event: EventName, payload: unknown): boolean {
    const before = this.text();
    if (event === 'jobChanged') {
      const change = payload as EventPayload<'jobChanged'>;
      if (ACTIVE_STATUSES.has(change.status)) this.active.set(change.jobId, change.status);
      else this.active.delete(change.jobId);
    } else if (event === 'jobProgress') {
      const progress = payload as EventPayload<'jobProgress'>;
      this.active.set(progress.jobId, 'in-progress');
    } else if (event === 'jobFinished') {
      const finished = payload as EventPayload<'jobFinished'>;
      this.active.delete(finished.jobId);
      this.last = finished;
      this.lastAt = this.now();
    }
    return this.text() !== before;
  }

  /** Jobs queued or running now. */
  activeJobs(): number {
    return this.active.size;
  }

  text(): string {
    const running = [...this.active.values()].filter((status) => status === 'in-progress').length;
    const queued = this.active.size - running;
    if (running > 0) return `Backups: ${running} running${queued > 0 ? `, ${queued} queued` : ''}`;
    if (queued > 0) return `Backups: ${queued} queued`;
    if (this.last && this.lastAt) {
      const time = `${String(this.lastAt.getHours()).padStart(2, '0')}:${String(this.lastAt.getMinutes()).padStart(2, '0')}`;
      return `Last ${this.last.operation} ${this.last.status}: ${this.last.itemName} at ${time}`;
    }
    return 'Backups: idle';
  }
}
