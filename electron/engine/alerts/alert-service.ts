/**
 * Alerts: things a person must know about (data soft-deleted, immutability changed, a
 * verification failed, a backup failed). Routine success raises none. Kept in the vault
 * (records) and its catalog; pushed to every face (dashboard, desktop notification).
 * An alert is open until acknowledged; one about a kind of problem with an item (a failed
 * backup) is also closed (resolved) when that problem goes away by itself.
 */
import { randomUUID } from 'node:crypto';
import { alertIsOpen, type Alert } from '../../../shared/contract/item-models.ts';
import type { Clock } from '../app/clock.ts';
import type { EventBus } from '../app/event-bus.ts';
import { findAlert, listAllAlerts, listRecentAlerts, upsertAlert } from '../catalog/alert-repository.ts';
import type { VaultDirectory } from '../vault/vault-directory.ts';
import type { VaultSession } from '../vault/vault-session.ts';

export class AlertService {
  private readonly vaults: VaultDirectory;
  private readonly clock: Clock;
  private readonly events: EventBus;

  constructor(vaults: VaultDirectory, clock: Clock, events: EventBus) {
    this.vaults = vaults;
    this.clock = clock;
    this.events = events;
  }

  async raise(session: VaultSession, severity: Alert['severity'], title: string, message: string,
    subject: AlertSubject = {}): Promise<Alert> {
    const alert: Alert = {
      id: randomUUID(), vaultId: session.config.id, vaultName: session.config.name, severity, title, message,
      createdAt: this.clock.now().toISOString(), acknowledged: false, ...subject,
    };
    saveAlertRow(session, alert);
    await session.records.write('alerts', alert.id, alert).catch(() => undefined);
    this.events.emitAny('alertRaised', { id: alert.id, vaultId: alert.vaultId, severity, title, message });
    return alert;
  }

  /**
   * Raises an alert about `subject.kind` for `subject.itemId`, or, when one is open already, counts the new
   * occurrence on it (newest message and job) instead of stacking another.
   */
  async raiseOrRepeat(session: VaultSession, severity: Alert['severity'], title: string, message: string,
    subject: AlertSubject & { kind: string; itemId: string }): Promise<Alert> {
    const open = openAlertsAbout(session, subject.kind, subject.itemId)[0];
    if (!open) return this.raise(session, severity, title, message, subject);
    const now = this.clock.now().toISOString();
    const alert: Alert = { ...open, ...subject, message, occurrences: (open.occurrences ?? 1) + 1, lastAt: now };
    await this.save(session, alert);
    this.events.emitAny('alertRaised', { id: alert.id, vaultId: alert.vaultId, severity, title, message });
    return alert;
  }

  /** Resolves the open alerts about `kind` for the item (the problem went away by itself); returns how many. */
  async resolve(session: VaultSession, kind: string, itemId: string, resolution: string): Promise<number> {
    const open = openAlertsAbout(session, kind, itemId);
    const resolvedAt = this.clock.now().toISOString();
    for (const alert of open) await this.save(session, { ...alert, resolvedAt, resolution });
    return open.length;
  }

  private async save(session: VaultSession, alert: Alert): Promise<void> {
    saveAlertRow(session, alert);
    await session.records.write('alerts', alert.id, alert).catch(() => undefined);
  }

  async list(vault?: string, includeAcknowledged = false): Promise<Alert[]> {
    const sessions: VaultSession[] = [];
    if (vault) sessions.push(await this.vaults.session(vault));
    else for (const entry of await this.vaults.known.list()) {
      const session = await this.vaults.session(entry.id).catch(() => null);
      if (session) sessions.push(session);
    }
    const alerts = sessions.flatMap((session) => listRecentAlerts(session.catalog));
    return alerts.filter((alert) => includeAcknowledged || alertIsOpen(alert))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  async acknowledge(id: string): Promise<boolean> {
    for (const entry of await this.vaults.known.list()) {
      const session = await this.vaults.session(entry.id).catch(() => null);
      if (!session) continue;
      const found = findAlert(session.catalog, id);
      if (!found) continue;
      const alert = { ...found, acknowledged: true };
      saveAlertRow(session, alert);
      await session.records.write('alerts', alert.id, alert).catch(() => undefined);
      return true;
    }
    return false;
  }
}

/** What an alert is about, for alerts that resolve themselves (see AlertSchema). */
export type AlertSubject = Partial<Pick<Alert, 'kind' | 'itemId' | 'item' | 'jobId'>>;

/** Open alerts of the vault about `kind` for one item, newest first. */
export function openAlertsAbout(session: VaultSession, kind: string, itemId: string): Alert[] {
  return listAllAlerts(session.catalog)
    .filter((alert) => alert.kind === kind && alert.itemId === itemId && alertIsOpen(alert))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/** Every alert of the vault (any state) that a job raised. */
export function alertsOfJob(session: VaultSession, jobId: string): Alert[] {
  return listAllAlerts(session.catalog).filter((alert) => alert.jobId === jobId);
}

export function saveAlertRow(session: VaultSession, alert: Alert): void {
  upsertAlert(session.catalog, alert);
}
