/** What the tray status line and desktop notifications say for engine events, and the sleep blocker they drive (pure). */
import { describe, expect, it } from 'vitest';
import { BackupStatusLine } from '../../../electron/desktop/backup-status-line.ts';
import { notificationFor } from '../../../electron/desktop/desktop-notices.ts';
import { JobSleepBlocker } from '../../../electron/desktop/job-sleep-blocker.ts';
import type { EventPayload } from '../../../shared/contract/events.ts';

const finished = (status: string, operation = 'backup'): EventPayload<'jobFinished'> => ({
  jobId: 'job-1', vaultId: 'vault-1', itemName: 'ubuntu-dev', operation, status, message: `ubuntu-dev: ${status}`,
});

describe('notificationFor', () => {
  it('notifies completed and failed jobs, failures as critical', () => {
    expect(notificationFor('jobFinished', finished('completed'))).toEqual({ title: 'Backup completed: ubuntu-dev', body: 'ubuntu-dev: completed', urgency: 'low' });
    expect(notificationFor('jobFinished', finished('failed', 'restore'))).toEqual({ title: 'Restore failed: ubuntu-dev', body: 'ubuntu-dev: failed', urgency: 'critical' });
  });

  it('stays quiet for cancelled or skipped jobs and for progress', () => {
    expect(notificationFor('jobFinished', finished('cancelled'))).toBeNull();
    expect(notificationFor('jobFinished', finished('skipped'))).toBeNull();
    expect(notificationFor('jobProgress', { jobId: 'job-1' })).toBeNull();
    expect(notificationFor('vaultsChanged', { reason: 'created' })).toBeNull();
  });

  it('notifies every alert, critical ones as critical', () => {
    const alert = { id: 'a1', vaultId: 'v1', severity: 'critical' as const, title: 'Vault damaged', message: 'Chunk 12ab missing in lab-1.' };
    expect(notificationFor('alertRaised', alert)).toEqual({ title: 'Vault damaged', body: 'Chunk 12ab missing in lab-1.', urgency: 'critical' });
    expect(notificationFor('alertRaised', { ...alert, severity: 'warning' })?.urgency).toBe('normal');
  });
});

describe('BackupStatusLine', () => {
  it('counts running and queued jobs, then shows how the last one ended', () => {
    const line = new BackupStatusLine(() => new Date(2026, 0, 5, 9, 7));
    expect(line.text()).toBe('Backups: idle');
    expect(line.onEvent('jobChanged', { jobId: 'a', vaultId: 'v', status: 'queued' })).toBe(true);
    expect(line.text()).toBe('Backups: 1 queued');
    line.onEvent('jobChanged', { jobId: 'a', vaultId: 'v', status: 'in-progress' });
    line.onEvent('jobChanged', { jobId: 'b', vaultId: 'v', status: 'queued' });
    expect(line.text()).toBe('Backups: 1 running, 1 queued');
    expect(line.onEvent('jobProgress', { jobId: 'a' })).toBe(false);
    line.onEvent('jobFinished', { ...finished('completed'), jobId: 'a' });
    line.onEvent('jobChanged', { jobId: 'b', vaultId: 'v', status: 'cancelled' });
    expect(line.text()).toBe('Last backup completed: ubuntu-dev at 09:07');
  });
});

describe('JobSleepBlocker', () => {
  it('holds off system sleep from the first active job until the last one ends', () => {
    const calls: string[] = [];
    const blocker = new JobSleepBlocker({ start: (type) => { calls.push(`start:${type}`); return 7; }, stop: (id) => { calls.push(`stop:${id}`); return true; } }, { info: () => undefined, warn: () => undefined, error: () => undefined });
    const line = new BackupStatusLine();
    const feed = (event: Parameters<BackupStatusLine['onEvent']>[0], payload: unknown) => {
      line.onEvent(event, payload);
      blocker.update(line.activeJobs());
    };
    feed('jobChanged', { jobId: 'a', vaultId: 'v', status: 'queued' });
    feed('jobChanged', { jobId: 'b', vaultId: 'v', status: 'in-progress' });
    expect(blocker.isBlocking()).toBe(true);
    feed('jobFinished', { ...finished('completed'), jobId: 'a' });
    expect(calls).toEqual(['start:prevent-app-suspension']);
    feed('jobFinished', { ...finished('failed'), jobId: 'b' });
    expect(calls).toEqual(['start:prevent-app-suspension', 'stop:7']);
    expect(blocker.isBlocking()).toBe(false);
  });
});
