/**
 * Alerts: things a person must know about (data soft-deleted, immutability changed, a
 * verification failed, a backup failed). Routine success raises none. Kept in the vault
 * (records) and its catalog; pushed to every face (dashboard, desktop notification).
 */
import { randomUUID } from 'node:crypto';
import type { Alert } from '../../../shared/contract/item-models.ts';
import type { Clock } from '../app/clock.ts';
import type { EventBus } from '../app/event-bus.ts';
import { findAlert, listRecentAlerts, upsertAlert } from '../catalog/alert-repository.ts';
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

  async raise(session: VaultSession, severity: Alert['severity'], title: string, message: string): Promise<Alert> {
    const alert: Alert = {
      id: randomUUID(), vaultId: session.config.id, vaultName: session.config.name, severity, title, message,
      createdAt: this.clock.now().toISOString(), acknowledged: false,
    };
    saveAlertRow(session, alert);
    await session.records.write('alerts', alert.id, alert).catch(() => undefined);
    this.events.emitAny('alertRaised', { id: alert.id, vaultId: alert.vaultId, severity, title, message });
    return alert;
  }

  async list(vault?: string, includeAcknowledged = false): Promise<Alert[]> {
    const sessions: VaultSession[] = [];
    if (vault) sessions.push(await this.vaults.session(vault));
    else for (const entry of await this.vaults.known.list()) {
      const session = await this.vaults.session(entry.id).catch(() => null);
      if (session) sessions.push(session);
    }
    const alerts = sessions.flatMap((session) => listRecentAlerts(session.catalog));
    return alerts.filter((alert) => includeAcknowledged || !alert.acknowledged)
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

export function saveAlertRow(session: VaultSession, alert: Alert): void {
  upsertAlert(session.catalog, alert);
}
